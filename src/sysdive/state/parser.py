"""The state parser: what ``sinsp::next`` and ``sinsp_parser::process_event`` do to the tables
for each event of a capture, in the same order, so that every thread, fd and process attribute
sysdig shows at an event we show too.

Per event (:meth:`Parser.process_event`):

1. deferred removals scheduled by the previous event: the thread of a ``procexit``, then the
   fds of a successful ``close`` (so exit lines still show what they removed);
2. ``reset``: find the thread (inventing a ``<NA>`` placeholder for unknown tids, except for
   clone exits and context switches), pair exits with the thread's last enter
   (``exit type == last enter type + 1``), take the fd of EF_USES_FD events from the enter's
   first param, compute the latency;
3. with a filter: an event that does not modify state and fails the filter is dropped right
   here, unparsed, and its thread forgets its last enter (so the matching exit is unpaired);
4. the event-specific parser (clone, execve, open, connect, ...);
5. with a filter: state-modifying events are filtered now, after parsing;
   events flagged STATE_ONLY in the capture are never shown;
6. for shown events: the stored enter event is released after an exit, and the thread's
   last-event timestamps move on.

The parser fills ``evt.thread``, ``evt.fdinfo``, ``evt.fd``, ``evt.latency``, ``evt.enter``
and ``evt.fd_name_changed`` for the fields and the formatter; see :meth:`_publish`.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.event import Event
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.types import Category, EventFlag
from sysdive.state import parse_fds, parse_io, parse_procs, tracers
from sysdive.state.decode import I64, MAX_PATH, PATH_TOO_LONG, U16, U32, concatenate_paths, p_i64
from sysdive.state.fds import (
    FLAG_CLOSE_CANCELED,
    FLAG_CLOSE_IN_PROGRESS,
    FLAG_IS_NOT_TRACER_FD,
    FLAG_IS_TRACER_FD,
    FLAG_IS_TRACER_FILE,
    SOCK_SIZE,
    FdInfo,
    FdType,
)
from sysdive.state.tables import CANCELED_FD, MAX_FD_TABLE, USER_EVT_DEVICE, State
from sysdive.state.threads import (
    CL_ACTIVE,
    CL_CLONE_FILES,
    CL_IS_MAIN_THREAD,
    LASTEVENT_INVALID,
    ThreadInfo,
)

if TYPE_CHECKING:
    from sysdive.state._rowparse import Rows

Filter = Callable[[Event], bool]
# (event type, thread, fd the fields see) -> whether the filter may pass; see reject_fast.
FastFilter = Callable[[int, ThreadInfo, "FdInfo | None"], bool]
Handler = Callable[["Parser", Event], None]

PPM_EVENT_MAX = len(EVENTS)          # 336: a "last enter type" no exit can pair with
SP_EVT_BUF_SIZE = 4096               # enter events longer than this are not stored
SCAP_DF_STATE_ONLY = 1
SCAP_DF_TRACER = 2


def _id(enum: str) -> int:
    return EVENT_BY_ENUM[enum].id


_CLONE_EXITS = frozenset(_id(n) for n in (
    "PPME_SYSCALL_CLONE_11_X", "PPME_SYSCALL_CLONE_16_X", "PPME_SYSCALL_CLONE_17_X",
    "PPME_SYSCALL_CLONE_20_X", "PPME_SYSCALL_FORK_X", "PPME_SYSCALL_FORK_17_X",
    "PPME_SYSCALL_FORK_20_X", "PPME_SYSCALL_VFORK_X", "PPME_SYSCALL_VFORK_17_X",
    "PPME_SYSCALL_VFORK_20_X", "PPME_SYSCALL_CLONE3_X",
))
SWITCH6 = _id("PPME_SCHEDSWITCH_6_E")
SWITCH1 = _id("PPME_SCHEDSWITCH_1_E")
PROCINFO = _id("PPME_PROCINFO_E")
TRACER_E = _id("PPME_TRACER_E")
COPY_FILE_RANGE_X = _id("PPME_SYSCALL_COPY_FILE_RANGE_X")
WRITE_X = _id("PPME_SYSCALL_WRITE_X")
CONTAINER_JSON = frozenset((_id("PPME_CONTAINER_JSON_E"), _id("PPME_CONTAINER_JSON_2_E")))
CONTAINER_EVENTS = CONTAINER_JSON | {_id("PPME_CONTAINER_E")}

# Events whose reset differs from the common one: no placeholder thread (clone exits,
# context switches) or no thread at all (container JSON).
_SPECIAL_RESET = _CLONE_EXITS | {SWITCH6} | CONTAINER_JSON
# Types with the common reset (find or invent the thread), the hot case, tested first.
_RESET_PLAIN = [not (e.flags & EventFlag.SKIPPARSERESET) and e.id not in _SPECIAL_RESET
                for e in EVENTS]

_F_USES_FD = int(EventFlag.USES_FD)
_F_SKIP = int(EventFlag.SKIPPARSERESET)
_F_STATE = int(EventFlag.MODIFIES_STATE)
_FLAGS = [int(e.flags) for e in EVENTS]
_INTERNAL = [bool(e.category & Category.INTERNAL) for e in EVENTS]
_LARGE = [e.large_payload for e in EVENTS]
_NPARAMS = [len(e.params) for e in EVENTS]
_U64_MASK = (1 << 64) - 1
# Types whose rejection by the filter changes nothing but the inspector's last-event time:
# reset ignores EF_SKIPPARSERESET types, and a context switch (PPME_SCHEDSWITCH_6_E) only
# looks its thread up; their parsers run only for events that pass.
_TS_ONLY = [bool(f & _F_SKIP) for f in _FLAGS]
_TS_ONLY[SWITCH6] = True
_I64_MAX = (1 << 63) - 1
_U16X2 = struct.Struct("<2H")
_U16X3 = struct.Struct("<3H")


def _build_handlers() -> list[Handler | None]:
    table: list[Handler | None] = [None] * PPM_EVENT_MAX
    for module in (parse_fds, parse_io, parse_procs, tracers):
        for enum, handler in module.HANDLERS.items():
            table[_id(enum)] = handler
    return table


_HANDLERS = _build_handlers()
# Enters whose parser is nothing but store_event.
_STORES = [h is parse_fds.store_enter for h in _HANDLERS]

# State-changing types whose parsing only keeps the fd tables up to date (and the thread's
# fd bookkeeping: last fd, stored enter event, which only fd parsing reads back). When no
# field in use reads fd state, a rejected event of these types may take the skip path:
# what it leaves behind differs only in things no remaining reader looks at (see
# Parser.skippable_types). dup is left out: its exit sets the pipe flags of the thread.
_FD_ONLY_TYPES = frozenset(
    t for t in range(PPM_EVENT_MAX)
    if _HANDLERS[t] is not None and _HANDLERS[t] is not parse_fds.dup_exit
    and (_HANDLERS[t] in parse_fds.HANDLERS.values() or _HANDLERS[t] in parse_io.HANDLERS.values())
) | frozenset(_id(n) for n in (
    # fd-creating or fd-using enters parsed by nothing but reset
    "PPME_SOCKET_BIND_E", "PPME_SOCKET_ACCEPT_E", "PPME_SOCKET_ACCEPT_5_E",
    "PPME_SOCKET_ACCEPT4_E", "PPME_SOCKET_ACCEPT4_5_E", "PPME_SOCKET_RECVFROM_E",
    "PPME_SOCKET_RECVMSG_E", "PPME_SOCKET_SHUTDOWN_X", "PPME_SOCKET_SOCKETPAIR_E",
    "PPME_SOCKET_GETSOCKOPT_E", "PPME_SYSCALL_PIPE_E", "PPME_SYSCALL_SIGNALFD_E",
    "PPME_SYSCALL_TIMERFD_CREATE_E", "PPME_SYSCALL_INOTIFY_INIT_E",
))


def never(etype: int, thread: ThreadInfo, fdinfo: FdInfo | None) -> bool:
    """The fast filter of a type the capture filter cannot match."""
    return False


def _reject(evt: Event) -> bool:
    """Stands for the capture filter on types it can never match."""
    return False


class _PollMarker:
    """What a poll/select enter leaves as "stored event" when none was stored: a buffer
    holding only a timestamp, which never pairs with an exit."""

    type = -1


POLL_MARKER = _PollMarker()


class Parser:
    """Applies events to a :class:`State`, exactly as sysdig 0.29.3 does for a capture file.

    ``internal_events`` mirrors sysdig's ``-D``: internal events (procinfo, ...) are returned
    even when the filter rejects them.
    """

    def __init__(self, state: State, internal_events: bool = False) -> None:
        self.state = state
        self.internal_events = internal_events
        # The enter event most recently loaded for an exit (libsinsp's m_tmp_evt); some old
        # event versions read it even when the load failed.
        self.tmp_enter: Event | None = None
        # Set by an event parser to hide the current event from the caller.
        self.hide = False
        # Set by an event parser to hide the current event unless a capture filter runs on
        # it after parsing and passes it (libsinsp's late filter overrides the parser's
        # verdict): a tracer text cut short.
        self.hide_unless_filtered = False
        # filter_types[t]: the capture filter can match type t (None: any type may match).
        self.filter_types: list[bool] | None = None

    # -- the entry point -------------------------------------------------------------------

    def process_event(self, evt: Event, filter: Filter | None = None) -> bool:
        """Update the state with ``evt``; True when sysdig would hand the event on.

        ``filter`` is the capture filter (sysdig's positional filter, not ``-d``). A False
        result means: do not count, print or pass to chisels. A True result still includes
        internal events, which the caller hides unless in debug mode. The event's tid is
        made signed (libsinsp's int64) on the way.
        """
        st = self.state
        st.lastevent_ts = evt.ts
        if st.tid_to_remove != -1 or st.fds_to_remove:
            self.apply_removals()
        if evt.tid > _I64_MAX:
            evt.tid -= 1 << 64

        etype = evt.type
        self.reset(evt)
        filter_later: Filter | None = None
        capture_filter = filter
        if filter is not None:
            eflags = _FLAGS[etype]
            if etype == WRITE_X:
                eflags = self._tracer_write_flags(evt, eflags)
            ftypes = self.filter_types
            if ftypes is not None and not ftypes[etype]:
                # The filter cannot match this type: rejected without running it (as the
                # inspector's fast path does for the types that do not change state).
                filter = _reject
            if eflags & _F_STATE:
                filter_later = filter
            elif filter is _reject:
                tinfo = evt.thread
                if tinfo is not None and not (eflags & _F_SKIP or etype == SWITCH6):
                    tinfo.lastevent_type = PPM_EVENT_MAX
                if self.internal_events and _INTERNAL[etype]:
                    return self._handed_on(evt, tinfo)
                return False
            else:
                tinfo = evt.thread
                self._publish(evt, tinfo)
                if not filter(evt):
                    # Nothing looks at a rejected event's context again (a -w copy takes
                    # its bytes), so it is left as the filter saw it.
                    if tinfo is not None and not (eflags & _F_SKIP or etype == SWITCH6):
                        tinfo.lastevent_type = PPM_EVENT_MAX
                    if self.internal_events and _INTERNAL[etype]:
                        evt.thread = tinfo
                        return self._handed_on(evt, tinfo)
                    return False
                evt.thread = tinfo

        handler = _HANDLERS[etype]
        if handler is not None:
            self.hide = False
            handler(self, evt)
            if self.hide:   # e.g. the container event of a failed lookup
                tinfo = evt.thread
                self._publish(evt, tinfo)
                return self._filtered_out(evt, tinfo)
            if self.hide_unless_filtered:
                self.hide_unless_filtered = False
                if filter_later is None:
                    tinfo = evt.thread
                    self._publish(evt, tinfo)
                    return self._filtered_out(evt, tinfo)
        if filter_later is not None:
            tinfo = evt.thread
            if filter_later is _reject and evt.type != etype and capture_filter is not None:
                filter_later = capture_filter   # a write that became a tracer event
            if filter_later is _reject:
                if self.internal_events and _INTERNAL[etype]:
                    return self._handed_on(evt, tinfo)
                return False
            self._publish(evt, tinfo)
            if not filter_later(evt):
                if self.internal_events and _INTERNAL[etype]:
                    evt.thread = tinfo
                    return self._handed_on(evt, tinfo)
                return False
            evt.thread = tinfo
        if evt.dflags & SCAP_DF_STATE_ONLY:
            tinfo = evt.thread
            self._publish(evt, tinfo)
            return self._filtered_out(evt, tinfo)
        return self._handed_on(evt, evt.thread)

    def apply_removals(self) -> None:
        """The removals the previous event deferred (its thread after a procexit, the fds of
        a close): done at the start of the next event, whatever it is."""
        st = self.state
        if st.tid_to_remove != -1:
            st.remove_thread(st.tid_to_remove, False)
            st.tid_to_remove = -1
        if st.fds_to_remove:
            owner = st.get_thread(st.tid_of_fd_to_remove, True)
            if owner is not None:
                for fd in st.fds_to_remove:
                    st.remove_fd(owner, fd)
            st.fds_to_remove.clear()

    def _tracer_write_flags(self, evt: Event, eflags: int) -> int:
        """With a filter, a write to a (candidate) tracer fd counts as state-changing, and
        so does any write flagged as tracer data in the capture. The lookup has a side effect
        sysdig also has: even an unpaired write exit gets its thread's last fd."""
        fdi = evt.fdinfo
        tinfo = evt.thread
        if fdi is None and tinfo is not None:
            fdi = self.state.get_fd(tinfo, tinfo.lastevent_fd)
            evt.fdinfo = fdi
        if fdi is not None and fdi.flags & (FLAG_IS_TRACER_FD | FLAG_IS_TRACER_FILE):
            return eflags | _F_STATE
        if evt.dflags & SCAP_DF_TRACER:
            evt.fdinfo = None
            return eflags | _F_STATE
        return eflags

    def _filtered_out(self, evt: Event, tinfo: ThreadInfo | None) -> bool:
        """A rejected event; in ``internal_events`` mode internal ones still go on."""
        if self.internal_events and _INTERNAL[evt.type]:
            return self._handed_on(evt, tinfo)
        return False

    def _handed_on(self, evt: Event, tinfo: ThreadInfo | None) -> bool:
        """The end of ``sinsp::next`` for an event it returns: publish the context, release
        a spent enter event (``event_cleanup``), move the thread's timestamps.
        ``tinfo`` is the parser's thread (None when it had none)."""
        etype = evt.type
        evt.enter = None
        if tinfo is not None:
            evt.latency = None if _INTERNAL[etype] else tinfo.latency
            evt.fd = tinfo.lastevent_fd
            if etype & 1 and tinfo.lastevent_data is not None:
                tinfo.lastevent_data = None
                tinfo.lastevent_cpuid = LASTEVENT_INVALID
            if etype != SWITCH6 and etype != SWITCH1:
                tinfo.prevevent_ts = tinfo.lastevent_ts
                tinfo.lastevent_ts = evt.ts
        else:
            evt.latency = 0
            t = evt.thread = self.state.threads.get(evt.tid)
            evt.fd = t.lastevent_fd if t is not None else None
        fdi = evt.fdinfo
        evt.fd_name_changed = fdi is not None and fdi.name != fdi.oldname
        return True

    def _publish(self, evt: Event, tinfo: ThreadInfo | None) -> None:
        """Expose the parse context the way sysdig's field extractors see it (for the filter
        and for rejected events; :meth:`_handed_on` does the same for the others).

        * ``evt.thread``: the event's thread; when the parser had none (scheduler and other
          "skip reset" events), a plain lookup of the tid, like ``get_thread_info()``.
        * ``evt.latency``: the thread's latency (0 without a parser thread; None, i.e.
          ``<NA>``, for internal events).
        * ``evt.fdinfo``: the fd the parser attached (None if none); ``evt.fd`` the thread's
          last fd number (sysdig's fd.num for fd events).
        * ``evt.enter``: the stored enter event paired with this exit while it is still
          retrievable; handed-on exits release it, so then it is None.
        """
        if tinfo is not None:
            evt.latency = None if _INTERNAL[evt.type] else tinfo.latency
            evt.thread = tinfo
        else:
            evt.latency = 0
            evt.thread = self.state.threads.get(evt.tid)
        t = evt.thread
        evt.fd = t.lastevent_fd if t is not None else None
        fdi = evt.fdinfo
        evt.fd_name_changed = fdi is not None and fdi.name != fdi.oldname
        if evt.type & 1 and tinfo is not None and tinfo.lastevent_cpuid != LASTEVENT_INVALID:
            data = tinfo.lastevent_data
            evt.enter = data if isinstance(data, Event) and data.type == evt.type - 1 else None
        else:
            evt.enter = None

    # -- the fast path for events a filter can never match ---------------------------------

    def skippable_types(self, filter_types: frozenset[int] | None,
                        keep_internal: bool = False, fd_state: bool = True) -> frozenset[int]:
        """Event types whose rejection by a filter matching only ``filter_types`` can be
        applied by :meth:`skip_rejected` without building an Event.

        Those are the types that neither change state nor can match, and whose reset has no
        effect beyond the thread's pairing and latency bookkeeping. Internal events are left
        out when ``keep_internal`` (a ``-w`` copy keeps them) or in ``-D`` mode.

        ``fd_state=False`` promises that nothing will read fd state: no field in use looks
        at fd tables, the fd an event works on or the thread's last fd. Then the types whose
        parsing only serves the fd tables (:data:`_FD_ONLY_TYPES`) are skippable too. What
        the skip leaves different from the full path: the fd tables, the thread's last fd
        and stored enter event, and its last enter type (none instead of the rejected
        enter's). Only fd parsing reads the first ones. The last enter type decides
        pairing only for an exit of the very next type, which is itself a skipped one;
        an exit that can pass needs an enter of a type the filter can match, never one of
        these. Latency bookkeeping is the same on both paths.
        """
        if self.internal_events or filter_types is None:
            return frozenset()  # a filter that may match any type has to see every event
        if TRACER_E in filter_types or TRACER_E + 1 in filter_types:
            fd_state = True     # tracer events come from the fd tables' /dev/null entries
        out = set()
        for etype in range(PPM_EVENT_MAX):
            flags = _FLAGS[etype]
            if filter_types is not None and etype in filter_types:
                continue
            if not fd_state and etype in _FD_ONLY_TYPES and etype not in (WRITE_X, COPY_FILE_RANGE_X) \
                    and not _LARGE[etype] and not _INTERNAL[etype] and _RESET_PLAIN[etype]:
                out.add(etype)
                continue
            if _INTERNAL[etype] and keep_internal:
                continue
            if _TS_ONLY[etype] and etype != PROCINFO:
                out.add(etype)  # rejected, these change nothing (see _TS_ONLY)
                continue
            if (flags & (_F_STATE | _F_SKIP) or etype in _SPECIAL_RESET or _INTERNAL[etype]
                    or _LARGE[etype] or etype in CONTAINER_EVENTS
                    or etype in (WRITE_X, COPY_FILE_RANGE_X, TRACER_E, TRACER_E + 1)):
                continue
            out.add(etype)
        if filter_types is not None and not keep_internal:
            out.add(PROCINFO)
        return frozenset(out)

    def skip_rejected(self, etype: int, ts: int, tid: int, buf: bytes, hdr: int, npar: int) -> bool:
        """Apply what sysdig does to a filter-rejected event of a skippable type: the reset
        bookkeeping of its thread, then the rejection mark. False when the event needs the
        full path (unknown thread, pending removals, a paired exit, a v1 event).
        """
        st = self.state
        if st.tid_to_remove != -1 or st.fds_to_remove or npar < 0:
            return False
        if _TS_ONLY[etype]:
            st.lastevent_ts = ts
            return True
        tinfo = st.threads.get(tid)
        if tinfo is None:
            return False
        st.lastevent_ts = ts
        if etype & 1:
            if etype == tinfo.lastevent_type + 1:
                return False  # paired with an enter that passed: fd lookups follow
            if tinfo.last_latency_entertime != 0:
                tinfo.latency = (ts - tinfo.last_latency_entertime) & _U64_MASK
            tinfo.lastevent_cpuid = LASTEVENT_INVALID
        else:
            if _FLAGS[etype] & _F_USES_FD:
                base = hdr + 26
                if 0 < npar <= 32 and U16.unpack_from(buf, base)[0] >= 8:
                    tinfo.lastevent_fd = I64.unpack_from(buf, base + 2 * npar)[0]
                else:
                    return False
            else:
                tinfo.lastevent_fd = -1
            tinfo.latency = 0
            tinfo.last_latency_entertime = ts
        tinfo.flags |= CL_ACTIVE
        tinfo.lastevent_type = PPM_EVENT_MAX
        return True

    def fast_filter_types(self, filter_types: frozenset[int] | None) -> frozenset[int]:
        """Types :meth:`reject_fast` may handle: the filter can match them, they change no
        state, their reset is the plain one (an fd from the enter's first param) and
        nothing about them needs the full path (internal, large, tracer-prone writes,
        generic syscalls whose type name comes from a param)."""
        if self.internal_events or filter_types is None:
            return frozenset()
        return frozenset(
            t for t in filter_types
            if 1 < t < PPM_EVENT_MAX and _RESET_PLAIN[t] and not _FLAGS[t] & (_F_STATE | _F_SKIP)
            and not _INTERNAL[t] and not _LARGE[t]
            and t not in (COPY_FILE_RANGE_X, TRACER_E, TRACER_E + 1))

    def reject_fast(self, etype: int, ts: int, tid: int, dflags: int, buf: bytes, hdr: int,
                    end: int, npar: int, may_pass: FastFilter) -> bool:
        """For a type of :meth:`fast_filter_types`: ask ``may_pass(etype, thread, fdinfo)``
        (the filter over the thread and the fd the fields would see) and, when it says no,
        apply what :meth:`process_event` does to a rejected event, without an Event.

        False (nothing changed) sends the event down the full path: the filter may pass,
        or the state holds something the shortcut does not model (pending removals, an
        unknown or negative tid, a shared fd table without its main thread, a cancelled
        close, an fd param that cannot be read, a write that may be tracer data).
        """
        st = self.state
        # (Exits read no param: old captures have exits without any.)
        if st.tid_to_remove != -1 or st.fds_to_remove or not 0 <= npar <= 32:
            return False
        tinfo = st.threads.get(tid)
        if tinfo is None:
            return False
        if tinfo.flags & CL_CLONE_FILES and tinfo.tid != tinfo.pid \
                and not tinfo.flags & CL_IS_MAIN_THREAD and tinfo.pid not in st.threads:
            return False   # the fd lookup would invent the main thread
        flags = _FLAGS[etype]
        if etype & 1:
            paired = etype == tinfo.lastevent_type + 1
            fd = tinfo.lastevent_fd
            fdi = st.get_fd(tinfo, fd) if fd != -1 else None
            if fdi is not None and fdi.flags & FLAG_CLOSE_CANCELED and flags & _F_USES_FD \
                    and (paired or tinfo.lastevent_type == TRACER_E):
                return False
            if etype == WRITE_X and (dflags & SCAP_DF_TRACER or (
                    fdi is not None and fdi.flags & (FLAG_IS_TRACER_FD | FLAG_IS_TRACER_FILE))):
                return False   # a tracer write: state-changing (_tracer_write_flags)
            if may_pass(etype, tinfo, fdi):
                return False
            st.lastevent_ts = ts
            tinfo.flags |= CL_ACTIVE
            if tinfo.last_latency_entertime != 0:
                tinfo.latency = (ts - tinfo.last_latency_entertime) & _U64_MASK
            tinfo.lastevent_cpuid = 1 if paired else LASTEVENT_INVALID
        else:
            if flags & _F_USES_FD:
                base = hdr + 26
                if npar == 0 or U16.unpack_from(buf, base)[0] < 8 or base + 2 * npar + 8 > end:
                    return False
                fd = I64.unpack_from(buf, base + 2 * npar)[0]
                fdi = st.get_fd(tinfo, fd)
            else:
                fd = -1
                fdi = None
            if may_pass(etype, tinfo, fdi):
                return False
            st.lastevent_ts = ts
            tinfo.flags |= CL_ACTIVE
            tinfo.lastevent_fd = fd
            tinfo.latency = 0
            tinfo.last_latency_entertime = ts
        tinfo.lastevent_type = PPM_EVENT_MAX
        return True

    def fast_state_types(self) -> frozenset[int]:
        """State-changing types :meth:`reject_state_fast` handles: close enters and exits,
        the enters whose only parsing is storing them for their exit (open, socket...) or
        reset's (recvfrom, clone...), and the exits of the old open event.
        Empty in ``-D`` mode."""
        if self.internal_events:
            return frozenset()
        return _FAST_STATE_TYPES

    def reject_state_fast(self, etype: int, ts: int, tid: int, cpu: int, dflags: int, num: int,
                          buf: bytes, hdr: int, end: int, npar: int,
                          may_pass: FastFilter) -> bool:
        """:meth:`reject_fast` for :meth:`fast_state_types`: parse the event as the full path
        does (reset, then the close or store parser) and reject it, when ``may_pass`` says
        the filter cannot pass. The filter runs after parsing in the full path; these
        parsers change nothing the fast fields read (fd names, the thread's name). A
        rejected state-changing event keeps its last enter type (no "none" mark).
        """
        st = self.state
        # Enters of old driver versions (open's) may carry no params: nothing to read.
        if st.tid_to_remove != -1 or st.fds_to_remove or not 0 <= npar <= 32:
            return False
        tinfo = st.threads.get(tid)
        if tinfo is None:
            return False
        if tinfo.flags & CL_CLONE_FILES and tinfo.tid != tinfo.pid \
                and not tinfo.flags & CL_IS_MAIN_THREAD and tinfo.pid not in st.threads:
            return False   # the fd lookup would invent the main thread
        base = hdr + 26
        if etype == _OPEN_X:
            return self._reject_open_fast(tinfo, etype, ts, buf, hdr, end, npar, may_pass)
        if etype == _CLOSE_X:
            paired = etype == tinfo.lastevent_type + 1
            fd = tinfo.lastevent_fd
            fdi = st.get_fd(tinfo, fd) if fd != -1 else None
            attached = paired or tinfo.lastevent_type == TRACER_E
            if fdi is not None and fdi.flags & FLAG_CLOSE_CANCELED and attached:
                return False
            if npar == 0 or U16.unpack_from(buf, base)[0] < 8 or base + 2 * npar + 8 > end:
                return False
            if may_pass(etype, tinfo, fdi):
                return False
            res = I64.unpack_from(buf, base + 2 * npar)[0]
            st.lastevent_ts = ts
            tinfo.flags |= CL_ACTIVE
            if tinfo.last_latency_entertime != 0:
                tinfo.latency = (ts - tinfo.last_latency_entertime) & _U64_MASK
            tinfo.lastevent_cpuid = 1 if paired else LASTEVENT_INVALID
            # close_exit, with the fd reset attaches (none for an unpaired exit)
            if attached and fdi is not None:
                if res >= 0:
                    st.tid_of_fd_to_remove = tinfo.tid
                    st.fds_to_remove.append(fd)
                else:
                    fdi.flags &= ~FLAG_CLOSE_IN_PROGRESS
            return True
        if _FLAGS[etype] & _F_USES_FD:
            if npar == 0 or U16.unpack_from(buf, base)[0] < 8 or base + 2 * npar + 8 > end:
                return False
            fd = I64.unpack_from(buf, base + 2 * npar)[0]
            fdi = st.get_fd(tinfo, fd)
        else:
            fd = -1
            fdi = None
        if may_pass(etype, tinfo, fdi):
            return False
        st.lastevent_ts = ts
        tinfo.flags |= CL_ACTIVE
        tinfo.lastevent_type = etype
        tinfo.lastevent_fd = fd
        tinfo.latency = 0
        tinfo.last_latency_entertime = ts
        if etype == _CLOSE_E:
            if fdi is not None:
                fdi.flags |= FLAG_CLOSE_IN_PROGRESS
        elif _STORES[etype] and end - hdr <= SP_EVT_BUF_SIZE:
            # store_event: a detached copy of the enter for its exit
            tinfo.lastevent_data = Event(num, etype, ts, tid, cpu, dflags, buf[hdr:end], 0,
                                         end - hdr, npar)
            tinfo.lastevent_cpuid = cpu
        return True

    def compiled_rejections(self, preds: list[FastFilter | None],
                            may_pass: FastFilter | None) -> Rows | None:
        """The compiled twin of :meth:`skip_rejected`, :meth:`reject_fast` and
        :meth:`reject_state_fast` over a batch's selected rows (``_rowparse.Rows``, see
        _rowparse.c), for this parser and its state; None when the module is not built or
        ``SYSDIVE_NO_EXTENSION`` is set (then the batch loop calls the methods above).
        ``preds[t]`` is reject_state_fast's predicate for type t, ``may_pass`` reject_fast's.

        It also hands on the rows of those kinds that the filter passes, when what the full
        path would add is only :meth:`_handed_on` (``_ACCEPT``): the C side then builds
        the Event with its context, and the batch loop skips :meth:`process_event`."""
        if os.environ.get("SYSDIVE_NO_EXTENSION"):
            return None
        try:
            from sysdive.state._rowparse import Rows
        except ImportError:
            return None
        rows = Rows(self, self.state, Event, ThreadInfo, FdInfo, list(preds), may_pass,
                    bytes(bool(f & _F_USES_FD) for f in _FLAGS), bytes(_TS_ONLY), bytes(_STORES),
                    _ACCEPT,
                    {"PPM_EVENT_MAX": PPM_EVENT_MAX, "CLOSE_E": _CLOSE_E, "CLOSE_X": _CLOSE_X,
                     "TRACER_E": TRACER_E, "SP_EVT_BUF_SIZE": SP_EVT_BUF_SIZE,
                     "CL_ACTIVE": CL_ACTIVE, "CL_CLONE_FILES": CL_CLONE_FILES,
                     "CL_IS_MAIN_THREAD": CL_IS_MAIN_THREAD,
                     "FLAG_CLOSE_CANCELED": FLAG_CLOSE_CANCELED,
                     "FLAG_CLOSE_IN_PROGRESS": FLAG_CLOSE_IN_PROGRESS,
                     "LASTEVENT_INVALID": LASTEVENT_INVALID, "OPEN_X": _OPEN_X,
                     "MAX_FD_TABLE": MAX_FD_TABLE, "IPV4_SOCK": FdType.IPV4_SOCK,
                     "IPV6_SOCK": FdType.IPV6_SOCK,
                     "TRACER_FD_FLAGS": FLAG_IS_TRACER_FD | FLAG_IS_TRACER_FILE,
                     "WRITE_X": WRITE_X, "SCAP_DF_TRACER": SCAP_DF_TRACER,
                     "SOCK_SIZE": SOCK_SIZE, "FLAG_IS_TRACER_FILE": FLAG_IS_TRACER_FILE,
                     "FLAG_IS_NOT_TRACER_FD": FLAG_IS_NOT_TRACER_FD,
                     "PPM_O_DIRECTORY": parse_fds.PPM_O_DIRECTORY, "MAX_PATH": MAX_PATH},
                    concatenate_paths,
                    # what Event and FdInfo objects are made of (parse_fds.opened_fd's)
                    {"infos": EVENTS, "FILE_V2": FdType.FILE_V2,
                     "DIRECTORY": FdType.DIRECTORY, "USER_EVT_DEVICE": USER_EVT_DEVICE,
                     "PATH_TOO_LONG": PATH_TOO_LONG})
        native = getattr(may_pass, "native", None)
        rows.set_predicates(never, *(native if native is not None else (0, "", b"")))
        return rows

    def _reject_open_fast(self, tinfo: ThreadInfo, etype: int, ts: int, buf: bytes, hdr: int,
                          end: int, npar: int, may_pass: FastFilter) -> bool:
        """:meth:`reject_state_fast` for an exit of the old open event (fd, name, flags, mode,
        dev): reset, then ``open_exit`` as the full path runs them, with the filter asked
        over the new fd before anything changes. Only the common case: a successful open of
        a free fd number, an enter without params (such an enter cannot rename the file),
        the main thread known (its cwd and fd table)."""
        st = self.state
        if npar < 3 or hdr + 26 + 2 * npar > end:
            return False
        main = tinfo
        if tinfo.tid != tinfo.pid and not tinfo.flags & CL_IS_MAIN_THREAD:
            found = st.threads.get(tinfo.pid)
            if found is None:
                return False   # the cwd lookup would invent the main thread
            main = found
        base = hdr + 26
        l0, l1, l2 = _U16X3.unpack_from(buf, base)
        pos = base + 2 * npar
        p2 = pos + 8 + l1
        p3 = p2 + l2
        if l0 != 8 or l2 < 4 or p3 > end:
            return False
        fd = I64.unpack_from(buf, pos)[0]
        if fd < 0:
            return False
        dev = 0
        if npar > 4:
            l3, l4 = _U16X2.unpack_from(buf, base + 6)
            p4 = p3 + l3
            if l4 < 4 or p4 + l4 > end:
                return False
            dev = U32.unpack_from(buf, p4)[0]
        # retrieve_enter, after reset set the stored enter's validity
        paired = etype == tinfo.lastevent_type + 1
        cpuid = 1 if paired else LASTEVENT_INVALID
        data = tinfo.lastevent_data
        loaded = None
        if paired and data is not None:
            if isinstance(data, Event):
                loaded = data
                if data.type != etype - 1:
                    cpuid = LASTEVENT_INVALID
                elif data.nparams != 0:
                    return False
            else:
                cpuid = LASTEVENT_INVALID
        table = main.fds if tinfo.flags & CL_CLONE_FILES else tinfo.fds
        if fd in table or len(table) >= MAX_FD_TABLE:
            return False
        name = buf[pos + 8:p2]
        fullpath = concatenate_paths(main.cwd, name, len(name))[0]
        fdi = parse_fds.opened_fd(fd, U32.unpack_from(buf, p2)[0], dev, fullpath)
        if may_pass(etype, tinfo, fdi):
            return False
        st.lastevent_ts = ts
        tinfo.flags |= CL_ACTIVE
        if tinfo.last_latency_entertime != 0:
            tinfo.latency = (ts - tinfo.last_latency_entertime) & _U64_MASK
        tinfo.lastevent_cpuid = cpuid
        if loaded is not None:
            self.tmp_enter = loaded
        table[fd] = fdi
        tinfo.lastevent_fd = fd
        return True

    # -- reset -----------------------------------------------------------------------------

    def reset(self, evt: Event) -> bool:
        """``sinsp_parser::reset``: thread lookup, enter/exit pairing, fd of the event.

        Leaves the thread in ``evt.thread`` and the fd in ``evt.fdinfo``; returns False
        when the parse context is incomplete (no thread, unpaired exit, unknown fd).
        """
        etype = evt.type
        eflags = _FLAGS[etype]
        evt.fdinfo = None
        st = self.state
        if _RESET_PLAIN[etype]:
            tinfo = st.threads.get(evt.tid)
            if tinfo is None:
                tinfo = st.get_thread(evt.tid, True)
                if tinfo is None:
                    evt.thread = None
                    return False
            evt.thread = tinfo
            tinfo.flags |= CL_ACTIVE
        elif eflags & _F_SKIP:
            evt.thread = st.threads.get(evt.tid) if etype == PROCINFO else None
            return False
        elif etype in _SPECIAL_RESET:
            if etype in CONTAINER_JSON:
                evt.thread = None
                return True
            # Clone exits and context switches never invent a thread.
            tinfo = evt.thread = st.threads.get(evt.tid)
            if etype == SWITCH6 or tinfo is None:
                return False
        else:
            # EF_SKIPPARSERESET types are handled above; every other type is plain or special.
            raise AssertionError(etype)

        if not etype & 1:
            tinfo.lastevent_type = etype
            if eflags & _F_USES_FD:
                # first_param_i64, inlined: this runs for every fd event that is parsed.
                n = evt.nparams
                if 0 < n <= 32 and not _LARGE[etype]:
                    base = evt.hdr + 26
                    buf = evt.buf
                    if U16.unpack_from(buf, base)[0] >= 8 and base + 2 * n + 8 <= evt.end:
                        fd = I64.unpack_from(buf, base + 2 * n)[0]
                    else:
                        fd = p_i64(evt.params(), 0, -1)
                else:
                    fd = first_param_i64(evt)
                tinfo.lastevent_fd = fd
                evt.fdinfo = st.get_fd(tinfo, fd)
            else:
                tinfo.lastevent_fd = -1
            tinfo.latency = 0
            tinfo.last_latency_entertime = evt.ts
            return True

        if tinfo.last_latency_entertime != 0:
            tinfo.latency = (evt.ts - tinfo.last_latency_entertime) & _U64_MASK
        if etype == tinfo.lastevent_type + 1:
            tinfo.lastevent_cpuid = 1
        else:
            tinfo.lastevent_cpuid = LASTEVENT_INVALID
            if tinfo.lastevent_type != TRACER_E:
                return False
        if eflags & _F_USES_FD:
            if etype == COPY_FILE_RANGE_X:
                tinfo.lastevent_fd = p_i64(evt.params(), 1, -1)
            fdi = st.get_fd(tinfo, tinfo.lastevent_fd)
            evt.fdinfo = fdi
            if fdi is None:
                return False
            if fdi.flags & FLAG_CLOSE_CANCELED:
                # The fd was re-created between a close enter and its exit: the entry parked
                # at CANCELED_FD is the one that close really destroyed.
                fdi.flags &= ~FLAG_CLOSE_CANCELED
                self.erase_fd(tinfo, CANCELED_FD, st.get_fd(tinfo, CANCELED_FD))
        return True

    # -- helpers for the event parsers -----------------------------------------------------

    def erase_fd(self, tinfo: ThreadInfo, fd: int, fdinfo: FdInfo | None) -> None:
        """Schedule ``fd`` of ``tinfo`` for removal at the start of the next event."""
        if fdinfo is None:
            return
        st = self.state
        st.tid_of_fd_to_remove = tinfo.tid
        st.fds_to_remove.append(fd)

    def store_event(self, evt: Event) -> None:
        """Keep a copy of an enter event on its thread for the exit parser."""
        tinfo = evt.thread
        if tinfo is None:
            return
        # Events of v1 blocks (no param count in the header) grow by 4 bytes in libsinsp.
        v1 = evt.v1
        size = evt.end - evt.hdr + (4 if v1 else 0)
        if size > SP_EVT_BUF_SIZE:
            return
        # A detached copy, so that the batch buffer can go; v1 events keep inferring.
        copy = Event(evt.num, evt.type, evt.ts, evt.tid, evt.cpu, evt.dflags,
                     evt.buf[evt.hdr:evt.end], 0, evt.end - evt.hdr,
                     -1 if v1 else evt.nparams)
        tinfo.lastevent_data = copy
        tinfo.lastevent_cpuid = evt.cpu

    def retrieve_enter(self, evt: Event) -> Event | None:
        """The stored enter event of this exit, if it is there and of the matching type."""
        tinfo = evt.thread
        if tinfo is None:
            return None
        data = tinfo.lastevent_data
        if tinfo.lastevent_cpuid == LASTEVENT_INVALID or data is None:
            return None
        if isinstance(data, Event):
            self.tmp_enter = data
            if data.type == evt.type - 1:
                return data
        tinfo.lastevent_cpuid = LASTEVENT_INVALID
        return None

    def mark_poll_enter(self, evt: Event) -> None:
        """poll/select/epoll_wait enters stamp a buffer; only matters when none was stored."""
        tinfo = evt.thread
        if tinfo is not None and tinfo.lastevent_data is None:
            tinfo.lastevent_data = POLL_MARKER


_CLOSE_E = _id("PPME_SYSCALL_CLOSE_E")
_CLOSE_X = _id("PPME_SYSCALL_CLOSE_X")
_OPEN_X = _id("PPME_SYSCALL_OPEN_X")
# Close, the enters whose parser only stores them (open, socket...) or that reset alone
# parses (recvfrom, clone, execve...) and the old open's exit: see Parser.reject_state_fast.
# All take the plain reset.
_FAST_STATE_TYPES = frozenset(
    t for t in range(2, PPM_EVENT_MAX)
    if (t in (_CLOSE_E, _CLOSE_X, _OPEN_X)
        or (not t & 1 and _HANDLERS[t] in (parse_fds.store_enter, None)))
    and _RESET_PLAIN[t] and not _LARGE[t] and not _INTERNAL[t]
    and _FLAGS[t] & _F_STATE)

# Per type, whether the compiled rejections may hand on an event the filter passes (see
# Parser.compiled_rejections): 1 when the fast path's parse is the whole parse (no parser,
# or the close/open/store parsers it mirrors), 2 for the read/write exits, whose parser does
# nothing unless the fd is an IP socket or a tracer candidate (rw_exit).
_RW_PLAIN = frozenset(_id("PPME_SYSCALL_" + n) for n in (
    "READ_X", "WRITE_X", "READV_X", "WRITEV_X", "PREAD_X", "PWRITE_X", "PREADV_X",
    "PWRITEV_X")) | frozenset(_id("PPME_SOCKET_" + n) for n in ("RECV_X", "SEND_X"))
_ACCEPT = bytes(
    0 if t in (SWITCH1, SWITCH6) or _INTERNAL[t]
    else 1 if _HANDLERS[t] is None or t in _FAST_STATE_TYPES
    else 2 if t in _RW_PLAIN and _HANDLERS[t] is parse_io.rw_exit
    else 0
    for t in range(PPM_EVENT_MAX))

# Events that create or remove threads (other than placeholders for their own tid), or
# read other threads' pairing bookkeeping: see FastPath._live.
BARRIER_TYPES = _CLONE_EXITS | frozenset(
    e.id for e in EVENTS if e.name in ("execve", "execveat", "procexit") or e.id in CONTAINER_EVENTS)


def uses_fd(etype: int) -> bool:
    """EF_USES_FD: the first param of the enter is the fd the event works on."""
    return bool(_FLAGS[etype] & _F_USES_FD)


def skip_kind(etype: int) -> int:
    """How the fast loop treats a skippable type: 0 when reset ignores it entirely (only the
    inspector's last-event time moves), 1 when :meth:`Parser.skip_rejected` must run."""
    return 0 if _TS_ONLY[etype] else 1


def first_param_i64(evt: Event) -> int:
    """Param 0 as i64, read straight from the buffer on the hot path (the fd of an enter)."""
    n = evt.nparams
    if 0 < n <= 32 and not evt.v1 and not _LARGE[evt.type]:
        base = evt.hdr + 26
        if U16.unpack_from(evt.buf, base)[0] >= 8 and base + 2 * n + 8 <= evt.end:
            fd: int = I64.unpack_from(evt.buf, base + 2 * n)[0]
            return fd
    return p_i64(evt.params(), 0, -1)


__all__ = ["BARRIER_TYPES", "CONTAINER_EVENTS", "PPM_EVENT_MAX", "FastFilter", "Filter", "Parser", "first_param_i64", "never", "skip_kind", "uses_fd"]
