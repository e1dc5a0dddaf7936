"""Event: header fields eager, parameters framed and decoded lazily through the schema.

An :class:`Event` is only built for rows the inspector selects; the state parser then attaches
the thread and fd context (``thread``, ``fdinfo``, ``fd``) so that fields and renderers can
read them without another lookup.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from sysdive.schema.events import EVENTS
from sysdive.schema.types import EventInfo

if TYPE_CHECKING:
    from sysdive.state.fds import FdInfo
    from sysdive.state.threads import ThreadInfo

_U16 = struct.Struct("<H")
_I64 = struct.Struct("<q")
_LENS16 = [struct.Struct(f"<{n}H") for n in range(33)]
_LENS32 = [struct.Struct(f"<{n}I") for n in range(33)]
LARGE_TYPES = frozenset(e.id for e in EVENTS if e.large_payload)
_LARGE = [e.id in LARGE_TYPES for e in EVENTS]
_NPARAMS = [len(e.params) for e in EVENTS]
# Old captures store a length 3 bytes too long for these two types (libscap corrects it).
_LEN_FIX_TYPES = frozenset(e.id for e in EVENTS if e.enum in ("PPME_NOTIFICATION_E", "PPME_INFRASTRUCTURE_EVENT_E"))


class Event:
    """One event of a capture or a live source.

    ``hdr`` and ``end`` delimit the event (header + length array + data) inside ``buf``.
    ``nparams`` is -1 for events from v1 blocks until :meth:`params` infers it.
    """

    __slots__ = (
        "_params",
        "buf",
        "cpu",
        "dflags",
        "end",
        "enter",
        "extra",
        "fd",
        "fd_name_changed",
        "fdinfo",
        "hdr",
        "info",
        "latency",
        "nparams",
        "num",
        "thread",
        "tid",
        "tinfo_changed",
        "ts",
        "type",
        "v1",
    )

    def __init__(self, num: int, etype: int, ts: int, tid: int, cpu: int, dflags: int,
                 buf: bytes, hdr: int, end: int, nparams: int) -> None:
        self.num = num
        self.type = etype
        self.ts = ts
        self.tid = tid
        self.cpu = cpu
        self.dflags = dflags
        self.buf = buf
        self.hdr = hdr
        self.end = end
        self.nparams = nparams
        self.v1 = nparams < 0                # 22-byte header: the layout of v1 blocks
        self._params: list[bytes] | None = None
        self.info: EventInfo = EVENTS[etype]
        self.thread: ThreadInfo | None = None
        self.fdinfo: FdInfo | None = None
        self.fd: int | None = None          # the fd number the event operates on, if any
        self.enter: Event | None = None      # the stored enter event, for exits that need it
        self.latency: int | None = 0        # None: sysdig shows <NA> (internal events)
        self.tinfo_changed = False
        self.fd_name_changed = False         # parsing this event renamed its fd
        self.extra: Any = None

    @property
    def is_enter(self) -> bool:
        return not self.type & 1

    @property
    def direction(self) -> str:
        return "<" if self.type & 1 else ">"

    @property
    def name(self) -> str:
        return self.info.name

    def raw(self) -> bytes:
        """The event in v2 layout (26-byte header), as a writer stores it."""
        if not self.v1:
            return self.buf[self.hdr:self.end]
        self.params()
        n = self.nparams   # the event's own count: its length array holds that many
        head = self.buf[self.hdr:self.hdr + 22]
        ln = struct.unpack_from("<I", head, 16)[0] + 4
        fixed = head[:16] + struct.pack("<IHI", ln, self.type, n)
        return fixed + self.buf[self.hdr + 22:self.end]

    def params(self) -> list[bytes]:
        """The raw bytes of each param the schema knows, min(table count, event count) of them."""
        p = self._params
        if p is not None:
            return p
        n = self.nparams
        etype = self.type
        if 0 <= n <= 32:    # v2 layout (v1 events have nparams -1 until inferred)
            buf = self.buf
            lens_off = self.hdr + 26
            if _LARGE[etype]:
                lens = _LENS32[n].unpack_from(buf, lens_off)
                pos = lens_off + 4 * n
            else:
                lens = _LENS16[n].unpack_from(buf, lens_off)
                pos = lens_off + 2 * n
            keep = _NPARAMS[etype]
            if n < keep:
                keep = n
            end = self.end
            out: list[bytes] = []
            append = out.append
            for ln in lens[:keep]:
                nxt = pos + ln
                if nxt > end:
                    break  # damaged length array: keep what fits
                append(buf[pos:nxt])
                pos = nxt
            self._params = out
            return out
        return self._params_slow()

    def param0_i64(self, default: int = 0) -> int:
        """Param 0 as a signed integer (the result of most exits), read straight from the
        buffer when it can be; the same value as decoding :meth:`params`."""
        n = self.nparams
        etype = self.type
        if 0 < n <= 32 and not _LARGE[etype] and _NPARAMS[etype]:
            base = self.hdr + 26
            buf = self.buf
            ln = _U16.unpack_from(buf, base)[0]
            if ln >= 8 and base + 2 * n + ln <= self.end:
                v: int = _I64.unpack_from(buf, base + 2 * n)[0]
                return v
        p = self.params()
        if not p:
            return default
        raw = p[0]
        if len(raw) >= 8:
            r: int = _I64.unpack_from(raw)[0]
            return r
        return int.from_bytes(raw, "little", signed=True) if raw else default

    def _params_slow(self) -> list[bytes]:
        """:meth:`params` for v1 events (count inferred) and counts over 32 (no params)."""
        buf = self.buf
        large = self.type in LARGE_TYPES
        width = 4 if large else 2
        if not self.v1:
            lens_off = self.hdr + 26
            n = self.nparams
        else:
            lens_off = self.hdr + 22
            n = self._infer_nparams(lens_off)
            self.nparams = n
        if n > 32:
            n_read = 0
            lens: tuple[int, ...] = ()
        else:
            n_read = n
            lens = (_LENS32 if large else _LENS16)[n].unpack_from(buf, lens_off)
        pos = lens_off + n * width
        end = self.end
        out: list[bytes] = []
        keep = min(len(self.info.params), n_read)
        for i in range(keep):
            ln = lens[i]
            if pos + ln > end:
                break  # damaged length array: keep what fits
            out.append(buf[pos:pos + ln])
            pos += ln
        self._params = out
        return out

    def _infer_nparams(self, lens_off: int) -> int:
        """v1 events carry no count: take the largest count whose lengths add up exactly."""
        end = self.end
        if self.type in _LEN_FIX_TYPES:
            end -= 3
        buf = self.buf
        for n in range(len(self.info.params), -1, -1):
            valptr = lens_off + 2 * n
            if valptr > end:
                continue
            total = valptr + sum(_LENS16[n].unpack_from(buf, lens_off))
            if total == end:
                return n
            if total < end:
                break
        return 0

    def param(self, i: int) -> bytes | None:
        p = self.params()
        return p[i] if i < len(p) else None

    def param_index(self, name: str) -> int:
        """Index of the param called ``name`` in this event type, or -1."""
        for i, pi in enumerate(self.info.params):
            if pi.name == name:
                return i
        return -1

    def __repr__(self) -> str:
        return f"Event(num={self.num}, {self.direction} {self.info.name}, tid={self.tid}, ts={self.ts})"
