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
* a **container** sums the last samples of its processes (``container.id``; host processes
  are grouped under ``host``);
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
    first_kb: int
    last_kb: int
    processes: tuple[ProcessGrowth, ...]  # ranked

    @property
    def growth_kb(self) -> int:
        return self.last_kb - self.first_kb


@dataclass(slots=True)
class _Proc:
    name: str
    container_id: str
    first_kb: int
    last_kb: int
    peak_kb: int
    first_ts: int
    last_ts: int
    samples: int = 1
    by_event: dict[str, list[int]] = field(default_factory=dict)


class GrowthTracker:
    """Feed it events in order (``on_event``), then ask for :meth:`processes` or
    :meth:`containers`. The registry must be bound to the state the events update."""

    def __init__(self, registry: FieldRegistry) -> None:
        self._pid = registry.resolve("proc.pid").extract
        self._rss = registry.resolve("proc.vmrss").extract
        self._name = registry.resolve("proc.name").extract
        self._type = registry.resolve("evt.type").extract
        self._container = registry.resolve("container.id").extract
        self._procs: dict[int, _Proc] = {}

    def on_event(self, evt: Event) -> None:
        if evt.info.category & Category.INTERNAL:
            return  # sysdig shows none of these (procinfo of the file's thread table, ...)
        if evt.type & 1 and evt.name == "execve":
            pid = self._pid(evt)
            if pid is not None:
                self._procs.pop(int(pid), None)  # type: ignore[call-overload]
        rss = self._rss(evt)
        if not rss:
            return
        pid = self._pid(evt)
        if pid is None:
            return
        kb = int(rss)  # type: ignore[call-overload]
        p = self._procs.get(int(pid))  # type: ignore[call-overload]
        if p is None:
            self._procs[int(pid)] = _Proc(  # type: ignore[call-overload]
                str(self._name(evt)), str(self._container(evt) or "host"), kb, kb, kb,
                evt.ts, evt.ts)
            return
        if kb != p.last_kb:
            per = p.by_event.setdefault(str(self._type(evt)), [0, 0])
            per[0] += kb - p.last_kb
            per[1] += 1
            p.last_kb = kb
            p.peak_kb = max(p.peak_kb, kb)
        p.last_ts = evt.ts
        p.samples += 1
        p.name = str(self._name(evt))
        p.container_id = str(self._container(evt) or "host")

    def processes(self) -> list[ProcessGrowth]:
        """Every process seen with a known RSS, most growth first (ties: lower pid)."""
        out = [ProcessGrowth(pid, p.name, p.container_id, p.first_kb, p.last_kb, p.peak_kb,
                             p.first_ts, p.last_ts, p.samples,
                             tuple(sorted(((k, v[0], v[1]) for k, v in p.by_event.items()),
                                          key=lambda e: (-abs(e[1]), e[0]))))
               for pid, p in self._procs.items()]
        out.sort(key=lambda g: (-g.growth_kb, g.pid))
        return out

    def containers(self) -> list[ContainerGrowth]:
        """Processes grouped by container, most growth first (ties: container id)."""
        groups: dict[str, list[ProcessGrowth]] = {}
        for g in self.processes():
            groups.setdefault(g.container_id, []).append(g)
        out = [ContainerGrowth(cid, sum(p.first_kb for p in procs),
                               sum(p.last_kb for p in procs), tuple(procs))
               for cid, procs in groups.items()]
        out.sort(key=lambda c: (-c.growth_kb, c.container_id))
        return out


def growth_of_captures(paths: Iterable[str]) -> GrowthTracker:
    """Run captures through the state engine and track growth over all their events."""
    inspector = Inspector()
    tracker = GrowthTracker(FieldRegistry(inspector.state))
    inspector.run(list(paths), tracker.on_event)
    return tracker
