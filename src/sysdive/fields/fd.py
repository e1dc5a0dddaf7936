"""Field class ``fd``: the file descriptor an event works on.

libsinsp's ``sinsp_filter_check_fd`` (filterchecks.cpp, libs e5c53d64). Only events that
create, use or destroy an fd have fd fields; the fd is the one the state parser attached to
the event, else the thread's last fd. When it is unknown, fd-creating exit events still name
what they tried to open (``fd.name`` of a failed open is its path).

Client/server fields (``fd.cip``, ``fd.sport``...) need the socket to have a role; local and
remote fields (``fd.lip``, ``fd.rport``...) compare the source address with the capture's
interfaces (and containers' addresses). Domain-name fields (``fd.*ip.name``) depend on a live
DNS cache sysdig keeps only while capturing live; a capture replay never has them.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py (selectors, enums) costs ~4 ms to import
import ipaddress
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sysdive.fields.evt_args import flagged_ids
from sysdive.fields.lineage import thread_of
from sysdive.fields.params import AT_FDCWD, decode_int, param_renderers
from sysdive.fields.registry import (
    Binder,
    BoundField,
    FastExtractor,
    FieldArg,
    FieldClass,
    FieldContext,
    FieldDef,
    FieldFlag,
)
from sysdive.fields.text import concatenate_paths, port_text, sanitize
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.types import EventFlag
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF
from sysdive.state.fds import FLAG_SOCKET_CONNECTED, FdType

if TYPE_CHECKING:
    from collections.abc import Callable

    from sysdive.event import Event
    from sysdive.state.fds import FdInfo
    from sysdive.state.tables import State
    from sysdive.state.threads import ThreadInfo

__all__ = ["FD_CLASS"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_FD_FLAGS = EventFlag.CREATES_FD | EventFlag.USES_FD | EventFlag.DESTROYS_FD
_FD_EVENTS = flagged_ids(_FD_FLAGS)
V4S, V6S = FdType.IPV4_SOCK, FdType.IPV6_SOCK
V4SRV, V6SRV = FdType.IPV4_SERVSOCK, FdType.IPV6_SERVSOCK
_IP_SOCKS = frozenset({V4S, V6S})


def _id(enum: str) -> int:
    return EVENT_BY_ENUM["PPME_" + enum].id


class _FdRef:
    """What ``extract_fd`` finds: the thread and the fd (which may be unknown)."""

    __slots__ = ("fdinfo", "thread")

    def __init__(self, thread: ThreadInfo, fdinfo: FdInfo | None) -> None:
        self.thread = thread
        self.fdinfo = fdinfo


def _fd_ref(evt: Event, state: State) -> _FdRef | None:
    # A frozenset of ids, not an IntFlag test: this runs for every event a fd filter sees.
    if evt.type not in _FD_EVENTS:
        return None
    thread = thread_of(evt, state)
    if thread is None:
        return None
    fdinfo = evt.fdinfo
    if fdinfo is None and thread.lastevent_fd != -1:
        fdinfo = state.get_fd(thread, thread.lastevent_fd)
    return _FdRef(thread, fdinfo)


# --------------------------------------------------------------------------------------------
# names of fds the event failed to create
# --------------------------------------------------------------------------------------------

_NAME_FROM_PARAM1 = frozenset(_id(e) for e in (
    "SYSCALL_OPEN_X", "SOCKET_ACCEPT_X", "SOCKET_ACCEPT_5_X", "SOCKET_ACCEPT4_X",
    "SOCKET_ACCEPT4_5_X", "SYSCALL_CREAT_X", "SOCKET_CONNECT_X"))
_OPENAT_X = _id("SYSCALL_OPENAT_X")
_OPENAT_NEW = frozenset({_id("SYSCALL_OPENAT_2_X"), _id("SYSCALL_OPENAT2_X")})
_CONNECT_X = _id("SOCKET_CONNECT_X")


def _creator_name(evt: Event, ref: _FdRef, ctx: FieldContext, clean: bool) -> str | None:
    """``extract_fdname_from_creator``: None for enter events, "" for unrelated exits."""
    etype = evt.type
    if not etype & 1:
        return None
    if etype in _NAME_FROM_PARAM1:
        raw = evt.param(1)
        if raw is None:
            return ""
        value, resolved = param_renderers(etype)[1](evt, raw, ctx.render_ctx)
        return resolved or value
    if etype == _OPENAT_X or etype in _OPENAT_NEW:
        if etype == _OPENAT_X:
            enter = evt.enter
            if enter is None:
                return None
            name_raw, dirfd_raw = enter.param(1), enter.param(0)
        else:
            name_raw, dirfd_raw = evt.param(2), evt.param(1)
        if name_raw is None or dirfd_raw is None:
            return ""
        name = name_raw.split(b"\0", 1)[0]
        dirfd = decode_int(dirfd_raw, PT.INT64)
        if name[:1] == b"/":
            base = "."
        elif dirfd == AT_FDCWD:
            base = ctx.state.cwd(ref.thread)
        else:
            dirinfo = ctx.state.get_fd(ref.thread, dirfd)
            base = "<UNKNOWN>" if dirinfo is None else dirinfo.name + "/"
        text, _ = concatenate_paths(base, name, 1024 - (len(name_raw) - len(name) - 1),
                                    had_nul=len(name_raw) > 0)
        return sanitize(text) if clean else text
    return ""


_CREATOR_TYPECHAR = {
    **dict.fromkeys((_id(e) for e in ("SYSCALL_OPEN_E", "SYSCALL_OPENAT_E", "SYSCALL_OPENAT_2_E",
                                      "SYSCALL_OPENAT2_E", "SYSCALL_CREAT_E")), "f"),
    # libsinsp admits this guess is often wrong: it always says IPv4.
    **dict.fromkeys((_id(e) for e in ("SOCKET_SOCKET_E", "SOCKET_ACCEPT_E", "SOCKET_ACCEPT_5_E",
                                      "SOCKET_ACCEPT4_E", "SOCKET_ACCEPT4_5_E")), "4"),
    _id("SYSCALL_PIPE_E"): "p", _id("SYSCALL_EVENTFD_E"): "e", _id("SYSCALL_SIGNALFD_E"): "s",
    _id("SYSCALL_TIMERFD_CREATE_E"): "t", _id("SYSCALL_INOTIFY_INIT_E"): "i",
}


def _dirname(path: str) -> str:
    pos = path.rfind("/")
    if pos > 0:
        return path[:pos] if pos < len(path) - 1 else path
    return "/"


# --------------------------------------------------------------------------------------------
# binders
# --------------------------------------------------------------------------------------------

def _binder(get: Callable[[Event, _FdRef, FieldContext], object]) -> Binder:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state

        def extract(evt: Event) -> object:
            ref = _fd_ref(evt, state)
            return None if ref is None else get(evt, ref, ctx)
        return BoundField(fdef, name, extract, event_types=_FD_EVENTS)
    return bind


def _with_fd(get: Callable[[FdInfo, _FdRef, FieldContext], object]) -> Binder:
    """A field that needs a known fd."""
    def read(evt: Event, ref: _FdRef, ctx: FieldContext) -> object:
        return None if ref.fdinfo is None else get(ref.fdinfo, ref, ctx)
    return _binder(read)


def _failed_connect(evt: Event) -> bool:
    if evt.type != _CONNECT_X:
        return False
    raw = evt.param(0)
    return raw is not None and decode_int(raw, PT.INT64) < 0


def _name(prefix_container: bool) -> Binder:
    def get(evt: Event, ref: _FdRef, ctx: FieldContext, clean: bool) -> str | None:
        fdinfo = ref.fdinfo
        if fdinfo is None or _failed_connect(evt):
            name = _creator_name(evt, ref, ctx, clean)
            if name is None:
                return None
        else:
            name = sanitize(fdinfo.name) if clean else fdinfo.name
        return ref.thread.container_id + ":" + name if prefix_container else name
    return _text_binder(get)


def _directory(prefix_container: bool) -> Binder:
    def get(evt: Event, ref: _FdRef, ctx: FieldContext, clean: bool) -> str | None:
        fdinfo = ref.fdinfo
        if fdinfo is None:
            name = _creator_name(evt, ref, ctx, clean)
            if name is None:
                return None
            path = _dirname(sanitize(name) if clean else name)
        elif fdinfo.is_file or fdinfo.type == FdType.DIRECTORY:
            name = sanitize(fdinfo.name) if clean else fdinfo.name
            path = _dirname(name) if fdinfo.is_file else name
        else:
            return None
        return ref.thread.container_id + ":" + path if prefix_container else path
    return _text_binder(get)


def _text_binder(get: Callable[[Event, _FdRef, FieldContext, bool], str | None]) -> Binder:
    """A name field: printed names are cleaned of non-printable characters, filters see the
    raw name (libsinsp's ``sanitize_strings``)."""

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state
        threads = state.threads
        get_fd = state.get_fd

        def extract(evt: Event) -> str | None:
            ref = _fd_ref(evt, state)
            return None if ref is None else get(evt, ref, ctx, False)

        def name_ref(evt: Event) -> _FdRef | None:
            # _fd_ref inlined for fd.name, which runs for every fd event a filter or a
            # printer sees
            if evt.type not in _FD_EVENTS:
                return None
            thread = evt.thread
            if thread is None:
                thread = threads.get(evt.tid)
                if thread is None:
                    return None
            fdinfo = evt.fdinfo
            if fdinfo is None and thread.lastevent_fd != -1:
                fdinfo = get_fd(thread, thread.lastevent_fd)
            return _FdRef(thread, fdinfo)

        def extract_name(evt: Event) -> str | None:
            # _name's common case first: a known fd, not a failed connect
            ref = name_ref(evt)
            if ref is None:
                return None
            fdinfo = ref.fdinfo
            if fdinfo is not None and evt.type != _CONNECT_X:
                return fdinfo.name
            return get(evt, ref, ctx, False)

        def render(evt: Event) -> str | None:
            ref = _fd_ref(evt, state)
            return None if ref is None else get(evt, ref, ctx, True)

        def render_name(evt: Event) -> str | None:
            # fd.name printed (echo_fds, spy_file, -p): extract_name's common case, cleaned.
            ref = name_ref(evt)
            if ref is None:
                return None
            fdinfo = ref.fdinfo
            if fdinfo is not None and evt.type != _CONNECT_X:
                text = fdinfo.name
                return text if text.isascii() and text.isprintable() else sanitize(text)
            return get(evt, ref, ctx, True)
        if fdef.name == "fd.name":
            return BoundField(fdef, name, extract_name, event_types=_NAMED_EVENTS,
                              render=render_name, render_json=render_name,
                              fast=fast_name(fdef.name))
        return BoundField(fdef, name, extract, event_types=_FD_EVENTS, render=render,
                          render_json=render)
    return bind


# fd.name has no value on enters that do not work on an existing fd (open, socket...):
# the fd is not known yet and _creator_name gives nothing for enters.
_NAMED_EVENTS = _FD_EVENTS - frozenset(  # enters (even ids) that use no existing fd
    i for i in _FD_EVENTS - flagged_ids(EventFlag.USES_FD) if i % 2 == 0)


class _FastName:
    """fd.name's value for the parser's fast rejection (events that change no state): such
    an event neither creates an fd nor is a connect, so a known fd gives its name and an
    unknown one gives nothing on enters and "" on exits (``_creator_name``).

    ``native_types`` (a byte per event type, 1 for the fd events) states that rule for
    compiled code, which then applies it without calling this (see the filter compiler's
    ``native`` form and state/_rowparse.c)."""

    __slots__ = ("native_types",)

    def __init__(self) -> None:
        self.native_types = bytes(t in _FD_EVENTS for t in range(len(EVENTS)))

    def __call__(self, etype: int, thread: ThreadInfo | None,
                 fdinfo: FdInfo | None) -> str | None:
        if etype not in _FD_EVENTS:
            return None
        if fdinfo is not None:
            return fdinfo.name
        return "" if etype & 1 else None


def fast_name(field: str) -> FastExtractor | None:
    """fd.name's fast form (:class:`_FastName`); None for the other name fields."""
    return _FastName() if field == "fd.name" else None


def _filename(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> str | None:
    # (With an unknown fd libsinsp only tries enter events, which never name a file.)
    if not fdinfo.is_file:
        return None
    name = sanitize(fdinfo.name)
    pos = name.rfind("/")
    if pos < 0:
        return "/"
    return name[pos + 1:] if pos < len(name) - 1 else name


def _typechar(evt: Event, ref: _FdRef, ctx: FieldContext) -> str:
    if ref.fdinfo is not None:
        return ref.fdinfo.typechar
    return _CREATOR_TYPECHAR.get(evt.type & ~1, "o")


def _addr(raw: bytes) -> IPAddress:
    return ipaddress.ip_address(raw)


def _client_ip(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> IPAddress | None:
    if fdinfo.is_role_none or fdinfo.type not in _IP_SOCKS:
        return None
    return _addr(fdinfo.sip)


def _server_ip(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> IPAddress | None:
    if fdinfo.is_role_none:
        return None
    if fdinfo.type in _IP_SOCKS:
        return _addr(fdinfo.dip)
    if fdinfo.type in (V4SRV, V6SRV):
        return _addr(fdinfo.sip)
    return None


def _is_local(fdinfo: FdInfo, thread: ThreadInfo, state: State, addr: bytes) -> bool:
    """libsinsp's is_ipv{4,6}addr_in_local_machine for ``addr`` seen from ``thread``."""
    if fdinfo.type == V6S:
        if thread.container_id:
            return False
        return any(net[:8] == addr[:8] for net in _netifs(state, "v6"))
    if thread.container_id:
        containers: Any = getattr(state, "containers", None) or {}
        info = containers.get(thread.container_id)
        if info is not None:
            own = _container_ip(info)
            if own:
                if own == addr:
                    return True
            elif any(_container_ip(c) == addr for c in containers.values()):
                return True
    value = int.from_bytes(addr, "little")
    return any(a == value for a, _ in _netifs(state, "v4"))


def _netifs(state: State, family: str) -> list[Any]:
    netifs: Any = getattr(state, "netifs", None)
    return list(getattr(netifs, family, [])) if netifs is not None else []


def _container_ip(info: Any) -> bytes:
    ip = info.get("ip") if isinstance(info, dict) else None
    if isinstance(ip, str):
        try:
            return socket.inet_aton(ip) if ip else b"\0\0\0\0"
        except OSError:
            return b"\0\0\0\0"
    return b"\0\0\0\0"


def _local_remote(local: bool, ports: bool) -> Callable[[FdInfo, _FdRef, FieldContext], object]:
    def get(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> object:
        if fdinfo.type not in _IP_SOCKS or fdinfo.is_role_none:
            return None
        src_is_local = _is_local(fdinfo, ref.thread, ctx.state, fdinfo.sip)
        use_source = src_is_local == local
        if ports:
            return fdinfo.sport if use_source else fdinfo.dport
        return _addr(fdinfo.sip if use_source else fdinfo.dip)
    return get


def _local_remote_proto(local: bool) -> Callable[[FdInfo, _FdRef, FieldContext], object]:
    port = _local_remote(local, ports=True)

    def get(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> object:
        value = port(fdinfo, ref, ctx)
        if value is None:
            return None
        assert isinstance(value, int)
        return port_text(value, fdinfo.l4proto, ctx.options.resolve_ports)
    return get


def _client_port(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> int | None:
    if fdinfo.is_role_none:
        return None
    if fdinfo.type in _IP_SOCKS:
        return fdinfo.sport
    # libsinsp falls through into the protocol field here and reads the first bytes of its
    # empty string as the port.
    return 0


def _client_proto(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> str | None:
    if fdinfo.is_role_none:
        return None
    if fdinfo.type in _IP_SOCKS:
        return port_text(fdinfo.sport, fdinfo.l4proto, ctx.options.resolve_ports)
    return ""


def _server_port(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> int | None:
    if fdinfo.type in _IP_SOCKS:
        return None if fdinfo.is_role_none else fdinfo.dport
    if fdinfo.type in (V4SRV, V6SRV):
        return fdinfo.sport
    return None


def _server_proto(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> str | None:
    port = _server_port(fdinfo, ref, ctx)
    if port is None:
        return None
    if fdinfo.type in _IP_SOCKS:
        return port_text(port, fdinfo.l4proto, ctx.options.resolve_ports)
    return ""


_L4_NAMES = {2: "tcp", 3: "udp", 4: "icmp", 5: "raw"}


def _l4proto(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> str:
    return _L4_NAMES.get(fdinfo.l4proto, "<NA>")


def _sockfamily(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> str | None:
    if fdinfo.type in (V4S, V6S, V4SRV, V6SRV):
        return "ip"
    if fdinfo.type == FdType.UNIX_SOCK:
        return "unix"
    return None


def _is_server(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> bool:
    if fdinfo.type in (V4SRV, V6SRV):
        return True
    if fdinfo.type in _IP_SOCKS:
        return _is_local(fdinfo, ref.thread, ctx.state, fdinfo.dip)
    return False


_CONTAINER_EVENTS = frozenset({_id("CONTAINER_JSON_E"), _id("CONTAINER_JSON_2_E")})


def _uid(evt: Event, ref: _FdRef, ctx: FieldContext) -> str | None:
    if evt.type in _CONTAINER_EVENTS:
        return None
    return str(ref.thread.tid) + str(ref.thread.lastevent_fd)


def _both_ips(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> tuple[IPAddress, ...] | None:
    # fd.ip/fd.net match either end of a connected socket, or a server socket's address.
    if fdinfo.type in _IP_SOCKS:
        return (_addr(fdinfo.sip), _addr(fdinfo.dip))
    if fdinfo.type in (V4SRV, V6SRV):
        return (_addr(fdinfo.sip),)
    return None


def _both_ports(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> tuple[int, ...] | None:
    if fdinfo.type in _IP_SOCKS:
        return (fdinfo.sport, fdinfo.dport)
    if fdinfo.type in (V4SRV, V6SRV):
        return (fdinfo.sport, fdinfo.sport)
    return None


def _num(evt: Event, ref: _FdRef, ctx: FieldContext) -> int:
    return ref.thread.lastevent_fd


def _name_changed(evt: Event, ref: _FdRef, ctx: FieldContext) -> bool | None:
    if ref.fdinfo is None:
        return None
    return evt.fd_name_changed


def _no_dns(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> None:
    return None


def _dev(part: str) -> Callable[[FdInfo, _FdRef, FieldContext], int]:
    def get(fdinfo: FdInfo, ref: _FdRef, ctx: FieldContext) -> int:
        dev = fdinfo.dev & 0xFFFFFFFF
        if part == "major":
            dev = (dev & 0xFFF00) >> 8
        elif part == "minor":
            dev = (dev & 0xFF) | ((dev >> 12) & 0xFFF00)
        return dev - (1 << 32) if dev & 0x80000000 else dev
    return get


def _d(name: str, ptype: PT, fmt: PF, display: str, desc: str, bind: Binder,
       flags: FieldFlag = FieldFlag.NONE) -> FieldDef:
    return FieldDef(name, ptype, desc, bind, fmt, flags, display=display)


def _either_end(fdef: FieldDef, ops: frozenset[str]) -> FieldDef:
    # fd.ip/fd.port/fd.net compare both ends of a socket: "=" matches either end, "!="
    # needs both ends to differ, and sysdig refuses the other operators at run time.
    return replace(fdef, ne_requires_all=True, allowed_ops=ops)


_IP_OPS = frozenset({"=", "!=", "in"})
_PORT_OPS = frozenset({"=", "!=", "<", "<=", ">", ">=", "in"})


_C = PT.CHARBUF
_FO = FieldFlag.FILTER_ONLY
_TCP = "for TCP/UDP FDs,"

FD_CLASS = FieldClass(
    "fd",
    "Every syscall that has a file descriptor in its arguments has these fields set with "
    "information related to the file.",
    (
        _d("fd.num", PT.INT64, PF.ID, "FD Number",
           "the unique number identifying the file descriptor.", _binder(_num)),
        _d("fd.type", _C, PF.DEC, "FD Type", "type of FD. Can be 'file', 'directory', 'ipv4', "
           "'ipv6', 'unix', 'pipe', 'event', 'signalfd', 'eventpoll', 'inotify' or 'signalfd'.",
           _with_fd(lambda f, r, c: f.typestring)),
        _d("fd.typechar", _C, PF.DEC, "FD Type Char", "type of FD as a single character. Can "
           "be 'f' for file, 4 for IPv4 socket, 6 for IPv6 socket, 'u' for unix socket, p for "
           "pipe, 'e' for eventfd, 's' for signalfd, 'l' for eventpoll, 'i' for inotify, 'o' "
           "for unknown.", _binder(_typechar)),
        _d("fd.name", _C, PF.NA, "FD Name", "FD full name. If the fd is a file, this field "
           "contains the full path. If the FD is a socket, this field contain the connection "
           "tuple.", _name(False)),
        _d("fd.directory", _C, PF.NA, "FD Directory",
           "If the fd is a file, the directory that contains it.", _directory(False)),
        _d("fd.filename", _C, PF.NA, "FD Filename",
           "If the fd is a file, the filename without the path.", _with_fd(_filename)),
        _either_end(_d("fd.ip", PT.IPADDR, PF.NA, "FD IP Address",
                       "matches the ip address (client or server) of the fd.",
                       _with_fd(_both_ips), _FO), _IP_OPS),
        _d("fd.cip", PT.IPADDR, PF.NA, "FD Client Address", "client IP address.",
           _with_fd(_client_ip)),
        _d("fd.sip", PT.IPADDR, PF.NA, "FD Server Address", "server IP address.",
           _with_fd(_server_ip)),
        _d("fd.lip", PT.IPADDR, PF.NA, "FD Local Address", "local IP address.",
           _with_fd(_local_remote(True, False))),
        _d("fd.rip", PT.IPADDR, PF.NA, "FD Remote Address", "remote IP address.",
           _with_fd(_local_remote(False, False))),
        _either_end(_d("fd.port", PT.PORT, PF.DEC, "FD Port",
                       "matches the port (either client or server) of the fd.",
                       _with_fd(_both_ports), _FO), _PORT_OPS),
        _d("fd.cport", PT.PORT, PF.DEC, "FD Client Port", f"{_TCP} the client port.",
           _with_fd(_client_port)),
        _d("fd.sport", PT.PORT, PF.DEC, "FD Server Port", f"{_TCP} server port.",
           _with_fd(_server_port)),
        _d("fd.lport", PT.PORT, PF.DEC, "FD Local Port", f"{_TCP} the local port.",
           _with_fd(_local_remote(True, True))),
        _d("fd.rport", PT.PORT, PF.DEC, "FD Remote Port", f"{_TCP} the remote port.",
           _with_fd(_local_remote(False, True))),
        _d("fd.l4proto", _C, PF.NA, "FD IP Protocol", "the IP protocol of a socket. Can be "
           "'tcp', 'udp', 'icmp' or 'raw'.", _with_fd(_l4proto)),
        _d("fd.sockfamily", _C, PF.NA, "FD Socket Family",
           "the socket family for socket events. Can be 'ip' or 'unix'.",
           _with_fd(_sockfamily)),
        _d("fd.is_server", PT.BOOL, PF.NA, "FD Server", "'true' if the process owning this FD "
           "is the server endpoint in the connection.", _with_fd(_is_server)),
        _d("fd.uid", _C, PF.NA, "FD ID", "a unique identifier for the FD, created by chaining "
           "the FD number and the thread ID.", _binder(_uid)),
        _d("fd.containername", _C, PF.NA, "FD Container Name", "chaining of the container ID "
           "and the FD name. Useful when trying to identify which container an FD belongs "
           "to.", _name(True)),
        _d("fd.containerdirectory", _C, PF.NA, "FD Container Directory", "chaining of the "
           "container ID and the directory name. Useful when trying to identify which "
           "container a directory belongs to.", _directory(True)),
        _either_end(_d("fd.proto", PT.PORT, PF.NA, "FD Protocol",
                       "matches the protocol (either client or server) of the fd.",
                       _with_fd(_both_ports), _FO), _PORT_OPS),
        _d("fd.cproto", _C, PF.NA, "FD Client Protocol", f"{_TCP} the client protocol.",
           _with_fd(_client_proto)),
        _d("fd.sproto", _C, PF.NA, "FD Server Protocol", f"{_TCP} server protocol.",
           _with_fd(_server_proto)),
        _d("fd.lproto", _C, PF.NA, "FD Local Protocol", f"{_TCP} the local protocol.",
           _with_fd(_local_remote_proto(True))),
        _d("fd.rproto", _C, PF.NA, "FD Remote Protocol", f"{_TCP} the remote protocol.",
           _with_fd(_local_remote_proto(False))),
        _either_end(_d("fd.net", PT.IPNET, PF.NA, "FD IP Network",
                       "matches the IP network (client or server) of the fd.",
                       _with_fd(_both_ips), _FO), _IP_OPS),
        _d("fd.cnet", PT.IPNET, PF.NA, "FD Client Network",
           "matches the client IP network of the fd.", _with_fd(_client_ip), _FO),
        _d("fd.snet", PT.IPNET, PF.NA, "FD Server Network",
           "matches the server IP network of the fd.", _with_fd(_server_ip), _FO),
        _d("fd.lnet", PT.IPNET, PF.NA, "FD Local Network",
           "matches the local IP network of the fd.", _with_fd(_local_remote(True, False)),
           _FO),
        _d("fd.rnet", PT.IPNET, PF.NA, "FD Remote Network",
           "matches the remote IP network of the fd.", _with_fd(_local_remote(False, False)),
           _FO),
        _d("fd.connected", PT.BOOL, PF.NA, "FD Connected",
           f"{_TCP} 'true' if the socket is connected.",
           _with_fd(lambda f, r, c: bool(f.flags & FLAG_SOCKET_CONNECTED))),
        _d("fd.name_changed", PT.BOOL, PF.NA, "FD Name Changed", "True when an event changes "
           "the name of an fd used by this event. This can occur in some cases such as udp "
           "connections where the connection tuple changes.", _binder(_name_changed)),
        _d("fd.cip.name", _C, PF.NA, "FD Client Domain Name",
           "Domain name associated with the client IP address.", _with_fd(_no_dns)),
        _d("fd.sip.name", _C, PF.NA, "FD Server Domain Name",
           "Domain name associated with the server IP address.", _with_fd(_no_dns)),
        _d("fd.lip.name", _C, PF.NA, "FD Local Domain Name",
           "Domain name associated with the local IP address.", _with_fd(_no_dns)),
        _d("fd.rip.name", _C, PF.NA, "FD Remote Domain Name",
           "Domain name associated with the remote IP address.", _with_fd(_no_dns)),
        _d("fd.dev", PT.INT32, PF.HEX, "FD Device",
           "device number (major/minor) containing the referenced file", _with_fd(_dev(""))),
        _d("fd.dev.major", PT.INT32, PF.DEC, "FD Major Device",
           "major device number containing the referenced file", _with_fd(_dev("major"))),
        _d("fd.dev.minor", PT.INT32, PF.DEC, "FD Minor Device",
           "minor device number containing the referenced file", _with_fd(_dev("minor"))),
    ),
)
