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

The text itself is parsed by :mod:`sysdive.state.tracer_text`. The converted event keeps its
original bytes (what ``-w`` writes) and gets the tracer params
in its decoded params: the tags as NUL-terminated strings, the args as name/value pairs of
NUL-terminated strings (:func:`sysdive.fields.params` renders both).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.types import EventFlag
from sysdive.state.fds import FLAG_IS_NOT_TRACER_FD, FLAG_IS_TRACER_FD, FLAG_IS_TRACER_FILE
from sysdive.state.tracer_text import (
    RES_FAILED,
    RES_OK,
    RES_TRUNCATED,
    PartialTracer,
    TracerParser,
)

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.state.parser import Parser
    from sysdive.state.threads import ThreadInfo

__all__ = ["HANDLERS", "PartialTracer", "TracerParser", "TracerState", "process_rw_exit",
           "tracers_of"]

TRACER_E = EVENT_BY_ENUM["PPME_TRACER_E"].id
TRACER_X = EVENT_BY_ENUM["PPME_TRACER_X"].id
SCAP_DF_TRACER = 2
POOL_SIZE = 128
_I64 = struct.Struct("<q")


_EF_WRITES_TO_FD = int(EventFlag.WRITES_TO_FD)
_FLAGS = [int(e.flags) for e in EVENTS]


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
