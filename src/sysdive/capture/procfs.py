"""A snapshot of the running system as capture header records (what libscap scans at start).

The header of a live capture tells readers which processes, threads and fds existed before
the first event, so that ``sysdig -r`` and ``sysdive -r`` can name them. Each value is taken
the way libscap 0.29.3 takes it from /proc (``scap_procs.c``, ``scap_fds.c``,
``scap_iflist.c``), so both readers see what a sysdig live capture would have recorded:

* processes and threads from ``/proc/PID`` and ``/proc/PID/task/TID``; kernel threads (no exe,
  no cmdline) are left out; comm is the first word of ``status: Name`` (libscap reads it with
  ``%s``); exe is argv[0]; args the rest of the cmdline; uid/gid the effective ids;
* fds of main threads only, typed by ``stat`` of ``/proc/PID/fd/N``; sockets are looked up by
  inode in ``/proc/PID/net/{tcp,udp,raw,unix,netlink,tcp6,udp6,raw6}`` and skipped when not
  found there; anonymous inodes are typed by their link name and get no name;
* users and groups from the NSS databases, interfaces from ``getifaddrs``.

Races (a process exiting mid-scan) make the affected entry disappear, never the scan fail.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import grp
import os
import pwd
import resource
import socket
import stat
import struct
from collections.abc import Iterator
from pathlib import Path

from sysdive.scap import blocks as B

__all__ = ["scan_header", "scan_interfaces", "scan_machine", "scan_processes"]

PROC = Path("/proc")
_MAX_ARGS = 4096  # SCAP_MAX_ARGS_SIZE / SCAP_MAX_ENV_SIZE
_THREAD_FLAGS = 8192 | 1  # PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES, libscap's guess for threads
_L4_TCP, _L4_UDP, _L4_RAW = 2, 3, 5

# Linux open flags -> PPM_O_* (fdinfo "flags:" is octal Linux flags)
_OPEN_FLAG_BITS = (
    (0o100, 4), (0o20200000, 8192), (0o2000, 8), (0o10000, 16), (0o200, 32), (0o4000, 64),
    (0o4010000, 128), (0o1000, 256), (0o40000, 512), (0o200000, 1024), (0o100000, 2048),
    (0o2000000, 4096),
)


def open_flags_to_ppm(flags: int) -> int:
    """Linux open(2) flags in PPM form, bit by bit as the 0.29.3 drivers convert them."""
    acc = flags & 3
    out = 2 if acc == 1 else 3 if acc == 2 else 1
    for linux, ppm in _OPEN_FLAG_BITS:
        if flags & linux:  # multi-bit constants (O_SYNC, O_TMPFILE): any bit counts
            out |= ppm
    return out


def _read(path: Path, limit: int = 1 << 20) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read(limit)
    except OSError:
        return None


def _readlink(path: Path) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def _status_fields(raw: bytes) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in raw.decode("utf-8", "surrogateescape").splitlines():
        key, sep, rest = line.partition(":")
        if sep:
            out[key] = rest.split()
    return out


def _second_or(values: list[str] | None, default: int) -> int:
    # NSpid/NStgid/NSpgid: the id in the innermost namespace is the second value, if any
    return int(values[1]) if values and len(values) > 1 else default


def _cgroup_version() -> int:
    raw = _read(PROC / "filesystems") or b""
    if b"cgroup2" in raw:
        return 2
    return 1 if b"cgroup" in raw else 0


def _cgroups(raw: bytes, version: int) -> bytes:
    """``subsys=path`` entries, NUL-separated, from /proc/PID/cgroup."""
    parts: list[bytes] = []
    for line in raw.splitlines():
        hid, _, rest = line.partition(b":")
        subsys, _, path = rest.partition(b":")
        if not subsys:
            if version == 2 and hid == b"0":
                subsys = b"cpu,memory,cpuset"  # libscap's stand-in for the unified hierarchy
            else:
                continue
        for name in subsys.split(b","):
            parts.append(name + b"=" + path + b"\0")
    out = b"".join(parts)
    return out[:_MAX_ARGS]


def _exe_writable(root: str, exepath: str, uid: int, gid: int) -> bool:
    """Whether uid/gid may write the executable (owner, then mode bits, root's override)."""
    try:
        st = os.stat(root.rstrip("/") + exepath) if exepath else None
    except OSError:
        return False
    if st is None:
        return False
    if st.st_uid == uid:
        return True
    mode = st.st_mode
    if uid == 0:
        return True  # CAP_DAC_OVERRIDE (read-only file systems aside)
    if st.st_gid == gid:
        return bool(mode & stat.S_IWGRP)
    return bool(mode & stat.S_IWOTH)


def _thread_entry(tid: int, d: Path, cg_version: int) -> B.ProcEntry | None:
    exepath = _readlink(d / "exe")
    cmdline = _read(d / "cmdline", _MAX_ARGS - 1)
    if exepath is None and not cmdline:
        return None  # a kernel thread
    status = _read(d / "status")
    statline = _read(d / "stat")
    if status is None or statline is None:
        return None  # exited meanwhile
    # libscap drops a process whose cwd it cannot read; naming its events matters more, so
    # keep it with an empty cwd (init in a microVM hides its cwd and exe even from root)
    cwd = _readlink(d / "cwd") or ""
    fields = _status_fields(status)
    name = fields.get("Name") or [""]
    pid = int((fields.get("Tgid") or [str(tid)])[0])
    after = statline[statline.rfind(b")") + 2 :].split()
    pgid, sid = int(after[2]), int(after[3])
    pfminor, pfmajor = int(after[7]), int(after[9])
    exe, args = b"", b""
    if cmdline:
        exe, nul, args = cmdline.partition(b"\0")
        if not nul:
            args = b""
    env = _read(d / "environ", _MAX_ARGS) or b""
    if env:
        env = env[:-1] + b"\0"
    uid = int((fields.get("Uid") or ["0", "0"])[1])
    gid = int((fields.get("Gid") or ["0", "0"])[1])
    root = _readlink(d / "root") or "/"
    try:
        loginuid = int((_read(d / "loginuid") or b"-1").strip() or b"-1")
    except ValueError:
        loginuid = -1
    if loginuid >= 1 << 31:
        loginuid -= 1 << 32
    try:
        fdlimit = resource.prlimit(tid, resource.RLIMIT_NOFILE)[0]
    except OSError:
        fdlimit = -1
    return B.ProcEntry(
        tid=tid, pid=pid, ptid=int((fields.get("PPid") or ["0"])[0]),
        comm=name[0], exe=exe.decode("utf-8", "surrogateescape"), args=args,
        cwd=cwd, fdlimit=fdlimit, flags=0 if tid == pid else _THREAD_FLAGS, uid=uid, gid=gid,
        sid=sid, vpgid=_second_or(fields.get("NSpgid"), pgid), exepath=exepath or "",
        vmsize_kb=int((fields.get("VmSize") or ["0"])[0]),
        vmrss_kb=int((fields.get("VmRSS") or ["0"])[0]),
        vmswap_kb=int((fields.get("VmSwap") or ["0"])[0]),
        pfmajor=pfmajor, pfminor=pfminor, env=env,
        vtid=_second_or(fields.get("NSpid"), tid), vpid=_second_or(fields.get("NStgid"), pid),
        cgroups=_cgroups(_read(d / "cgroup") or b"", cg_version), root=root,
        loginuid=loginuid, exe_writable=_exe_writable(root, exepath or "", uid, gid),
    )


# ---- sockets -----------------------------------------------------------------------------------
def _hex_ip4(text: str) -> bytes:
    return struct.pack("<I", int(text, 16))  # /proc prints the network-order word in host order


def _hex_ip6(text: str) -> bytes:
    return b"".join(struct.pack("<I", int(text[i : i + 8], 16)) for i in range(0, 32, 8))


def _inet_sockets(path: Path, l4: int, v6: bool, out: dict[int, B.FdEntry]) -> None:
    raw = _read(path, 64 << 20)
    if not raw:
        return
    for line in raw.decode().splitlines()[1:]:
        cols = line.split()
        if len(cols) < 10:
            continue
        (lip, lport), (rip, rport) = cols[1].split(":"), cols[2].split(":")
        ino = int(cols[9])
        conv = _hex_ip6 if v6 else _hex_ip4
        sip, dip = conv(lip), conv(rip)
        if int(rip, 16) == 0:
            out[ino] = B.FdEntry(0, ino, B.FD_IPV6_SERVSOCK if v6 else B.FD_IPV4_SERVSOCK,
                                 sip=sip, sport=int(lport, 16), l4proto=l4)
        else:
            out[ino] = B.FdEntry(0, ino, B.FD_IPV6_SOCK if v6 else B.FD_IPV4_SOCK, sip=sip,
                                 dip=dip, sport=int(lport, 16), dport=int(rport, 16),
                                 l4proto=l4)


def _unix_sockets(path: Path, out: dict[int, B.FdEntry]) -> None:
    raw = _read(path, 64 << 20)
    if not raw:
        return
    for line in raw.decode("utf-8", "surrogateescape").splitlines()[1:]:
        cols = line.split(None, 7)
        if len(cols) < 7:
            continue
        ino = int(cols[6])
        name = cols[7] if len(cols) > 7 else ""
        out[ino] = B.FdEntry(0, ino, B.FD_UNIX_SOCK, name=name,
                             source=int(cols[0].rstrip(":"), 16))


def _netlink_sockets(path: Path, out: dict[int, B.FdEntry]) -> None:
    raw = _read(path, 64 << 20)
    if not raw:
        return
    for line in raw.decode().splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 10:
            ino = int(cols[9])
            out[ino] = B.FdEntry(0, ino, B.FD_UNIX_SOCK)  # libscap records netlink this way


def _sockets_of(pid_dir: Path) -> dict[int, B.FdEntry]:
    net = pid_dir / "net"
    out: dict[int, B.FdEntry] = {}
    _inet_sockets(net / "tcp", _L4_TCP, False, out)
    _inet_sockets(net / "udp", _L4_UDP, False, out)
    _inet_sockets(net / "raw", _L4_RAW, False, out)
    _unix_sockets(net / "unix", out)
    _netlink_sockets(net / "netlink", out)
    if (net / "tcp6").exists():
        _inet_sockets(net / "tcp6", _L4_TCP, True, out)
        _inet_sockets(net / "udp6", _L4_UDP, True, out)
        _inet_sockets(net / "raw6", _L4_RAW, True, out)
    return out


_ANON_TYPES = {
    "anon_inode:[eventfd]": B.FD_EVENT, "anon_inode:[signalfd]": B.FD_SIGNALFD,
    "anon_inode:[eventpoll]": B.FD_EVENTPOLL, "anon_inode:inotify": B.FD_INOTIFY,
    "anon_inode:[timerfd]": B.FD_TIMERFD,
}


def _fd_flags(pid_dir: Path, fd: int) -> int:
    for line in (_read(pid_dir / "fdinfo" / str(fd)) or b"").splitlines():
        if line.startswith(b"flags:"):
            return open_flags_to_ppm(int(line.split()[1], 8))
    return 0


def _fds(pid_dir: Path, sockets_by_ns: dict[str, dict[int, B.FdEntry]]) -> dict[int, B.FdEntry]:
    out: dict[int, B.FdEntry] = {}
    try:
        names = os.listdir(pid_dir / "fd")
    except OSError:
        return out
    for entry in names:
        if not entry.isdigit():
            continue
        fd = int(entry)
        link = pid_dir / "fd" / entry
        target = _readlink(link)
        try:
            st = os.stat(link)
        except OSError:
            continue
        if target is None:
            continue
        fmt = stat.S_IFMT(st.st_mode)
        if fmt == stat.S_IFIFO:
            ino = int(target[6:-1]) if target.startswith("pipe:[") else st.st_ino
            out[fd] = B.FdEntry(fd, ino, B.FD_FIFO, name=target)
        elif fmt in (stat.S_IFREG, stat.S_IFBLK, stat.S_IFCHR, stat.S_IFLNK):
            out[fd] = B.FdEntry(fd, st.st_ino, B.FD_FILE_V2, name=target,
                                open_flags=_fd_flags(pid_dir, fd))
        elif fmt == stat.S_IFDIR:
            out[fd] = B.FdEntry(fd, st.st_ino, B.FD_DIRECTORY, name=target)
        elif fmt == stat.S_IFSOCK:
            ns = _readlink(pid_dir / "ns" / "net") or ""
            if ns not in sockets_by_ns:
                sockets_by_ns[ns] = _sockets_of(pid_dir)
            if not target.startswith("socket:["):
                out[fd] = B.FdEntry(fd, 0, B.FD_UNSUPPORTED, name=target)
                continue
            known = sockets_by_ns[ns].get(int(target[8:-1]))
            if known is not None:
                out[fd] = B.FdEntry(fd, known.ino, known.type, name=known.name, sip=known.sip,
                                    dip=known.dip, sport=known.sport, dport=known.dport,
                                    l4proto=known.l4proto, source=known.source,
                                    dest=known.dest)
        else:
            out[fd] = B.FdEntry(fd, st.st_ino, _ANON_TYPES.get(target, B.FD_UNSUPPORTED))
    return out


def _numeric_dirs(path: Path) -> Iterator[int]:
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        if name.isdigit():
            yield int(name)


def scan_processes(header: B.CaptureHeader, *, only_new: bool = False) -> None:
    """Fill ``header.procs`` and ``header.fds`` from /proc (threads included); with
    ``only_new``, read only the processes that ``header`` does not hold yet."""
    version = _cgroup_version()
    sockets_by_ns: dict[str, dict[int, B.FdEntry]] = {}
    for pid in sorted(_numeric_dirs(PROC)):
        if only_new and pid in header.procs:
            continue
        pid_dir = PROC / str(pid)
        for tid in sorted(_numeric_dirs(pid_dir / "task")):
            entry = _thread_entry(tid, pid_dir / "task" / str(tid), version)
            if entry is None:
                continue
            header.procs[tid] = entry
            if tid == entry.pid:
                header.fds[tid] = _fds(pid_dir, sockets_by_ns)


# ---- interfaces, users, machine -------------------------------------------------------------
class _IfAddrs(ctypes.Structure):
    pass


_IfAddrs._fields_ = [
    ("ifa_next", ctypes.POINTER(_IfAddrs)), ("ifa_name", ctypes.c_char_p),
    ("ifa_flags", ctypes.c_uint), ("ifa_addr", ctypes.c_void_p),
    ("ifa_netmask", ctypes.c_void_p), ("ifa_ifu", ctypes.c_void_p), ("ifa_data", ctypes.c_void_p),
]


def _sa_bytes(ptr: int | None, v6: bool) -> bytes:
    if not ptr:
        return b"\0" * (16 if v6 else 4)
    return ctypes.string_at(ptr + (8 if v6 else 4), 16 if v6 else 4)


def scan_interfaces() -> list[B.Interface]:
    """Every IPv4 then IPv6 address of every interface, as libscap lists them."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    head = ctypes.POINTER(_IfAddrs)()
    if libc.getifaddrs(ctypes.byref(head)) != 0:
        return []
    v4: list[B.Interface] = []
    v6: list[B.Interface] = []
    try:
        node = head
        while node:
            ifa = node.contents
            if ifa.ifa_addr:
                family = ctypes.c_uint16.from_address(ifa.ifa_addr).value
                name = (ifa.ifa_name or b"").decode("utf-8", "surrogateescape")
                if family == socket.AF_INET:
                    v4.append(B.Interface(1, name, _sa_bytes(ifa.ifa_addr, False),
                                          _sa_bytes(ifa.ifa_netmask, False),
                                          _sa_bytes(ifa.ifa_ifu, False)))
                elif family == socket.AF_INET6:
                    v6.append(B.Interface(2, name, _sa_bytes(ifa.ifa_addr, True),
                                          _sa_bytes(ifa.ifa_netmask, True),
                                          _sa_bytes(ifa.ifa_ifu, True)))
            node = ifa.ifa_next
    finally:
        libc.freeifaddrs(head)
    return v4 + v6


def scan_machine() -> B.MachineInfo:
    """CPU count, memory, pid_max and host name."""
    pid_max = int((_read(PROC / "sys/kernel/pid_max") or b"0").strip() or 0)
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return B.MachineInfo(os.sysconf("SC_NPROCESSORS_ONLN"), memory, pid_max,
                         socket.gethostname())


def scan_header() -> B.CaptureHeader:
    """The whole header a live capture starts with."""
    header = B.CaptureHeader(machine=scan_machine(), interfaces=scan_interfaces())
    for u in pwd.getpwall():
        header.users.setdefault(u.pw_uid, B.UserEntry(u.pw_uid, u.pw_gid, u.pw_name, u.pw_dir,
                                                      u.pw_shell))
    for g in grp.getgrall():
        header.groups.setdefault(g.gr_gid, B.GroupEntry(g.gr_gid, g.gr_name))
    scan_processes(header)
    return header
