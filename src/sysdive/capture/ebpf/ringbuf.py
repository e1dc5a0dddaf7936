"""Drain a BPF ring buffer by mapping it into this process (no libbpf callback per record).

Kernel layout (``kernel/bpf/ringbuf.c``): page 0 holds the consumer position (the only page
user space may write), page 1 the producer position, then the data area mapped twice back to
back, so a record that wraps around the end is still one contiguous slice. Each record is an
8-byte header (``u32 len | BUSY<<31 | DISCARD<<30``, ``u32 page offset``) and its payload,
padded to 8 bytes. Positions are free-running 64-bit counters.

Our probe's payloads are whole scap event blocks, so draining means: find the records between
the consumer and the producer position (stopping at one still being written), concatenate
their payloads, and only then publish the new consumer position (after which the kernel may
reuse the space).

Finding the records is a walk (each header gives the next one's position), which costs a few
hundred nanoseconds per record in Python. With numpy it is done for the whole pending area at
once instead: every record start looks the same (ring length L, page offset, then the scap
block type 0x216 and block length L), so candidates are found by pattern over all 8-byte
slots, then confirmed as a chain (each candidate's end is the next candidate). Event data
that happens to contain the pattern breaks the chain at that point and is skipped by
following the real chain, so the result is always exactly the walk's. Payloads are then cut
out by dropping the header and padding words with one boolean mask.

Correct on x86-64, whose total store order makes plain loads and stores sufficient here; other
architectures would need acquire/release barriers that Python cannot issue.
"""

from __future__ import annotations

import ctypes
import mmap
from types import ModuleType
from typing import Any

__all__ = ["RingReader"]

_BUSY = 1 << 31
_DISCARD = 1 << 30
_LEN_MASK = _DISCARD - 1
_EV_BLOCK = 0x216
_VECTOR_MIN = 64 * 64  # pending bytes below which the plain walk is cheaper
_VECTOR_WINDOW = 8 << 20  # bytes examined per vector pass: bounds the work a small budget costs

try:  # optional accelerator
    import numpy as _np_mod

    _np: ModuleType | None = _np_mod
except ImportError:  # pragma: no cover - exercised where numpy is absent
    _np = None


class RingReader:
    """A mapped BPF ring buffer (``BPF_MAP_TYPE_RINGBUF`` of ``size`` bytes) read in bulk."""

    def __init__(self, map_fd: int, size: int, vectorized: bool = True) -> None:
        page = mmap.PAGESIZE
        self.size = size
        self._mask = size - 1
        self._vectorized = vectorized and _np is not None
        # consumer page: read-write; producer page + data twice: read-only (the kernel refuses
        # a writable mapping of anything past the consumer page)
        self._cons_mm = mmap.mmap(map_fd, page, mmap.MAP_SHARED,
                                  mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
        self._prod_mm = mmap.mmap(map_fd, page + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ,
                                  offset=page)
        self._cons = ctypes.c_uint64.from_buffer(self._cons_mm)
        view = memoryview(self._prod_mm)
        self._prod = view[:8].cast("Q")
        self._data = view[page:]
        self._u32 = self._data.cast("I")
        self._page = page

    @property
    def pending(self) -> int:
        """Bytes between the consumer and the producer (records and headers)."""
        return int(self._prod[0] - self._cons.value)

    def drain(self, max_records: int | None = None) -> tuple[bytes, int]:
        """Take every complete record available (up to ``max_records``).

        Returns the concatenated payloads and how many records they are; the space is
        released to the kernel before returning.
        """
        cons = self._cons.value
        prod = int(self._prod[0])
        budget = max_records if max_records is not None else 1 << 62
        pieces: list[Any] = []
        n = 0
        while cons < prod and n < budget:
            if self._vectorized and prod - cons >= _VECTOR_MIN:
                cons, k, stop = self._take_vectorized(cons, prod, budget - n, pieces)
                n += k
                if stop:
                    break
                if k:
                    continue
            # one record by walking (also where the vector pass found a break in the chain)
            off = cons & self._mask
            hdr = self._u32[off >> 2]
            if hdr & _BUSY:
                break  # still being written: everything after it waits too
            length = hdr & _LEN_MASK
            if not hdr & _DISCARD:
                pieces.append(self._data[off + 8 : off + 8 + length])
                n += 1
            cons += (length + 15) & ~7
        payload = b"".join(pieces)
        pieces.clear()  # drop the slices into the ring before the space is handed back
        self._cons.value = cons
        return payload, n

    def _take_vectorized(self, cons: int, prod: int, budget: int,
                         pieces: list[Any]) -> tuple[int, int, bool]:
        """Take the chain of records from ``cons`` as far as it is unbroken.

        Returns the new position, the records taken, and whether to stop (a record in
        progress). A break not caused by a record in progress leaves the position at the
        record where it happened, for the caller to step over by walking.
        """
        assert _np is not None
        np = _np
        off = cons & self._mask
        window = min(_VECTOR_WINDOW, max(_VECTOR_MIN, budget * 128))
        nbytes = min(prod - cons, 2 * self.size - off, window) & ~7
        words: Any = np.frombuffer(self._prod_mm, dtype=np.uint32, count=nbytes // 4,
                                   offset=self._page + off)
        slots = words.reshape(-1, 2)  # [ring length|flags, page offset] at a record start
        # a record start: ring length == block length, and the block type follows
        cand = np.flatnonzero((slots[1:, 0] == _EV_BLOCK) & (slots[:-1, 0] == slots[1:, 1]))
        if len(cand) == 0 or cand[0] != 0:
            del words, slots, cand
            return cons, 0, bool(self._u32[off >> 2] & _BUSY)
        lengths = slots[cand, 0].astype(np.int64)
        ends = cand + (lengths + 15) // 8  # in slots
        broken = np.flatnonzero(ends[:-1] != cand[1:])
        # a candidate inside the previous record's data is not a start: follow the real chain
        count = len(cand) if len(broken) == 0 else int(broken[0]) + 1
        # a record running past the examined window waits for the next pass
        count = min(count, budget, int(np.searchsorted(ends[:count], len(slots), "right")))
        if count == 0:
            del words, slots, cand, lengths, ends, broken
            return cons, 0, False
        end_slot = int(ends[count - 1])
        keep = np.ones(end_slot * 2, dtype=bool)
        starts = cand[:count] * 2
        keep[starts] = False
        keep[starts + 1] = False
        padded = ((lengths[:count] + 15) // 8) * 8 - 8 - lengths[:count] == 4
        keep[(starts + 2 + lengths[:count] // 4)[padded]] = False
        pieces.append(words[: end_slot * 2][keep].tobytes())
        del words, slots, cand, lengths, ends, broken, keep, starts, padded
        return cons + end_slot * 8, count, False

    def close(self) -> None:
        """Unmap; safe to call twice."""
        if self._prod_mm.closed:
            return
        self._u32.release()
        self._data.release()
        self._prod.release()
        del self._cons
        self._prod_mm.close()
        self._cons_mm.close()
