"""Block ids and the header blocks of a capture (machine, processes, fds, interfaces, users).

Every block is ``u32 type, u32 total_length, body, zero padding to 4, u32 total_length``. The
header blocks are decoded into frozen records here; event blocks are framed by
:mod:`sysdive.scap.reader` and decoded lazily by :mod:`sysdive.event`.
"""

from __future__ import annotations

import struct
from dataclasses import field

from sysdive.errors import CorruptCaptureError
from sysdive.records import record

SHB = 0x0A0D0D0A
SHB_MAGIC = 0x1A2B3C4D
MI = 0x201
MI_INT = 0x8002ABCD
PL_V1, PL_V2, PL_V3 = 0x202, 0x207, 0x209
PL_V4, PL_V5, PL_V6, PL_V7, PL_V8, PL_V9 = 0x210, 0x211, 0x212, 0x213, 0x214, 0x215
PL_V1_INT, PL_V2_INT, PL_V3_INT = 0x8000ABCD, 0x8013ABCD, 0x8014ABCD
FDL, FDL_INT, FDL_V2 = 0x203, 0x8001ABCD, 0x218
EV, EV_INT, EV_V2, EV_V2_LARGE = 0x204, 0x8010ABCD, 0x216, 0x221
EVF, EVF_V2, EVF_V2_LARGE = 0x208, 0x217, 0x222
IL, IL_INT, IL_V2 = 0x205, 0x8011ABCD, 0x219
UL, UL_INT, UL_V2 = 0x206, 0x8012ABCD, 0x220

# Process-list versions by block id; the aliases of pre-release writers map to their version.
PL_VERSION = {
    PL_V1: 1, PL_V1_INT: 1, PL_V2: 2, PL_V2_INT: 2, PL_V3: 3, PL_V3_INT: 3,
    PL_V4: 4, PL_V5: 5, PL_V6: 6, PL_V7: 7, PL_V8: 8, PL_V9: 9,
}
EVENT_BLOCKS = frozenset({EV, EV_INT, EV_V2, EV_V2_LARGE, EVF, EVF_V2, EVF_V2_LARGE})
# Event blocks whose event header lacks the u32 nparams field (22 instead of 26 bytes).
V1_EVENT_BLOCKS = frozenset({EV, EV_INT, EVF})
FLAGGED_EVENT_BLOCKS = frozenset({EVF, EVF_V2, EVF_V2_LARGE})
LARGE_EVENT_BLOCKS = frozenset({EV_V2_LARGE, EVF_V2_LARGE})

# Limits that 0.29.3 enforces on header strings (SCAP_MAX_PATH_SIZE and friends).
MAX_PATH = 1024
MAX_ARGS = 4096

# scap_fd_type values, as stored in fd lists.
FD_FILE, FD_DIRECTORY, FD_IPV4_SOCK, FD_IPV6_SOCK = 1, 2, 3, 4
FD_IPV4_SERVSOCK, FD_IPV6_SERVSOCK, FD_FIFO, FD_UNIX_SOCK = 5, 6, 7, 8
FD_EVENT, FD_UNSUPPORTED, FD_SIGNALFD, FD_EVENTPOLL = 9, 10, 11, 12
FD_INOTIFY, FD_TIMERFD, FD_NETLINK, FD_FILE_V2 = 13, 14, 15, 16
_NAMED_FD_TYPES = frozenset({
    FD_FILE, FD_DIRECTORY, FD_FIFO, FD_EVENT, FD_UNSUPPORTED, FD_SIGNALFD, FD_EVENTPOLL,
    FD_INOTIFY, FD_TIMERFD, FD_NETLINK,
})


@record
class MachineInfo:
    num_cpus: int
    memory_size_bytes: int
    max_pid: int
    hostname: str
    reserved: tuple[int, int, int, int] = (0, 0, 0, 0)


@record
class ProcEntry:
    """One thread of the process list, with every field any PL version carries."""

    tid: int
    pid: int
    ptid: int
    comm: str
    exe: str
    args: bytes          # NUL-separated, without argv[0]
    cwd: str
    fdlimit: int
    flags: int
    uid: int
    gid: int
    sid: int = -1
    vpgid: int = -1
    exepath: str = ""
    vmsize_kb: int = 0
    vmrss_kb: int = 0
    vmswap_kb: int = 0
    pfmajor: int = 0
    pfminor: int = 0
    env: bytes = b""
    vtid: int = -1
    vpid: int = -1
    cgroups: bytes = b""
    root: str = ""
    loginuid: int = -1
    exe_writable: bool = False


@record
class FdEntry:
    """One fd of a thread's fd list. Addresses are raw network-order bytes; ports host order."""

    fd: int
    ino: int
    type: int
    name: str = ""
    sip: bytes = b""
    dip: bytes = b""
    sport: int = 0
    dport: int = 0
    l4proto: int = 0
    source: int = 0      # unix sockets: kernel pointers
    dest: int = 0
    open_flags: int = 0
    dev: int = 0


@record
class Interface:
    """An address of a network interface (``addr``/``netmask``/``bcast`` raw bytes)."""

    type: int            # 1 IPv4, 2 IPv6, 3/4 the same without link speed
    name: str
    addr: bytes
    netmask: bytes
    bcast: bytes
    linkspeed: int = 0


@record
class UserEntry:
    uid: int
    gid: int
    name: str
    homedir: str
    shell: str


@record
class GroupEntry:
    gid: int
    name: str


@record(frozen=False)
class CaptureHeader:
    """Everything the header blocks of one section say (mutable while the section is read)."""

    version: tuple[int, int] = (1, 2)
    machine: MachineInfo | None = None
    procs: dict[int, ProcEntry] = field(default_factory=dict)
    fds: dict[int, dict[int, FdEntry]] = field(default_factory=dict)
    interfaces: list[Interface] = field(default_factory=list)
    users: dict[int, UserEntry] = field(default_factory=dict)
    groups: dict[int, GroupEntry] = field(default_factory=dict)


class _Cursor:
    """Sequential little-endian reads within one block body, with damage offsets."""

    __slots__ = ("base", "buf", "end", "pos")

    def __init__(self, buf: bytes, pos: int, end: int, base: int) -> None:
        self.buf, self.pos, self.end, self.base = buf, pos, end, base

    def fail(self, what: str) -> CorruptCaptureError:
        return CorruptCaptureError(what, self.base + self.pos)

    def take(self, n: int) -> bytes:
        if self.pos + n > self.end:
            raise self.fail(f"truncated block: wanted {n} bytes, {self.end - self.pos} left")
        data = self.buf[self.pos : self.pos + n]
        self.pos += n
        return data

    def unpack(self, fmt: struct.Struct) -> tuple[int, ...]:
        if self.pos + fmt.size > self.end:
            raise self.fail(f"truncated block: wanted {fmt.size} bytes, {self.end - self.pos} left")
        vals = fmt.unpack_from(self.buf, self.pos)
        self.pos += fmt.size
        return vals

    def u8(self) -> int:
        return self.unpack(_U8)[0]

    def u16(self) -> int:
        return self.unpack(_U16)[0]

    def u32(self) -> int:
        return self.unpack(_U32)[0]

    def i32(self) -> int:
        return self.unpack(_I32)[0]

    def u64(self) -> int:
        return self.unpack(_U64)[0]

    def i64(self) -> int:
        return self.unpack(_I64)[0]

    def string(self, limit: int, what: str) -> bytes:
        n = self.u16()
        if n > limit:
            raise self.fail(f"invalid {what} length {n}")
        return self.take(n)

    @property
    def left(self) -> int:
        return self.end - self.pos


_U8, _U16, _U32, _I32 = struct.Struct("<B"), struct.Struct("<H"), struct.Struct("<I"), struct.Struct("<i")
_U64, _I64 = struct.Struct("<Q"), struct.Struct("<q")
_MI = struct.Struct("<IQQ128s4Q")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def parse_machine_info(buf: bytes, pos: int, end: int, base: int) -> MachineInfo:
    cur = _Cursor(buf, pos, end, base)
    ncpu, mem, maxpid, host, r0, r1, r2, r3 = cur.unpack(_MI)
    return MachineInfo(ncpu, mem, maxpid, _text(bytes(host).split(b"\0", 1)[0]), (r0, r1, r2, r3))


def parse_proclist(buf: bytes, pos: int, end: int, base: int, version: int, out: CaptureHeader) -> None:
    cur = _Cursor(buf, pos, end, base)
    while cur.left >= 4:
        start = cur.pos
        sub_len = cur.u32() if version >= 9 else 0
        tid, pid, ptid = cur.i64(), cur.i64(), cur.i64()
        sid = cur.i64() if version >= 6 else -1
        vpgid = cur.i64() if version >= 8 else -1
        comm = _text(cur.string(MAX_PATH, "comm"))
        exe = _text(cur.string(MAX_PATH, "exe"))
        exepath = _text(cur.string(MAX_PATH, "exepath")) if version >= 7 else ""
        args = cur.string(MAX_ARGS, "args")
        cwd = _text(cur.string(MAX_PATH, "cwd"))
        fdlimit, flags, uid, gid = cur.i64(), cur.u32(), cur.u32(), cur.u32()
        vmsize = vmrss = vmswap = pfmajor = pfminor = 0
        env = cgroups = b""
        vtid = vpid = -1
        root = ""
        if version >= 2:
            vmsize, vmrss, vmswap = cur.u32(), cur.u32(), cur.u32()
            pfmajor, pfminor = cur.u64(), cur.u64()
            if version >= 3:
                env = cur.string(MAX_ARGS, "env")
            if version >= 4:
                vtid, vpid = cur.i64(), cur.i64()
                cgroups = cur.string(MAX_ARGS, "cgroups")
                if version >= 5:
                    root = _text(cur.string(MAX_PATH, "root"))
        loginuid, exe_writable = -1, False
        if sub_len and cur.pos - start + 4 <= sub_len:
            loginuid = cur.i32()
        if sub_len and cur.pos - start + 1 <= sub_len:
            exe_writable = bool(cur.u8())
        if sub_len:
            consumed = cur.pos - start
            if consumed > sub_len:
                raise CorruptCaptureError(
                    f"process list entry longer ({consumed}) than its length {sub_len}", base + start)
            cur.take(sub_len - consumed)
        out.procs[tid] = ProcEntry(
            tid, pid, ptid, comm, exe, args, cwd, fdlimit, flags, uid, gid, sid, vpgid, exepath,
            vmsize, vmrss, vmswap, pfmajor, pfminor, env, vtid, vpid, cgroups, root, loginuid,
            exe_writable)


def parse_fdlist(buf: bytes, pos: int, end: int, base: int, v2: bool, out: CaptureHeader) -> None:
    cur = _Cursor(buf, pos, end, base)
    tid = cur.i64()
    if tid not in out.procs:
        raise CorruptCaptureError(f"fd list references thread {tid}, which is not in the process list",
                                  base + pos)
    table = out.fds.setdefault(tid, {})
    while cur.left >= 4:
        start = cur.pos
        sub_len = cur.u32() if v2 else 0
        fd, ino, ftype = cur.i64(), cur.u64(), cur.u8()
        entry: FdEntry
        if ftype == FD_IPV4_SOCK:
            sip, dip = cur.take(4), cur.take(4)
            sport, dport, l4 = cur.u16(), cur.u16(), cur.u8()
            entry = FdEntry(fd, ino, ftype, sip=sip, dip=dip, sport=sport, dport=dport, l4proto=l4)
        elif ftype == FD_IPV4_SERVSOCK:
            ip = cur.take(4)
            port, l4 = cur.u16(), cur.u8()
            entry = FdEntry(fd, ino, ftype, sip=ip, sport=port, l4proto=l4)
        elif ftype == FD_IPV6_SOCK:
            sip, dip = cur.take(16), cur.take(16)
            sport, dport, l4 = cur.u16(), cur.u16(), cur.u8()
            entry = FdEntry(fd, ino, ftype, sip=sip, dip=dip, sport=sport, dport=dport, l4proto=l4)
        elif ftype == FD_IPV6_SERVSOCK:
            ip = cur.take(16)
            port, l4 = cur.u16(), cur.u8()
            entry = FdEntry(fd, ino, ftype, sip=ip, sport=port, l4proto=l4)
        elif ftype == FD_UNIX_SOCK:
            src, dst = cur.u64(), cur.u64()
            name = _text(cur.string(MAX_PATH, "fd name"))
            entry = FdEntry(fd, ino, ftype, name=name, source=src, dest=dst)
        elif ftype == FD_FILE_V2:
            oflags = cur.u32()
            name = _text(cur.string(MAX_PATH, "fd name"))
            dev = 0
            if sub_len and sub_len >= cur.pos - start + 4:
                dev = cur.u32()
            entry = FdEntry(fd, ino, ftype, name=name, open_flags=oflags, dev=dev)
        elif ftype in _NAMED_FD_TYPES:
            entry = FdEntry(fd, ino, ftype, name=_text(cur.string(MAX_PATH, "fd name")))
        else:
            raise CorruptCaptureError(f"fd list entry has unknown fd type {ftype}", base + start)
        if sub_len:
            consumed = cur.pos - start
            if consumed > sub_len:
                raise CorruptCaptureError(f"fd entry longer than its length {sub_len}", base + start)
            cur.take(sub_len - consumed)
        table[fd] = entry


def parse_iflist(buf: bytes, pos: int, end: int, base: int, v2: bool, out: CaptureHeader) -> None:
    cur = _Cursor(buf, pos, end, base)
    out.interfaces.clear()
    while cur.left >= 4:
        start = cur.pos
        entry_len = cur.u32() + 4 if v2 else 0
        iftype, namelen = cur.u16(), cur.u16()
        if iftype in (1, 3):
            addr, mask, bcast = cur.take(4), cur.take(4), cur.take(4)
        elif iftype in (2, 4):
            addr, mask, bcast = cur.take(16), cur.take(16), cur.take(16)
        else:
            raise CorruptCaptureError(f"interface list entry has unknown type {iftype}", base + start)
        speed = cur.u64() if iftype in (1, 2) else 0
        name = _text(cur.take(namelen))
        if entry_len:
            consumed = cur.pos - start
            if consumed > entry_len:
                raise CorruptCaptureError("interface entry longer than its length", base + start)
            cur.take(entry_len - consumed)
        out.interfaces.append(Interface(iftype, name, addr, mask, bcast, speed))


def parse_userlist(buf: bytes, pos: int, end: int, base: int, v2: bool, out: CaptureHeader) -> None:
    cur = _Cursor(buf, pos, end, base)
    out.users.clear()
    out.groups.clear()
    while cur.left >= 4:
        start = cur.pos
        sub_len = cur.u32() if v2 else 0
        kind = cur.u8()
        if kind == 0:
            uid, gid = cur.u32(), cur.u32()
            name = _text(cur.string(255, "user name"))
            home = _text(cur.string(255, "home directory"))
            shell = _text(cur.string(255, "shell"))
            out.users[uid] = UserEntry(uid, gid, name, home, shell)
        else:
            gid = cur.u32()
            out.groups[gid] = GroupEntry(gid, _text(cur.string(255, "group name")))
        if sub_len:
            consumed = cur.pos - start
            if consumed > sub_len:
                raise CorruptCaptureError("user list entry longer than its length", base + start)
            cur.take(sub_len - consumed)
