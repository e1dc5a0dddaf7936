"""Test helpers for the state engine: a minimal capture loop (what the inspector will do), a
tiny renderer of the handful of fields the parity tests print, and two one-field filters.

The renderer follows libsinsp's extractors for exactly these fields (thread fallback lookup,
fd from the thread's last fd, names of failed fd-creating calls); it is *not* the field
registry, only enough of it to compare the state with sysdig's.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path

from scapbuild import make_event
from sysdive.event import Event
from sysdive.scap.blocks import CaptureHeader
from sysdive.scap.reader import CaptureReader, Section
from sysdive.schema.events import EVENT_BY_ENUM
from sysdive.schema.types import Category, EventFlag, ParamType
from sysdive.state.decode import concatenate_paths, cstr, sanitize, sanitize_bytes, socktuple_str
from sysdive.state.fds import FdInfo
from sysdive.state.parse_fds import parse_dirfd
from sysdive.state.parse_tables import CONTAINER_EVENTS
from sysdive.state.parser import Filter, Parser
from sysdive.state.tables import State

FIELDS = ("*%evt.num %proc.name %thread.tid %proc.pid %proc.ppid %fd.num %fd.name "
          "%fd.typechar %fd.type %proc.vmrss %proc.vmsize %proc.cwd %proc.exe %proc.args "
          "%user.uid %thread.vtid %evt.latency")

NA = "<NA>"
_FD_FLAGS = int(EventFlag.CREATES_FD | EventFlag.USES_FD | EventFlag.DESTROYS_FD)
_I64 = struct.Struct("<q")


def _id(enum: str) -> int:
    return EVENT_BY_ENUM[enum].id


CONNECT_X = _id("PPME_SOCKET_CONNECT_X")
_NAME_FROM_PARAM1 = {_id(n) for n in (
    "PPME_SYSCALL_OPEN_X", "PPME_SOCKET_ACCEPT_X", "PPME_SOCKET_ACCEPT_5_X",
    "PPME_SOCKET_ACCEPT4_X", "PPME_SOCKET_ACCEPT4_5_X", "PPME_SYSCALL_CREAT_X",
    "PPME_SOCKET_CONNECT_X")}
OPENAT_X = _id("PPME_SYSCALL_OPENAT_X")
# fd.typechar of an fd-creating call that created nothing, by its enter type.
CHAR_FOR_CREATOR = {_id("PPME_" + n): c for n, c in (
    ("SYSCALL_OPEN_E", "f"), ("SYSCALL_OPENAT_E", "f"), ("SYSCALL_OPENAT_2_E", "f"),
    ("SYSCALL_OPENAT2_E", "f"), ("SYSCALL_CREAT_E", "f"), ("SOCKET_SOCKET_E", "4"),
    ("SOCKET_ACCEPT_E", "4"), ("SOCKET_ACCEPT_5_E", "4"), ("SOCKET_ACCEPT4_E", "4"),
    ("SOCKET_ACCEPT4_5_E", "4"), ("SYSCALL_PIPE_E", "p"), ("SYSCALL_EVENTFD_E", "e"),
    ("SYSCALL_SIGNALFD_E", "s"), ("SYSCALL_TIMERFD_CREATE_E", "t"),
    ("SYSCALL_INOTIFY_INIT_E", "i"))}
_OPENAT_NEW = {_id("PPME_SYSCALL_OPENAT_2_X"), _id("PPME_SYSCALL_OPENAT2_X")}


def events(path: str | Path, parser: Parser, filt: Filter | None = None) -> Iterator[Event]:
    """Feed every event of a capture to ``parser``; yield the ones sysdig hands on.

    Numbering and section handling as in ``sinsp::next``/``sinsp::init``: every event
    consumes a number, except that the leading container events of a *later* section
    (a concatenated capture) are numbered on their own and then the count is restored;
    a section's leading container events are parsed after its state is cleared and
    before its process list is imported, and are never handed on.
    """
    state = parser.state
    num = 0
    sections = 0
    pending: CaptureHeader | None = None
    for item in CaptureReader(str(path)):
        if isinstance(item, Section):
            pending = item.header
            sections += 1
            leading = 0
            state.clear()
            continue
        buf = item.buf
        for etype, ts, tid, cpu, dflags, hdr, end, npar in item.rows:
            if pending is not None:
                if etype in CONTAINER_EVENTS:
                    leading += 1
                    n = num + leading if sections == 1 else leading
                    parser.process_event(Event(n, etype, ts, tid, cpu, dflags, buf, hdr, end,
                                               npar), filt)
                    continue
                if sections == 1:
                    num += leading
                state.load_header(pending)
                pending = None
            num += 1
            evt = Event(num, etype, ts, tid, cpu, dflags, buf, hdr, end, npar)
            if parser.process_event(evt, filt):
                yield evt


# -- fields ----------------------------------------------------------------------------------

def _fd_context(state: State, evt: Event) -> tuple[bool, FdInfo | None]:
    """``extract_fd``: (applies, fdinfo or None)."""
    if not int(evt.info.flags) & _FD_FLAGS or evt.thread is None:
        return False, None
    t = evt.thread
    fdi = evt.fdinfo
    if fdi is None and t.lastevent_fd != -1:
        fdi = state.get_fd(t, t.lastevent_fd)
    return True, fdi


def _fspath_str(state: State, evt: Event, raw: bytes, base: str | None) -> str:
    """An FSPATH param as evt.arg shows it: the resolved path if relative, else the value."""
    value = sanitize_bytes(cstr(raw))
    t = evt.thread
    if t is not None and raw and not raw.startswith(b"<NA>"):
        cwd = state.cwd(t) if base is None else base
        resolved, relative = concatenate_paths(cwd, raw, len(raw))
        if relative and resolved:
            return resolved
    return value


def _name_from_creator(state: State, evt: Event) -> str | None:
    etype = evt.type
    if not etype & 1:
        return None
    prm = evt.params()
    if etype in _NAME_FROM_PARAM1:
        raw = prm[1] if len(prm) > 1 else b""
        if evt.info.params[1].type in (ParamType.FSPATH, ParamType.FSRELPATH):
            return _fspath_str(state, evt, raw, None)
        return socktuple_str(raw)
    if etype == OPENAT_X:
        return None   # needs the enter event, already released at format time
    if etype in _OPENAT_NEW:
        name = prm[2] if len(prm) > 2 else b""
        dirfd = _I64.unpack(prm[1])[0] if len(prm) > 1 and len(prm[1]) == 8 else -1
        sdir = parse_dirfd(Parser(state), evt, name, dirfd)
        full, _ = concatenate_paths(sdir, name, len(name))
        return sanitize(full)
    return ""


def fd_name(state: State, evt: Event) -> str | None:
    ok, fdi = _fd_context(state, evt)
    if not ok:
        return None
    if fdi is None:
        return _name_from_creator(state, evt)
    if evt.type == CONNECT_X:
        prm = evt.params()
        if prm and _I64.unpack(prm[0])[0] < 0:
            return _name_from_creator(state, evt)
    return sanitize(fdi.name)


def fd_typechar(state: State, evt: Event) -> str | None:
    ok, fdi = _fd_context(state, evt)
    if not ok:
        return None
    if fdi is None:
        return CHAR_FOR_CREATOR.get(evt.type & ~1, "o")
    return fdi.typechar


def fd_type(state: State, evt: Event) -> str | None:
    ok, fdi = _fd_context(state, evt)
    if not ok or fdi is None:
        return None
    return fdi.typestring


def render(state: State, evt: Event) -> str:
    """One line of :data:`FIELDS` for ``evt``."""
    t = evt.thread
    out: list[object | None] = [evt.num]
    if t is None:
        out += [None, evt.tid, None, None]
    else:
        if t.is_main_thread:
            ppid: int | None = t.ptid
        else:
            main = state.main_thread(t)
            ppid = main.ptid if main is not None else None
        out += [t.comm, evt.tid, t.pid, ppid]
    ok, _ = _fd_context(state, evt)
    out.append(evt.thread.lastevent_fd if ok and evt.thread is not None else None)
    out += [fd_name(state, evt), fd_typechar(state, evt), fd_type(state, evt)]
    if t is None:
        out += [None] * 7
    else:
        out += [t.vmrss_kb, t.vmsize_kb, state.cwd(t), t.exe, " ".join(t.args), t.uid,
                None if t.vtid == -1 else t.vtid]
    out.append(evt.latency)
    return " ".join(NA if v is None else str(v) for v in out)


def lines(path: str | Path, filt: Filter | None = None,
          display: Callable[[State, Event], bool] | None = None) -> list[str]:
    """What ``sysdig -r path -p FIELDS [filter]`` (or ``-d`` with ``display``) prints."""
    state = State()
    parser = Parser(state)
    out = []
    for evt in events(path, parser, filt):
        if evt.info.category & Category.INTERNAL:
            continue
        if display is not None and not display(state, evt):
            continue
        out.append(render(state, evt))
    return out


# -- one-field filters (what sysdig's filter compiler would build) ---------------------------

def proc_name_is(state: State, name: str) -> Filter:
    def f(evt: Event) -> bool:
        return evt.thread is not None and evt.thread.comm == name
    return f


def fd_type_is(state: State, name: str) -> Filter:
    def f(evt: Event) -> bool:
        return fd_type(state, evt) == name
    return f


# -- synthetic events ------------------------------------------------------------------------

class Feeder:
    """Numbers events and feeds them to a parser; ``feed`` returns the processed event."""

    def __init__(self, parser: Parser, ts: int = 1_000_000_000) -> None:
        self.parser = parser
        self.num = 0
        self.ts = ts

    def feed(self, enum: str, tid: int, *params: bytes, filt: Filter | None = None) -> Event:
        self.num += 1
        self.ts += 1000
        evt = make_event(enum, *params, tid=tid, ts=self.ts, num=self.num)
        evt.extra = self.parser.process_event(evt, filt)
        return evt
