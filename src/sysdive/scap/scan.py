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
from collections.abc import Callable
from typing import Any

import numpy as np

from sysdive.scap import blocks as B
from sysdive.schema.events import EVENTS

_EVENT_MAX = 336
_NONLARGE_MAX = 65536

_CONTAINER_IDS = np.array([e.id for e in EVENTS if e.enum in (
    "PPME_CONTAINER_E", "PPME_CONTAINER_JSON_E", "PPME_CONTAINER_JSON_2_E")], dtype=np.int64)
_16, _48, _LO16 = np.uint64(16), np.uint64(48), np.uint64(0xFFFF)


class Columns:
    """Header fields of consecutive v2 events, read from the buffer on demand.

    ``type`` (int64) is always there; the other fields are read only for the events a caller
    asks for (:meth:`fields`), since a filtered read needs them for a fraction of the events.
    ``wi`` is the index of each block's first u32 word; ``flagged`` marks EVF blocks (None
    when there are none), whose event starts one word later after the dump flags.
    """

    __slots__ = ("elen", "flagged", "type", "w", "wi")

    def __init__(self, w: Any, wi: Any, flagged: Any, etype: Any, elen: Any) -> None:
        self.w = w
        self.wi = wi
        self.flagged = flagged
        self.type = etype
        self.elen = elen

    def __len__(self) -> int:
        return len(self.type)

    def fields(self, sel: Any = None) -> tuple[Any, ...]:
        """Arrays (ts, tid, cpu, dflags, hdr, end, npar) for the events ``sel`` (all: None)."""
        w = self.w
        wi = self.wi if sel is None else self.wi[sel]
        elen = self.elen if sel is None else self.elen[sel]
        fl = self.flagged
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
        ts = (w2 >> _16) | (w3 << _16) | ((w4 & _LO16) << _48)
        tid = (w4 >> _16) | (w5 << _16) | ((w6 & _LO16) << _48)
        cpu = w[wi + 2] & 0xFFFF
        return ts, tid, cpu, dflags, hdr, hdr + elen, w[k + 8]

    def hdr_flagged(self, sel: Any) -> tuple[Any, Any]:
        """Arrays (hdr, 1 for EVF blocks else 0) for the events ``sel``, as int64: where
        compiled code reads the other fields (state/_rowparse.c)."""
        wi = self.wi[sel]
        if self.flagged is None:
            return (wi << 2) + 10, np.zeros(len(wi), dtype=np.int64)
        fl = self.flagged[sel].astype(np.int64)
        return (wi << 2) + 10 + (fl << 2), fl

    def hdr_npar(self, sel: Any) -> tuple[Any, Any]:
        """Arrays (hdr, npar) for the events ``sel``."""
        wi = self.wi[sel]
        if self.flagged is None:
            return (wi << 2) + 10, self.w[wi + 8].astype(np.int64)
        fl = self.flagged[sel]
        return (wi << 2) + 10 + (fl << 2), self.w[wi + fl + 8].astype(np.int64)

    def head(self, leading: bool) -> list[tuple[int, int, int, int, int, int, int, int]]:
        """With ``leading``: the rows up to and including the first that is not a container
        event (those lead a section and are numbered apart); else none."""
        if not leading:
            return []
        other = np.flatnonzero(~np.isin(self.type, _CONTAINER_IDS))
        stop = int(other[0]) + 1 if len(other) else len(self.type)
        sel = np.arange(stop)
        f = [a.tolist() for a in self.fields(sel)]
        return list(zip(self.type[:stop].tolist(), *f, strict=True))

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
    w = np.frombuffer(buf, dtype="<u4", count=len(buf) >> 2)
    fl = None if flagged is None else np.frombuffer(flagged, dtype=np.bool_)
    return end, Columns(w, np.frombuffer(wi, dtype=np.int64), fl,
                        np.frombuffer(etype, dtype=np.int64), np.frombuffer(elen, dtype=np.int64))


def scan_numpy(buf: bytes, pos: int, window: int) -> tuple[int, Columns | None]:
    """Frame the run of v2 event blocks starting at ``pos`` (a block start) that start in
    the ``window`` bytes from ``pos``, with numpy.

    Returns the offset where the sequential reader must go on (``pos`` itself when the block
    there is not one this scan handles) and the columns of the events found (None if none).
    Events with ids 0.29.3 does not know are framed but not listed, as the reader does.
    """
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
    cols = Columns(w, wi, fl, etype, elen)
    return end_pos, cols


__all__ = ["Columns", "scan", "scan_numpy"]
