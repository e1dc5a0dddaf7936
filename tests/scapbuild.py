"""Synthetic scap data for the tests: param packers, an event builder taking raw params, and a
small capture writer (SHB 1.2, machine info, UL v2, PL V9, FDL v2, EV v2 blocks).

The writer is not :mod:`sysdive.scap.writer` on purpose: its process-list entries leave out
the optional loginuid/exe_writable tail that sysdive's writer always adds, so the files
these tests build cover the other form sysdig 0.29.3 reads; fd lists are given as raw
payloads, so a test can also write layouts the writer's dataclasses cannot express.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from sysdive.event import Event
from sysdive.scap.blocks import ProcEntry
from sysdive.schema.events import EVENT_BY_ENUM

_HDR = struct.Struct("<QQIHI")
_U64_MASK = (1 << 64) - 1


def i64(v: int) -> bytes:
    return struct.pack("<q", v)


def u64(v: int) -> bytes:
    return struct.pack("<Q", v)


def u32(v: int) -> bytes:
    return struct.pack("<I", v)


def u16(v: int) -> bytes:
    return struct.pack("<H", v)


def cstr(s: str) -> bytes:
    """A NUL-terminated string param."""
    return s.encode() + b"\0"


def evt_id(enum: str) -> int:
    """The event id of ``PPME_<enum>`` (the ``PPME_`` prefix may be given)."""
    return EVENT_BY_ENUM[enum if enum.startswith("PPME_") else "PPME_" + enum].id


def make_event(etype: int | str, *params: bytes, tid: int = 100, ts: int = 1_000_000_000,
               num: int = 1, cpu: int = 0, dflags: int = 0) -> Event:
    """A v2 event of type ``etype`` (an id or a ``PPME_`` enumerator) carrying ``params``
    as given; a negative ``tid`` wraps as in the file (-1: no thread)."""
    if isinstance(etype, str):
        etype = evt_id(etype)
    tid &= _U64_MASK
    body = struct.pack(f"<{len(params)}H", *(len(p) for p in params)) + b"".join(params)
    raw = _HDR.pack(ts, tid, 26 + len(body), etype, len(params)) + body
    return Event(num, etype, ts, tid, cpu, dflags, raw, 0, len(raw), len(params))


# -- the capture writer ----------------------------------------------------------------------

def _block(btype: int, body: bytes) -> bytes:
    padded = body + b"\0" * (-len(body) % 4)
    total = len(padded) + 12
    return struct.pack("<II", btype, total) + padded + struct.pack("<I", total)


def _lstr(s: str | bytes) -> bytes:
    raw = s.encode() if isinstance(s, str) else s
    return struct.pack("<H", len(raw)) + raw


def _entry(body: bytes) -> bytes:
    """A list entry: its length (itself included), then ``body``."""
    return struct.pack("<I", len(body) + 4) + body


def proc_entry_bytes(p: ProcEntry) -> bytes:
    """One process-list V9 entry, without the optional loginuid tail."""
    return _entry(b"".join((
        struct.pack("<qqqqq", p.tid, p.pid, p.ptid, p.sid, p.vpgid),
        _lstr(p.comm), _lstr(p.exe), _lstr(p.exepath), _lstr(p.args), _lstr(p.cwd),
        struct.pack("<qIII", p.fdlimit, p.flags, p.uid, p.gid),
        struct.pack("<IIIQQ", p.vmsize_kb, p.vmrss_kb, p.vmswap_kb, p.pfmajor, p.pfminor),
        _lstr(p.env), struct.pack("<qq", p.vtid, p.vpid), _lstr(p.cgroups), _lstr(p.root),
    )))


FdSpec = tuple[int, int, bytes]
"""(fd, scap fd type, the entry's bytes after the type byte)."""


def write_capture(path: Path, procs: Sequence[ProcEntry], fds: Mapping[int, Iterable[FdSpec]],
                  events: Iterable[Event], users: Iterable[tuple[int, int, str, str, str]] = (),
                  groups: Iterable[tuple[int, str]] = ()) -> None:
    """Write a one-section capture: ``users`` are (uid, gid, name, home, shell), ``groups``
    (gid, name); the user list is left out when both are empty."""
    out = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 2, -1)),
           _block(0x201, struct.pack("<IQQ128s4Q", 1, 1 << 30, 32768, b"host", 0, 0, 0, 0))]
    ul = [_entry(b"\0" + struct.pack("<II", uid, gid) + _lstr(name) + _lstr(home)
                 + _lstr(shell)) for uid, gid, name, home, shell in users]
    ul += [_entry(b"\1" + struct.pack("<I", gid) + _lstr(name)) for gid, name in groups]
    if ul:
        out.append(_block(0x220, b"".join(ul)))
    out.append(_block(0x215, b"".join(proc_entry_bytes(p) for p in procs)))
    for tid, entries in fds.items():
        out.append(_block(0x218, struct.pack("<q", tid) + b"".join(
            _entry(struct.pack("<qQB", fd, 0, ftype) + payload)
            for fd, ftype, payload in entries)))
    out.extend(_block(0x216, struct.pack("<H", evt.cpu) + evt.raw()) for evt in events)
    path.write_bytes(b"".join(out))
