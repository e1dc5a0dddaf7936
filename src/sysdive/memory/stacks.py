"""Allocation stacks: which code makes the heap grow, by bytes and calls.

:func:`capture_alloc_stacks` loads the allocation-stack probe, which copies the caller's
registers and user stack at every brk that grows the heap and every anonymous mmap of the
target processes; :class:`StackCollector` unwinds each copy with the ``.eh_frame`` CFI of the
binaries and libraries as the process maps them (frame pointers are not needed), symbolizes
the frames and adds the bytes to the stack's total. The result is an :class:`AllocReport`,
rendered by :mod:`sysdive.memory.report` as text, JSON or a flame graph.

Mappings are snapshotted (and their files opened) when a process first shows up, and again
whenever the probe says it exec'd or mapped code, so processes that exit before the end are
still symbolized as long as they lived a few milliseconds (the polling period).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sysdive.memory.elfmodule import ElfModule, load_module
from sysdive.memory.procmaps import FileCache, Mapping, ProcessMaps, snapshot_maps
from sysdive.memory.records import NR_BRK, NR_MMAP, AllocRecord, MapsRecord, parse_records
from sysdive.memory.unwind import PcInfo, unwind_pcs

__all__ = ["AllocReport", "AllocStack", "StackCollector", "SymFrame", "capture_alloc_stacks"]

POLL_SECONDS = 0.005
_SYSCALL_NAMES = {NR_BRK: "brk", NR_MMAP: "mmap"}
_BATCH = 4096  # records per drain (taking them in is cheap: see StackCollector.admit)
_WORK_SECONDS = 0.02  # unwinding between drains: keeps the -M deadline and Ctrl-C responsive
# Modules whose frames are the allocator's, not the program's: the allocation "site" of a
# stack is its first frame outside them.
_RUNTIME_PREFIXES = ("libc.so", "libc-", "ld-linux", "ld-musl", "libc.musl", "libpthread")


@dataclass(frozen=True, slots=True, order=True)
class SymFrame:
    """A symbolized frame: function name ("??" if unknown) and module file name."""

    function: str
    module: str

    def __str__(self) -> str:
        return f"{self.function} [{self.module}]"

    @property
    def is_runtime(self) -> bool:
        return self.module.startswith(_RUNTIME_PREFIXES)


@dataclass(frozen=True, slots=True)
class AllocStack:
    """One distinct call stack (innermost frame first) and what it allocated."""

    frames: tuple[SymFrame, ...]
    bytes: int
    count: int
    by_syscall: tuple[tuple[str, int, int], ...]  # (brk|mmap, bytes, count)
    pids: tuple[int, ...]

    @property
    def site(self) -> SymFrame | None:
        """The first frame outside the C library: the code that asked for the memory."""
        for f in self.frames:
            if not f.is_runtime and f.function != "??":
                return f
        return None


@dataclass(frozen=True, slots=True)
class AllocReport:
    """Everything one stack capture found."""

    target: str
    seconds: float
    stacks: tuple[AllocStack, ...]  # most bytes first
    total_bytes: int
    total_count: int
    lost: int            # records lost because the ring was full
    copy_failures: int   # stacks that could not be copied (no frames beyond the syscall)
    unresolved: int      # allocations of processes whose mappings could not be read


@dataclass(slots=True)
class _Acc:
    bytes: int = 0
    count: int = 0
    by_syscall: dict[Any, list[int]] = field(default_factory=dict)  # nr or name -> [b, n]
    pids: set[int] = field(default_factory=set)


class StackCollector:
    """Unwinds, symbolizes and adds up allocation records."""

    def __init__(self) -> None:
        self.files = FileCache()
        self.maps: dict[int, ProcessMaps] = {}
        # per (pid, snapshot generation): a new snapshot (exec, code mapped) may move code, so
        # pcs seen before it keep the cache (and the mappings) they were unwound with
        self._gen: dict[int, int] = {}
        self._pc_cache: dict[tuple[int, int], dict[tuple[int, bool], PcInfo]] = {}
        self.modules: dict[tuple[int, int], ElfModule | None] = {}
        self._symbols: dict[tuple[tuple[int, int], int], SymFrame] = {}
        self._raw: dict[tuple[int, int, tuple[int, ...]], _Acc] = {}
        # every snapshot by (pid, generation), and the records waiting to be unwound with the
        # generation that was current when they arrived
        self._snaps: dict[tuple[int, int], ProcessMaps] = {}
        self._pending: deque[tuple[AllocRecord, int]] = deque()
        self.total_bytes = 0
        self.total_count = 0
        self.unresolved = 0

    def watch(self, pids: Iterable[int]) -> None:
        """Snapshot the mappings of processes that are already running."""
        for pid in pids:
            self._snapshot(pid)

    def _snapshot(self, pid: int) -> ProcessMaps | None:
        snap = snapshot_maps(pid, self.files)
        if snap is not None:
            self.maps[pid] = snap
            gen = self._gen[pid] = self._gen.get(pid, -1) + 1
            self._snaps[(pid, gen)] = snap
            self._pc_cache[(pid, gen)] = {}
        return snap

    def module_of(self, m: Mapping) -> ElfModule | None:
        if m.key not in self.modules:
            fd = self.files.fds.get(m.key)
            self.modules[m.key] = (load_module(fd, os.path.basename(m.path))
                                   if fd is not None else None)
        return self.modules[m.key]

    def admit(self, records: Iterable[AllocRecord | MapsRecord]) -> None:
        """Take records in: the mappings they need are snapshotted now, while the process
        lives; the unwinding waits for :meth:`work`. Kept apart because unwinding is the slow
        part: when it falls behind (the whole host traced on a busy machine), short-lived
        processes are still symbolized."""
        for rec in records:
            if isinstance(rec, MapsRecord):
                self._snapshot(rec.pid)
            else:
                if rec.pid not in self.maps:
                    self._snapshot(rec.pid)
                self._pending.append((rec, self._gen.get(rec.pid, -1)))

    def work(self, deadline: float | None = None) -> bool:
        """Unwind admitted records until ``deadline`` (``time.monotonic()``) or none is left;
        True when none is left."""
        pending = self._pending
        n = 0
        while pending:
            rec, gen = pending.popleft()
            self._add(rec, gen)
            n += 1
            if deadline is not None and n % 16 == 0 and time.monotonic() >= deadline:
                break
        return not pending

    def feed(self, records: Iterable[AllocRecord | MapsRecord]) -> None:
        """Admit and unwind."""
        self.admit(records)
        self.work()

    def _add(self, rec: AllocRecord, gen: int) -> None:
        # Per allocation only the unwind runs; stacks are kept as raw pcs per process and
        # symbolized once per distinct stack when the report is made.
        pid = rec.pid
        maps = self._snaps.get((pid, gen))
        self.total_bytes += rec.size
        self.total_count += 1
        if maps is None:
            self.unresolved += 1
            pcs: tuple[int, ...] = ()
        else:
            pcs = tuple(unwind_pcs(rec.regs, rec.stack, maps, self.module_of,
                                   self._pc_cache[(pid, gen)]))
        key = (pid, gen, pcs)
        acc = self._raw.get(key)
        if acc is None:
            acc = self._raw[key] = _Acc()
        acc.bytes += rec.size
        acc.count += 1
        per = acc.by_syscall.get(rec.nr)
        if per is None:
            per = acc.by_syscall[rec.nr] = [0, 0]
        per[0] += rec.size
        per[1] += 1

    def _symbolize(self, cache: dict[tuple[int, bool], PcInfo], pc: int,
                   first: bool) -> SymFrame:
        info = cache.get((pc, first))
        if info is None or info[0] is None or info[1] is None:
            return SymFrame("??", "[unknown]")
        m, vaddr = info[0], info[1]
        cache_key = (m.key, vaddr)
        found = self._symbols.get(cache_key)
        if found is None:
            module = self.module_of(m)
            sym = module.symbol(vaddr) if module is not None else None
            found = SymFrame(sym[0] if sym else "??", os.path.basename(m.path))
            self._symbols[cache_key] = found
        return found

    def _merged(self, pids: frozenset[int] | None) -> dict[tuple[SymFrame, ...], _Acc]:
        out: dict[tuple[SymFrame, ...], _Acc] = {}
        for (pid, gen, pcs), raw in self._raw.items():
            if pids is not None and pid not in pids:
                continue
            cache = self._pc_cache.get((pid, gen), {})
            frames = (tuple(self._symbolize(cache, pc, k == 0) for k, pc in enumerate(pcs))
                      if pcs else (SymFrame("??", "[process gone]"),))
            acc = out.get(frames)
            if acc is None:
                acc = out[frames] = _Acc()
            acc.bytes += raw.bytes
            acc.count += raw.count
            for nr, (b, c) in raw.by_syscall.items():
                per = acc.by_syscall.setdefault(_SYSCALL_NAMES.get(nr, str(nr)), [0, 0])
                per[0] += b
                per[1] += c
            acc.pids.add(pid)
        return out

    def report(self, target: str, seconds: float, lost: int = 0,
               copy_failures: int = 0, pids: frozenset[int] | None = None) -> AllocReport:
        """The stacks, most bytes first; with ``pids``, only what those processes did."""
        stacks = [AllocStack(frames, a.bytes, a.count,
                             tuple(sorted((k, v[0], v[1]) for k, v in a.by_syscall.items())),
                             tuple(sorted(a.pids)))
                  for frames, a in self._merged(pids).items()]
        stacks.sort(key=lambda s: (-s.bytes, -s.count, s.frames))
        if pids is None:
            total_bytes, total_count, unresolved = (self.total_bytes, self.total_count,
                                                    self.unresolved)
        else:
            kept = [(k, a) for k, a in self._raw.items() if k[0] in pids]
            total_bytes = sum(a.bytes for _, a in kept)
            total_count = sum(a.count for _, a in kept)
            unresolved = sum(a.count for k, a in kept if (k[0], k[1]) not in self._snaps)
        return AllocReport(target, seconds, tuple(stacks), total_bytes, total_count,
                           lost, copy_failures, unresolved)

    def close(self) -> None:
        self.files.close()


def capture_alloc_stacks(pids: frozenset[int], target: str, seconds: float | None = None,
                         stop: threading.Event | None = None,
                         on_start: Callable[[], None] | None = None,
                         ring_bytes: int = 32 << 20,
                         select: Callable[[], frozenset[int] | None] | None = None,
                         ) -> AllocReport:
    """Record allocation stacks of ``pids`` and their new children (every process if empty)
    until ``seconds`` pass, ``stop`` is set, or SIGINT/SIGTERM. ``select``, called once the
    recording has stopped, may name the processes the report keeps (None: all)."""
    from sysdive.capture.ebpf.allocprobe import AllocProbe
    from sysdive.capture.ebpf.ringbuf import RingReader
    from sysdive.capture.live import _StopFlag, check_live_support

    check_live_support()
    collector = StackCollector()
    start = time.monotonic()
    try:
        with AllocProbe(os.getpid(), pids, ring_bytes) as probe:
            ring = RingReader(probe.ring_fd, ring_bytes, vectorized=False)
            try:
                collector.watch(pids)
                if on_start is not None:
                    on_start()
                deadline = None if seconds is None else start + seconds
                with _StopFlag(stop) as stopping:
                    while not stopping:
                        if deadline is not None and time.monotonic() >= deadline:
                            break
                        data, n = ring.drain(_BATCH)
                        if n:
                            collector.admit(parse_records(data))
                        caught_up = collector.work(time.monotonic() + _WORK_SECONDS)
                        if not n and caught_up:
                            time.sleep(POLL_SECONDS)
                probe.detach()
                data, n = ring.drain()
                collector.admit(parse_records(data))
                collector.work()
                lost, copy_failures = probe.counters()
            finally:
                ring.close()
        seconds_taken = time.monotonic() - start
        keep = select() if select is not None else None
        return collector.report(target, seconds_taken, lost, copy_failures, keep)
    finally:
        collector.close()
