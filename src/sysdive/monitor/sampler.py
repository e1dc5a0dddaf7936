"""One sampling round: the host, every container's cgroup, and the processes inside them.

Containers are found from the processes (``/proc/PID/cgroup``), not from a runtime's API,
so any runtime whose cgroup layout sysdig recognises is seen, and a container is measured
from the round its first process appears. The runtime is asked only for names and images
(through a :class:`Describer`), once per container.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from sysdive.containers.cgroups import ContainerMatch, match_cgroups, parse_proc_cgroup
from sysdive.monitor.cgroup_stats import CgroupDirs, CgroupLayout, read_cgroup, read_netdev
from sysdive.monitor.model import ContainerSample, ProcessSample, Snapshot
from sysdive.monitor.procfs import (
    KernelFiles,
    ProcStat,
    iter_pids,
    parse_stat,
    read_host,
    read_text,
)

#: Given a container's runtime and short id, its (name, image), or None if unknown (yet).
Describer = Callable[[str, str], "tuple[str, str] | None"]


@dataclass(slots=True)
class _Proc:
    start: int
    ident: ContainerMatch | None
    cgroups: list[tuple[str, str]]
    memory_path: str
    comm: str
    unsettled: bool
    kernel: bool = False


@dataclass(slots=True)
class _Container:
    memory_path: str
    dirs: CgroupDirs
    name: str
    image: str
    described: bool
    next_describe: float
    netns_shared: bool | None
    last: ContainerSample | None = None


class Sampler:
    """Measures the host and its containers; call :meth:`sample` once per interval."""

    def __init__(self, describe: Describer | None = None, *, top_n: int = 5,
                 proc: str = "/proc", layout: CgroupLayout | None = None,
                 counters_every: float = 5.0) -> None:
        self._describe = describe
        self._describe_retry = 0.0
        self._counters_every = counters_every
        self._counters_at = 0.0
        self._top_n = top_n
        self._proc = proc
        self._layout = layout or CgroupLayout.detect(f"{proc}/self/mountinfo")
        self._files = KernelFiles()
        self._procs: dict[int, _Proc] = {}
        self._containers: dict[str, _Container] = {}
        try:
            self._host_netns = os.readlink(f"{proc}/1/ns/net")
        except OSError:
            self._host_netns = ""

    @property
    def layout(self) -> CgroupLayout:
        """The cgroup mounts found at start."""
        return self._layout

    def sample(self) -> Snapshot:
        """Read everything once."""
        started = time.monotonic()
        ts = time.time()
        read = self._files.read
        host = read_host(self._proc, read)
        groups: dict[str, list[ProcStat]] = {}
        host_procs: list[ProcStat] = []
        paths: dict[str, tuple[str, list[tuple[str, str]], int]] = {}
        seen: set[int] = set()
        # Memory and CPU every round; the slow counters (failcnt, OOM counters, block and
        # network I/O) every few seconds, and every round for a container near its limit.
        counters_due = started - self._counters_at >= self._counters_every
        if counters_due:
            self._counters_at = started
        for pid in iter_pids(self._proc):
            known = self._procs.get(pid)
            # Kernel threads own no memory: looked at again only with the slow counters (a
            # third of the processes on a small host).
            if known is not None and known.kernel and not counters_due:
                seen.add(pid)
                continue
            text = read(f"{self._proc}/{pid}/stat", 4096)
            st = parse_stat(pid, text) if text else None
            if st is None:
                continue
            seen.add(pid)
            # Cgroups are read once per process, again when it execs (runc's init joins the
            # container's cgroups one controller at a time, then execs the entrypoint under
            # the same pid), and while it looks half-moved.
            if known is None or known.start != st.start_ticks or known.comm != st.comm \
                    or known.unsettled:
                if st.kernel:
                    self._procs[pid] = _Proc(st.start_ticks, None, [], "", st.comm, False,
                                             kernel=True)
                    continue
                cg = parse_proc_cgroup(read_text(f"{self._proc}/{pid}/cgroup") or "")
                by_sub = dict(cg)
                ident = match_cgroups(cg)
                mem = by_sub.get("memory", by_sub.get("", ""))
                known = _Proc(st.start_ticks, ident, cg, mem, st.comm,
                              unsettled=st.comm.startswith("runc")
                              or (ident is not None and ident.id not in mem))
                self._procs[pid] = known
            if known.kernel:
                continue
            if known.ident is None:
                host_procs.append(st)
                continue
            cid = known.ident.id
            groups.setdefault(cid, []).append(st)
            mem_path = known.memory_path
            # The container's own cgroup is the shallowest one among its processes that
            # names the container: while runc starts a container (v1), a process can sit in
            # the container's cgroup of one controller and still in the root of another,
            # and reading the root memory cgroup would report the whole host.
            if cid not in mem_path:
                continue
            best = paths.get(cid)
            if best is None or len(mem_path) < len(best[0]):
                paths[cid] = (mem_path, known.cgroups, pid)
        for pid in [p for p in self._procs if p not in seen]:
            del self._procs[pid]

        containers: list[ContainerSample] = []
        for cid, procs in groups.items():
            if cid not in paths:   # no process of it is in its memory cgroup yet
                continue
            mem_path, cgroups, pid = paths[cid]
            entry = self._container(cid, mem_path, cgroups, pid)
            last = entry.last
            fresh = counters_due or last is None or (
                last.stats.limit is not None
                and last.stats.working_set >= 0.8 * last.stats.limit)
            stats = read_cgroup(entry.dirs, read,
                                None if fresh or last is None else last.stats)
            if stats is None:
                continue
            if entry.netns_shared:
                net = None
            elif fresh or last is None or last.net_rx is None or last.net_tx is None:
                net = read_netdev(pid, self._proc, read)
            else:
                net = (last.net_rx, last.net_tx)
            procs.sort(key=lambda p: p.rss, reverse=True)
            ident = self._procs[pid].ident
            entry.last = ContainerSample(
                cid=cid, name=entry.name, image=entry.image,
                runtime=_runtime(ident), cgroup=mem_path, stats=stats,
                net_rx=net[0] if net else None, net_tx=net[1] if net else None,
                proc_rss=sum(p.rss for p in procs), nprocs=len(procs),
                top=tuple(_process(p) for p in procs[:self._top_n]))
            containers.append(entry.last)
        for cid in [c for c in self._containers if c not in groups]:
            del self._containers[cid]
        self._files.sweep()
        host_procs.sort(key=lambda p: p.rss, reverse=True)
        return Snapshot(ts=ts, host=host, containers=tuple(containers),
                        host_top=tuple(_process(p) for p in host_procs[:self._top_n * 2]),
                        host_proc_rss=sum(p.rss for p in host_procs),
                        duration=time.monotonic() - started)

    def _container(self, cid: str, mem_path: str, cgroups: list[tuple[str, str]],
                   pid: int) -> _Container:
        entry = self._containers.get(cid)
        if entry is None or entry.memory_path != mem_path:
            entry = _Container(memory_path=mem_path, dirs=self._layout.dirs(cgroups),
                               name=cid, image="", described=False, next_describe=0.0,
                               netns_shared=None)
            self._containers[cid] = entry
        if entry.netns_shared is None:
            with contextlib.suppress(OSError):
                entry.netns_shared = os.readlink(f"{self._proc}/{pid}/ns/net") \
                    == self._host_netns
        now = time.monotonic()
        if not entry.described and self._describe is not None and now >= entry.next_describe:
            ident = self._procs[pid].ident
            found = self._describe(_runtime(ident), cid)
            if found is not None:
                entry.name, entry.image = found
                entry.described = True
            else:
                # The runtime answers from its event stream in the background (a dict
                # lookup here), so ask again on the next round.
                entry.next_describe = now + self._describe_retry
        return entry


def _process(st: ProcStat) -> ProcessSample:
    return ProcessSample(pid=st.pid, comm=st.comm, rss=st.rss, cpu_seconds=st.cpu_seconds)


def _runtime(match: ContainerMatch | None) -> str:
    """The engine's name as the runtime label (docker, podman, cri, lxc, ...)."""
    return match.type.name.lower() if match is not None else ""
