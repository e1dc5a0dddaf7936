"""The parser's fast rejections: what :meth:`Parser.process_event
<sysdive.state.parser.Parser.process_event>` does to an event the capture filter rejects,
done from the raw row without building an Event, for the types and cases where that is
exactly the same (the batch loop's kinds 1, 3 and 4, :mod:`sysdive.fastloop`), and the
compiled twin of those methods (state/_rowparse.c), which also hands on the rows the filter
passes when their parse is the fast one. Each method says which cases it leaves to the full
path; process_event is the reference for all of them."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.event import LARGE_TYPES, Event
from sysdive.schema.events import EVENTS
from sysdive.state import parse_fds
from sysdive.state.decode import (
    I64,
    MAX_PATH,
    PATH_TOO_LONG,
    PPM_AF_INET,
    PPM_AF_INET6,
    U16,
    U32,
    concatenate_paths,
)
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
from sysdive.state.parse_tables import (
    ACCEPT,
    CLOSE_E,
    CLOSE_X,
    CONNECT_E,
    CONTAINER_EVENTS,
    COPY_FILE_RANGE_X,
    DUPFD_CMDS,
    F_SKIP,
    F_STATE,
    F_USES_FD,
    FAST_STATE_TYPES,
    FCNTL_E,
    FCNTL_X,
    FD_ONLY_TYPES,
    FLAGS,
    INTERNAL,
    LARGE,
    OPEN_X,
    PPM_EVENT_MAX,
    PROCINFO,
    RESET_PLAIN,
    SCAP_DF_TRACER,
    SENDTO_E,
    SOCKET_X,
    SP_EVT_BUF_SIZE,
    SPECIAL_RESET,
    STORES,
    TRACER_E,
    TS_ONLY,
    U64_MASK,
    WRITE_X,
)
from sysdive.state.tables import MAX_FD_TABLE, USER_EVT_DEVICE, State
from sysdive.state.threads import (
    CL_ACTIVE,
    CL_CLONE_FILES,
    CL_IS_MAIN_THREAD,
    LASTEVENT_INVALID,
    ThreadInfo,
)

if TYPE_CHECKING:
    from sysdive.state._rowparse import Rows

# (event type, thread, fd the fields see) -> whether the filter may pass; see reject_fast.
FastFilter = Callable[[int, "ThreadInfo | None", "FdInfo | None"], bool]
_U16X2 = struct.Struct("<2H")
_U16X3 = struct.Struct("<3H")
_U32X3 = struct.Struct("<3I")


def never(etype: int, thread: ThreadInfo | None, fdinfo: FdInfo | None) -> bool:
    """The fast filter of a type the capture filter cannot match."""
    return False


def always(etype: int, thread: ThreadInfo | None, fdinfo: FdInfo | None) -> bool:
    """The fast filter of a read without a filter whose events the compiled loop takes
    (a -w copy, -q): every event passes, and the rejections hand on what they can. It
    reads no evt.type, so generic syscall events may take it too."""
    return True


always.generic_ok = True   # type: ignore[attr-defined]


class FastRejections:
    """The fast rejection methods of :class:`~sysdive.state.parser.Parser`."""

    state: State
    internal_events: bool
    tmp_enter: Event | None

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
        parsing only serves the fd tables (:data:`FD_ONLY_TYPES`) are skippable too. What
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
            flags = FLAGS[etype]
            if filter_types is not None and etype in filter_types:
                continue
            if not fd_state and etype in FD_ONLY_TYPES and etype not in (WRITE_X, COPY_FILE_RANGE_X) \
                    and not LARGE[etype] and not INTERNAL[etype] and RESET_PLAIN[etype]:
                out.add(etype)
                continue
            if INTERNAL[etype] and keep_internal:
                continue
            if TS_ONLY[etype] and etype != PROCINFO:
                out.add(etype)  # rejected, these change nothing (see TS_ONLY)
                continue
            if (flags & (F_STATE | F_SKIP) or etype in SPECIAL_RESET or INTERNAL[etype]
                    or LARGE[etype] or etype in CONTAINER_EVENTS
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
        if TS_ONLY[etype]:
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
                tinfo.latency = (ts - tinfo.last_latency_entertime) & U64_MASK
            tinfo.lastevent_cpuid = LASTEVENT_INVALID
        else:
            if FLAGS[etype] & F_USES_FD:
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

    def fast_filter_types(self, filter_types: frozenset[int] | None,
                          fast_filter: FastFilter | None = None) -> frozenset[int]:
        """Types :meth:`reject_fast` may handle: the filter can match them, they change no
        state, their reset is the plain one (an fd from the enter's first param) and
        nothing about them needs the full path (internal, large, tracer-prone writes); and
        procinfo, whose reset only looks its thread up, given a ``fast_filter`` (it may see
        no thread). ``None``: the filter may match any type (``proc.name=nginx``). The
        generic syscall events only for a fast filter that reads no ``evt.type`` (its
        ``generic_ok``, from the filter compiler): it gets their type, not the syscall name
        ``evt.type`` reads from a param."""
        if self.internal_events:
            return frozenset()
        generic = bool(getattr(fast_filter, "generic_ok", False))
        procinfo = PROCINFO if fast_filter is not None else -1
        return frozenset(
            t for t in (range(PPM_EVENT_MAX) if filter_types is None else filter_types)
            if (t == procinfo or (
                (t > 1 or generic) and t < PPM_EVENT_MAX and RESET_PLAIN[t]
                and not FLAGS[t] & (F_STATE | F_SKIP) and not INTERNAL[t] and not LARGE[t]
                and t not in (COPY_FILE_RANGE_X, TRACER_E, TRACER_E + 1))))

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
        if etype == PROCINFO:
            # Its reset looks the thread up (never invents it: the filter may see none) and
            # a rejection then leaves nothing but the state's time.
            if not self._may_shortcut(npar) or may_pass(etype, st.threads.get(tid), None):
                return False
            st.lastevent_ts = ts
            return True
        tinfo = self._fast_thread(tid, npar)
        if tinfo is None:
            return False
        flags = FLAGS[etype]
        if etype & 1:
            paired = etype == tinfo.lastevent_type + 1
            fd = tinfo.lastevent_fd
            fdi = st.get_fd(tinfo, fd) if fd != -1 else None
            if fdi is not None and fdi.flags & FLAG_CLOSE_CANCELED and flags & F_USES_FD \
                    and (paired or tinfo.lastevent_type == TRACER_E):
                return False
            if etype == WRITE_X and (dflags & SCAP_DF_TRACER or (
                    fdi is not None and fdi.flags & (FLAG_IS_TRACER_FD | FLAG_IS_TRACER_FILE))):
                return False   # a tracer write: state-changing (_tracer_write_flags)
            if may_pass(etype, tinfo, fdi):
                return False
            self._mark_exit(tinfo, ts, 1 if paired else LASTEVENT_INVALID)
        else:
            got = self._enter_fd(tinfo, etype, buf, hdr, end, npar)
            if got is None:
                return False
            fd, fdi = got
            if may_pass(etype, tinfo, fdi):
                return False
            self._mark_enter(tinfo, ts, fd)
        tinfo.lastevent_type = PPM_EVENT_MAX
        return True

    def _mark_exit(self, tinfo: ThreadInfo, ts: int, cpuid: int) -> None:
        """Reset's bookkeeping of an exit: the state's time, the thread active, its latency
        since its enter, whether its stored enter stays valid (``cpuid``)."""
        self.state.lastevent_ts = ts
        tinfo.flags |= CL_ACTIVE
        if tinfo.last_latency_entertime != 0:
            tinfo.latency = (ts - tinfo.last_latency_entertime) & U64_MASK
        tinfo.lastevent_cpuid = cpuid

    def _mark_enter(self, tinfo: ThreadInfo, ts: int, fd: int) -> None:
        """Reset's bookkeeping of an enter (but its type): the state's time, the thread
        active, its fd, a new latency start."""
        self.state.lastevent_ts = ts
        tinfo.flags |= CL_ACTIVE
        tinfo.lastevent_fd = fd
        tinfo.latency = 0
        tinfo.last_latency_entertime = ts

    def _may_shortcut(self, npar: int) -> bool:
        """Whether a fast rejection may take a row: no removals pending, a param count up
        to 32 (exits read no param, and old captures' exits and old open enters have none:
        0 is fine)."""
        st = self.state
        return st.tid_to_remove == -1 and not st.fds_to_remove and 0 <= npar <= 32

    def _fast_thread(self, tid: int, npar: int) -> ThreadInfo | None:
        """The thread of a row :meth:`reject_fast` and :meth:`reject_state_fast` may take,
        or None: not where :meth:`_may_shortcut` says no, not for an unknown tid, nor for a
        thread sharing the fd table of a main thread that is not known (the fd
        lookup would invent it)."""
        if not self._may_shortcut(npar):
            return None
        st = self.state
        tinfo = st.threads.get(tid)
        if tinfo is None or (tinfo.flags & CL_CLONE_FILES and tinfo.tid != tinfo.pid
                             and not tinfo.flags & CL_IS_MAIN_THREAD
                             and tinfo.pid not in st.threads):
            return None
        return tinfo

    def _enter_fd(self, tinfo: ThreadInfo, etype: int, buf: bytes, hdr: int, end: int,
                  npar: int) -> tuple[int, FdInfo | None] | None:
        """The fd reset takes from an enter (its first param, for EF_USES_FD types; else -1)
        and its table entry; None when the param cannot be read here."""
        if not FLAGS[etype] & F_USES_FD:
            return -1, None
        base = hdr + 26
        if npar == 0 or U16.unpack_from(buf, base)[0] < 8 or base + 2 * npar + 8 > end:
            return None
        fd: int = I64.unpack_from(buf, base + 2 * npar)[0]
        return fd, self.state.get_fd(tinfo, fd)

    def fast_state_types(self) -> frozenset[int]:
        """State-changing types :meth:`reject_state_fast` handles: close enters and exits,
        the enters whose only parsing is storing them for their exit (open, socket...) or
        reset's (recvfrom, clone...), and the exits of the old open event.
        Empty in ``-D`` mode."""
        if self.internal_events:
            return frozenset()
        return FAST_STATE_TYPES

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
        tinfo = self._fast_thread(tid, npar)
        if tinfo is None:
            return False
        base = hdr + 26
        if etype == OPEN_X:
            return self._reject_open_fast(tinfo, etype, ts, buf, hdr, end, npar, may_pass)
        if etype == SOCKET_X:
            return self._reject_socket_fast(tinfo, etype, ts, buf, hdr, end, npar, may_pass)
        if etype == FCNTL_X:
            return self._reject_failed_retrieve(tinfo, etype, ts, may_pass)
        if etype == FCNTL_E:
            # fcntl_enter stores only F_DUPFD* enters (for their exit to dup the fd)
            if npar < 2 or hdr + 26 + 4 > end:
                return False
            l0, l1 = _U16X2.unpack_from(buf, base)
            at = base + 2 * npar + l0
            if at + l1 > end or (l1 and buf[at] in DUPFD_CMDS):
                return False
        addr = b""
        if etype == CONNECT_E and npar >= 2:
            # connect_enter: an IP destination changes the socket but not its name; a unix
            # path renames it (the full path). (Old captures' enters carry only the fd.)
            if hdr + 26 + 4 > end:
                return False
            l0, l1 = _U16X2.unpack_from(buf, base)
            at = base + 2 * npar + l0
            if at + l1 > end or (l1 and buf[at] not in (PPM_AF_INET, PPM_AF_INET6)):
                return False
            addr = buf[at:at + l1]
        if etype == CLOSE_X:
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
            self._mark_exit(tinfo, ts, 1 if paired else LASTEVENT_INVALID)
            # close_exit, with the fd reset attaches (none for an unpaired exit)
            if attached and fdi is not None:
                if res >= 0:
                    st.tid_of_fd_to_remove = tinfo.tid
                    st.fds_to_remove.append(fd)
                else:
                    fdi.flags &= ~FLAG_CLOSE_IN_PROGRESS
            return True
        got = self._enter_fd(tinfo, etype, buf, hdr, end, npar)
        if got is None or (etype == SENDTO_E and got[1] is None):
            return False   # (a sendto on an unknown fd may create a socket: sendto_enter)
        fd, fdi = got
        if may_pass(etype, tinfo, fdi):
            return False
        self._mark_enter(tinfo, ts, fd)
        tinfo.lastevent_type = etype
        if etype == CLOSE_E:
            if fdi is not None:
                fdi.flags |= FLAG_CLOSE_IN_PROGRESS
        elif etype == CONNECT_E:
            if fdi is not None and addr:
                parse_fds.set_destination(fdi, addr)
        elif STORES[etype] and end - hdr <= SP_EVT_BUF_SIZE:
            # store_event: a detached copy of the enter for its exit
            tinfo.lastevent_data = Event(num, etype, ts, tid, cpu, dflags, buf[hdr:end], 0,
                                         end - hdr, npar)
            tinfo.lastevent_cpuid = cpu
        return True

    def compiled_rejections(self, preds: list[FastFilter | None], may_pass: FastFilter | None,
                            event_filter: Callable[[Event], bool] | None = None
                            ) -> Rows | None:
        """The compiled twin of :meth:`skip_rejected`, :meth:`reject_fast` and
        :meth:`reject_state_fast` over a batch's selected rows (``_rowparse.Rows``, see
        _rowparse.c), for this parser and its state; None when the module is not built or
        ``SYSDIVE_NO_EXTENSION`` is set (then the batch loop calls the methods above).
        ``preds[t]`` is reject_state_fast's predicate for type t, ``may_pass`` reject_fast's.
        Without ``may_pass`` (a filter with no fast form), ``event_filter`` is the capture
        filter: the compiled loop then does what :meth:`process_event` does to a row of a
        type of :meth:`fast_filter_types` (reset, the filter over the Event, the rejection or
        the hand-on), which has no Python twin here (process_event is the reference).

        It also hands on the rows of those kinds that the filter passes, when what the full
        path would add is only :meth:`_handed_on` (``ACCEPT``): the C side then builds
        the Event with its context, and the batch loop skips :meth:`process_event`."""
        if os.environ.get("SYSDIVE_NO_EXTENSION"):
            return None
        try:
            from sysdive.state._rowparse import Rows
        except ImportError:
            return None
        rows = Rows(self, self.state, Event, ThreadInfo, FdInfo, list(preds), may_pass,
                    bytes(bool(f & F_USES_FD) for f in FLAGS), bytes(TS_ONLY), bytes(STORES),
                    ACCEPT,
                    {"PPM_EVENT_MAX": PPM_EVENT_MAX, "CLOSE_E": CLOSE_E, "CLOSE_X": CLOSE_X,
                     "TRACER_E": TRACER_E, "SP_EVT_BUF_SIZE": SP_EVT_BUF_SIZE,
                     "CL_ACTIVE": CL_ACTIVE, "CL_CLONE_FILES": CL_CLONE_FILES,
                     "CL_IS_MAIN_THREAD": CL_IS_MAIN_THREAD,
                     "FLAG_CLOSE_CANCELED": FLAG_CLOSE_CANCELED,
                     "FLAG_CLOSE_IN_PROGRESS": FLAG_CLOSE_IN_PROGRESS,
                     "LASTEVENT_INVALID": LASTEVENT_INVALID, "OPEN_X": OPEN_X,
                     "MAX_FD_TABLE": MAX_FD_TABLE, "IPV4_SOCK": FdType.IPV4_SOCK,
                     "IPV6_SOCK": FdType.IPV6_SOCK,
                     "TRACER_FD_FLAGS": FLAG_IS_TRACER_FD | FLAG_IS_TRACER_FILE,
                     "WRITE_X": WRITE_X, "SCAP_DF_TRACER": SCAP_DF_TRACER,
                     "SOCK_SIZE": SOCK_SIZE, "FLAG_IS_TRACER_FILE": FLAG_IS_TRACER_FILE,
                     "FLAG_IS_NOT_TRACER_FD": FLAG_IS_NOT_TRACER_FD,
                     "PPM_O_DIRECTORY": parse_fds.PPM_O_DIRECTORY, "MAX_PATH": MAX_PATH,
                     "SOCKET_X": SOCKET_X, "FCNTL_E": FCNTL_E, "FCNTL_X": FCNTL_X,
                     "F_DUPFD": DUPFD_CMDS[0], "F_DUPFD_CLOEXEC": DUPFD_CMDS[1],
                     "CONNECT_E": CONNECT_E, "AF_INET": PPM_AF_INET, "AF_INET6": PPM_AF_INET6,
                     "SENDTO_E": SENDTO_E, "PROCINFO": PROCINFO},
                    concatenate_paths,
                    # what Event and FdInfo objects are made of (parse_fds.opened_fd's)
                    {"infos": EVENTS, "FILE_V2": FdType.FILE_V2,
                     "DIRECTORY": FdType.DIRECTORY, "USER_EVT_DEVICE": USER_EVT_DEVICE,
                     "PATH_TOO_LONG": PATH_TOO_LONG, "socket_fd": parse_fds.socket_fd,
                     "set_destination": parse_fds.set_destination,
                     "NPARAMS": bytes(len(e.params) for e in EVENTS),
                     "LARGE": bytes(e.id in LARGE_TYPES for e in EVENTS)})
        native = getattr(may_pass, "native", None)
        op, needle, types, src = native if native is not None else (0, "", b"", 0)
        rows.set_predicates(never, always, op, src, needle, types,
                            event_filter if may_pass is None else None)
        # A filter that is one comparison of the event's result over its types: applied to
        # the row in C (the compiler's result_native), the filter asked only where the
        # result is not where the fast case reads it.
        result = getattr(event_filter, "result_native", None) if may_pass is None else None
        if result is not None:
            rows.set_result_compare(*result)
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
        self._mark_exit(tinfo, ts, cpuid)
        if loaded is not None:
            self.tmp_enter = loaded
        table[fd] = fdi
        tinfo.lastevent_fd = fd
        return True

    def _retrieve_fails(self, tinfo: ThreadInfo, etype: int) -> tuple[bool, int, Event | None]:
        """What ``retrieve_enter`` does for an exit of ``etype`` right after reset: (it finds
        no stored enter of the exit's type, the thread's enter validity afterwards, the
        stored event it loads into tmp_enter or None). Nothing changes here."""
        cpuid = 1 if etype == tinfo.lastevent_type + 1 else LASTEVENT_INVALID
        data = tinfo.lastevent_data
        if cpuid == LASTEVENT_INVALID or data is None:
            return True, cpuid, None
        if isinstance(data, Event):
            if data.type == etype - 1:
                return False, cpuid, data
            return True, LASTEVENT_INVALID, data
        return True, LASTEVENT_INVALID, None

    def _reject_failed_retrieve(self, tinfo: ThreadInfo, etype: int, ts: int,
                                may_pass: FastFilter) -> bool:
        """:meth:`reject_state_fast` for an exit whose parser does nothing unless it finds
        its stored enter (fcntl: only F_DUPFD* enters are stored): reset and the failed
        retrieve, then the filter over the fd reset attaches."""
        st = self.state
        paired = etype == tinfo.lastevent_type + 1
        fd = tinfo.lastevent_fd
        fdi = st.get_fd(tinfo, fd) if fd != -1 else None
        if fdi is not None and fdi.flags & FLAG_CLOSE_CANCELED \
                and (paired or tinfo.lastevent_type == TRACER_E):
            return False
        fails, cpuid, loaded = self._retrieve_fails(tinfo, etype)
        if not fails or may_pass(etype, tinfo, fdi):
            return False
        self._mark_exit(tinfo, ts, cpuid)
        if loaded is not None:
            self.tmp_enter = loaded
        return True

    def _reject_socket_fast(self, tinfo: ThreadInfo, etype: int, ts: int, buf: bytes,
                            hdr: int, end: int, npar: int, may_pass: FastFilter) -> bool:
        """:meth:`reject_state_fast` for a socket exit: reset, then ``socket_exit`` with the
        filter asked over the new fd before anything changes. Only the common case: a new
        fd number of a tracked family, its stored enter (domain, type, protocol) found, the
        fd table at hand."""
        st = self.state
        if npar < 1 or hdr + 26 + 2 > end or U16.unpack_from(buf, hdr + 26)[0] != 8 \
                or hdr + 26 + 2 * npar + 8 > end:
            return False
        fd = I64.unpack_from(buf, hdr + 26 + 2 * npar)[0]
        fails, cpuid, enter = self._retrieve_fails(tinfo, etype)
        if fd < 0 or fails or enter is None or enter.v1 or enter.nparams < 3:
            return False
        ebase = enter.hdr + 26
        if _U16X3.unpack_from(enter.buf, ebase) != (4, 4, 4) \
                or ebase + 2 * enter.nparams + 12 > enter.end:
            return False
        domain, stype, proto = _U32X3.unpack_from(enter.buf, ebase + 2 * enter.nparams)
        table = st.fd_table(tinfo)   # (its main thread is known: see reject_state_fast)
        if table is None or fd in table or len(table) >= MAX_FD_TABLE:
            return False
        fdi = parse_fds.socket_fd(fd, domain, stype, proto)
        if fdi is None or may_pass(etype, tinfo, fdi):
            return False
        self._mark_exit(tinfo, ts, cpuid)
        self.tmp_enter = enter
        table[fd] = fdi
        tinfo.lastevent_fd = fd
        return True
