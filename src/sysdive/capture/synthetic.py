"""Synthetic captures: build events and whole capture files in code, for tests and examples.

Events are named as in the schema and their params passed by name; each value is encoded as
its :class:`~sysdive.schema.types.ParamType` lays it out on the wire (integers at their width,
FD/PID/ERRNO as i64, CHARBUF/FSPATH NUL-terminated, BYTEBUF raw, SOCKADDR/SOCKTUPLE built
with the helpers below). Timestamps advance by themselves, so a story reads top to bottom::

    cap = SyntheticCapture(procs=[proc(100, "cat", args=["/etc/passwd"])])
    cap.syscall("open", 100, fd=3, name="/etc/passwd", flags=1, mode=0)
    cap.syscall("read", 100, fd=3, size=4096, res=5, data=b"root:")
    cap.write("cat.scap")

The files are written by :mod:`sysdive.scap.writer`, in the layout sysdig 0.29.3 reads.
"""

from __future__ import annotations

import gzip
import socket
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sysdive.scap import blocks as B
from sysdive.scap.writer import event_block, header_blocks
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS, event_ids_named
from sysdive.schema.types import EventFlag, EventInfo, ParamInfo, ParamType

__all__ = [
    "Params", "Raw", "SyntheticCapture", "SyntheticEvent", "Value", "encode_event", "encode_param",
    "fdlist", "file_fd", "listen_fd", "lookup", "params_of", "proc", "sockaddr_in", "sockaddr_in6",
    "sockaddr_un", "socktuple_in", "socktuple_in6", "socktuple_un", "tcp_fd",
]

PPM_AF_UNIX, PPM_AF_INET, PPM_AF_INET6 = 1, 2, 10
START_TS = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC: fixed, so output is stable
_T = ParamType
_HDR = struct.Struct("<QQIHI")
_WIDTH: dict[ParamType, int] = {
    _T.INT8: 1, _T.INT16: 2, _T.INT32: 4, _T.INT64: 8, _T.UINT8: 1, _T.UINT16: 2, _T.UINT32: 4,
    _T.UINT64: 8, _T.ERRNO: 8, _T.FD: 8, _T.PID: 8, _T.SYSCALLID: 2, _T.SIGTYPE: 1, _T.RELTIME: 8,
    _T.ABSTIME: 8, _T.PORT: 2, _T.L4PROTO: 1, _T.SOCKFAMILY: 1, _T.BOOL: 4, _T.FLAGS8: 1,
    _T.FLAGS16: 2, _T.FLAGS32: 4, _T.UID: 4, _T.GID: 4, _T.SIGSET: 4, _T.MODE: 4,
}
_STRINGS = frozenset({_T.CHARBUF, _T.FSPATH, _T.FSRELPATH})


@dataclass(frozen=True, slots=True)
class Raw:
    """Param bytes written as given, whatever the param type (for damaged or odd layouts)."""

    data: bytes


Value = int | float | str | bytes | Sequence[str] | Raw
"""What a param may be given as; see :func:`encode_param`."""
Params = Mapping[str, Value | None]
"""Params by name, as the event methods take them."""


# -- param encoding ---------------------------------------------------------------------------

def encode_param(ptype: ParamType, value: Value | None) -> bytes:
    """The wire bytes of one param; ``None`` gives the type's empty value.

    Integers wrap to the type's width (``fd=-1`` and ``flags=0xFFFFFFFF`` both work);
    strings are UTF-8. CHARBUF/FSPATH get their NUL; a BYTEBUF given a list of strings
    gets each NUL-terminated (execve ``args``/``env``). Address-like types take ``bytes``
    from the helpers below; IPV4ADDR/IPV6ADDR also take a dotted/colon string.
    """
    if isinstance(value, Raw):
        return value.data
    if ptype in _WIDTH:
        if value is None:
            value = 0
        if not isinstance(value, int):
            raise TypeError(f"a {ptype.name} param needs an int, not {value!r}")
        width = _WIDTH[ptype]
        return (value % (1 << (8 * width))).to_bytes(width, "little")
    if ptype in _STRINGS:
        if value is None:
            value = ""
        return _bytes(value, ptype) + b"\0"
    if ptype == _T.DOUBLE:
        if not isinstance(value, int | float | None):
            raise TypeError(f"a DOUBLE param needs a number, not {value!r}")
        return struct.pack("<d", value or 0.0)
    if ptype == _T.IPV4ADDR and isinstance(value, str):
        return socket.inet_aton(value)
    if ptype == _T.IPV6ADDR and isinstance(value, str):
        return socket.inet_pton(socket.AF_INET6, value)
    if ptype == _T.BYTEBUF and isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return b"".join(s.encode() + b"\0" for s in value)
    return b"" if value is None else _bytes(value, ptype)


def _bytes(value: Value, ptype: ParamType) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        return value
    raise TypeError(f"a {ptype.name} param needs str or bytes, not {value!r}")


def sockaddr_in(ip: str, port: int) -> bytes:
    """SOCKADDR of an IPv4 address (``1.2.3.4:80``)."""
    return bytes([PPM_AF_INET]) + socket.inet_aton(ip) + struct.pack("<H", port)


def sockaddr_in6(ip: str, port: int) -> bytes:
    """SOCKADDR of an IPv6 address."""
    return bytes([PPM_AF_INET6]) + socket.inet_pton(socket.AF_INET6, ip) + struct.pack("<H", port)


def sockaddr_un(path: str) -> bytes:
    """SOCKADDR of a unix socket path."""
    return bytes([PPM_AF_UNIX]) + path.encode() + b"\0"


def socktuple_in(sip: str, sport: int, dip: str, dport: int) -> bytes:
    """SOCKTUPLE of an IPv4 connection (source first, as the driver writes it)."""
    return (bytes([PPM_AF_INET]) + socket.inet_aton(sip) + struct.pack("<H", sport)
            + socket.inet_aton(dip) + struct.pack("<H", dport))


def socktuple_in6(sip: str, sport: int, dip: str, dport: int) -> bytes:
    """SOCKTUPLE of an IPv6 connection."""
    def a6(ip: str) -> bytes:
        return socket.inet_pton(socket.AF_INET6, ip)
    return (bytes([PPM_AF_INET6]) + a6(sip) + struct.pack("<H", sport) + a6(dip)
            + struct.pack("<H", dport))


def socktuple_un(source: int, dest: int, path: str) -> bytes:
    """SOCKTUPLE of a unix socket: kernel pointers of both ends and the path."""
    return bytes([PPM_AF_UNIX]) + struct.pack("<QQ", source, dest) + path.encode() + b"\0"


def fdlist(fds: Iterable[tuple[int, int]]) -> bytes:
    """FDLIST of (fd, poll flags) pairs (poll/ppoll ``fds``)."""
    items = list(fds)
    return struct.pack("<H", len(items)) + b"".join(struct.pack("<qh", fd, fl) for fd, fl in items)


# -- events -----------------------------------------------------------------------------------

def lookup(which: str | int) -> EventInfo:
    """An event row by id, ``PPME_*`` enumerator (prefix optional) or ``name_e``/``name_x``.

    A bare name ("open") gives the enter event of its newest version: the highest id with
    that name that is neither OLD_VERSION nor UNUSED (``accept`` → accept4, ``execve`` →
    EXECVE_19). Ask for an older layout by enumerator.
    """
    if isinstance(which, int):
        return EVENTS[which]
    for enum in (which, "PPME_" + which):
        if which.isupper() and enum in EVENT_BY_ENUM:
            return EVENT_BY_ENUM[enum]
    name, _, suffix = which.rpartition("_")
    if suffix not in ("e", "x") or not name:
        name, suffix = which, "e"
    skip = EventFlag.OLD_VERSION | EventFlag.UNUSED
    ids = [i for i in event_ids_named(name) if i % 2 == 0 and not EVENTS[i].flags & skip]
    if not ids:
        raise KeyError(f"no event named {which!r}")
    return EVENTS[max(ids) + (suffix == "x")]


def encode_event(info: EventInfo, tid: int, ts: int, params: Params) -> bytes:
    """One event in the v2 layout (26-byte header, length array, data).

    Every param the schema declares is written, in order; missing ones get their empty value.
    Unknown names raise :class:`ValueError`, so a typo does not go unnoticed.
    """
    known = {p.name for p in info.params}
    if unknown := set(params) - known:
        raise ValueError(f"{info.enum} has no param {sorted(unknown)}; it has {sorted(known)}")
    data = [encode_param(p.type, params.get(p.name)) for p in info.params]
    lens = struct.pack(f"<{len(data)}{'I' if info.large_payload else 'H'}",
                       *(len(d) for d in data))
    body = lens + b"".join(data)
    return _HDR.pack(ts, tid % (1 << 64), 26 + len(body), info.id, len(data)) + body


@dataclass(frozen=True, slots=True)
class SyntheticEvent:
    """One event as it will be written: the v2 event bytes, its cpu and dump flags."""

    info: EventInfo
    ts: int
    tid: int
    cpu: int
    dflags: int
    raw: bytes


# -- header helpers ---------------------------------------------------------------------------

def proc(tid: int, comm: str, *, pid: int | None = None, ptid: int = 1,
         exe: str | None = None, args: Sequence[str] = (), cwd: str = "/", uid: int = 0,
         gid: int = 0, exepath: str | None = None, vmsize_kb: int = 0, vmrss_kb: int = 0,
         env: Sequence[str] = (), cgroups: Sequence[str] = (), fdlimit: int = 1024,
         flags: int = 0) -> B.ProcEntry:
    """A process-list entry with sensible defaults (a main thread: ``pid`` = ``tid``)."""
    return B.ProcEntry(
        tid=tid, pid=tid if pid is None else pid, ptid=ptid, comm=comm,
        exe=comm if exe is None else exe, args=b"".join(a.encode() + b"\0" for a in args),
        cwd=cwd, fdlimit=fdlimit, flags=flags, uid=uid, gid=gid, sid=tid, vpgid=tid,
        exepath=exepath if exepath is not None else (exe or comm), vmsize_kb=vmsize_kb,
        vmrss_kb=vmrss_kb, env=b"".join(e.encode() + b"\0" for e in env),
        cgroups=b"".join(c.encode() + b"\0" for c in cgroups),
        vtid=tid, vpid=tid if pid is None else pid)


def file_fd(fd: int, path: str, open_flags: int = 1, ino: int = 0) -> B.FdEntry:
    """An open regular file of the fd list (``open_flags`` as PPM_O_*)."""
    return B.FdEntry(fd=fd, ino=ino, type=B.FD_FILE_V2, name=path, open_flags=open_flags)


def tcp_fd(fd: int, sip: str, sport: int, dip: str, dport: int, ino: int = 0) -> B.FdEntry:
    """A connected IPv4 TCP socket of the fd list."""
    return B.FdEntry(fd=fd, ino=ino, type=B.FD_IPV4_SOCK, sip=socket.inet_aton(sip),
                     dip=socket.inet_aton(dip), sport=sport, dport=dport, l4proto=2)


def listen_fd(fd: int, ip: str, port: int, ino: int = 0) -> B.FdEntry:
    """A listening IPv4 TCP socket of the fd list."""
    return B.FdEntry(fd=fd, ino=ino, type=B.FD_IPV4_SERVSOCK, sip=socket.inet_aton(ip),
                     sport=port, l4proto=2)


# -- the capture ------------------------------------------------------------------------------

class SyntheticCapture:
    """A capture built in code: header (machine, processes, fds, users) plus events.

    ``step_ns`` is how far the clock moves before each event unless told otherwise.
    """

    def __init__(self, *, machine: B.MachineInfo | None = None,
                 procs: Iterable[B.ProcEntry] = (),
                 fds: Mapping[int, Iterable[B.FdEntry]] | None = None,
                 users: Iterable[B.UserEntry] = (), groups: Iterable[B.GroupEntry] = (),
                 interfaces: Iterable[B.Interface] = (), start_ts: int = START_TS,
                 step_ns: int = 1000) -> None:
        self.machine = machine or B.MachineInfo(2, 8 << 30, 32768, "synthetic")
        self.procs = list(procs)
        self.fds = {tid: list(entries) for tid, entries in (fds or {}).items()}
        self.users = list(users)
        self.groups = list(groups)
        self.interfaces = list(interfaces)
        self.ts = start_ts
        self.step_ns = step_ns
        self.events: list[SyntheticEvent] = []

    def sleep(self, ns: int) -> None:
        """Move the clock forward without an event."""
        self.ts += ns

    def event(self, which: str | int, tid: int, args: Params | None = None, /, *,
              on_cpu: int = 0, dump_flags: int = 0, at: int | None = None,
              **params: Value | None) -> SyntheticEvent:
        """Append one event (see :func:`lookup` for ``which``) at ``at`` or a step later.

        Params come from ``args`` and keywords (keywords win); pass a mapping as ``args``
        to share params between calls.
        """
        return self._append(lookup(which), tid, on_cpu, dump_flags, at, {**(args or {}), **params})

    def enter(self, name: str, tid: int, args: Params | None = None, /, *, on_cpu: int = 0,
              **params: Value | None) -> SyntheticEvent:
        """Append the enter event of ``name`` (its newest version)."""
        return self._append(lookup(_direction(name, "e")), tid, on_cpu, 0, None,
                            {**(args or {}), **params})

    def exit(self, name: str, tid: int, args: Params | None = None, /, *, on_cpu: int = 0,
             **params: Value | None) -> SyntheticEvent:
        """Append the exit event of ``name`` (its newest version)."""
        return self._append(lookup(_direction(name, "x")), tid, on_cpu, 0, None,
                            {**(args or {}), **params})

    def syscall(self, name: str, tid: int, args: Params | None = None, /, *, on_cpu: int = 0,
                latency_ns: int | None = None, enter_args: Params | None = None,
                **params: Value | None) -> tuple[SyntheticEvent, ...]:
        """Append an enter/exit pair; each takes the params its schema row names.

        Params come from ``args`` and keywords (keywords win). ``enter_args`` overrides
        enter params whose name the exit uses with another meaning. Events without an exit
        (procexit, signals) append the enter alone. ``latency_ns`` sets the time between
        the two (default: one step).
        """
        e_info = lookup(_direction(name, "e"))
        x_info = EVENTS[e_info.id + 1]
        e_names = {p.name for p in e_info.params}
        x_names = {p.name for p in x_info.params}
        merged = {**(args or {}), **params}
        if unknown := set(merged) - e_names - x_names:
            raise ValueError(f"{name}: no param {sorted(unknown)}")
        e_params = {k: v for k, v in merged.items() if k in e_names} | dict(enter_args or {})
        out = [self._append(e_info, tid, on_cpu, 0, None, e_params)]
        if not x_info.flags & EventFlag.UNUSED:
            at = None if latency_ns is None else self.ts + latency_ns
            x_params = {k: v for k, v in merged.items() if k in x_names}
            out.append(self._append(x_info, tid, on_cpu, 0, at, x_params))
        return tuple(out)

    def _append(self, info: EventInfo, tid: int, cpu: int, dflags: int, at: int | None,
                params: Params) -> SyntheticEvent:
        self.ts = at if at is not None else self.ts + self.step_ns
        evt = SyntheticEvent(info, self.ts, tid, cpu, dflags,
                             encode_event(info, tid, self.ts, params))
        self.events.append(evt)
        return evt

    def header(self) -> B.CaptureHeader:
        """The header blocks' content, as the writer takes it."""
        return B.CaptureHeader(
            machine=self.machine, procs={p.tid: p for p in self.procs},
            fds={tid: {f.fd: f for f in entries} for tid, entries in self.fds.items()},
            interfaces=list(self.interfaces), users={u.uid: u for u in self.users},
            groups={g.gid: g for g in self.groups})

    def to_bytes(self) -> bytes:
        """The whole (uncompressed) capture."""
        blocks = [header_blocks(self.header())]
        blocks += [event_block(e.raw, e.cpu, e.dflags) for e in self.events]
        return b"".join(blocks)

    def write(self, path: str, compress: bool = False) -> None:
        """Write the capture to ``path``; gzip is deterministic (mtime 0, no file name)."""
        data = self.to_bytes()
        if compress:
            data = gzip.compress(data, compresslevel=9, mtime=0)
        with open(path, "wb") as f:
            f.write(data)


def _direction(name: str, suffix: str) -> str:
    """``open`` → ``open_e``; ``SOCKET_ACCEPT4_5`` → ``SOCKET_ACCEPT4_5_E``."""
    if name.isupper():
        return name if name.endswith(("_E", "_X")) else f"{name}_{suffix.upper()}"
    return f"{name}_{suffix}"


def params_of(which: str | int) -> tuple[ParamInfo, ...]:
    """The params an event takes, for building calls interactively."""
    return lookup(which).params
