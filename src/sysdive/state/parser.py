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

from collections.abc import Callable

from sysdive.event import Event
from sysdive.state.decode import I64, U16, p_i64
from sysdive.state.fds import (
    FLAG_CLOSE_CANCELED,
    FLAG_IS_TRACER_FD,
    FLAG_IS_TRACER_FILE,
    FdInfo,
)
from sysdive.state.parse_tables import (
    CONTAINER_JSON,
    COPY_FILE_RANGE_X,
    F_SKIP,
    F_STATE,
    F_USES_FD,
    FLAGS,
    HANDLERS,
    I64_MAX,
    INTERNAL,
    LARGE,
    PPM_EVENT_MAX,
    PROCINFO,
    RESET_PLAIN,
    SCAP_DF_STATE_ONLY,
    SCAP_DF_TRACER,
    SP_EVT_BUF_SIZE,
    SPECIAL_RESET,
    SWITCH1,
    SWITCH6,
    TRACER_E,
    U64_MASK,
    WRITE_X,
)
from sysdive.state.rejections import FastFilter, FastRejections, never
from sysdive.state.tables import CANCELED_FD, State
from sysdive.state.threads import (
    CL_ACTIVE,
    LASTEVENT_INVALID,
    ThreadInfo,
)

Filter = Callable[[Event], bool]


def _reject(evt: Event) -> bool:
    """Stands for the capture filter on types it can never match."""
    return False


class _PollMarker:
    """What a poll/select enter leaves as "stored event" when none was stored: a buffer
    holding only a timestamp, which never pairs with an exit."""

    type = -1


POLL_MARKER = _PollMarker()


class Parser(FastRejections):
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
        if evt.tid > I64_MAX:
            evt.tid -= 1 << 64

        etype = evt.type
        self.reset(evt)
        filter_later: Filter | None = None
        capture_filter = filter
        if filter is not None:
            eflags = FLAGS[etype]
            if etype == WRITE_X:
                eflags = self._tracer_write_flags(evt, eflags)
            ftypes = self.filter_types
            if ftypes is not None and not ftypes[etype]:
                # The filter cannot match this type: rejected without running it (as the
                # inspector's fast path does for the types that do not change state).
                filter = _reject
            if eflags & F_STATE:
                filter_later = filter
            elif filter is _reject:
                tinfo = evt.thread
                if tinfo is not None and not (eflags & F_SKIP or etype == SWITCH6):
                    tinfo.lastevent_type = PPM_EVENT_MAX
                if self.internal_events and INTERNAL[etype]:
                    return self._handed_on(evt, tinfo)
                return False
            else:
                tinfo = evt.thread
                self._publish(evt, tinfo)
                if not filter(evt):
                    # Nothing looks at a rejected event's context again (a -w copy takes
                    # its bytes), so it is left as the filter saw it.
                    if tinfo is not None and not (eflags & F_SKIP or etype == SWITCH6):
                        tinfo.lastevent_type = PPM_EVENT_MAX
                    if self.internal_events and INTERNAL[etype]:
                        evt.thread = tinfo
                        return self._handed_on(evt, tinfo)
                    return False
                evt.thread = tinfo

        handler = HANDLERS[etype]
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
                if self.internal_events and INTERNAL[etype]:
                    return self._handed_on(evt, tinfo)
                return False
            self._publish(evt, tinfo)
            if not filter_later(evt):
                if self.internal_events and INTERNAL[etype]:
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
            return eflags | F_STATE
        if evt.dflags & SCAP_DF_TRACER:
            evt.fdinfo = None
            return eflags | F_STATE
        return eflags

    def _filtered_out(self, evt: Event, tinfo: ThreadInfo | None) -> bool:
        """A rejected event; in ``internal_events`` mode internal ones still go on."""
        if self.internal_events and INTERNAL[evt.type]:
            return self._handed_on(evt, tinfo)
        return False

    def _handed_on(self, evt: Event, tinfo: ThreadInfo | None) -> bool:
        """The end of ``sinsp::next`` for an event it returns: publish the context, release
        a spent enter event (``event_cleanup``), move the thread's timestamps.
        ``tinfo`` is the parser's thread (None when it had none)."""
        etype = evt.type
        evt.enter = None
        if tinfo is not None:
            evt.latency = None if INTERNAL[etype] else tinfo.latency
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
            evt.latency = None if INTERNAL[evt.type] else tinfo.latency
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

    # -- reset -----------------------------------------------------------------------------

    def reset(self, evt: Event) -> bool:
        """``sinsp_parser::reset``: thread lookup, enter/exit pairing, fd of the event.

        Leaves the thread in ``evt.thread`` and the fd in ``evt.fdinfo``; returns False
        when the parse context is incomplete (no thread, unpaired exit, unknown fd).
        """
        etype = evt.type
        eflags = FLAGS[etype]
        evt.fdinfo = None
        st = self.state
        if RESET_PLAIN[etype]:
            tinfo = st.threads.get(evt.tid)
            if tinfo is None:
                tinfo = st.get_thread(evt.tid, True)
                if tinfo is None:
                    evt.thread = None
                    return False
            evt.thread = tinfo
            tinfo.flags |= CL_ACTIVE
        elif eflags & F_SKIP:
            evt.thread = st.threads.get(evt.tid) if etype == PROCINFO else None
            return False
        elif etype in SPECIAL_RESET:
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
            if eflags & F_USES_FD:
                # first_param_i64, inlined: this runs for every fd event that is parsed.
                n = evt.nparams
                if 0 < n <= 32 and not LARGE[etype]:
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
            tinfo.latency = (evt.ts - tinfo.last_latency_entertime) & U64_MASK
        if etype == tinfo.lastevent_type + 1:
            tinfo.lastevent_cpuid = 1
        else:
            tinfo.lastevent_cpuid = LASTEVENT_INVALID
            if tinfo.lastevent_type != TRACER_E:
                return False
        if eflags & F_USES_FD:
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


def first_param_i64(evt: Event) -> int:
    """Param 0 as i64, read straight from the buffer on the hot path (the fd of an enter)."""
    n = evt.nparams
    if 0 < n <= 32 and not evt.v1 and not LARGE[evt.type]:
        base = evt.hdr + 26
        if U16.unpack_from(evt.buf, base)[0] >= 8 and base + 2 * n + 8 <= evt.end:
            fd: int = I64.unpack_from(evt.buf, base + 2 * n)[0]
            return fd
    return p_i64(evt.params(), 0, -1)


__all__ = ["FastFilter", "Filter", "Parser", "first_param_i64", "never"]
