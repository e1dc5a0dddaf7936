"""Writing captures that sysdig 0.29.3 reads: SHB 1.2, MI, IL v2, UL v2, PL V9, FDL v2, events.

The header layout is the one 0.29.3 itself writes (28-byte SHB without options, 180-byte machine
info, the 0.29.3 PL V9 tail of loginuid + exe_writable, fd types <= 16), so both sysdig and
newer libs read our files. Events are copied in their v2 form; flagged events (state-only)
go in EVF blocks, and the large-payload types in the *_LARGE blocks.
"""

from __future__ import annotations

import gzip
import os
import struct
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from sysdive.errors import CaptureError
from sysdive.scap import blocks as B

_BH = struct.Struct("<II")
_U32 = struct.Struct("<I")
LARGE_TYPES = frozenset({322, 324})  # EF_LARGE_PAYLOAD types of the 0.29.3 table


def _pad(n: int) -> int:
    return (n + 3) & ~3


def _block(btype: int, body: bytes) -> bytes:
    total = 8 + _pad(len(body)) + 4
    return b"".join((_BH.pack(btype, total), body, b"\0" * (_pad(len(body)) - len(body)),
                     _U32.pack(total)))


def _s16(value: str | bytes, limit: int) -> bytes:
    raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
    raw = raw[:limit]
    return struct.pack("<H", len(raw)) + raw


def section_header() -> bytes:
    return _block(B.SHB, struct.pack("<IHHq", B.SHB_MAGIC, 1, 2, -1))


def machine_block(mi: B.MachineInfo) -> bytes:
    host = mi.hostname.encode("utf-8", "surrogateescape")[:127]
    return _block(B.MI, struct.pack("<IQQ128s4Q", mi.num_cpus, mi.memory_size_bytes, mi.max_pid,
                                    host, *mi.reserved))


def interface_block(ifaces: Iterable[B.Interface]) -> bytes:
    parts = []
    for i in ifaces:
        v6 = i.type in (2, 4)
        name = i.name.encode("utf-8", "surrogateescape")
        entry = struct.pack("<HH", 2 if v6 else 1, len(name)) + i.addr + i.netmask + i.bcast
        entry += struct.pack("<Q", i.linkspeed) + name
        parts.append(_U32.pack(len(entry)) + entry)  # IL v2 lengths exclude themselves
    return _block(B.IL_V2, b"".join(parts))


def user_block(users: Iterable[B.UserEntry], groups: Iterable[B.GroupEntry]) -> bytes:
    parts = []
    for u in users:
        e = struct.pack("<BII", 0, u.uid, u.gid) + _s16(u.name, 255) + _s16(u.homedir, 255) \
            + _s16(u.shell, 255)
        parts.append(_U32.pack(len(e) + 4) + e)  # UL v2 lengths include themselves
    for g in groups:
        e = struct.pack("<BI", 1, g.gid) + _s16(g.name, 255)
        parts.append(_U32.pack(len(e) + 4) + e)
    return _block(B.UL_V2, b"".join(parts))


def proc_entry(p: B.ProcEntry) -> bytes:
    body = b"".join((
        struct.pack("<qqqqq", p.tid, p.pid, p.ptid, p.sid, p.vpgid),
        _s16(p.comm, B.MAX_PATH), _s16(p.exe, B.MAX_PATH), _s16(p.exepath, B.MAX_PATH),
        _s16(p.args, B.MAX_ARGS), _s16(p.cwd, B.MAX_PATH),
        struct.pack("<qIIIIIIQQ", p.fdlimit, p.flags & 0xFFFFFFFF, p.uid & 0xFFFFFFFF,
                    p.gid & 0xFFFFFFFF, p.vmsize_kb, p.vmrss_kb, p.vmswap_kb, p.pfmajor,
                    p.pfminor),
        _s16(p.env, B.MAX_ARGS), struct.pack("<qq", p.vtid, p.vpid), _s16(p.cgroups, B.MAX_ARGS),
        _s16(p.root, B.MAX_PATH), struct.pack("<iB", p.loginuid, 1 if p.exe_writable else 0),
    ))
    return _U32.pack(len(body) + 4) + body


def proc_block(procs: Iterable[B.ProcEntry]) -> bytes:
    return _block(B.PL_V9, b"".join(proc_entry(p) for p in procs))


def fd_entry(f: B.FdEntry) -> bytes:
    head = struct.pack("<qQB", f.fd, f.ino, f.type)
    t = f.type
    if t in (B.FD_IPV4_SOCK, B.FD_IPV6_SOCK):
        body = f.sip + f.dip + struct.pack("<HHB", f.sport, f.dport, f.l4proto)
    elif t in (B.FD_IPV4_SERVSOCK, B.FD_IPV6_SERVSOCK):
        body = f.sip + struct.pack("<HB", f.sport, f.l4proto)
    elif t == B.FD_UNIX_SOCK:
        body = struct.pack("<QQ", f.source, f.dest) + _s16(f.name, B.MAX_PATH - 1)
    elif t == B.FD_FILE_V2:
        body = _U32.pack(f.open_flags) + _s16(f.name, B.MAX_PATH - 1) + _U32.pack(f.dev)
    else:
        body = _s16(f.name, B.MAX_PATH - 1)
    entry = head + body
    return _U32.pack(len(entry) + 4) + entry


def fd_block(tid: int, fds: Iterable[B.FdEntry]) -> bytes:
    return _block(B.FDL_V2, struct.pack("<q", tid) + b"".join(fd_entry(f) for f in fds))


def header_blocks(hdr: B.CaptureHeader) -> bytes:
    """Everything a section starts with, from a parsed (or live-scanned) header."""
    machine = hdr.machine or B.MachineInfo(os.cpu_count() or 1, 0, 0, "")
    out = [section_header(), machine_block(machine), interface_block(hdr.interfaces),
           user_block(hdr.users.values(), hdr.groups.values()), proc_block(hdr.procs.values())]
    for tid in hdr.procs:
        out.append(fd_block(tid, hdr.fds.get(tid, {}).values()))
    return b"".join(out)


def event_block(raw_v2: bytes, cpu: int, dflags: int = 0) -> bytes:
    """One event (26-byte header form) framed in the block kind 0.29.3 expects for it."""
    etype = struct.unpack_from("<H", raw_v2, 20)[0]
    large = etype in LARGE_TYPES
    if dflags:
        return _block(B.EVF_V2_LARGE if large else B.EVF_V2,
                      struct.pack("<HI", cpu, dflags) + raw_v2)
    return _block(B.EV_V2_LARGE if large else B.EV_V2, struct.pack("<H", cpu) + raw_v2)


class CaptureWriter:
    """Writes sections and events to ``path``, gzip-compressed when ``compress``."""

    def __init__(self, path: str, compress: bool = False) -> None:
        self.path = path
        try:
            raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        except OSError as err:
            raise CaptureError(f"cannot write {path}: {err.strerror or err}") from err
        self._f: BinaryIO = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) if compress \
            else raw  # type: ignore[assignment]
        self._raw = raw
        # One buffer, kept for the writer's life: compiled code appends blocks to it (see
        # pending_blocks), between the writer's own appends.
        self._pending = bytearray()
        self.events_written = 0

    def write_header(self, hdr: B.CaptureHeader) -> None:
        self._put(header_blocks(hdr))

    def write_event(self, raw_v2: bytes, cpu: int, dflags: int = 0) -> None:
        self._put(event_block(raw_v2, cpu, dflags))
        self.events_written += 1

    def write_raw(self, data: bytes) -> None:
        self._put(data)

    def pending_blocks(self) -> bytearray:
        """The buffer of blocks not yet written, for code that frames event blocks itself
        (``state/_rowparse.c`` for a ``-w`` copy); :meth:`added` accounts for them."""
        return self._pending

    def added(self, events: int) -> None:
        """``events`` event blocks were appended to :meth:`pending_blocks`."""
        self.events_written += events
        if len(self._pending) >= 1 << 20:
            self.flush()

    def tell(self) -> int:
        """Bytes in the file so far (compressed bytes with gzip), pending ones included."""
        return self._raw.tell() + len(self._pending)

    def write_now(self, pieces: Sequence[bytes | memoryview]) -> None:
        """Write ready-made blocks before returning (they may be views into memory that is
        reused once this returns), after anything still pending."""
        if not pieces:
            return
        self.flush()
        try:
            # one write: joining costs a copy, a write per piece a system call (or two)
            self._f.write(pieces[0] if len(pieces) == 1 else b"".join(pieces))
        except OSError as err:
            raise CaptureError(f"cannot write {self.path}: {err.strerror or err}") from err

    def _put(self, data: bytes) -> None:
        self._pending += data
        if len(self._pending) >= 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            try:
                self._f.write(self._pending)
            except OSError as err:
                raise CaptureError(f"cannot write {self.path}: {err.strerror or err}") from err
            self._pending.clear()   # in place: the buffer object outlives each flush

    def close(self) -> None:
        self.flush()
        self._f.close()
        if self._f is not self._raw:
            self._raw.close()

    def __enter__(self) -> CaptureWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
