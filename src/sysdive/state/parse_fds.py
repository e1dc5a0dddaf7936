"""Event parsers that create, rename or destroy fds (files, sockets, pipes, ...).

Each handler takes the :class:`~sysdive.state.parser.Parser` and the event after ``reset``:
``evt.thread`` is the thread (or None) and ``evt.fdinfo`` the fd the event uses (or None).
They follow libsinsp's ``parse_*`` functions step by step, including their early returns,
because those decide which fd names sysdig shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.event import Event
from sysdive.schema.events import EVENT_BY_ENUM
from sysdive.state.decode import (
    PPM_AF_INET,
    PPM_AF_INET6,
    PPM_AF_NETLINK,
    PPM_AF_UNIX,
    concatenate_paths,
    cstr,
    is_ipv4_mapped_ipv6,
    p_i64,
    p_raw,
    p_u8,
    p_u32,
    p_u64,
    sockaddr_str,
    socktuple_str,
)
from sysdive.state.fds import (
    FLAG_CLOSE_CANCELED,
    FLAG_CLOSE_IN_PROGRESS,
    FLAG_IS_NOT_TRACER_FD,
    FLAG_IS_TRACER_FILE,
    FLAG_ROLE_CLIENT,
    FLAG_ROLE_SERVER,
    L4_ICMP,
    L4_RAW,
    L4_TCP,
    L4_UDP,
    L4_UNKNOWN,
    U16,
    V4_DIP,
    V4_DPORT,
    V4_L4,
    V4S_L4,
    V6_DIP,
    V6_DPORT,
    V6_L4,
    FdInfo,
    FdType,
)
from sysdive.state.sockets import (
    set_ipv4_mapped_tuple,
    set_ipv4_tuple,
    set_ipv6_tuple,
    set_unix_info,
    sockinfo_str,
    swap_addresses,
)
from sysdive.state.tables import CANCELED_FD, USER_EVT_DEVICE
from sysdive.state.threads import CL_PIPE_DST, CL_PIPE_SRC

if TYPE_CHECKING:
    from sysdive.state.parser import Parser

PPM_O_DIRECTORY = 1 << 10
PPM_AT_FDCWD = -100
SE_EINPROGRESS = 115
PPM_FCNTL_F_DUPFD = 1
PPM_FCNTL_F_DUPFD_CLOEXEC = 26
SOCK_STREAM, SOCK_DGRAM, SOCK_RAW = 1, 2, 3
IPPROTO_IP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW = 0, 1, 6, 17, 255


def _id(enum: str) -> int:
    return EVENT_BY_ENUM[enum].id


OPEN_X = _id("PPME_SYSCALL_OPEN_X")
CREAT_X = _id("PPME_SYSCALL_CREAT_X")
OPENAT_X = _id("PPME_SYSCALL_OPENAT_X")
OPENAT_2_X = _id("PPME_SYSCALL_OPENAT_2_X")


def parse_dirfd(p: Parser, evt: Event, name: bytes, dirfd: int, attach: bool = True) -> str:
    """The directory a *at() path is relative to. With ``attach`` the dirfd's entry becomes
    the event's fd, as in libsinsp (a failed openat then shows its directory's fd)."""
    if name[:1] == b"/":
        return "."
    tinfo = evt.thread
    if tinfo is None:
        return "<UNKNOWN>"
    if dirfd == PPM_AT_FDCWD:
        return p.state.cwd(tinfo)
    fdi = p.state.get_fd(tinfo, dirfd)
    if attach:
        evt.fdinfo = fdi
    if fdi is None:
        return "<UNKNOWN>"
    # libsinsp means to add '/' only when missing, but its test never succeeds.
    return fdi.name + "/"


def _usable_name(raw: bytes) -> bool:
    return len(raw) != 0 and cstr(raw) != b"(NULL)"


def open_exit(p: Parser, evt: Event) -> None:
    """open/creat/openat/openat2 exit: a new file or directory fd, named by the full path."""
    tinfo = evt.thread
    if tinfo is None:
        return
    st = p.state
    enter = p.retrieve_enter(evt)
    prm = evt.params()
    fd = p_i64(prm, 0)
    etype = evt.type
    dev = 0
    if etype in (OPEN_X, CREAT_X):
        name = p_raw(prm, 1)
        if etype == OPEN_X:
            flags = p_u32(prm, 2)
            if len(prm) > 4:
                dev = p_u32(prm, 4)
        else:
            flags = 0
            if len(prm) > 3:
                dev = p_u32(prm, 3)
        if enter is not None:
            ep = enter.params()
            if len(ep) >= (2 if etype == OPEN_X else 1) and _usable_name(ep[0]):
                name = ep[0]
                flags = p_u32(ep, 1) if etype == OPEN_X else 0
        sdir = st.cwd(tinfo)
    elif etype == OPENAT_X:
        # The old openat exit has only the fd; libsinsp reads the enter event even when it
        # could not load it (then the last one it loaded).
        src = enter if enter is not None else p.tmp_enter
        if src is None:
            return
        ep = src.params()
        name = p_raw(ep, 1)
        flags = p_u32(ep, 2)
        sdir = parse_dirfd(p, evt, name, p_i64(ep, 0))
    else:
        name = p_raw(prm, 2)
        flags = p_u32(prm, 3)
        dirfd = p_i64(prm, 1)
        if etype == OPENAT_2_X and len(prm) > 5:
            dev = p_u32(prm, 5)
        if enter is not None:
            ep = enter.params()
            if len(ep) >= 3 and _usable_name(ep[1]):
                name = ep[1]
                flags = p_u32(ep, 2)
                dirfd = p_i64(ep, 0)
        sdir = parse_dirfd(p, evt, name, dirfd)
    fullpath, _ = concatenate_paths(sdir, name, len(name))
    if fd >= 0:
        evt.fdinfo = st.add_fd(tinfo, fd, opened_fd(fd, flags, dev, fullpath), owned=True)


def opened_fd(fd: int, flags: int, dev: int, fullpath: str) -> FdInfo:
    """The table entry of a successful open (also built by the parser's fast rejection)."""
    fdi = FdInfo(fd, FdType.DIRECTORY if flags & PPM_O_DIRECTORY else FdType.FILE_V2, fullpath)
    fdi.openflags = flags
    fdi.dev = dev
    fdi.flags |= FLAG_IS_TRACER_FILE if fullpath == USER_EVT_DEVICE else FLAG_IS_NOT_TRACER_FD
    return fdi


def add_socket(p: Parser, evt: Event, fd: int, domain: int, stype: int, proto: int) -> None:
    """A new socket fd of the given family; unknown families are not tracked."""
    tinfo = evt.thread
    if tinfo is None:
        return
    fdi = socket_fd(fd, domain, stype, proto)
    if fdi is not None:
        evt.fdinfo = p.state.add_fd(tinfo, fd, fdi, owned=True)


def socket_fd(fd: int, domain: int, stype: int, proto: int) -> FdInfo | None:
    """The table entry of a new socket (also built by the parser's fast rejection); None for
    a family that is not tracked."""
    fdi = FdInfo(fd, FdType.UNKNOWN)
    if domain == PPM_AF_UNIX:
        fdi.type = FdType.UNIX_SOCK
    elif domain in (PPM_AF_INET, PPM_AF_INET6):
        fdi.type = FdType.IPV4_SOCK if domain == PPM_AF_INET else FdType.IPV6_SOCK
        l4 = L4_UNKNOWN
        if proto == IPPROTO_TCP:
            l4 = L4_RAW if stype == SOCK_RAW else L4_TCP
        elif proto == IPPROTO_UDP:
            l4 = L4_RAW if stype == SOCK_RAW else L4_UDP
        elif proto == IPPROTO_IP:
            # The type may carry SOCK_NONBLOCK/SOCK_CLOEXEC bits.
            if stype & 0xFF == SOCK_STREAM:
                l4 = L4_TCP
            elif stype & 0xFF == SOCK_DGRAM:
                l4 = L4_UDP
        elif proto == IPPROTO_ICMP:
            l4 = L4_RAW if stype == SOCK_RAW else L4_ICMP
        elif proto == IPPROTO_RAW:
            l4 = L4_RAW
        fdi.sock[V4_L4 if domain == PPM_AF_INET else V6_L4] = l4
    elif domain == PPM_AF_NETLINK:
        fdi.type = FdType.NETLINK
    return None if fdi.type == FdType.UNKNOWN else fdi


def socket_exit(p: Parser, evt: Event) -> None:
    fd = p_i64(evt.params(), 0)
    if fd < 0 or evt.thread is None:
        return
    enter = p.retrieve_enter(evt)
    if enter is None:
        return
    ep = enter.params()
    add_socket(p, evt, fd, p_u32(ep, 0), p_u32(ep, 1), p_u32(ep, 2))


def sendto_enter(p: Parser, evt: Event) -> None:
    """A sendto on an fd we never saw created is taken for a UDP socket of the tuple's family."""
    if evt.fdinfo is None and evt.thread is not None:
        prm = evt.params()
        fd = p_i64(prm, 0)
        tup = p_raw(prm, 2)
        if fd >= 0 and tup and tup[0] in (PPM_AF_INET, PPM_AF_INET6):
            add_socket(p, evt, fd, tup[0], SOCK_DGRAM, IPPROTO_UDP)
    p.store_event(evt)


def store_enter(p: Parser, evt: Event) -> None:
    p.store_event(evt)


def bind_exit(p: Parser, evt: Event) -> None:
    """A bind to a non-zero port turns the socket into a server socket; any bind renames it."""
    fdi = evt.fdinfo
    if fdi is None:
        return
    prm = evt.params()
    if p_i64(prm, 0) < 0:
        return
    addr = p_raw(prm, 1)
    if not addr:
        return
    s = fdi.sock
    fam = addr[0]
    if fam == PPM_AF_INET and len(addr) >= 7:
        port = U16.unpack_from(addr, 5)[0]
        if port > 0:
            fdi.type = FdType.IPV4_SERVSOCK
            s[0:4] = addr[1:5]
            U16.pack_into(s, 4, port)
            s[V4S_L4] = s[V4_L4]
            fdi.flags |= FLAG_ROLE_SERVER
    elif fam == PPM_AF_INET6 and len(addr) >= 19:
        ip = addr[1:17]
        port = U16.unpack_from(addr, 17)[0]
        if port > 0:
            if is_ipv4_mapped_ipv6(ip):
                fdi.type = FdType.IPV4_SERVSOCK
                s[V4S_L4] = s[V6_L4]
                s[0:4] = addr[13:17]
                U16.pack_into(s, 4, port)
            else:
                fdi.type = FdType.IPV6_SERVSOCK
                U16.pack_into(s, 16, port)
                s[0:16] = ip
                s[18] = s[V6_L4]
            fdi.flags |= FLAG_ROLE_SERVER
    fdi.name = sockaddr_str(addr)


def connect_enter(p: Parser, evt: Event) -> None:
    """The destination is known at the enter already (the name only at the exit)."""
    fdi = evt.fdinfo
    prm = evt.params()
    if fdi is None or len(prm) < 2:
        return
    addr = prm[1]
    if not addr:
        return
    s = fdi.sock
    fam = addr[0]
    if fam == PPM_AF_INET:
        a = addr.ljust(7, b"\0")
        fdi.type = FdType.IPV4_SOCK
        s[V4_DIP:V4_DIP + 4] = a[1:5]
        s[V4_DPORT:V4_DPORT + 2] = a[5:7]
    elif fam == PPM_AF_INET6:
        a = addr.ljust(19, b"\0")
        if is_ipv4_mapped_ipv6(a[1:17]):
            fdi.type = FdType.IPV4_SOCK
            s[V4_DIP:V4_DIP + 4] = a[13:17]
            s[V4_DPORT:V4_DPORT + 2] = a[17:19]
        else:
            fdi.type = FdType.IPV6_SOCK
            s[V6_DPORT:V6_DPORT + 2] = a[17:19]
            s[V6_DIP:V6_DIP + 16] = a[1:17]
    else:
        fdi.name = sockaddr_str(addr)
        # The path bytes land in the unix pointer fields, as in libsinsp.
        set_unix_info(fdi, addr)


def fill_client_socket_info(p: Parser, evt: Event, raw: bytes) -> None:
    fdi = evt.fdinfo
    assert fdi is not None
    fam = raw[0]
    packed = raw.ljust(37, b"\0")
    if fam in (PPM_AF_INET, PPM_AF_INET6):
        if fam == PPM_AF_INET6:
            if not (is_ipv4_mapped_ipv6(packed[1:17]) and is_ipv4_mapped_ipv6(packed[19:35])):
                fdi.type = FdType.IPV6_SOCK
                changed = set_ipv6_tuple(fdi, packed)
            else:
                fdi.type = FdType.IPV4_SOCK
                changed = set_ipv4_mapped_tuple(fdi, packed)
        else:
            fdi.type = FdType.IPV4_SOCK
            changed = set_ipv4_tuple(fdi, packed)
        if changed and fdi.is_role_server and fdi.is_udp_socket:
            swap_addresses(fdi)   # a UDP server connecting: its end is the source
        fdi.name = sockinfo_str(fdi)
    else:
        fdi.name = socktuple_str(raw)
        set_unix_info(fdi, packed)
    if fdi.is_role_none:
        fdi.flags |= FLAG_ROLE_CLIENT


def connect_exit(p: Parser, evt: Event) -> None:
    fdi = evt.fdinfo
    if fdi is None:
        return
    prm = evt.params()
    res = p_i64(prm, 0)
    if res < 0 and res != -SE_EINPROGRESS:
        return
    fdi.set_socket_connected()
    tup = p_raw(prm, 1)
    if tup:
        fill_client_socket_info(p, evt, tup)


def accept_exit(p: Parser, evt: Event) -> None:
    """A new connected server-side socket named by the tuple."""
    tinfo = evt.thread
    if tinfo is None:
        return
    prm = evt.params()
    fd = p_i64(prm, 0)
    if fd < 0:
        return
    tinfo.lastevent_fd = fd
    tup = p_raw(prm, 1)
    if not tup:
        return
    packed = tup.ljust(37, b"\0")
    fdi = FdInfo(fd, FdType.UNINITIALIZED)
    fam = tup[0]
    if fam == PPM_AF_INET:
        set_ipv4_tuple(fdi, packed)
        fdi.type = FdType.IPV4_SOCK
        fdi.sock[V4_L4] = L4_TCP
    elif fam == PPM_AF_INET6:
        if is_ipv4_mapped_ipv6(packed[1:17]) and is_ipv4_mapped_ipv6(packed[19:35]):
            set_ipv4_mapped_tuple(fdi, packed)
            fdi.type = FdType.IPV4_SOCK
            fdi.sock[V4_L4] = L4_TCP
        else:
            set_ipv6_tuple(fdi, packed)
            fdi.type = FdType.IPV6_SOCK
            fdi.sock[V6_L4] = L4_TCP
    elif fam == PPM_AF_UNIX:
        fdi.type = FdType.UNIX_SOCK
        set_unix_info(fdi, packed)
    else:
        return
    fdi.name = socktuple_str(tup)
    fdi.flags = FLAG_ROLE_SERVER
    fdi.set_socket_connected()
    evt.fdinfo = p.state.add_fd(tinfo, fd, fdi, owned=True)


def close_enter(p: Parser, evt: Event) -> None:
    if evt.thread is None:
        return
    # reset has just looked up this very fd (the thread's last fd, from this event).
    fdi = evt.fdinfo
    if fdi is not None:
        fdi.flags |= FLAG_CLOSE_IN_PROGRESS


def close_exit(p: Parser, evt: Event) -> None:
    """A successful close schedules the removal for the next event (so this line shows it)."""
    fdi = evt.fdinfo
    tinfo = evt.thread
    if evt.param0_i64() >= 0:
        if fdi is None or tinfo is None:
            return
        if fdi.flags & FLAG_CLOSE_CANCELED:
            fdi.flags &= ~FLAG_CLOSE_CANCELED
            p.erase_fd(tinfo, CANCELED_FD, p.state.get_fd(tinfo, CANCELED_FD))
        else:
            p.erase_fd(tinfo, tinfo.lastevent_fd, fdi)
    elif fdi is not None:
        fdi.flags &= ~FLAG_CLOSE_IN_PROGRESS


def _add_simple(p: Parser, evt: Event, fd: int, ftype: int, ino: int = 0) -> None:
    tinfo = evt.thread
    if tinfo is None:
        return
    fdi = FdInfo(fd, ftype)
    fdi.ino = ino
    evt.fdinfo = p.state.add_fd(tinfo, fd, fdi, owned=True)


def pipe_exit(p: Parser, evt: Event) -> None:
    prm = evt.params()
    if p_i64(prm, 0) < 0:
        return
    ino = p_u64(prm, 3)
    _add_simple(p, evt, p_i64(prm, 1), FdType.FIFO, ino)
    _add_simple(p, evt, p_i64(prm, 2), FdType.FIFO, ino)


def socketpair_exit(p: Parser, evt: Event) -> None:
    prm = evt.params()
    tinfo = evt.thread
    if p_i64(prm, 0) < 0 or tinfo is None:
        return
    fdi = FdInfo(0, FdType.UNIX_SOCK)
    fdi.sock[0:8] = p_u64(prm, 3).to_bytes(8, "little")
    fdi.sock[8:16] = p_u64(prm, 4).to_bytes(8, "little")
    evt.fdinfo = p.state.add_fd(tinfo, p_i64(prm, 1), fdi)
    p.state.add_fd(tinfo, p_i64(prm, 2), fdi)


def _simple_fd_exit(ftype: int) -> Callable[[Parser, Event], None]:
    """eventfd/signalfd/timerfd_create/inotify_init: an unnamed fd of a fixed type."""

    def handler(p: Parser, evt: Event) -> None:
        if evt.thread is None:
            return
        fd = p_i64(evt.params(), 0)
        if fd >= 0:
            _add_simple(p, evt, fd, ftype)
    return handler


def dup_exit(p: Parser, evt: Event) -> None:
    """dup/dup2/dup3: the new fd is a copy of the old one; 0 and 1 hint at shell pipes."""
    tinfo = evt.thread
    if tinfo is None:
        return
    res = p_i64(evt.params(), 0)
    if res < 0:
        return
    if res == 0:
        tinfo.flags |= CL_PIPE_DST
    elif res == 1:
        tinfo.flags |= CL_PIPE_SRC
    if evt.fdinfo is None:
        return
    evt.fdinfo = p.state.add_fd(tinfo, res, evt.fdinfo)


def fcntl_enter(p: Parser, evt: Event) -> None:
    if evt.thread is None:
        return
    if p_u8(evt.params(), 1) in (PPM_FCNTL_F_DUPFD, PPM_FCNTL_F_DUPFD_CLOEXEC):
        p.store_event(evt)


def fcntl_exit(p: Parser, evt: Event) -> None:
    """Only F_DUPFD* enters are stored, so only those exits duplicate the fd."""
    res = p_i64(evt.params(), 0)
    if p.retrieve_enter(evt) is None:
        return
    if res >= 0 and evt.fdinfo is not None and evt.thread is not None:
        evt.fdinfo = p.state.add_fd(evt.thread, res, evt.fdinfo)


def getsockopt_exit(p: Parser, evt: Event) -> None:
    """The exit names its fd; libsinsp looks it up in the main thread's table."""
    tinfo = evt.thread
    prm = evt.params()
    if not prm or tinfo is None:
        return
    fd = p_i64(prm, 1)
    main = p.state.main_thread(tinfo)
    evt.fdinfo = p.state.get_fd(main, fd) if main is not None else None
    tinfo.lastevent_fd = fd


HANDLERS: dict[str, Callable[[Parser, Event], None]] = {
    "PPME_SYSCALL_OPEN_X": open_exit,
    "PPME_SYSCALL_CREAT_X": open_exit,
    "PPME_SYSCALL_OPENAT_X": open_exit,
    "PPME_SYSCALL_OPENAT_2_X": open_exit,
    "PPME_SYSCALL_OPENAT2_X": open_exit,
    "PPME_SOCKET_SOCKET_X": socket_exit,
    "PPME_SOCKET_SENDTO_E": sendto_enter,
    "PPME_SOCKET_BIND_X": bind_exit,
    "PPME_SOCKET_CONNECT_E": connect_enter,
    "PPME_SOCKET_CONNECT_X": connect_exit,
    "PPME_SOCKET_ACCEPT_X": accept_exit,
    "PPME_SOCKET_ACCEPT_5_X": accept_exit,
    "PPME_SOCKET_ACCEPT4_X": accept_exit,
    "PPME_SOCKET_ACCEPT4_5_X": accept_exit,
    "PPME_SYSCALL_CLOSE_E": close_enter,
    "PPME_SYSCALL_CLOSE_X": close_exit,
    "PPME_SYSCALL_PIPE_X": pipe_exit,
    "PPME_SOCKET_SOCKETPAIR_X": socketpair_exit,
    "PPME_SYSCALL_EVENTFD_X": _simple_fd_exit(FdType.EVENT),
    "PPME_SYSCALL_SIGNALFD_X": _simple_fd_exit(FdType.SIGNALFD),
    "PPME_SYSCALL_TIMERFD_CREATE_X": _simple_fd_exit(FdType.TIMERFD),
    "PPME_SYSCALL_INOTIFY_INIT_X": _simple_fd_exit(FdType.INOTIFY),
    "PPME_SYSCALL_DUP_X": dup_exit,
    "PPME_SYSCALL_FCNTL_E": fcntl_enter,
    "PPME_SYSCALL_FCNTL_X": fcntl_exit,
    "PPME_SOCKET_GETSOCKOPT_X": getsockopt_exit,
    # Enter events kept for their exit parser.
    "PPME_SYSCALL_OPEN_E": store_enter,
    "PPME_SYSCALL_CREAT_E": store_enter,
    "PPME_SYSCALL_OPENAT_E": store_enter,
    "PPME_SYSCALL_OPENAT_2_E": store_enter,
    "PPME_SYSCALL_OPENAT2_E": store_enter,
    "PPME_SOCKET_SOCKET_E": store_enter,
    "PPME_SYSCALL_EVENTFD_E": store_enter,
    "PPME_SOCKET_SHUTDOWN_E": store_enter,
    "PPME_SOCKET_SENDMSG_E": store_enter,
    "PPME_SYSCALL_SENDFILE_E": store_enter,
}
