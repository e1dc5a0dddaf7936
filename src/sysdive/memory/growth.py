"""Resident-memory growth per process and per container, from any capture or live events.

The kernel's view of a process's memory (``vm_size``, ``vm_rss``, ``vm_swap``) rides on brk,
mmap, munmap, execve, clone, switch and procinfo events; libsinsp keeps the latest values in
the thread table, and ``proc.vmrss`` reads them. :class:`GrowthTracker` watches the same value
on every event through the same field (so it agrees with ``sysdig -p "%proc.vmrss"``):

* a process's **samples** are the events where its ``proc.vmrss`` is known (non-zero); an
  execve exit starts the process afresh (a new program: what the old one did, e.g. runc
  setting up a container, is not the new one's growth);
* **growth** is the last sample minus the first; the **rate** is growth over the time between
  them; the **peak** is the largest sample;
* when the value differs from the process's previous sample, the difference is credited to
  the event type where it changed: that is "which syscall moved RSS by how much";
* a **container**'s growth at any moment is the sum of the growth so far of its live
  processes (``container.id``; host processes are grouped under ``host``): a process adds
  what it grew since its first sample and takes it back when it exits or execs. The
  container's growth is the peak of that sum (a container whose leaking process was
  OOM-killed ends low, but it grew), its final growth the sum at the end; short-lived
  processes and processes first seen mid-capture do not add up;
* given a memory limit (the cgroup's, in KiB), the time to reach it at the current rate is
  projected.

Ranking is by growth, largest first; ties by pid. This is a library: the growth chisels (and
the one-screen story command) render it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sysdive.event import Event
from sysdive.fields.registry import FieldRegistry
from sysdive.inspector import Inspector
from sysdive.schema.types import Category

__all__ = ["ContainerGrowth", "GrowthTracker", "ProcessGrowth", "growth_of_captures"]


@dataclass(frozen=True, slots=True)
class ProcessGrowth:
    """How one process's resident memory moved during the capture."""

    pid: int
    name: str
    container_id: str
    container_name: str
    first_kb: int
    last_kb: int
    peak_kb: int
    first_ts: int
    last_ts: int
    samples: int
    by_event: tuple[tuple[str, int, int], ...]  # (event type, net KiB, changes), biggest first

    @property
    def growth_kb(self) -> int:
        return self.last_kb - self.first_kb

    @property
    def rate_kb_s(self) -> float:
        span = (self.last_ts - self.first_ts) / 1e9
        return self.growth_kb / span if span > 0 else 0.0

    def seconds_to(self, limit_kb: int) -> float | None:
        """Projected seconds until RSS reaches ``limit_kb`` at the current rate (None: not
        growing)."""
        rate = self.rate_kb_s
        if rate <= 0:
            return None
        return max(limit_kb - self.last_kb, 0) / rate


@dataclass(frozen=True, slots=True)
class ContainerGrowth:
    """The processes of one container (or ``host``) together."""

    container_id: str
    name: str  # container.name ("host" for the host, "<NA>" while the runtime is unknown)
    growth_kb: int        # the peak of the summed growth of its live processes
    final_growth_kb: int  # that sum at the end
    processes: tuple[ProcessGrowth, ...]  # ranked


@dataclass(slots=True)
class _Sum:
    now: int = 0
    peak: int = 0


@dataclass(slots=True)
class _Proc:
    name: str
    container_id: str
    container_name: str
    first_kb: int
    last_kb: int
    peak_kb: int
    first_ts: int
    last_ts: int
    samples: int = 1
    by_event: dict[str, list[int]] = field(default_factory=dict)
    alive: bool = True


class GrowthTracker:
    """Feed it events in order (``on_event``), then ask for :meth:`processes` or
    :meth:`containers`. The registry must be bound to the state the events update."""

    def __init__(self, registry: FieldRegistry) -> None:
        self._pid = registry.resolve("proc.pid").extract
        self._rss = registry.resolve("proc.vmrss").extract
        self._name = registry.resolve("proc.name").extract
        self._type = registry.resolve("evt.type").extract
        self._container = registry.resolve("container.id").extract
        self._container_name = registry.resolve("container.name").extract
        self._procs: dict[int, _Proc] = {}
        self._sums: dict[str, _Sum] = {}
        self._names: dict[str, str] = {}

    def _add(self, cid: str, delta: int) -> None:
        total = self._sums.get(cid)
        if total is None:
            total = self._sums[cid] = _Sum()
        total.now += delta
        total.peak = max(total.peak, total.now)

    def _leave(self, pid: int, forget: bool) -> None:
        p = self._procs.get(pid)
        if p is None or not p.alive:
            return
        p.alive = False
        self._add(p.container_id, p.first_kb - p.last_kb)
        if forget:  # execve: the old program's account is not the new one's
            del self._procs[pid]

    def on_event(self, evt: Event) -> None:
        if evt.info.category & Category.INTERNAL:
            return  # sysdig shows none of these (procinfo of the file's thread table, ...)
        name = evt.name
        if name == "procexit" or (evt.type & 1 and name == "execve"):
            pid = self._pid(evt)
            # a process ends (its main thread exits) or becomes a new program
            if pid is not None and (name == "execve" or evt.tid == pid):
                self._leave(int(pid), name == "execve")  # type: ignore[call-overload]
            if name == "procexit":
                return
        rss = self._rss(evt)
        if not rss:
            return
        pid = self._pid(evt)
        if pid is None:
            return
        kb = int(rss)  # type: ignore[call-overload]
        p = self._procs.get(int(pid))  # type: ignore[call-overload]
        if p is None or not p.alive:  # new, or a reused pid
            p = self._procs[int(pid)] = _Proc(  # type: ignore[call-overload]
                str(self._name(evt)), str(self._container(evt) or "host"),
                str(self._container_name(evt) or "<NA>"), kb, kb, kb, evt.ts, evt.ts)
            self._add(p.container_id, 0)
            self._names[p.container_id] = p.container_name
            return
        if kb != p.last_kb:
            self._add(p.container_id, kb - p.last_kb)
            per = p.by_event.setdefault(str(self._type(evt)), [0, 0])
            per[0] += kb - p.last_kb
            per[1] += 1
            p.last_kb = kb
            p.peak_kb = max(p.peak_kb, kb)
        p.last_ts = evt.ts
        p.samples += 1
        p.name = str(self._name(evt))
        p.container_name = str(self._container_name(evt) or "<NA>")
        self._names[p.container_id] = p.container_name

    def processes(self) -> list[ProcessGrowth]:
        """Every process seen with a known RSS, most growth first (ties: lower pid)."""
        out = [ProcessGrowth(pid, p.name, p.container_id, p.container_name, p.first_kb, p.last_kb, p.peak_kb,
                             p.first_ts, p.last_ts, p.samples,
                             tuple(sorted(((k, v[0], v[1]) for k, v in p.by_event.items()),
                                          key=lambda e: (-abs(e[1]), e[0]))))
               for pid, p in self._procs.items()]
        out.sort(key=lambda g: (-g.growth_kb, g.pid))
        return out

    def containers(self) -> list[ContainerGrowth]:
        """Containers by growth, most first (ties: container id), each with the processes
        seen in it, ranked."""
        groups: dict[str, list[ProcessGrowth]] = {}
        for g in self.processes():
            groups.setdefault(g.container_id, []).append(g)
        for cid in self._sums:
            groups.setdefault(cid, [])
        out = [ContainerGrowth(cid, self._names.get(cid, "<NA>"), self._sums[cid].peak,
                               self._sums[cid].now, tuple(procs))
               for cid, procs in groups.items()]
        out.sort(key=lambda c: (-c.growth_kb, c.container_id))
        return out


def growth_of_captures(paths: Iterable[str]) -> GrowthTracker:
    """Run captures through the state engine and track growth over all their events."""
    inspector = Inspector()
    tracker = GrowthTracker(FieldRegistry(inspector.state))
    inspector.run(list(paths), tracker.on_event)
    return tracker
