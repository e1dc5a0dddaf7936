"""sysdig tracers: writes to ``/dev/null`` that become ``tracer`` events (libsinsp's
``tracers.cpp`` and ``parse_tracer``/``detect_and_process_tracer_write`` in ``parsers.cpp``).

An application marks the start and end of a *span* by writing a text to ``/dev/null``:
``>:ID:TAG1.TAG2:ARG=VAL,ARG2=VAL2:`` enters, ``<:ID:TAGS:ARGS:`` exits (``ID`` is a number,
``t``/``p``/``pp`` for the thread/process/parent id, empty or ``g`` for 0; ``\\`` escapes a
separator), or the same as a JSON array ``[">", ID, ["TAG", ...], [{"ARG": "VAL"}, ...]]``.

How the state engine finds them, as libsinsp 0.29.3 does:

* files named ``/dev/null`` (from the fd list or an open) are *candidate* tracer files; any
  other file is marked as never one;
* the first write exit on a candidate whose data parses makes the fd a tracer fd (its
  write enters are hidden from then on); a parse failure marks it as never one; a text cut
  short is kept and continued by the thread's next write on it;
* every read/write exit on a tracer fd is turned into a ``tracer`` enter or exit event
  (``id``, ``tags``, ``args``); one that does not parse becomes an enter whose only tag is
  ``invalid tracer DATA, lenN``. Capture files copied by sysdig mark such writes with the
  SCAP_DF_TRACER dump flag, which is honoured where the fd is unknown.

When a field needs span state (``span.duration``, ``span.args``..., every ``evtin.*``; see
:meth:`TracerState.request_tracking`), each enter takes an entry from a pool of 128 and puts
it on a list shared by all threads; the matching exit (same id and tags) takes it back. The
pool's entries are reused in place, so a pointer to an entry that went back to the pool sees
its next use, as in libsinsp.

The converted event keeps its original bytes (what ``-w`` writes) and gets the tracer params
in its decoded params: the tags as NUL-terminated strings, the args as name/value pairs of
NUL-terminated strings (:func:`sysdive.fields.params` renders both).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.types import EventFlag
from sysdive.state.fds import FLAG_IS_NOT_TRACER_FD, FLAG_IS_TRACER_FD, FLAG_IS_TRACER_FILE

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.state.parser import Parser
    from sysdive.state.threads import ThreadInfo

__all__ = ["HANDLERS", "PartialTracer", "TracerParser", "TracerState", "process_rw_exit",
           "tracers_of"]

TRACER_E = EVENT_BY_ENUM["PPME_TRACER_E"].id
TRACER_X = EVENT_BY_ENUM["PPME_TRACER_X"].id
SCAP_DF_TRACER = 2
MAX_USER_EVT_BUFFER = 65536
POOL_SIZE = 128

RES_OK, RES_COMMA, RES_FAILED, RES_TRUNCATED = 0, 1, 2, 3
_I64 = struct.Struct("<q")


_EF_WRITES_TO_FD = int(EventFlag.WRITES_TO_FD)
_FLAGS = [int(e.flags) for e in EVENTS]


def _cstr(buf: bytearray, pos: int) -> bytes:
    end = buf.index(0, pos)
    return bytes(buf[pos:end])


class PartialTracer:
    """One span enter kept until its exit (``sinsp_partial_tracer``); also the parser's
    record of the last exit."""

    __slots__ = ("argnames", "argvals", "id", "tags", "tid", "time")

    def __init__(self) -> None:
        self.id = 0
        self.tags: list[bytes] = []
        self.argnames: list[bytes] = []
        self.argvals: list[bytes] = []
        self.time = 0
        self.tid = 0

    def same_span(self, other: PartialTracer) -> bool:
        """Same id and same tags (what matches an exit with its enter)."""
        return self.id == other.id and self.tags == other.tags

    def parent_of(self, child: PartialTracer) -> bool:
        """``other`` has the tags of ``child`` without its last one (and the same id)."""
        return self.id == child.id and child.tags[:-1] == self.tags and len(child.tags) > 0


class TracerParser:
    """The tracer parser of one thread (``sinsp_tracerparser``): the fields read its last
    parse (type, id, tags, args) and ``enter_pae``/``exit_pae``."""

    __slots__ = (
        "argnames",
        "argvals",
        "enter_pae",
        "exit_pae",
        "fragment",
        "id",
        "res",
        "taglen_mem",
        "taglens",
        "tags",
        "type_char",
    )

    def __init__(self) -> None:
        self.fragment = b""             # a text cut short, waiting for the next write
        self.res = RES_OK
        self.type_char = 0
        self.id = 0
        self.tags: list[bytes] = []
        self.taglens: list[int] = []
        self.taglen_mem: list[int] = []   # the tag lengths' buffer, which clearing keeps
        self.argnames: list[bytes] = []
        self.argvals: list[bytes] = []
        self.enter_pae: PartialTracer | None = None
        self.exit_pae = PartialTracer()

    # -- the text ---------------------------------------------------------------------------

    def process_data(self, data: bytes, tinfo: ThreadInfo) -> int:
        """Parse one write's data (continuing a fragment); the result code."""
        joined = self.fragment + data
        had_fragment = bool(self.fragment)
        full = joined.split(b"\0", 1)[0] if had_fragment else b""
        if joined:
            self.res = RES_OK
            self.tags = []
            self.taglens = []
            self.argnames = []
            self.argvals = []
            buf = bytearray(joined + b"\0\0")
            if buf[0] in (0x3E, 0x3C):     # '>' or '<'
                self._parse_simple(buf, tinfo)
            else:
                self._parse_json(buf, tinfo)
        else:
            self.res = RES_FAILED
        mem = self.taglen_mem
        for i, n in enumerate(self.taglens):
            if i < len(mem):
                mem[i] = n
            else:
                mem.append(n)
        if self.res == RES_FAILED:
            self.fragment = b""
        elif self.res == RES_TRUNCATED:
            if len(self.fragment) > MAX_USER_EVT_BUFFER:
                self.fragment = b""     # too long: dropped
            else:
                # the first piece is kept as written; later ones as the text up to a NUL
                self.fragment = full or data
        else:
            self.fragment = b""
        return self.res

    def _parse_simple(self, b: bytearray, tinfo: ThreadInfo) -> None:
        p = 0
        self.type_char = b[p]
        p += 1
        if b[p] != 0x3A:   # ':'
            self.res = RES_TRUNCATED if b[p] == 0 else RES_FAILED
            return
        b[p] = 0
        p += 1
        c = b[p]
        if c == 0x30:      # libsinsp compares with the digit '0', not NUL
            self.res = RES_TRUNCATED
            return
        if c == 0x74:      # 't'
            self.id = tinfo.tid
            delta = 2
        elif c == 0x70:    # 'p'
            self.id = tinfo.pid
            if b[p + 1] == 0x70:
                self.id = tinfo.ptid
                p += 1
            delta = 2
        elif c == 0x3A:
            self.id = 0
            delta = 1
        elif c == 0x67:    # 'g'
            self.id = 0
            delta = 2
        else:
            res, val, delta = _number_colend(b, p)
            self.res = res
            if res > RES_COMMA:
                return
            self.id = val
        p += delta
        if b[p] == 0x30:
            self.res = RES_TRUNCATED
            return
        if b[p] != 0x3A:
            escaped = False
            while True:
                start = p
                self.tags.append(b"")
                while b[p] != 0:
                    if escaped:
                        escaped = False
                        p += 1
                        continue
                    ch = b[p]
                    if ch == 0x5C:   # backslash
                        escaped = True
                        _delete_char(b, p)
                        continue
                    if ch in (0x2E, 0x3A):   # '.' ':'
                        break
                    if ch in (0x3E, 0x3C, 0x3D, 0x0A):
                        self.res = RES_FAILED
                        return
                    p += 1
                self.tags[-1] = bytes(b[start:p])
                self.taglens.append(p - start)
                if b[p] == 0x3A:
                    b[p] = 0
                    break
                if b[p] == 0:
                    self.res = RES_TRUNCATED
                    return
                b[p] = 0
                p += 1
        p += 1
        if b[p] == 0:
            self.res = RES_TRUNCATED
            return
        if b[p] == 0x3A:
            return
        escaped = False
        while True:
            start = p
            while b[p] != 0:
                if escaped:
                    escaped = False
                    p += 1
                    continue
                ch = b[p]
                if ch == 0x5C:
                    escaped = True
                    _delete_char(b, p)
                    continue
                if ch == 0x3D:   # '='
                    break
                if ch in (0x3E, 0x3C, 0x0A):
                    self.res = RES_FAILED
                    return
                p += 1
            self.argnames.append(bytes(b[start:p]))
            if b[p] == 0:
                self.res = RES_FAILED if b[p - 1] == 0x3A else RES_TRUNCATED
                return
            b[p] = 0
            p += 1
            start = p
            escaped = False
            while b[p] != 0:
                if escaped:
                    escaped = False
                    p += 1
                    continue
                ch = b[p]
                if ch == 0x5C:
                    escaped = True
                    _delete_char(b, p)
                    continue
                if ch in (0x2C, 0x3A, 0x3D):   # ',' ':' '='
                    break
                p += 1
            self.argvals.append(bytes(b[start:p]))
            if b[p] == 0x3A:
                b[p] = 0
                self.res = RES_OK
                return
            if b[p] == 0:
                self.res = RES_TRUNCATED
                return
            b[p] = 0
            p += 1

    def _parse_json(self, b: bytearray, tinfo: ThreadInfo) -> None:
        p = _skip_spaces(b, 0)
        if b[p] != 0x5B:   # '['
            p += 1
            self.res = RES_FAILED
            return
        p += 1
        res, s, delta = _parsestr(b, p)
        self.res = res
        if res != RES_OK or s is None:
            return
        self.type_char = b[s]
        p += delta
        res, delta = _skip_spaces_and_commas(b, p, 1)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        if b[p] == 0x22:   # '"'
            p += 1
            c = b[p]
            if c == 0x74:
                self.id = tinfo.tid
                delta = 2
            elif c == 0x70:
                self.id = tinfo.pid
                if b[p + 1] == 0x70:
                    self.id = tinfo.ptid
                    p += 1
                delta = 2
            elif c == 0x3A:
                self.id = 0
                delta = 1
            elif c == 0x67:
                self.id = 0
                delta = 2
            else:
                # libsinsp marks the failure but goes on with a stale delta
                self.res = RES_FAILED
        else:
            res, val, delta = _number(b, p)
            self.res = res
            if res > RES_COMMA:
                return
            self.id = val
        p += delta
        if self.res == RES_COMMA:
            self.res = RES_OK
            p = _skip_spaces(b, p)
        else:
            res, delta = _skip_spaces_and_commas(b, p, 1)
            self.res = res
            if res != RES_OK:
                return
            p += delta
        res, delta = _skip_spaces_and_char(b, p, 0x5B)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        res, s, delta = _parsestr_not_enforce(b, p)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        if s is not None:
            self.tags.append(_cstr(b, s))
            self.taglens.append(delta - 2)
            while True:
                res, delta = _skip_spaces_and_commas(b, p, 0)
                self.res = res
                if res != RES_OK:
                    return
                p += delta
                if b[p] == 0x5D:   # ']'
                    break
                res, s, delta = _parsestr(b, p)
                self.res = res
                if res != RES_OK or s is None:
                    return
                p += delta
                self.tags.append(_cstr(b, s))
                self.taglens.append(delta - 2)
        res, delta = _skip_all_brackets(b, p)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        res, s, delta = _parsestr_not_enforce(b, p)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        if s is not None:
            self.argnames.append(_cstr(b, s))
            res, delta = _skip_spaces_and_char(b, p, 0x3A)
            self.res = res
            if res != RES_OK:
                return
            p += delta
            res, s, delta = _parsestr(b, p)
            self.res = res
            if res != RES_OK or s is None:
                return
            p += delta
            self.argvals.append(_cstr(b, s))
            while True:
                res, delta = _skip_curly_brackets(b, p)
                self.res = res
                if res != RES_OK:
                    return
                p += delta
                if b[p] == 0x5D:
                    p += 1
                    break
                res, s, delta = _parsestr(b, p)
                self.res = res
                if res != RES_OK or s is None:
                    return
                p += delta
                self.argnames.append(_cstr(b, s))
                res, delta = _skip_spaces_and_char(b, p, 0x3A)
                self.res = res
                if res != RES_OK:
                    return
                p += delta
                res, s, delta = _parsestr(b, p)
                self.res = res
                if res != RES_OK or s is None:
                    return
                p += delta
                self.argvals.append(_cstr(b, s))
        p = _skip_spaces(b, p)
        if b[p] != 0x5D:
            self.res = RES_TRUNCATED if b[p] == 0 else RES_FAILED
            return
        self.res = RES_OK

    # -- span state ------------------------------------------------------------------------

    def fill(self, pae: PartialTracer, tid: int) -> None:
        """``init_partial_tracer``: copy the last parse into ``pae``."""
        pae.tid = tid
        pae.id = self.id
        pae.tags = list(self.tags)
        pae.argnames = list(self.argnames)
        pae.argvals = list(self.argvals)


# -- the JSON scanner's helpers (byte-exact with libsinsp's, quirks included) ---------------

def _delete_char(b: bytearray, p: int) -> None:
    end = b.index(0, p)
    b[p:end] = b[p + 1:end + 1]


def _skip_spaces(b: bytearray, p: int) -> int:
    while b[p] == 0x20:
        p += 1
    return p


def _skip_spaces_and_commas(b: bytearray, p: int, expected: int) -> tuple[int, int]:
    start = p
    nc = 0
    while True:
        c = b[p]
        if c == 0x20:
            p += 1
            continue
        if c == 0x2C:
            nc += 1
        elif c == 0:
            return RES_TRUNCATED, 0
        else:
            break
        p += 1
    if nc < expected:
        return RES_FAILED, 0
    return RES_OK, p - start


def _skip_spaces_and_char(b: bytearray, p: int, ch: int) -> tuple[int, int]:
    start = p
    nc = 0
    while b[p] in (0x20, ch, 0):
        if b[p] == 0:
            return RES_TRUNCATED, 0
        if b[p] == ch:
            nc += 1
        p += 1
    if nc != 1:
        return RES_FAILED, 0
    return RES_OK, p - start


def _skip_curly_brackets(b: bytearray, p: int) -> tuple[int, int]:
    start = p
    nc = nocb = nccb = 0
    while b[p] in (0x20, 0x2C, 0x7B, 0x7D, 0):
        c = b[p]
        if c == 0:
            return RES_TRUNCATED, 0
        if c == 0x2C:
            nc += 1
        elif c == 0x7B:
            nocb += 1
        elif c == 0x7D:
            nccb += 1
        p += 1
    if not ((nc == 1 and nocb == 1) or (nc == 1 and nccb == 1) or (nccb == 1 and b[p] == 0x5D)):
        return RES_FAILED, 0
    return RES_OK, p - start


def _skip_all_brackets(b: bytearray, p: int) -> tuple[int, int]:
    start = p
    nc = nosb = nocb = 0
    while b[p] in (0x20, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0):
        c = b[p]
        if c == 0:
            return RES_TRUNCATED, 0
        if c == 0x2C:
            nc += 1
        elif c == 0x5B:
            nosb += 1
        elif c == 0x5D:
            if nosb != 0:
                break
        elif c == 0x7B:
            nocb += 1
        p += 1
    if nc != 1 or nosb != 1:
        return RES_FAILED, 0
    if nocb != 1 and b[p] != 0x5D:
        return RES_FAILED, 0
    return RES_OK, p - start


def _parsestr(b: bytearray, p: int) -> tuple[int, int | None, int]:
    """(result, start of the string or None, bytes consumed)."""
    initial = p
    if b[p] != 0x22:
        return (RES_TRUNCATED if b[p] == 0 else RES_FAILED), None, p - initial + 1
    start = p + 1
    p += 1
    while not (b[p] == 0x22 and b[p - 1] != 0x5C):
        if b[p] == 0:
            return RES_TRUNCATED, start, p - initial + 1
        p += 1
    b[p] = 0
    return RES_OK, start, p - initial + 1


def _parsestr_not_enforce(b: bytearray, p: int) -> tuple[int, int | None, int]:
    res, s, delta = _parsestr(b, p)
    if res == RES_FAILED:
        if b[p + delta] == 0x5D:
            return RES_OK, None, delta
    elif res == RES_TRUNCATED:
        return res, s, delta
    return RES_OK, s, delta


def _number(b: bytearray, p: int) -> tuple[int, int, int]:
    start = p
    neg = False
    if b[p] == 0x2D:
        neg = True
        p += 1
    val = 0
    while 0x30 <= b[p] <= 0x39:
        val = val * 10 + b[p] - 0x30
        p += 1
    res = RES_OK
    if b[p] == 0x2C:
        res = RES_COMMA
    elif b[p] not in (0, 0x20):
        return RES_FAILED, 0, 0
    elif b[p] == 0:
        return RES_TRUNCATED, 0, 0
    b[p] = 0
    return res, _wrap64(-val if neg else val), p - start + 1


def _number_colend(b: bytearray, p: int) -> tuple[int, int, int]:
    start = p
    neg = False
    if b[p] == 0x2D:
        neg = True
        p += 1
    val = 0
    while 0x30 <= b[p] <= 0x39:
        val = val * 10 + b[p] - 0x30
        p += 1
    if b[p] != 0x3A:
        return (RES_TRUNCATED if b[p] == 0 else RES_FAILED), 0, 0
    return RES_OK, _wrap64(-val if neg else val), p - start + 1


def _wrap64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


# -- the inspector-wide state ----------------------------------------------------------------

class TracerState:
    """The spans open on the whole machine and the pool they come from (libsinsp keeps
    them on the inspector); ``track`` is set when a field needs them."""

    __slots__ = ("capture_filter", "dumping", "open", "pool", "track")

    def __init__(self) -> None:
        self.track = False
        self.dumping = False
        # False when the parser's filter is only chisels' filters merged in (sysdig runs
        # those after parsing): a text cut short then stays hidden even if they pass it.
        self.capture_filter = True
        self.pool = [PartialTracer() for _ in range(POOL_SIZE)]
        self.open: list[PartialTracer] = []   # newest first

    def request_tracking(self) -> None:
        """A field reads span state: keep the list of open spans from now on."""
        self.track = True

    def clear(self) -> None:
        """A new capture starts: every open span goes back to the pool."""
        for pae in self.open:
            self.pool.insert(0, pae)
        self.open.clear()

    def parent(self, child: PartialTracer) -> PartialTracer | None:
        """The open span whose tags are ``child``'s without the last one."""
        for pae in self.open:
            if pae.parent_of(child):
                return pae
        return None


def tracers_of(state: object) -> TracerState:
    """The tracer state kept on a :class:`~sysdive.state.tables.State`."""
    ts: TracerState | None = getattr(state, "tracers", None)
    if ts is None:
        ts = TracerState()
        state.tracers = ts  # type: ignore[attr-defined]
    return ts


def _data_param(evt: Event) -> bytes:
    params = evt.params()
    return params[1] if len(params) > 1 else b""


def parse_tracer(p: Parser, evt: Event, tinfo: ThreadInfo) -> int:
    """``sinsp_parser::parse_tracer``: parse the write's data and, unless it is cut short,
    turn ``evt`` into a tracer event. Returns the parse result."""
    tp: TracerParser | None = tinfo.tracer
    if tp is None:
        tp = tinfo.tracer = TracerParser()
    data = _data_param(evt)
    res = tp.process_data(data, tinfo)
    ts = tracers_of(p.state)
    if res == RES_TRUNCATED:
        if not ts.dumping:
            if ts.capture_filter:
                p.hide_unless_filtered = True
            else:
                p.hide = True
        return res
    if res == RES_OK:
        if ts.track:
            _track(ts, tp, tinfo, evt.ts)
        etype = TRACER_E if tp.type_char == 0x3E else TRACER_X
        eid = tp.id
        tags, names, vals = tp.tags, tp.argnames, tp.argvals
    else:
        fdi = evt.fdinfo
        if fdi is None or not fdi.flags & FLAG_IS_TRACER_FD:
            return res
        etype = TRACER_E
        eid = 0
        tp.argnames = []
        tp.argvals = []
        text = b"invalid tracer " + data + b", len" + str(len(data)).encode()
        tp.tags = [text.split(b"\0", 1)[0]]
        tags, names, vals = tp.tags, [], []
    _convert(evt, etype, eid, tags, names, vals)
    tinfo.lastevent_fd = -1
    tinfo.lastevent_type = TRACER_E
    tinfo.latency = 0
    tinfo.last_latency_entertime = 0
    return res


def _track(ts: TracerState, tp: TracerParser, tinfo: ThreadInfo, when: int) -> None:
    if tp.type_char == 0x3E:
        if not ts.pool:
            # Every entry is in use (exits lost): start again with an empty list.
            for pae in ts.open:
                ts.pool.insert(0, pae)
            ts.open.clear()
            return
        pae = ts.pool.pop(0)
        tp.fill(pae, tinfo.tid)
        pae.time = when
        ts.open.insert(0, pae)
        tp.enter_pae = pae
        return
    tp.fill(tp.exit_pae, tinfo.tid)
    for i, pae in enumerate(ts.open):
        if tp.exit_pae.same_span(pae):
            tp.exit_pae.time = when
            # The entry goes back to the pool but stays the parser's enter: nothing reuses
            # it before this event is done.
            tp.enter_pae = pae
            ts.pool.insert(0, pae)
            del ts.open[i]
            return
    tp.enter_pae = None


def _convert(evt: Event, etype: int, eid: int, tags: list[bytes], names: list[bytes],
             vals: list[bytes]) -> None:
    """Make ``evt`` the tracer event; its bytes stay the write's (a ``-w`` copy keeps them)."""
    raw = evt.raw()
    evt.buf = raw
    evt.hdr = 0
    evt.end = len(raw)
    evt.v1 = False
    evt.type = etype
    evt.info = EVENTS[etype]
    evt.nparams = 3
    evt._params = [
        _I64.pack(eid),
        b"".join(t + b"\0" for t in tags),
        b"".join(n + b"\0" + v + b"\0" for n, v in zip(names, vals, strict=False)),
    ]
    evt.dflags |= SCAP_DF_TRACER
    evt.fdinfo = None
    evt.thread = None


def process_rw_exit(p: Parser, evt: Event) -> bool:
    """The tracer part of a read/write exit; True when the exit parser must stop there
    (the event became a tracer event, or is a tracer fd's write cut short)."""
    fdi = evt.fdinfo
    tinfo = evt.thread
    if fdi is None:
        if evt.dflags & SCAP_DF_TRACER and tinfo is not None:
            parse_tracer(p, evt, tinfo)
            return True
        return False
    flags = fdi.flags
    if flags & FLAG_IS_NOT_TRACER_FD or tinfo is None:
        return False
    if flags & FLAG_IS_TRACER_FD:
        parse_tracer(p, evt, tinfo)
        return True
    if flags & FLAG_IS_TRACER_FILE and _FLAGS[evt.type] & _EF_WRITES_TO_FD:
        res = parse_tracer(p, evt, tinfo)
        if res == RES_OK:
            fdi.flags |= FLAG_IS_TRACER_FD
            return True
        if res == RES_FAILED:
            fdi.flags |= FLAG_IS_NOT_TRACER_FD
    return False


def write_enter(p: Parser, evt: Event) -> None:
    """A write enter on a tracer fd is not shown (unless the events are being written).
    Its reset looked its fd up already (the thread's last fd)."""
    fdi = evt.fdinfo
    if fdi is not None and fdi.flags & FLAG_IS_TRACER_FD and not p.state.tracers.dumping:
        p.hide = True


HANDLERS = {"PPME_SYSCALL_WRITE_E": write_enter}
