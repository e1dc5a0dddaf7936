"""The flag-like ``evt`` fields: I/O and wait markers, counters, buffer lengths, open modes.

Split out of :mod:`sysdive.fields.evt` to keep modules small; :data:`EVT_MISC` maps each
field name to its definition and ``evt.py`` places them in sysdig's listing order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sysdive.fields.evt_args import error_count, event_ids, flagged_ids
from sysdive.fields.params import decode_int
from sysdive.fields.registry import Binder, BoundField, FieldArg, FieldContext, FieldDef, FieldFlag
from sysdive.schema.events import EVENT_BY_ENUM
from sysdive.schema.types import Category, EventFlag
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF
from sysdive.state.fds import FdType

if TYPE_CHECKING:
    from sysdive.event import Event

__all__ = ["EVT_MISC"]


def _id(enum: str) -> int:
    return EVENT_BY_ENUM["PPME_" + enum].id


def _flag_binder(flags: EventFlag) -> Binder:
    # A set of ids rather than IntFlag arithmetic per event.
    ids = flagged_ids(flags)

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        return BoundField(fdef, name, lambda evt: evt.type in ids, true_types=ids,
                          type_value=ids.__contains__)
    return bind


def _bind_io_dir(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    def extract(evt: Event) -> str | None:
        etype = evt.type
        if etype in _WRITES:
            return "write"
        if etype in _READS:
            return "read"
        return None
    types = flagged_ids(EventFlag.WRITES_TO_FD | EventFlag.READS_FROM_FD)
    return BoundField(fdef, name, extract, event_types=types)


_WRITES = flagged_ids(EventFlag.WRITES_TO_FD)
_READS = flagged_ids(EventFlag.READS_FROM_FD)
_WAIT_EXITS = frozenset(i for i in flagged_ids(EventFlag.WAITS) if i & 1)  # exits: odd ids


def _bind_wait_latency(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    def extract(evt: Event) -> int | None:
        if evt.type not in _WAIT_EXITS:
            return None
        thread = evt.thread
        return 0 if thread is None else thread.latency
    return BoundField(fdef, name, extract, event_types=_WAIT_EXITS)


def _bind_is_syslog(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    def extract(evt: Event) -> bool:
        fdinfo = evt.fdinfo
        return (evt.type in _WRITES and fdinfo is not None
                and "/dev/log" in fdinfo.name)
    return BoundField(fdef, name, extract)


def _bind_count(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    return BoundField(fdef, name, lambda evt: 1)


_FILE_FDS = frozenset({FdType.FILE, FdType.FILE_V2, FdType.DIRECTORY})
_NET_FDS = frozenset({FdType.IPV4_SOCK, FdType.IPV6_SOCK, FdType.IPV4_SERVSOCK,
                      FdType.IPV6_SERVSOCK, FdType.UNIX_SOCK})
_OPEN_EXITS = frozenset(_id(e) for e in ("SYSCALL_OPEN_X", "SYSCALL_CREAT_X", "SYSCALL_OPENAT_X",
                                         "SYSCALL_OPENAT_2_X", "SYSCALL_OPENAT2_X"))
_NET_EXITS = frozenset(_id(e) for e in ("SOCKET_ACCEPT_X", "SOCKET_ACCEPT_5_X",
                                        "SOCKET_ACCEPT4_X", "SOCKET_ACCEPT4_5_X",
                                        "SOCKET_CONNECT_X"))


def _error_binder(kind: str) -> Binder:
    def applies(evt: Event) -> bool:
        fdinfo = evt.fdinfo
        if kind == "file":
            return fdinfo.type in _FILE_FDS if fdinfo is not None else evt.type in _OPEN_EXITS
        if kind == "net":
            return fdinfo.type in _NET_FDS if fdinfo is not None else evt.type in _NET_EXITS
        if kind == "memory":
            return evt.info.category == Category.MEMORY
        if kind == "other":
            if fdinfo is not None:
                return fdinfo.type not in _FILE_FDS and fdinfo.type not in _NET_FDS
            return not (evt.type in _OPEN_EXITS or evt.type in _NET_EXITS
                        or evt.info.category == Category.MEMORY)
        return True

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        def extract(evt: Event) -> int | None:
            return error_count(evt) if applies(evt) else None
        return BoundField(fdef, name, extract)
    return bind


def _bind_count_exit(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    return BoundField(fdef, name, lambda evt: 1 if evt.type & 1 else None,
                      event_types=event_ids(lambda e: not e.is_enter))


_PROCINFO = _id("PROCINFO_E")


def _bind_count_procinfo(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    state = ctx.state

    def extract(evt: Event) -> int | None:
        thread = evt.thread
        if evt.type == _PROCINFO and thread is not None and state.main_thread(thread) is thread:
            return 1
        return None
    return BoundField(fdef, name, extract, event_types=frozenset({_PROCINFO}))


def _bind_count_threadinfo(ctx: FieldContext, fdef: FieldDef, arg: FieldArg,
                           name: str) -> BoundField:
    return BoundField(fdef, name, lambda evt: 1 if evt.type == _PROCINFO else None,
                      event_types=frozenset({_PROCINFO}))


_IO_FLAG = 32  # EC_IO_BASE: the bit every I/O category shares
_NET_TYPES = frozenset({FdType.IPV4_SOCK, FdType.IPV6_SOCK, FdType.IPV4_SERVSOCK,
                        FdType.IPV6_SERVSOCK})


def _buflen_binder(direction: str, kind: str) -> Binder:
    def applies(evt: Event) -> bool:
        fdinfo = evt.fdinfo
        if fdinfo is None:
            return False
        cat = evt.info.category
        if direction == "in" and cat != Category.IO_READ:
            return False
        if direction == "out" and cat != Category.IO_WRITE:
            return False
        if not cat & _IO_FLAG:
            return False
        if kind == "file":
            return fdinfo.type in (FdType.FILE, FdType.FILE_V2)
        if kind == "net":
            return fdinfo.type in _NET_TYPES
        return True

    types = event_ids(lambda e: bool(e.category & _IO_FLAG) and not e.is_enter)

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        def extract(evt: Event) -> int | None:
            if not evt.type & 1 or not applies(evt):
                return None
            raw = evt.param(0)
            if raw is None:
                return None
            res = decode_int(raw, PT.INT64)
            return res if res >= 0 else None
        return BoundField(fdef, name, extract, event_types=types)
    return bind


_OPEN_X = _id("SYSCALL_OPEN_X")
_OPENAT_E = _id("SYSCALL_OPENAT_E")
_NEW_OPENS = frozenset({_id("SYSCALL_OPENAT_2_X"), _id("SYSCALL_OPENAT2_X")})
_CREAT_X = _id("SYSCALL_CREAT_X")
_O_RDONLY, _O_WRONLY, _O_CREAT, _O_TMPFILE = 1, 2, 4, 0x2000
_EXEC_BITS = (1 << 0) | (1 << 3) | (1 << 6)  # PPM_S_IXOTH | IXGRP | IXUSR


def _u32_param(evt: Event, i: int) -> int:
    raw = evt.param(i)
    return 0 if raw is None else decode_int(raw, PT.UINT32)


def _open_binder(kind: str) -> Binder:
    def extract(evt: Event) -> bool:
        t = evt.type
        if t in (_OPEN_X, _OPENAT_E) or t in _NEW_OPENS:
            new = t in _NEW_OPENS
            flags = _u32_param(evt, 3 if new else 2)
            if kind == "read":
                return bool(flags & _O_RDONLY)
            if kind == "write":
                return bool(flags & _O_WRONLY)
            if flags & (_O_TMPFILE | _O_CREAT):
                return bool(_u32_param(evt, 4 if new else 3) & _EXEC_BITS)
            return False
        if kind == "exec" and t == _CREAT_X:
            return bool(_u32_param(evt, 2) & _EXEC_BITS)
        return False

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        return BoundField(fdef, name, extract)
    return bind


_INFRA = _id("INFRASTRUCTURE_EVENT_E")


def _docker_binder(key: str) -> Binder:
    def extract(evt: Event) -> str | None:
        if evt.type != _INFRA:
            return None
        raw = evt.param(2)
        if raw is None:
            return None
        desc = raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
        for item in desc.split(";"):
            item = item.strip()
            if not item.startswith(key):
                continue
            parts = item.split(":")
            if key == "Image":
                value = parts[1] if len(parts) > 1 else ""
                if "@" in value:
                    value = value[:value.find("@")]
                elif "sha256" in value:
                    value = item[item.find(":") + 1:]
                return value.strip()
            value = parts[1].strip() if len(parts) > 1 else ""
            return value[:12] if key == "ID" else value
        return None

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        return BoundField(fdef, name, extract, event_types=frozenset({_INFRA}))
    return bind


def _d(name: str, ptype: PT, fmt: PF, display: str, desc: str, bind: Binder,
       flags: FieldFlag = FieldFlag.NONE) -> FieldDef:
    return FieldDef(name, ptype, desc, bind, fmt, flags, display=display)


_T = FieldFlag.TABLE_ONLY


def _buflen_def(suffix: str, display: str, what: str, direction: str, kind: str) -> FieldDef:
    return _d("evt.buflen" + suffix, PT.UINT64, PF.DEC, display,
              f"the length of the binary data buffer, but only for {what}.",
              _buflen_binder(direction, kind), _T)


_IO_FLAGS = EventFlag.READS_FROM_FD | EventFlag.WRITES_TO_FD
_ERR = "This filter field returns 1 for events that returned with an error"
_CH = "and can be used to count event failures from inside chisels."

_DEFS: tuple[FieldDef, ...] = (
    _d("evt.buflen", PT.UINT64, PF.DEC, "Buffer Length", "the length of the binary data "
       "buffer for events that have one, like read(), recvfrom(), etc.", _buflen_binder("", "")),
    _d("evt.is_io", PT.BOOL, PF.NA, "Is I/O", "'true' for events that read or write to FDs, "
       "like read(), send, recvfrom(), etc.", _flag_binder(_IO_FLAGS)),
    _d("evt.is_io_read", PT.BOOL, PF.NA, "Is Read", "'true' for events that read from FDs, "
       "like read(), recv(), recvfrom(), etc.", _flag_binder(EventFlag.READS_FROM_FD)),
    _d("evt.is_io_write", PT.BOOL, PF.NA, "Is Write", "'true' for events that write to FDs, "
       "like write(), send(), etc.", _flag_binder(EventFlag.WRITES_TO_FD)),
    _d("evt.io_dir", PT.CHARBUF, PF.NA, "I/O Direction", "'r' for events that read from FDs, "
       "like read(); 'w' for events that write to FDs, like write().", _bind_io_dir),
    _d("evt.is_wait", PT.BOOL, PF.NA, "Is Wait", "'true' for events that make the thread "
       "wait, e.g. sleep(), select(), poll().", _flag_binder(EventFlag.WAITS)),
    _d("evt.wait_latency", PT.RELTIME, PF.DEC, "Wait Latency", "for events that make the "
       "thread wait (e.g. sleep(), select(), poll()), this is the time spent waiting for the "
       "event to return, in nanoseconds.", _bind_wait_latency),
    _d("evt.is_syslog", PT.BOOL, PF.NA, "Is Syslog",
       "'true' for events that are writes to /dev/log.", _bind_is_syslog),
    _d("evt.count", PT.UINT32, PF.DEC, "Count", "This filter field always returns 1 and can "
       "be used to count events from inside chisels.", _bind_count),
    _d("evt.count.error", PT.UINT32, PF.DEC, "Error Count", f"{_ERR}, {_CH}",
       _error_binder("")),
    _d("evt.count.error.file", PT.UINT32, PF.DEC, "File Error Count",
       f"{_ERR} and are related to file I/O, {_CH}", _error_binder("file")),
    _d("evt.count.error.net", PT.UINT32, PF.DEC, "Network Error Count",
       f"{_ERR} and are related to network I/O, {_CH}", _error_binder("net")),
    _d("evt.count.error.memory", PT.UINT32, PF.DEC, "Memory Error Count",
       f"{_ERR} and are related to memory allocation, {_CH}", _error_binder("memory")),
    _d("evt.count.error.other", PT.UINT32, PF.DEC, "Other Error Count",
       f"{_ERR} and are related to none of the previous categories, {_CH}",
       _error_binder("other")),
    _d("evt.count.exit", PT.UINT32, PF.DEC, "Exit Count", "This filter field returns 1 for "
       "exit events, and can be used to count single events from inside chisels.",
       _bind_count_exit),
    _d("evt.count.procinfo", PT.UINT32, PF.DEC, "Procinfo Count", "This filter field returns "
       "1 for procinfo events generated by process main threads, and can be used to count "
       "processes from inside views.", _bind_count_procinfo, _T),
    _d("evt.count.threadinfo", PT.UINT32, PF.DEC, "Thread Info Count", "This filter field "
       "returns 1 for procinfo events, and can be used to count processes from inside views.",
       _bind_count_threadinfo, _T),
    _buflen_def(".in", "Input Buffer Length", "input I/O events", "in", ""),
    _buflen_def(".out", "Output Buffer Length", "output I/O events", "out", ""),
    _buflen_def(".file", "File Buffer Length", "file I/O events", "", "file"),
    _buflen_def(".file.in", "File Input Buffer Length", "input file I/O events", "in", "file"),
    _buflen_def(".file.out", "File Output Buffer Length", "output file I/O events", "out",
                "file"),
    _buflen_def(".net", "Network Buffer Length", "network I/O events", "", "net"),
    _buflen_def(".net.in", "Network Input Buffer Length", "input network I/O events", "in",
                "net"),
    _buflen_def(".net.out", "Network Output Buffer Length", "output network I/O events",
                "out", "net"),
    _d("evt.is_open_read", PT.BOOL, PF.NA, "Is Opened For Reading", "'true' for "
       "open/openat/openat2 events where the path was opened for reading",
       _open_binder("read")),
    _d("evt.is_open_write", PT.BOOL, PF.NA, "Is Opened For Writing", "'true' for "
       "open/openat/openat2 events where the path was opened for writing",
       _open_binder("write")),
    _d("evt.infra.docker.name", PT.CHARBUF, PF.NA, "Docker Name",
       "for docker infrastructure events, the name of the event.", _docker_binder("Event"), _T),
    _d("evt.infra.docker.container.id", PT.CHARBUF, PF.NA, "Docker ID",
       "for docker infrastructure events, the id of the impacted container.",
       _docker_binder("ID"), _T),
    _d("evt.infra.docker.container.name", PT.CHARBUF, PF.NA, "Container Name",
       "for docker infrastructure events, the name of the impacted container.",
       _docker_binder("name"), _T),
    _d("evt.infra.docker.container.image", PT.CHARBUF, PF.NA, "Container Image",
       "for docker infrastructure events, the image name of the impacted container.",
       _docker_binder("Image"), _T),
    _d("evt.is_open_exec", PT.BOOL, PF.NA, "Is Created With Execute Permissions", "'true' "
       "for open/openat/openat2 or creat events where a file is created with execute "
       "permissions", _open_binder("exec")),
)

EVT_MISC: dict[str, FieldDef] = {d.name: d for d in _DEFS}
"""The definitions of this module by field name."""
