"""The fd table's records: one :class:`FdInfo` per open fd of a process.

Socket addresses live in ``sock``, a 40-byte image of libsinsp's ``sinsp_sockinfo`` *union*
(IPv4 tuple, IPv6 tuple, IPv4/IPv6 server address and unix tuple all overlap). sysdig reads
and writes that union through whichever member the code path picks, sometimes not the one
matching the fd type (a bound UDP socket later used with sendto, the IPv4-mapped branch of the
tuple printer), and the bytes it then sees show up in fd names. Keeping the same overlapping
layout is the only way to print the same names, so the parser writes through the offsets
below and the read-only properties (``sip``, ``sport``...) decode the member that matches
``type``, which is what the ``fd.*`` fields want.
"""

from __future__ import annotations

import struct
from enum import IntEnum


class FdType(IntEnum):
    """scap_fd_type: the kind of object behind an fd (1..16 are stored in captures)."""

    UNINITIALIZED = -1
    UNKNOWN = 0
    FILE = 1
    DIRECTORY = 2
    IPV4_SOCK = 3
    IPV6_SOCK = 4
    IPV4_SERVSOCK = 5
    IPV6_SERVSOCK = 6
    FIFO = 7
    UNIX_SOCK = 8
    EVENT = 9
    UNSUPPORTED = 10
    SIGNALFD = 11
    EVENTPOLL = 12
    INOTIFY = 13
    TIMERFD = 14
    NETLINK = 15
    FILE_V2 = 16


# The one-letter type shown in ``<f>`` annotations and by fd.typechar (CHAR_FD_*); types
# without a letter print '?'.
TYPECHAR: dict[int, str] = {
    FdType.FILE: "f", FdType.FILE_V2: "f", FdType.DIRECTORY: "d", FdType.IPV4_SOCK: "4",
    FdType.IPV6_SOCK: "6", FdType.IPV4_SERVSOCK: "4", FdType.IPV6_SERVSOCK: "6",
    FdType.FIFO: "p", FdType.UNIX_SOCK: "u", FdType.EVENT: "e", FdType.UNSUPPORTED: "X",
    FdType.SIGNALFD: "s", FdType.EVENTPOLL: "l", FdType.INOTIFY: "i", FdType.TIMERFD: "t",
    FdType.NETLINK: "n", FdType.UNKNOWN: "o",
}

# fd.type strings; types not listed print "<NA>".
TYPENAME: dict[int, str] = {
    FdType.FILE: "file", FdType.FILE_V2: "file", FdType.DIRECTORY: "directory",
    FdType.IPV4_SOCK: "ipv4", FdType.IPV6_SOCK: "ipv6", FdType.IPV4_SERVSOCK: "ipv4",
    FdType.IPV6_SERVSOCK: "ipv6", FdType.FIFO: "pipe", FdType.UNIX_SOCK: "unix",
    FdType.EVENT: "event", FdType.SIGNALFD: "signalfd", FdType.EVENTPOLL: "eventpoll",
    FdType.INOTIFY: "inotify", FdType.TIMERFD: "timerfd", FdType.NETLINK: "netlink",
}

# scap_l4_proto
L4_UNKNOWN, L4_NA, L4_TCP, L4_UDP, L4_ICMP, L4_RAW = 0, 1, 2, 3, 4, 5
L4CHAR = {L4_TCP: "t", L4_UDP: "u", L4_ICMP: "i", L4_RAW: "r"}

# sinsp_fdinfo flags (bit values as in libsinsp; they never leave the process).
FLAG_FROM_PROC = 1 << 0
FLAG_ROLE_CLIENT = 1 << 2
FLAG_ROLE_SERVER = 1 << 3
FLAG_CLOSE_IN_PROGRESS = 1 << 4
FLAG_CLOSE_CANCELED = 1 << 5
FLAG_IS_SOCKET_PIPE = 1 << 6
FLAG_IS_TRACER_FILE = 1 << 7
FLAG_IS_TRACER_FD = 1 << 8
FLAG_IS_NOT_TRACER_FD = 1 << 9
FLAG_SOCKET_CONNECTED = 1 << 13
FLAG_IS_CLONED = 1 << 14
FLAG_CONNECTION_PENDING = 1 << 15
FLAG_CONNECTION_FAILED = 1 << 16
ROLE_MASK = FLAG_ROLE_CLIENT | FLAG_ROLE_SERVER

# Offsets inside the sockinfo union (natural alignment, as the C compiler lays it out).
SOCK_SIZE = 40
V4_SIP, V4_DIP, V4_SPORT, V4_DPORT, V4_L4 = 0, 4, 8, 10, 12
V6_SIP, V6_DIP, V6_SPORT, V6_DPORT, V6_L4 = 0, 16, 32, 34, 36
V4S_IP, V4S_PORT, V4S_L4 = 0, 4, 6
V6S_IP, V6S_PORT, V6S_L4 = 0, 16, 18
UNIX_SRC, UNIX_DST = 0, 8

U16 = struct.Struct("<H")
U64 = struct.Struct("<Q")


def _u16(b: bytearray, off: int) -> int:
    v: int = U16.unpack_from(b, off)[0]
    return v


def _u64(b: bytearray, off: int) -> int:
    v: int = U64.unpack_from(b, off)[0]
    return v


class FdInfo:
    """An open fd (``sinsp_fdinfo``). ``sock`` is the raw socket union, see the module doc."""

    __slots__ = ("dev", "fd", "flags", "ino", "mount_id", "name", "oldname", "openflags",
                 "sock", "type")

    def __init__(self, fd: int, ftype: int, name: str = "") -> None:
        self.fd = fd
        self.type = ftype
        self.name = name
        self.oldname = ""
        self.openflags = 0
        self.flags = 0
        self.dev = 0
        self.mount_id = 0
        self.ino = 0
        self.sock = bytearray(SOCK_SIZE)

    # -- copies ---------------------------------------------------------------------------

    def copy(self) -> FdInfo:
        """A deep copy (the C++ struct copy)."""
        c = FdInfo(self.fd, self.type, self.name)
        c.assign(self)
        return c

    def assign(self, other: FdInfo) -> None:
        """Overwrite every field with ``other``'s, keeping this object's identity."""
        self.type = other.type
        self.openflags = other.openflags
        self.sock = bytearray(other.sock)
        self.name = other.name
        self.oldname = other.oldname
        self.flags = other.flags
        self.dev = other.dev
        self.mount_id = other.mount_id
        self.ino = other.ino

    # -- type and role --------------------------------------------------------------------

    @property
    def typechar(self) -> str:
        """fd.typechar: one letter for the type ('?' for types without one)."""
        return TYPECHAR.get(self.type, "?")

    @property
    def typestring(self) -> str:
        """fd.type: "file", "ipv4", ... or "<NA>"."""
        return TYPENAME.get(self.type, "<NA>")

    @property
    def is_socket(self) -> bool:
        return self.type in (FdType.IPV4_SOCK, FdType.IPV6_SOCK, FdType.IPV4_SERVSOCK,
                             FdType.IPV6_SERVSOCK, FdType.UNIX_SOCK)

    @property
    def is_file(self) -> bool:
        return self.type == FdType.FILE or self.type == FdType.FILE_V2

    @property
    def is_role_server(self) -> bool:
        return bool(self.flags & FLAG_ROLE_SERVER)

    @property
    def is_role_client(self) -> bool:
        return bool(self.flags & FLAG_ROLE_CLIENT)

    @property
    def is_role_none(self) -> bool:
        return not self.flags & ROLE_MASK

    @property
    def is_tcp_socket(self) -> bool:
        """libsinsp's test looks at the IPv4 member only: IPv6 sockets are never "TCP" here."""
        return self.type == FdType.IPV4_SOCK and self.sock[V4_L4] == L4_TCP

    @property
    def is_udp_socket(self) -> bool:
        return self.type == FdType.IPV4_SOCK and self.sock[V4_L4] == L4_UDP

    def set_socket_connected(self) -> None:
        self.flags = (self.flags & ~(FLAG_CONNECTION_PENDING | FLAG_CONNECTION_FAILED)) \
            | FLAG_SOCKET_CONNECTED

    # -- socket addresses, decoded for the member matching the type -----------------------

    @property
    def l4proto_raw(self) -> int:
        """The stored layer-4 protocol of the member matching the type (0 for non-sockets)."""
        t, s = self.type, self.sock
        if t == FdType.IPV4_SOCK:
            return s[V4_L4]
        if t == FdType.IPV6_SOCK:
            return s[V6_L4]
        if t == FdType.IPV4_SERVSOCK:
            return s[V4S_L4]
        if t == FdType.IPV6_SERVSOCK:
            return s[V6S_L4]
        return L4_UNKNOWN

    @property
    def l4proto(self) -> int:
        """``get_l4proto()``: client/unknown-role sockets without a role report L4_NA."""
        t = self.type
        if t == FdType.IPV4_SOCK or t == FdType.IPV6_SOCK:
            raw = self.l4proto_raw
            if raw == L4_RAW:
                return L4_RAW
            if self.is_role_none:
                return L4_NA
            return raw
        if t == FdType.IPV4_SERVSOCK or t == FdType.IPV6_SERVSOCK:
            return self.l4proto_raw
        return L4_NA

    @property
    def sip(self) -> bytes:
        """Source (client) address; for server sockets the bound address. Raw network order."""
        t, s = self.type, self.sock
        if t == FdType.IPV4_SOCK or t == FdType.IPV4_SERVSOCK:
            return bytes(s[0:4])
        if t == FdType.IPV6_SOCK or t == FdType.IPV6_SERVSOCK:
            return bytes(s[0:16])
        return b""

    @property
    def dip(self) -> bytes:
        """Destination (server) address of a connected socket."""
        t, s = self.type, self.sock
        if t == FdType.IPV4_SOCK:
            return bytes(s[V4_DIP:V4_DIP + 4])
        if t == FdType.IPV6_SOCK:
            return bytes(s[V6_DIP:V6_DIP + 16])
        return b""

    @property
    def sport(self) -> int:
        """Source port; for server sockets the bound port."""
        t, s = self.type, self.sock
        if t == FdType.IPV4_SOCK:
            return _u16(s, V4_SPORT)
        if t == FdType.IPV6_SOCK:
            return _u16(s, V6_SPORT)
        if t == FdType.IPV4_SERVSOCK:
            return _u16(s, V4S_PORT)
        if t == FdType.IPV6_SERVSOCK:
            return _u16(s, V6S_PORT)
        return 0

    @property
    def dport(self) -> int:
        t, s = self.type, self.sock
        if t == FdType.IPV4_SOCK:
            return _u16(s, V4_DPORT)
        if t == FdType.IPV6_SOCK:
            return _u16(s, V6_DPORT)
        return 0

    @property
    def source(self) -> int:
        """Unix sockets: the kernel pointer of this end."""
        return _u64(self.sock, UNIX_SRC) if self.type == FdType.UNIX_SOCK else 0

    @property
    def dest(self) -> int:
        """Unix sockets: the kernel pointer of the peer."""
        return _u64(self.sock, UNIX_DST) if self.type == FdType.UNIX_SOCK else 0

    def __repr__(self) -> str:
        try:
            tname = FdType(self.type).name
        except ValueError:
            tname = str(self.type)
        return f"FdInfo({self.fd}, {tname}, {self.name!r})"
