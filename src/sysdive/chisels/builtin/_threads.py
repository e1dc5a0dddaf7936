"""sysdig's ``get_thread_table(filter)`` for the chisels that list processes and fds
(ps, lsof, netstat, shellshock_detect).

As in libsinsp, a filter is run once per fd of each thread on a made-up ``read`` exit event
of that thread and fd, at the time of the last event read: a thread is listed when one of
its fds passes, with only the fds that pass. Numbers are cut to 32 bits as the Lua table
gets them.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

from sysdive.chisels.api import Chisel
from sysdive.chisels.builtin._luaorder import lua_pairs_order, unordered_map_order
from sysdive.errors import ChiselError, SysdiveError
from sysdive.event import Event
from sysdive.schema.events import EVENT_BY_ENUM
from sysdive.state.decode import sanitize
from sysdive.state.fds import L4_ICMP, L4_RAW, L4_TCP, L4_UDP, FdInfo, FdType

_READ_X = EVENT_BY_ENUM["PPME_SYSCALL_READ_X"].id
_L4NAME = {L4_TCP: "tcp", L4_UDP: "udp", L4_ICMP: "icmp", L4_RAW: "raw"}
_U32 = 0xFFFFFFFF


@dataclass(slots=True)
class FdRow:
    """One fd of a listed thread (the Lua ``fdtable`` entry)."""

    fd: int
    name: str
    type: str
    sip: str | None = None
    cip: str | None = None
    sport: int | None = None
    cport: int | None = None
    l4proto: str | None = None
    is_server: bool | None = None


@dataclass(slots=True)
class ThreadRow:
    """One listed thread (the Lua table of ``get_thread_table``)."""

    tid: int
    pid: int
    comm: str
    exe: str
    fdlimit: int
    uid: int
    username: str
    vmsize_kb: int
    vmrss_kb: int
    env: list[str]
    fds: list[FdRow] = field(default_factory=list)


def thread_table(chisel: Chisel, filter_text: str | None,
                 lua_order: bool = False) -> list[ThreadRow]:
    """The threads and their fds, restricted by ``filter_text``.

    With ``lua_order``, threads and fds come in the order Lua's ``pairs`` walks the table
    sysdig builds (see :mod:`._luaorder`); else threads in the state's order.
    """
    state = chisel.ctx.state
    if state is None:
        return []
    match = None
    if filter_text:
        from sysdive.filter import compile_filter

        try:
            match = compile_filter(filter_text, chisel.ctx.registry).match
        except SysdiveError as err:
            raise ChiselError(f"invalid filter argument for get_thread_table in chisel "
                              f"{chisel.name}: {err}") from None
    ts = state.lastevent_ts
    rows: list[ThreadRow] = []
    threads = list(state.threads.values())
    if lua_order:
        by_tid = {t.tid: t for t in threads}
        threads = [by_tid[tid] for tid in unordered_map_order(by_tid)]
    for tinfo in threads:
        table = state.fd_table(tinfo)
        fds = list(table.items()) if table is not None else []
        if lua_order and table is not None:
            fds = [(fd, table[fd]) for fd in unordered_map_order(table)]
        kept: list[tuple[int, FdInfo]] = fds
        if match is not None:
            kept = []
            for fd, info in fds:
                evt = _fake_read(ts, tinfo, fd, info)
                saved = tinfo.lastevent_fd
                tinfo.lastevent_fd = fd
                try:
                    ok = match(evt)
                finally:
                    tinfo.lastevent_fd = saved
                if ok:
                    kept.append((fd, info))
            if not kept:
                continue
        user = state.users.get(tinfo.uid) if tinfo.uid != _U32 else None
        main = state.threads.get(tinfo.pid)
        env = tinfo.env if tinfo.env or main is None else main.env
        rows.append(ThreadRow(
            tid=tinfo.tid & _U32, pid=tinfo.pid & _U32, comm=tinfo.comm, exe=tinfo.exe,
            fdlimit=tinfo.fdlimit & _U32, uid=tinfo.uid & _U32,
            username=user.name if user is not None else "<NA>",
            vmsize_kb=tinfo.vmsize_kb & _U32, vmrss_kb=tinfo.vmrss_kb & _U32, env=list(env),
            fds=[_fd_row(fd, info) for fd, info in kept]))
    if lua_order:
        rows = _lua_pairs(rows)
    return rows


def _i32(value: int) -> int:
    # lua_rawseti takes an int: the uint32 key as C converts it.
    return value - (1 << 32) if value >= 1 << 31 else value


def _lua_pairs(rows: list[ThreadRow]) -> list[ThreadRow]:
    """Rows and their fds in the order ``pairs`` visits the Lua tables built from them."""
    for row in rows:
        by_fd = {_i32(f.fd): f for f in row.fds}
        row.fds = [by_fd[k] for k in lua_pairs_order(by_fd)]
    by_tid = {_i32(r.tid): r for r in rows}
    return [by_tid[k] for k in lua_pairs_order(by_tid)]


def _fake_read(ts: int, tinfo: object, fd: int, info: FdInfo) -> Event:
    raw = struct.pack("<QQIHI", ts, getattr(tinfo, "tid", 0) & (1 << 64) - 1, 26, _READ_X, 0)
    evt = Event(0, _READ_X, ts, getattr(tinfo, "tid", 0), 0, 0, raw, 0, 26, 0)
    evt.thread = tinfo  # type: ignore[assignment]
    evt.fdinfo = info
    evt.fd = fd
    return evt


def _ip(raw: bytes) -> str:
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    if len(raw) == 16:
        return socket.inet_ntop(socket.AF_INET6, raw)
    return "<NA>"


def _fd_row(fd: int, info: FdInfo) -> FdRow:
    row = FdRow(fd & _U32, sanitize(info.name), info.typestring)
    t = info.type
    if t in (FdType.IPV4_SOCK, FdType.IPV6_SOCK):
        # The Lua table calls the connection's destination the server.
        row.cip, row.sip = _ip(info.sip), _ip(info.dip)
        row.cport, row.sport = info.sport, info.dport
        row.is_server = info.is_role_server
    elif t in (FdType.IPV4_SERVSOCK, FdType.IPV6_SERVSOCK):
        row.sip, row.sport, row.is_server = _ip(info.sip), info.sport, True
    else:
        return row
    row.l4proto = _L4NAME.get(info.l4proto, "<NA>")
    return row
