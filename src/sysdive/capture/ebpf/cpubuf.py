"""Read the probe's per-CPU event buffers in place and merge them in timestamp order.

The probe (``probe.bpf.c``, maps ``chunks`` and ``ctl``) writes each CPU's events back to back
as finished scap event blocks into a cycle of chunks of an mmapable BPF array, and publishes
them by moving that CPU's head (chunk sequence << 32 | offset). When it leaves a chunk it
records how full it was. Both maps are mapped into this process: the chunks read-only, the
control blocks read-write, since this side tells the probe which chunks it may reuse
(``released``: every chunk with a lower sequence number).

A drain takes, for every CPU, the bytes between what was taken before and the head. Each
CPU's events are already in timestamp order; to interleave the CPUs, the event boundaries
are found with numpy (every block starts with the word 0x216 and its length, so candidates
are found over the whole range at once and confirmed as a chain, stepping over the rare
0x216 word inside event data), the timestamps gathered, and the events ordered with a stable
sort. Consecutive events of one CPU stay one slice, so writing costs a handful of slices per
drain rather than work per event.

An event becomes visible when its program ends, but carries the time its program started, so
an event of one CPU may still be in flight while a later one of another CPU is already
visible. A drain therefore only takes events older than a watermark a little before its own
start (``HOLD_NS``); the rest waits for the next drain. The last drain, after the probe is
detached, takes everything.

Lost events are data: when a CPU's drop counter has grown since the previous drain, the drain
ends with a marker for that CPU, a ``drop`` enter/exit pair (event types 148/149, which
sysdig 0.29.3 reads and shows with ``-D``; internal, and skipped by its state parser) whose
``ratio`` param holds the number of events lost (saturated at 2^32-1; sysdig's own driver
uses the param for its sampling ratio), stamped with the drain's last timestamp.

Correct on x86-64, whose total store order makes plain loads and stores sufficient; other
architectures would need acquire/release barriers that Python cannot issue.
"""

from __future__ import annotations

import mmap
import struct
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from sysdive.capture.ebpf.loader import CHUNK_STRIDE, MAX_CHUNKS
from sysdive.scap.writer import event_block

__all__ = ["CTL_SIZE", "CpuBuffers", "Drained"]

_EV_BLOCK = 0x216
CTL_SIZE = 384  # sizeof(struct cpu_ctl) in probe.bpf.c
_HEAD, _DROPS, _FILL, _RELEASED = 0, 8, 16, 320  # byte offsets inside struct cpu_ctl
HOLD_NS = 2_000_000  # events younger than this may have older ones still in flight elsewhere
_TS_BYTES = np.arange(10, 18, dtype=np.int64)  # the event timestamp, after the block header
_DROP_E, _DROP_X = 148, 149
_NO_THREAD = (1 << 64) - 1


def drop_marker(cpu: int, ts: int, lost: int) -> bytes:
    """The drop enter/exit pair recording ``lost`` events lost on ``cpu`` before ``ts``."""
    ratio = min(lost, 0xFFFFFFFF)
    out = b""
    for etype in (_DROP_E, _DROP_X):
        raw = struct.pack("<QQIHIHI", ts, _NO_THREAD, 26 + 2 + 4, etype, 1, 4, ratio)
        out += event_block(raw, cpu)
    return out


@dataclass(frozen=True, slots=True)
class Drained:
    """The events of one drain, in timestamp order, as slices of scap event blocks."""

    pieces: list[Any]   # buffer-protocol objects; valid until the next drain or close
    events: int         # events taken (drop markers not counted)
    nbytes: int


class CpuBuffers:
    """The probe's per-CPU buffers, mapped into this process."""

    def __init__(self, chunks_fd: int, ctl_fd: int, ncpus: int, nchunks: int,
                 boot_to_epoch_ns: int) -> None:
        page = mmap.PAGESIZE
        self.ncpus = ncpus
        self.nchunks = nchunks
        self._boot_to_epoch = boot_to_epoch_ns
        self._data_mm = mmap.mmap(chunks_fd, ncpus * nchunks * CHUNK_STRIDE, mmap.MAP_SHARED,
                                  mmap.PROT_READ)
        ctl_len = (ncpus * CTL_SIZE + page - 1) // page * page
        self._ctl_mm = mmap.mmap(ctl_fd, ctl_len, mmap.MAP_SHARED,
                                 mmap.PROT_READ | mmap.PROT_WRITE)
        self._ctl = memoryview(self._ctl_mm)
        self._q = self._ctl.cast("Q")
        self._i = self._ctl.cast("I")
        self._u8: Any = np.frombuffer(self._data_mm, dtype=np.uint8)
        self._u32: Any = self._u8.view(np.uint32)
        self._mv = memoryview(self._data_mm)
        # what has been taken from each CPU: (chunk sequence, offset)
        self._taken = [(0, 0)] * ncpus
        self._pending: list[tuple[int, int]] | None = None  # positions after the last drain
        self._drops_marked = [0] * ncpus
        self._last_ts = 0

    def drops(self) -> list[int]:
        """Events each CPU lost so far because its buffer was full."""
        return [int(self._q[(c * CTL_SIZE + _DROPS) // 8]) for c in range(self.ncpus)]

    def _base(self, cpu: int, seq: int) -> int:
        return (cpu * self.nchunks + (seq & (self.nchunks - 1))) * CHUNK_STRIDE

    def _segments(self, cpu: int) -> list[tuple[int, int, int]]:
        """(start, end, chunk sequence) of this CPU's untaken bytes, absolute in the map."""
        head = int(self._q[(cpu * CTL_SIZE + _HEAD) // 8])
        hseq, hoff = head >> 32, head & 0xFFFFFFFF
        seq, off = self._taken[cpu]
        out = []
        while seq < hseq:
            fill = int(self._i[(cpu * CTL_SIZE + _FILL) // 4 + (seq & (MAX_CHUNKS - 1))])
            if off < fill:
                out.append((self._base(cpu, seq) + off, self._base(cpu, seq) + fill, seq))
            seq, off = seq + 1, 0
        if off < hoff:
            out.append((self._base(cpu, seq) + off, self._base(cpu, seq) + hoff, seq))
        return out

    def _starts(self, lo: int, hi: int) -> Any:
        """Word indexes (absolute) of the event blocks in [lo, hi), which starts with one."""
        w = self._u32[lo // 4 : hi // 4]
        cand = np.flatnonzero(w == _EV_BLOCK)
        if len(cand) == 0:
            return cand
        ok = cand[cand + 1 < len(w)]
        ends = ok + w[ok + 1].astype(np.int64) // 4
        nxt = np.empty_like(ends)
        nxt[:-1] = ok[1:]
        nxt[-1:] = len(w)
        if ok[0] == 0 and np.array_equal(ends, nxt):
            return ok + lo // 4
        # 0x216 also occurs inside some event's data: follow the real chain of lengths, one
        # consistent run of candidates at a time
        starts = []
        pos = 0
        while pos < len(w):
            i = int(np.searchsorted(ok, pos))
            if i >= len(ok) or ok[i] != pos:
                break  # cannot happen with well-formed blocks; stop rather than guess
            bad = np.flatnonzero(ends[i:] != nxt[i:])
            last = i + int(bad[0]) if len(bad) else len(ok) - 1
            starts.append(ok[i : last + 1])
            pos = int(ends[last])
        return np.concatenate(starts) + lo // 4 if starts else np.empty(0, dtype=np.int64)

    def drain(self, budget: int | None = None, final: bool = False) -> Drained:
        """Take the events available on every CPU, oldest first (at most ``budget``).

        The space of the previous drain is handed back to the probe first, so the slices
        returned stay valid until the next call.
        """
        self._release()
        watermark = (time.clock_gettime_ns(time.CLOCK_BOOTTIME) + self._boot_to_epoch
                     - HOLD_NS)
        ts_parts, start_parts, end_parts, seg_parts = [], [], [], []
        segs: list[tuple[int, int]] = []  # (cpu, chunk sequence) per segment
        busy = 0
        for cpu in range(self.ncpus):
            found = False
            for lo, hi, seq in self._segments(cpu):
                st = self._starts(lo, hi) * 4
                if len(st) == 0:
                    continue
                found = True
                ts_parts.append(self._u8[st[:, None] + _TS_BYTES].view("<u8").ravel())
                start_parts.append(st)
                end_parts.append(np.append(st[1:], hi))
                seg_parts.append(np.full(len(st), len(segs), dtype=np.int32))
                segs.append((cpu, seq))
            busy += found
        if not segs:
            return self._markers(Drained([], 0, 0))
        ts_all = np.concatenate(ts_parts)
        start_all = np.concatenate(start_parts)
        end_all = np.concatenate(end_parts)
        seg_all = np.concatenate(seg_parts)
        if not final:
            # each CPU's events are in time order, so this keeps a prefix of each
            keep = ts_all <= watermark
            ts_all, start_all, end_all, seg_all = (ts_all[keep], start_all[keep], end_all[keep],
                                                   seg_all[keep])
        order = np.argsort(ts_all, kind="stable") if busy > 1 else None
        if order is not None:
            ts_all, start_all, end_all, seg_all = (ts_all[order], start_all[order],
                                                   end_all[order], seg_all[order])
        if budget is not None:
            ts_all, start_all, end_all, seg_all = (ts_all[:budget], start_all[:budget],
                                                   end_all[:budget], seg_all[:budget])
        n = len(ts_all)
        if n == 0:
            return self._markers(Drained([], 0, 0))
        # runs of events adjacent in memory become one slice each
        brk = np.flatnonzero(start_all[1:] != end_all[:-1]) + 1
        run_starts = np.concatenate((start_all[:1], start_all[brk])).tolist()
        run_ends = np.concatenate((end_all[brk - 1], end_all[-1:])).tolist()
        mv = self._mv
        pieces: list[Any] = [mv[a:b] for a, b in zip(run_starts, run_ends, strict=True)]
        nbytes = int(np.sum(end_all - start_all))
        # Each CPU's events were taken as a prefix, in order: its last one taken is the one
        # that ends furthest into its latest segment.
        pending = list(self._taken)
        last_seg = np.full(len(segs), -1, dtype=np.int64)
        np.maximum.at(last_seg, seg_all, end_all)
        for k in np.flatnonzero(last_seg >= 0).tolist():
            cpu, seq = segs[k]
            pending[cpu] = (seq, int(last_seg[k]) - self._base(cpu, seq))  # later segs win
        self._pending = pending
        self._last_ts = int(ts_all[-1])
        return self._markers(Drained(pieces, n, nbytes))

    def _markers(self, got: Drained) -> Drained:
        """Append a drop marker for every CPU that lost events since the last one."""
        extra = b""
        for cpu, lost in enumerate(self.drops()):
            if lost > self._drops_marked[cpu]:
                extra += drop_marker(cpu, self._last_ts, lost - self._drops_marked[cpu])
                self._drops_marked[cpu] = lost
        if not extra:
            return got
        return Drained([*got.pieces, extra], got.events, got.nbytes + len(extra))

    def _release(self) -> None:
        if self._pending is None:
            return
        for cpu, (seq, off) in enumerate(self._pending):
            self._taken[cpu] = (seq, off)
            self._q[(cpu * CTL_SIZE + _RELEASED) // 8] = seq
        self._pending = None

    def close(self) -> None:
        """Hand back what was taken and unmap; safe to call twice."""
        if self._data_mm.closed:
            return
        self._release()
        del self._u32, self._u8
        self._mv.release()
        self._q.release()
        self._i.release()
        self._ctl.release()
        self._data_mm.close()
        self._ctl_mm.close()
