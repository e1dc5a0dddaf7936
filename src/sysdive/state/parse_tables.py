"""Per event type, what the state parser and its fast rejections know about it: flags,
parsers, which reset it takes, and which of its rejections can be done without an Event
(:mod:`sysdive.state.parser`, :mod:`sysdive.state.rejections`, state/_rowparse.c).
Lists indexed by event id, since a flag test per event is the hot path."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.event import Event
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.types import Category, EventFlag
from sysdive.state import parse_fds, parse_io, parse_procs, tracers

if TYPE_CHECKING:
    from sysdive.state.parser import Parser

Handler = Callable[["Parser", Event], None]

PPM_EVENT_MAX = len(EVENTS)          # 336: a "last enter type" no exit can pair with
SP_EVT_BUF_SIZE = 4096               # enter events longer than this are not stored
SCAP_DF_STATE_ONLY = 1
SCAP_DF_TRACER = 2


def event_id(enum: str) -> int:
    return EVENT_BY_ENUM[enum].id


CLONE_EXITS = frozenset(event_id(n) for n in (
    "PPME_SYSCALL_CLONE_11_X", "PPME_SYSCALL_CLONE_16_X", "PPME_SYSCALL_CLONE_17_X",
    "PPME_SYSCALL_CLONE_20_X", "PPME_SYSCALL_FORK_X", "PPME_SYSCALL_FORK_17_X",
    "PPME_SYSCALL_FORK_20_X", "PPME_SYSCALL_VFORK_X", "PPME_SYSCALL_VFORK_17_X",
    "PPME_SYSCALL_VFORK_20_X", "PPME_SYSCALL_CLONE3_X",
))
SWITCH6 = event_id("PPME_SCHEDSWITCH_6_E")
SWITCH1 = event_id("PPME_SCHEDSWITCH_1_E")
PROCINFO = event_id("PPME_PROCINFO_E")
TRACER_E = event_id("PPME_TRACER_E")
COPY_FILE_RANGE_X = event_id("PPME_SYSCALL_COPY_FILE_RANGE_X")
WRITE_X = event_id("PPME_SYSCALL_WRITE_X")
CONTAINER_JSON = frozenset((event_id("PPME_CONTAINER_JSON_E"), event_id("PPME_CONTAINER_JSON_2_E")))
CONTAINER_EVENTS = CONTAINER_JSON | {event_id("PPME_CONTAINER_E")}

# Events whose reset differs from the common one: no placeholder thread (clone exits,
# context switches) or no thread at all (container JSON).
SPECIAL_RESET = CLONE_EXITS | {SWITCH6} | CONTAINER_JSON
# Types with the common reset (find or invent the thread), the hot case, tested first.
RESET_PLAIN = [not (e.flags & EventFlag.SKIPPARSERESET) and e.id not in SPECIAL_RESET
                for e in EVENTS]

F_USES_FD = int(EventFlag.USES_FD)
F_SKIP = int(EventFlag.SKIPPARSERESET)
F_STATE = int(EventFlag.MODIFIES_STATE)
FLAGS = [int(e.flags) for e in EVENTS]
INTERNAL = [bool(e.category & Category.INTERNAL) for e in EVENTS]
LARGE = [e.large_payload for e in EVENTS]
NPARAMS = [len(e.params) for e in EVENTS]
U64_MASK = (1 << 64) - 1
# Types whose rejection by the filter changes nothing but the inspector's last-event time:
# reset ignores EF_SKIPPARSERESET types, and a context switch (PPME_SCHEDSWITCH_6_E) only
# looks its thread up; their parsers run only for events that pass.
TS_ONLY = [bool(f & F_SKIP) for f in FLAGS]
TS_ONLY[SWITCH6] = True
I64_MAX = (1 << 63) - 1


def _build_handlers() -> list[Handler | None]:
    table: list[Handler | None] = [None] * PPM_EVENT_MAX
    for module in (parse_fds, parse_io, parse_procs, tracers):
        for enum, handler in module.HANDLERS.items():
            table[event_id(enum)] = handler
    return table


HANDLERS = _build_handlers()
# Enters whose parser is nothing but store_event.
STORES = [h is parse_fds.store_enter for h in HANDLERS]

# State-changing types whose parsing only keeps the fd tables up to date (and the thread's
# fd bookkeeping: last fd, stored enter event, which only fd parsing reads back). When no
# field in use reads fd state, a rejected event of these types may take the skip path:
# what it leaves behind differs only in things no remaining reader looks at (see
# Parser.skippable_types). dup is left out: its exit sets the pipe flags of the thread.
FD_ONLY_TYPES = frozenset(
    t for t in range(PPM_EVENT_MAX)
    if HANDLERS[t] is not None and HANDLERS[t] is not parse_fds.dup_exit
    and (HANDLERS[t] in parse_fds.HANDLERS.values() or HANDLERS[t] in parse_io.HANDLERS.values())
) | frozenset(event_id(n) for n in (
    # fd-creating or fd-using enters parsed by nothing but reset
    "PPME_SOCKET_BIND_E", "PPME_SOCKET_ACCEPT_E", "PPME_SOCKET_ACCEPT_5_E",
    "PPME_SOCKET_ACCEPT4_E", "PPME_SOCKET_ACCEPT4_5_E", "PPME_SOCKET_RECVFROM_E",
    "PPME_SOCKET_RECVMSG_E", "PPME_SOCKET_SHUTDOWN_X", "PPME_SOCKET_SOCKETPAIR_E",
    "PPME_SOCKET_GETSOCKOPT_E", "PPME_SYSCALL_PIPE_E", "PPME_SYSCALL_SIGNALFD_E",
    "PPME_SYSCALL_TIMERFD_CREATE_E", "PPME_SYSCALL_INOTIFY_INIT_E",
))

CLOSE_E = event_id("PPME_SYSCALL_CLOSE_E")
CLOSE_X = event_id("PPME_SYSCALL_CLOSE_X")
OPEN_X = event_id("PPME_SYSCALL_OPEN_X")
SOCKET_X = event_id("PPME_SOCKET_SOCKET_X")
CONNECT_E = event_id("PPME_SOCKET_CONNECT_E")
# sendto's enter stores itself like the store enters once its fd is known (an unknown fd
# may first become a UDP socket: the fast paths leave that to the full path).
SENDTO_E = event_id("PPME_SOCKET_SENDTO_E")
STORES[SENDTO_E] = True
FCNTL_E = event_id("PPME_SYSCALL_FCNTL_E")
FCNTL_X = event_id("PPME_SYSCALL_FCNTL_X")
DUPFD_CMDS = (parse_fds.PPM_FCNTL_F_DUPFD, parse_fds.PPM_FCNTL_F_DUPFD_CLOEXEC)
# Close, the enters whose parser only stores them (open, socket...) or that reset alone
# parses (recvfrom, clone, execve...) and the old open's exit: see Parser.reject_state_fast.
# All take the plain reset.
FAST_STATE_TYPES = frozenset(
    t for t in range(2, PPM_EVENT_MAX)
    if (t in (CLOSE_E, CLOSE_X, OPEN_X, SOCKET_X, FCNTL_E, FCNTL_X, CONNECT_E, SENDTO_E)
        or (not t & 1 and HANDLERS[t] in (parse_fds.store_enter, None)))
    and RESET_PLAIN[t] and not LARGE[t] and not INTERNAL[t]
    and FLAGS[t] & F_STATE)

# Per type, whether the compiled rejections may hand on an event the filter passes (see
# Parser.compiled_rejections): 1 when the fast path's parse is the whole parse (no parser,
# or the close/open/store parsers it mirrors), 2 for the read/write exits, whose parser does
# nothing unless the fd is an IP socket or a tracer candidate (rw_exit), 3 for the memory
# exits, whose parser the compiled code applies (memory_exit, usual param layout only).
RW_PLAIN = frozenset(event_id("PPME_SYSCALL_" + n) for n in (
    "READ_X", "WRITE_X", "READV_X", "WRITEV_X", "PREAD_X", "PWRITE_X", "PREADV_X",
    "PWRITEV_X")) | frozenset(event_id("PPME_SOCKET_" + n) for n in ("RECV_X", "SEND_X"))
ACCEPT = bytes(
    0 if t in (SWITCH1, SWITCH6) or INTERNAL[t]
    else 1 if HANDLERS[t] is None or t in FAST_STATE_TYPES
    else 2 if t in RW_PLAIN and HANDLERS[t] is parse_io.rw_exit
    else 3 if HANDLERS[t] is parse_procs.memory_exit
    else 0
    for t in range(PPM_EVENT_MAX))

# Events that create or remove threads (other than placeholders for their own tid), or
# read other threads' pairing bookkeeping: see FastPath._live.
BARRIER_TYPES = CLONE_EXITS | frozenset(
    e.id for e in EVENTS if e.name in ("execve", "execveat", "procexit") or e.id in CONTAINER_EVENTS)


def uses_fd(etype: int) -> bool:
    """EF_USES_FD: the first param of the enter is the fd the event works on."""
    return bool(FLAGS[etype] & F_USES_FD)


def skip_kind(etype: int) -> int:
    """How the fast loop treats a skippable type: 0 when reset ignores it entirely (only the
    inspector's last-event time moves), 1 when :meth:`Parser.skip_rejected` must run."""
    return 0 if TS_ONLY[etype] else 1
