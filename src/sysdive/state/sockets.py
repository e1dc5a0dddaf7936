"""Socket bookkeeping on the sockinfo union of :class:`~sysdive.state.fds.FdInfo`.

Ports of libsinsp's tuple setters (``set_ipv4_addresses_and_ports`` & co.), the
address swap, the fd-name printer (``sockinfo_to_str``), the client/server role guess and the
interface-list guess of an unknown local address (``sinsp_network_interfaces::update_fd``).
They all work on the raw union bytes so that sysdig's member mix-ups carry over (see
:mod:`sysdive.state.fds`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sysdive.scap.blocks import Interface
from sysdive.state.decode import (
    U16,
    ipv4_str,
    ipv4_tuple_str,
    ipv6_str,
    is_ipv4_mapped_ipv6,
)
from sysdive.state.fds import (
    FLAG_ROLE_CLIENT,
    FLAG_ROLE_SERVER,
    L4_ICMP,
    L4_RAW,
    L4_TCP,
    L4_UDP,
    V4_DIP,
    V4_DPORT,
    V4_L4,
    V4_SIP,
    V4_SPORT,
    V4S_PORT,
    V6_DIP,
    V6_DPORT,
    V6_L4,
    V6_SIP,
    V6_SPORT,
    FdInfo,
    FdType,
)

_ZERO4 = bytes(4)
_ZERO16 = bytes(16)
_LOOPBACK4 = b"\x7f\x00\x00\x01"
_LOOPBACK6 = bytes(15) + b"\x01"


def _u16(b: bytes | bytearray, off: int) -> int:
    v: int = U16.unpack_from(b, off)[0]
    return v


@dataclass(frozen=True, slots=True)
class _TupleLayout:
    """Where one address family keeps its tuple in the sockinfo union."""

    kind: FdType
    sip: int
    sport: int
    dip: int
    dport: int
    zero: bytes    # the unset address


_V4 = _TupleLayout(FdType.IPV4_SOCK, V4_SIP, V4_SPORT, V4_DIP, V4_DPORT, _ZERO4)
_V6 = _TupleLayout(FdType.IPV6_SOCK, V6_SIP, V6_SPORT, V6_DIP, V6_DPORT, _ZERO16)


def _update_tuple(fdi: FdInfo, m: _TupleLayout, tsip: bytes, tsport: int, tdip: bytes,
                  tdport: int) -> bool:
    """Store a tuple: the source always, the destination only while it is still zero
    (the "sticky destination" of UDP sockets). Returns whether anything changed."""
    s = fdi.sock
    n = len(m.zero)
    sip, dip = bytes(s[m.sip:m.sip + n]), bytes(s[m.dip:m.dip + n])
    sport, dport = _u16(s, m.sport), _u16(s, m.dport)
    if fdi.type == m.kind and (
            (tsip == sip and tsport == sport and tdip == dip and tdport == dport)
            or (tdip == sip and tdport == sport and tsip == dip and tsport == dport)):
        return False
    changed = False
    if sip != tsip:
        s[m.sip:m.sip + n] = tsip
        changed = True
    if sport != tsport:
        U16.pack_into(s, m.sport, tsport)
        changed = True
    if dip == m.zero:
        s[m.dip:m.dip + n] = tdip
        changed = True
    if dport == 0:
        U16.pack_into(s, m.dport, tdport)
        changed = True
    return changed


def set_ipv4_tuple(fdi: FdInfo, packed: bytes) -> bool:
    """From an AF_INET SOCKTUPLE param (family, sip, sport, dip, dport)."""
    return _update_tuple(fdi, _V4, packed[1:5], _u16(packed, 5), packed[7:11], _u16(packed, 11))


def set_ipv4_mapped_tuple(fdi: FdInfo, packed: bytes) -> bool:
    """From an AF_INET6 SOCKTUPLE whose two addresses are IPv4-mapped."""
    return _update_tuple(fdi, _V4, packed[13:17], _u16(packed, 17), packed[31:35],
                         _u16(packed, 35))


def set_ipv6_tuple(fdi: FdInfo, packed: bytes) -> bool:
    """From an AF_INET6 SOCKTUPLE; same sticky-destination rule as IPv4."""
    return _update_tuple(fdi, _V6, packed[1:17], _u16(packed, 17), packed[19:35],
                         _u16(packed, 35))


def set_unix_info(fdi: FdInfo, packed: bytes) -> None:
    """From an AF_UNIX SOCKTUPLE: the two kernel pointers."""
    fdi.sock[0:16] = packed[1:17].ljust(16, b"\0")


def swap_addresses(fdi: FdInfo) -> None:
    """Exchange source and destination (IPv4 member for IPv4 sockets, else IPv6)."""
    s = fdi.sock
    if fdi.type == FdType.IPV4_SOCK:
        s[0:4], s[4:8], s[8:10], s[10:12] = s[4:8], s[0:4], s[10:12], s[8:10]
    else:
        s[0:16], s[16:32], s[32:34], s[34:36] = s[16:32], s[0:16], s[34:36], s[32:34]


def sockinfo_str(fdi: FdInfo) -> str:
    """``sinsp_utils::sockinfo_to_str``: the name given to connected IP sockets."""
    s = fdi.sock
    if fdi.type == FdType.IPV4_SOCK:
        l4 = s[V4_L4]
        if l4 in (L4_TCP, L4_UDP):
            return ipv4_tuple_str(bytes(s[0:4]), _u16(s, V4_SPORT), bytes(s[4:8]),
                                  _u16(s, V4_DPORT))
        if l4 in (L4_ICMP, L4_RAW):
            return f"{ipv4_str(bytes(s[0:4]))}->{ipv4_str(bytes(s[4:8]))}"
        return "<unknown>"
    if fdi.type == FdType.IPV6_SOCK:
        l4 = s[V6_L4]
        sip6, dip6 = bytes(s[0:16]), bytes(s[16:32])
        mapped = is_ipv4_mapped_ipv6(sip6) and is_ipv4_mapped_ipv6(dip6)
        if l4 in (L4_TCP, L4_UDP):
            if mapped:
                # libsinsp takes the ports from the IPv4 member here, i.e. from bytes 8..11
                # of the IPv6 source address; reproduced on purpose.
                return ipv4_tuple_str(sip6[12:16], _u16(s, V4_SPORT), dip6[12:16],
                                      _u16(s, V4_DPORT))
            return (f"{ipv6_str(sip6)}:{_u16(s, V6_SPORT)}->"
                    f"{ipv6_str(dip6)}:{_u16(s, V6_DPORT)}")
        if l4 == L4_ICMP:
            if mapped:
                return f"{ipv4_str(sip6[12:16])}->{ipv4_str(dip6[12:16])}"
            return f"{ipv6_str(sip6)}->{ipv6_str(dip6)}"
        return "<unknown>"
    return ""


def is_bound_to_port(table: Iterable[FdInfo], port: int) -> bool:
    """Some IPv4 socket of the table has ``port`` as destination, or a v4 server binds it."""
    for f in table:
        if f.type == FdType.IPV4_SOCK:
            if _u16(f.sock, V4_DPORT) == port:
                return True
        elif f.type == FdType.IPV4_SERVSOCK and _u16(f.sock, V4S_PORT) == port:
            return True
    return False


def uses_client_port(table: Iterable[FdInfo], port: int) -> bool:
    return any(f.type == FdType.IPV4_SOCK and _u16(f.sock, V4_SPORT) == port for f in table)


def guess_role(table: dict[int, FdInfo], fdi: FdInfo, incoming: bool) -> None:
    """``set_net_role_by_guessing``: server if this process owns the destination port and
    does not also use the source port as a client port; otherwise guess from direction.
    (The ports are read from the IPv4 member even for IPv6 sockets, as libsinsp does.)"""
    values = table.values()
    if is_bound_to_port(values, _u16(fdi.sock, V4_DPORT)):
        if uses_client_port(values, _u16(fdi.sock, V4_SPORT)):
            if fdi.is_role_none:
                fdi.flags |= FLAG_ROLE_SERVER if incoming else FLAG_ROLE_CLIENT
            return
        fdi.flags |= FLAG_ROLE_SERVER
    else:
        fdi.flags |= FLAG_ROLE_CLIENT


class NetworkInterfaces:
    """The interface addresses of the capture, for guessing a socket's unknown local end."""

    __slots__ = ("v4", "v6")

    def __init__(self, interfaces: Iterable[Interface] = ()) -> None:
        self.v4: list[tuple[int, int]] = []        # (addr, netmask) as little-endian u32
        self.v6: list[bytes] = []
        for it in interfaces:
            if it.type in (1, 3):
                self.v4.append((int.from_bytes(it.addr, "little"),
                                int.from_bytes(it.netmask, "little")))
            elif it.type in (2, 4):
                self.v6.append(bytes(it.addr))

    def infer_ipv4(self, dest: int) -> int:
        for addr, _ in self.v4:
            if addr == dest:
                return addr
        for addr, mask in self.v4:
            if addr & mask == dest & mask:
                return addr
        loop = int.from_bytes(_LOOPBACK4, "little")
        for addr, _ in self.v4:
            if addr != loop:
                return addr
        return 0

    def infer_ipv6(self, dest: bytes) -> bytes:
        for net in self.v6:
            if net == dest:
                return net
        for net in self.v6:
            if net[:8] == dest[:8]:
                return net
        for net in self.v6:
            if net != _LOOPBACK6:
                return net
        return _ZERO16

    def update_fd(self, fdi: FdInfo) -> None:
        """Fill a zero source (or destination) address of an IP socket from the interfaces."""
        s = fdi.sock
        if fdi.type == FdType.IPV4_SOCK:
            sip = int.from_bytes(s[0:4], "little")
            dip = int.from_bytes(s[4:8], "little")
            if sip and dip:
                return
            same_ports = _u16(s, V4_SPORT) == _u16(s, V4_DPORT)
            if sip == 0:
                new = self.infer_ipv4(dip)
                if new == dip and same_ports:
                    return
                s[0:4] = new.to_bytes(4, "little")
            else:
                new = self.infer_ipv4(sip)
                if new == sip and same_ports:
                    return
                s[4:8] = new.to_bytes(4, "little")
        elif fdi.type == FdType.IPV6_SOCK:
            sip6, dip6 = bytes(s[0:16]), bytes(s[16:32])
            if sip6 != _ZERO16 and dip6 != _ZERO16:
                return
            same_ports = _u16(s, V6_SPORT) == _u16(s, V6_DPORT)
            if sip6 == _ZERO16:
                new6 = self.infer_ipv6(dip6)
                if new6 == dip6 and same_ports:
                    return
                s[0:16] = new6
            else:
                new6 = self.infer_ipv6(sip6)
                if new6 == sip6 and same_ports:
                    return
                s[16:32] = new6

