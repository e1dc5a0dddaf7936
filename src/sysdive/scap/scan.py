"""Vectorised framing of v2 event blocks (numpy), for large captures.

Walking blocks one by one costs a few struct calls per event; on a capture of millions of
events that alone is several times what sysdig needs for the whole job. Blocks form a chain
(each one's length gives the next one's offset), which cannot be vectorised directly, so the
walk is *speculative and verified*:

1. every 4-aligned word of the buffer that holds a v2 event block id (``EV_V2``,
   ``EV_V2_LARGE``, ``EVF_V2``, ``EVF_V2_LARGE``) is a candidate block start (blocks are
   4-aligned because every block length is a multiple of 4, checked before we get here);
2. a candidate whose end (start + length) is the next candidate continues the chain; where
   it is not, the candidates between its start and its end lie inside its payload (a read
   buffer that happens to contain an event block id) and are dropped, and if its end is no
   candidate at all the chain stops there;
3. the chain also stops at the first block that fails any check the sequential reader makes
   (length, trailer, event length), that runs past the buffer, or that is another kind of
   block (section header, v1 events): the sequential reader then takes over at that offset,
   so errors, partial blocks and sections are reported exactly as before.

The result therefore lists exactly the blocks the sequential walk would visit from the same
offset, with the same header fields.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from typing import Any

from sysdive.scap import blocks as B
from sysdive.schema.events import EVENTS

_EVENT_MAX = 336
_NONLARGE_MAX = 65536

_CONTAINER_IDS = frozenset(e.id for e in EVENTS if e.enum in (
    "PPME_CONTAINER_E", "PPME_CONTAINER_JSON_E", "PPME_CONTAINER_JSON_2_E"))
_HEADER = struct.Struct("<QQIHI")   # ts, tid, event length, type, param count
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")

# (wi, type, elen, flagged): the compiled walk's bytes (int64 per event; flagged one byte
# per event or None), see _blockwalk.c.
Walked = tuple[Any, Any, Any, Any]


class Columns:
    """Header fields of consecutive v2 events, read from the buffer on demand.

    ``type`` (int64) is always there; the other fields are read only for the events a caller
    asks for (:meth:`fields`), since a filtered read needs them for a fraction of the events.
    ``wi`` is the index of each block's first u32 word; ``flagged`` marks EVF blocks (None
    when there are none), whose event starts one word later after the dump flags.

    From the compiled walk the columns stay its bytes until a caller wants numpy arrays
    (numpy is imported then): the compiled batch loop reads the bytes (:meth:`walked`).
    """

    __slots__ = ("_arrays", "_walked", "buf", "n")

    def __init__(self, buf: bytes, n: int, walked: Walked | None = None,
                 arrays: tuple[Any, Any, Any, Any, Any] | None = None) -> None:
        self.buf = buf
        self.n = n
        self._walked = walked
        self._arrays = arrays   # (w, wi, flagged, type, elen)

    def __len__(self) -> int:
        return self.n

    def _np(self) -> tuple[Any, Any, Any, Any, Any]:
        if self._arrays is None:
            import numpy as np
            assert self._walked is not None
            wi, ty, el, fl = self._walked
            self._arrays = (np.frombuffer(self.buf, dtype="<u4", count=len(self.buf) >> 2),
                            np.frombuffer(wi, dtype=np.int64),
                            None if fl is None else np.frombuffer(fl, dtype=np.bool_),
                            np.frombuffer(ty, dtype=np.int64), np.frombuffer(el, dtype=np.int64))
        return self._arrays

    @property
    def w(self) -> Any:
        return self._np()[0]

    @property
    def wi(self) -> Any:
        return self._np()[1]

    @property
    def flagged(self) -> Any:
        return self._np()[2]

    @property
    def type(self) -> Any:
        return self._np()[3]

    @property
    def elen(self) -> Any:
        return self._np()[4]

    def walked(self) -> tuple[Any, Any, Any]:
        """(wi, type, flagged) as the compiled walk gives them (made from the arrays when
        the numpy scan framed the batch)."""
        if self._walked is not None:
            wi, ty, _el, fl = self._walked
            return wi, ty, fl
        import numpy as np
        _w, wi, fl, ty, _el = self._np()
        return (wi.astype(np.int64).tobytes(), ty.astype(np.int64).tobytes(),
                None if fl is None else fl.astype(np.uint8).tobytes())

    def fields(self, sel: Any = None) -> tuple[Any, ...]:
        """Arrays (ts, tid, cpu, dflags, hdr, end, npar) for the events ``sel`` (all: None)."""
        import numpy as np
        w, wi, fl, _ty, elen = self._np()
        if sel is not None:
            wi = wi[sel]
            elen = elen[sel]
        if fl is not None:
            fl = fl if sel is None else fl[sel]
            k = wi + fl
            hdr = (wi << 2) + 10 + (fl << 2)
            dflags = np.where(fl, (w[wi + 2] >> 16) | ((w[wi + 3] & 0xFFFF) << 16), 0)
        else:
            k = wi
            hdr = (wi << 2) + 10
            dflags = np.zeros(len(wi), dtype=np.int64)
        w2, w3, w4, w5, w6 = (w[k + d].astype(np.uint64) for d in range(2, 7))
        s16, s48, lo16 = np.uint64(16), np.uint64(48), np.uint64(0xFFFF)
        ts = (w2 >> s16) | (w3 << s16) | ((w4 & lo16) << s48)
        tid = (w4 >> s16) | (w5 << s16) | ((w6 & lo16) << s48)
        cpu = w[wi + 2] & 0xFFFF
        return ts, tid, cpu, dflags, hdr, hdr + elen, w[k + 8]

    def hdr_npar(self, sel: Any) -> tuple[Any, Any]:
        """Arrays (hdr, npar) for the events ``sel``."""
        import numpy as np
        w, wi, fl, _ty, _elen = self._np()
        wi = wi[sel]
        if fl is None:
            return (wi << 2) + 10, w[wi + 8].astype(np.int64)
        fl = fl[sel]
        return (wi << 2) + 10 + (fl << 2), w[wi + fl + 8].astype(np.int64)

    def head(self, leading: bool) -> list[tuple[int, int, int, int, int, int, int, int]]:
        """With ``leading``: the rows up to and including the first that is not a container
        event (those lead a section and are numbered apart); else none."""
        out: list[tuple[int, int, int, int, int, int, int, int]] = []
        if not leading:
            return out
        wi, _ty, fl = self.walked()
        words = memoryview(wi).cast("B").cast("q")
        flags = None if fl is None else memoryview(fl).cast("B")
        buf = self.buf
        for j in range(self.n):
            f = 1 if flags is not None and flags[j] else 0
            hdr = words[j] * 4 + 10 + 4 * f
            ts, tid, elen, etype, npar = _HEADER.unpack_from(buf, hdr)
            cpu = _U16.unpack_from(buf, hdr - 2 - 4 * f)[0]
            dflags = _U32.unpack_from(buf, hdr - 4)[0] if f else 0
            out.append((etype, ts, tid, cpu, dflags, hdr, hdr + elen, npar))
            if etype not in _CONTAINER_IDS:
                break
        return out

    def rows(self) -> list[tuple[int, int, int, int, int, int, int, int]]:
        f = [a.tolist() for a in self.fields()]
        return list(zip(self.type.tolist(), *f, strict=True))


def _walker() -> Callable[[bytes, int, int], tuple[int, Any, Any, Any, Any]] | None:
    """The compiled walk (scap/_blockwalk.c), unless not built or SYSDIVE_NO_EXTENSION."""
    if os.environ.get("SYSDIVE_NO_EXTENSION"):
        return None
    try:
        from sysdive.scap._blockwalk import walk
    except ImportError:
        return None
    return walk


def scan(buf: bytes, pos: int, window: int) -> tuple[int, Columns | None]:
    """Frame the run of v2 event blocks starting at ``pos`` (a block start) that start in
    the ``window`` bytes from ``pos``: by the compiled walk when it is built (it walks the
    chain block by block, with the checks below), else by :func:`scan_numpy`."""
    walk = _walker()
    if walk is None:
        return scan_numpy(buf, pos, window)
    end, wi, etype, elen, flagged = walk(buf, pos, window)
    if wi is None:
        return end, None
    return end, Columns(buf, len(wi) >> 3, walked=(wi, etype, elen, flagged))


def scan_numpy(buf: bytes, pos: int, window: int) -> tuple[int, Columns | None]:
    """Frame the run of v2 event blocks starting at ``pos`` (a block start) that start in
    the ``window`` bytes from ``pos``, with numpy.

    Returns the offset where the sequential reader must go on (``pos`` itself when the block
    there is not one this scan handles) and the columns of the events found (None if none).
    Events with ids 0.29.3 does not know are framed but not listed, as the reader does.
    """
    import numpy as np
    n = len(buf)
    if pos & 3:
        return pos, None              # after a block whose length is not a multiple of 4
    nw = n >> 2
    w = np.frombuffer(buf, dtype="<u4", count=nw)
    p0 = pos >> 2
    words = w[p0:p0 + (window >> 2)]
    # 0x216/0x217 (EV_V2, EVF_V2) and 0x221/0x222 (EV_V2_LARGE, EVF_V2_LARGE).
    mask = (words | 1) == B.EVF_V2
    mask |= (words - np.uint32(B.EV_V2_LARGE)) <= 1
    cand = np.flatnonzero(mask)
    if len(cand) == 0 or cand[0] != 0:
        return pos, None
    cand += p0
    cand = cand[cand + 1 < nw]       # the length word must be in the buffer
    if len(cand) == 0:
        return pos, None
    blen = w[cand + 1].astype(np.int64)
    start = cand.astype(np.int64) << 2
    nxt = start + blen
    # Candidates the chain can never pass through: bad length or cut by the buffer end.
    fits = (blen >= 12) & ((blen & 3) == 0) & (nxt <= n)
    # 'trailer' index is only valid where fits; clamp elsewhere.
    tw = np.where(fits, (nxt >> 2) - 1, 0)
    good = fits & (w[tw].astype(np.int64) == blen)

    # Resolve the chain over candidate indices: runs where each block ends where the next
    # candidate starts, joined across candidates that lie inside a payload.
    m = len(cand)
    breaks = np.flatnonzero(nxt[:-1] != start[1:]).tolist()
    breaks.append(m - 1)
    pieces: list[Any] = []
    i = 0
    k = 0
    while True:
        while breaks[k] < i:
            k += 1
        b = breaks[k]
        pieces.append(np.arange(i, b + 1))
        if b == m - 1 or not good[b]:
            break
        q = int(nxt[b])
        j = int(np.searchsorted(start, q))
        if j == m or int(start[j]) != q:
            break                     # the chain goes on with a block this scan leaves
        i = j                         # candidates b+1..j-1 were inside block b
    idx = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    # Stop before the first chained block that fails a check: the sequential reader raises
    # (or waits for more data) there.
    bad = np.flatnonzero(~good[idx])
    if len(bad):
        idx = idx[:int(bad[0])]
    if len(idx) == 0:
        return pos, None

    wi = cand[idx].astype(np.int64)   # word index of each block
    bl = blen[idx]
    btype = w[wi]
    flagged = (btype == B.EVF_V2) | (btype == B.EVF_V2_LARGE)
    fl = flagged if flagged.any() else None
    # Every field sits at an even offset: read the u32 words around it and shift. Flagged
    # blocks have a u32 of dump flags before the event, i.e. one word more.
    k = wi if fl is None else wi + fl
    w6 = w[k + 6]
    w7 = w[k + 7]
    elen = ((w6 >> 16) | (w7 << 16)).astype(np.int64)
    # The event-length checks of the sequential reader (see CaptureReader.__iter__).
    room = bl - 14 if fl is None else bl - 14 - (fl << 2)
    ok = (elen >= 26) & (elen <= room)
    ok &= bl >= 40 if fl is None else np.where(fl, bl >= 44, bl >= 40)
    ok &= (bl <= _NONLARGE_MAX + 8) | (btype != B.EV_V2)
    if not ok.all():
        cut = int(np.flatnonzero(~ok)[0])
        if cut == 0:
            return pos, None
        wi, bl, elen, w7 = wi[:cut], bl[:cut], elen[:cut], w7[:cut]
        fl = None if fl is None else fl[:cut]
    end_pos = int((wi[-1] << 2) + bl[-1])
    etype = (w7 >> 16).astype(np.int64)
    keep = etype < _EVENT_MAX
    if not keep.all():
        wi, elen, etype = wi[keep], elen[keep], etype[keep]
        fl = None if fl is None else fl[keep]
        if len(etype) == 0:
            return end_pos, None
    return end_pos, Columns(buf, len(etype), arrays=(w, wi, fl, etype, elen))


__all__ = ["Columns", "scan", "scan_numpy"]
