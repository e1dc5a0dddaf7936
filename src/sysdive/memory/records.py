"""The raw records of the allocation-stack probe (``capture/ebpf/allocstack.bpf.c``).

Two kinds, each starting with its own length: an allocation (registers and a copy of the user
stack at brk or anonymous mmap) and a "mappings changed" notice (after execve or an executable
mmap) on which the consumer snapshots ``/proc/PID/maps``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["AllocRecord", "MapsRecord", "parse_records"]

REC_ALLOC = 1
REC_MAPS = 2
# struct alloc_rec / maps_rec
_HEAD = struct.Struct("<IHHIIQ")
_ALLOC = struct.Struct("<IHHIIQQQ8QII")
NR_MMAP = 9
NR_BRK = 12


@dataclass(frozen=True, slots=True)
class AllocRecord:
    """One heap-growing system call with the caller's registers and stack."""

    nr: int            # syscall number: 12 brk, 9 mmap
    pid: int
    tid: int
    ts: int            # CLOCK_BOOTTIME ns
    size: int          # bytes: heap growth (brk) or mapping length (mmap)
    regs: tuple[int, ...]  # ip sp bp bx r12 r13 r14 r15
    stack: bytes       # user stack from regs[1] up

    @property
    def syscall(self) -> str:
        return {NR_BRK: "brk", NR_MMAP: "mmap"}.get(self.nr, str(self.nr))


@dataclass(frozen=True, slots=True)
class MapsRecord:
    """A process's executable mappings just changed (exec, or code mapped)."""

    nr: int
    pid: int
    tid: int
    ts: int


def parse_records(data: bytes) -> Iterator[AllocRecord | MapsRecord]:
    """The records in concatenated ring payloads (each carries its own length)."""
    pos, end = 0, len(data)
    while pos + _HEAD.size <= end:
        length, kind, nr, pid, tid, ts = _HEAD.unpack_from(data, pos)
        if length < _HEAD.size or pos + length > end:
            break  # cannot happen with our probe; stop rather than misread
        if kind == REC_ALLOC:
            f = _ALLOC.unpack_from(data, pos)
            regs = f[8:16]
            stack_len = f[16]
            start = pos + _ALLOC.size
            yield AllocRecord(nr, pid, tid, ts, f[6], tuple(regs),
                              data[start:start + min(stack_len, length - _ALLOC.size)])
        elif kind == REC_MAPS:
            yield MapsRecord(nr, pid, tid, ts)
        pos += length
