"""Exit parsers of the read/write family: they mark IP sockets connected and let the
tuples of datagram calls (sendto/sendmsg enters, recvfrom/recvmsg exits) name the socket.

The tuple is applied only while the socket has no name or is not a TCP socket; the source
end is always taken, the destination only while still empty (UDP "sticky destination"),
an unknown local address is guessed from the interface list, and the ends are swapped to
match the socket's (guessed) client/server role. Same conventions as
:mod:`sysdive.state.parse_fds`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.event import Event
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.types import EventFlag
from sysdive.state.decode import (
    PPM_AF_INET,
    PPM_AF_INET6,
    PPM_AF_UNIX,
    cstr,
    is_ipv4_mapped_ipv6,
    p_i64,
    p_raw,
    socktuple_str,
    text,
)
from sysdive.state.fds import (
    FLAG_IS_TRACER_FD,
    FLAG_IS_TRACER_FILE,
    FLAG_ROLE_CLIENT,
    FLAG_ROLE_SERVER,
    L4_UDP,
    L4_UNKNOWN,
    V4_L4,
    V4S_L4,
    V6_L4,
    FdType,
)
from sysdive.state.sockets import (
    guess_role,
    set_ipv4_mapped_tuple,
    set_ipv4_tuple,
    set_ipv6_tuple,
    set_unix_info,
    sockinfo_str,
    swap_addresses,
)
from sysdive.state.tracers import SCAP_DF_TRACER, process_rw_exit

if TYPE_CHECKING:
    from sysdive.state.parser import Parser

_TRACER_FLAGS = FLAG_IS_TRACER_FILE | FLAG_IS_TRACER_FD
# Per type: reads from its fd (a list: Flag arithmetic costs a microsecond per event).
_INCOMING = [bool(int(e.flags) & int(EventFlag.READS_FROM_FD)) for e in EVENTS]
_IP_SOCKS = (FdType.IPV4_SOCK, FdType.IPV6_SOCK)
RECVFROM_X = EVENT_BY_ENUM["PPME_SOCKET_RECVFROM_X"].id
RECVMSG_X = EVENT_BY_ENUM["PPME_SOCKET_RECVMSG_X"].id
SENDTO_X = EVENT_BY_ENUM["PPME_SOCKET_SENDTO_X"].id
SENDMSG_X = EVENT_BY_ENUM["PPME_SOCKET_SENDMSG_X"].id


def update_fd(p: Parser, evt: Event, raw: bytes) -> bool:
    """Apply a datagram tuple to the event's socket; False when nothing changed."""
    fdi = evt.fdinfo
    if not raw or fdi is None:
        return False
    fam = raw[0]
    packed = raw.ljust(37, b"\0")
    s = fdi.sock
    if fam == PPM_AF_INET:
        if fdi.type == FdType.IPV4_SERVSOCK:
            s[V4_L4] = s[V4S_L4]
        fdi.type = FdType.IPV4_SOCK
        if not set_ipv4_tuple(fdi, packed):
            return False
    elif fam == PPM_AF_INET6:
        if is_ipv4_mapped_ipv6(packed[1:17]) and is_ipv4_mapped_ipv6(packed[19:35]):
            fdi.type = FdType.IPV4_SOCK
            if not set_ipv4_mapped_tuple(fdi, packed):
                return False
        elif not set_ipv6_tuple(fdi, packed):
            return False
    elif fam == PPM_AF_UNIX:
        fdi.type = FdType.UNIX_SOCK
        set_unix_info(fdi, packed)
        fdi.name = text(cstr(raw[17:]))
        return True
    # A tuple changing mid-stream cannot be TCP, so an unknown protocol is taken for UDP.
    if fdi.type == FdType.IPV4_SOCK:
        if s[V4_L4] == L4_UNKNOWN:
            s[V4_L4] = L4_UDP
    elif fdi.type == FdType.IPV6_SOCK and s[V6_L4] == L4_UNKNOWN:
        s[V6_L4] = L4_UDP
    p.state.netifs.update_fd(fdi)
    return True


def rw_exit(p: Parser, evt: Event) -> None:
    """read/write family exits: mark IP sockets connected and, for datagram calls, take the
    tuple into the socket (only while it has no name or is not a TCP socket)."""
    fdi = evt.fdinfo
    if fdi is None:
        if evt.dflags & SCAP_DF_TRACER:
            process_rw_exit(p, evt)   # a tracer write of a copied capture, fd unknown
        return
    if fdi.flags & _TRACER_FLAGS and process_rw_exit(p, evt):
        return                        # /dev/null: a tracer event now, or a text cut short
    tinfo = evt.thread
    if tinfo is None:
        return
    prm = evt.params()
    if p_i64(prm, 0) < 0:
        return
    if fdi.type in _IP_SOCKS:
        fdi.set_socket_connected()
    etype = evt.type
    incoming = _INCOMING[etype]
    if incoming:
        tupleparam = 2 if etype == RECVFROM_X else 3 if etype == RECVMSG_X else -1
    else:
        tupleparam = 2 if etype in (SENDTO_X, SENDMSG_X) else -1
    if tupleparam == -1 or (fdi.name and fdi.is_tcp_socket):
        return
    if incoming:
        raw = p_raw(prm, tupleparam)
    else:
        enter = p.retrieve_enter(evt)
        if enter is None:
            return
        raw = p_raw(enter.params(), tupleparam)
    if not update_fd(p, evt, raw):
        return
    if fdi.type in _IP_SOCKS:
        if fdi.is_role_none:
            table = p.state.fd_table(tinfo)
            guess_role(table if table is not None else {}, fdi, incoming)
        if fdi.flags & (FLAG_ROLE_CLIENT if incoming else FLAG_ROLE_SERVER):
            swap_addresses(fdi)
        fdi.name = sockinfo_str(fdi)
    else:
        fdi.name = socktuple_str(raw)


HANDLERS: dict[str, Callable[[Parser, Event], None]] = {}
for _name in ("READ_X", "WRITE_X", "READV_X", "WRITEV_X", "PREAD_X", "PWRITE_X", "PREADV_X",
              "PWRITEV_X"):
    HANDLERS["PPME_SYSCALL_" + _name] = rw_exit
for _name in ("RECV_X", "SEND_X", "RECVFROM_X", "RECVMSG_X", "SENDTO_X", "SENDMSG_X"):
    HANDLERS["PPME_SOCKET_" + _name] = rw_exit
