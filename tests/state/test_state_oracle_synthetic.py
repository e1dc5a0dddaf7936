"""A synthetic capture that walks the state parser through clone (normal, thread, inverted,
unknown parent), execve, procexit, fd creation of every kind, UDP tuple updates, the
close-cancel dance and working-directory changes, checked against sysdig 0.29.3 (live when
installed, else the stored output)."""

from __future__ import annotations

import gzip
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import statehelpers as H

from scapbuild import cstr as cs
from scapbuild import i64, make_event, u16, u32, u64, write_capture
from sysdive.event import Event
from sysdive.scap.blocks import ProcEntry
from sysdive.schema.types import Category
from sysdive.state.parser import Filter, Parser
from sysdive.state.tables import State

EXPECTED = Path(__file__).parent / "expected"
T, TH, C = 100, 102, 101


def ip4(s: str) -> bytes:
    return bytes(int(x) for x in s.split("."))


def tup4(sip: str, sport: int, dip: str, dport: int) -> bytes:
    return b"\x02" + ip4(sip) + u16(sport) + ip4(dip) + u16(dport)


def tup6(sip: bytes, sport: int, dip: bytes, dport: int) -> bytes:
    return b"\x0a" + sip + u16(sport) + dip + u16(dport)


def clone_x(res: int, tid: int, pid: int, ptid: int, flags: int, comm: str = "sh",
            vtid: int | None = None) -> tuple[bytes, ...]:
    return (i64(res), cs("/bin/" + comm), b"-c\0run\0", i64(tid), i64(pid), i64(ptid),
            cs("/"), i64(2048), u64(1), u64(2), u32(3000), u32(400), u32(0), cs(comm),
            b"cpu=/\0", u32(flags), u32(1000), u32(1000),
            i64(tid if vtid is None else vtid), i64(pid))


class Script:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.ts = 1_600_000_000_000_000_000

    def e(self, enum: str, tid: int, *params: bytes) -> None:
        self.ts += 1500
        self.events.append(make_event(enum, *params, tid=tid, ts=self.ts,
                                      num=len(self.events) + 1))


def scenario() -> tuple[list[ProcEntry], dict[int, list[tuple[int, int, bytes]]], list[Event]]:
    procs = [
        ProcEntry(T, T, 1, "sh", "/bin/sh", b"-c\0x\0", "/home/u", 1024, 0, 1000, 1000,
                  vtid=T, vpid=T, env=b"A=1\0", cgroups=b"cpu=/\0", root="/",
                  vmsize_kb=1000, vmrss_kb=100),
        ProcEntry(TH, T, 1, "sh", "/bin/sh", b"-c\0x\0", "/home/u", 1024, 0x2001, 1000, 1000,
                  vtid=TH, vpid=T, env=b"", cgroups=b"cpu=/\0", root="/",
                  vmsize_kb=1000, vmrss_kb=100),
    ]
    pts = struct.pack("<H", 10) + b"/dev/pts/0"
    fds = {T: [
        (0, 1, pts), (1, 1, pts), (2, 1, pts),
        (20, 3, ip4("10.0.0.5") + ip4("10.0.0.9") + u16(22) + u16(50000) + b"\x02"),
        (21, 5, ip4("0.0.0.0") + u16(22) + b"\x02"),
        (22, 8, u64(0x10) + u64(0x20) + struct.pack("<H", 9) + b"/run/sock"),
    ]}
    s = Script()
    s.e("SYSCALL_OPEN_E", T, cs("rel/../a.txt"), u32(1), u32(0))
    s.e("SYSCALL_OPEN_X", T, i64(3), cs("rel/../a.txt"), u32(1), u32(0), u32(0))
    s.e("SYSCALL_CLONE_20_E", T)
    s.e("SYSCALL_CLONE_20_X", T, *clone_x(C, T, T, 1, 0))
    s.e("SYSCALL_CLONE_20_X", C, *clone_x(0, C, C, T, 0))
    s.e("SYSCALL_EXECVE_19_E", C, cs("/bin/ls"))
    s.e("SYSCALL_EXECVE_19_X", C, i64(0), cs("/bin/ls"), b"-l\0", i64(C), i64(C), i64(T),
        cs("/home/u"), u64(1024), u64(0), u64(0), u32(5000), u32(500), u32(0), cs("ls"),
        b"cpu=/\0", b"B=2\0", u32(0), i64(C), u32(1000), u32(0))
    s.e("SYSCALL_READ_E", C, i64(3), u32(10))
    s.e("SYSCALL_READ_X", C, i64(5), b"hello")
    s.e("SYSCALL_CLOSE_E", C, i64(3))
    s.e("SYSCALL_CLOSE_X", C, i64(0))
    s.e("SYSCALL_READ_E", C, i64(3), u32(10))
    s.e("SYSCALL_READ_X", C, i64(-9), b"")
    # UDP: sticky destination, role guessing, swaps.
    s.e("SOCKET_SOCKET_E", TH, u32(2), u32(2), u32(0))
    s.e("SOCKET_SOCKET_X", TH, i64(4))
    s.e("SOCKET_SENDTO_E", T, i64(4), u32(3), tup4("10.0.0.5", 5000, "8.8.8.8", 53))
    s.e("SOCKET_SENDTO_X", T, i64(3), b"abc")
    s.e("SOCKET_RECVFROM_E", TH, i64(4), u32(100))
    s.e("SOCKET_RECVFROM_X", TH, i64(3), b"xyz", tup4("8.8.8.8", 53, "10.0.0.5", 5000))
    s.e("SOCKET_SENDTO_E", T, i64(4), u32(3), tup4("10.0.0.5", 5000, "1.1.1.1", 53))
    s.e("SOCKET_SENDTO_X", T, i64(3), b"abc")
    s.e("SOCKET_SENDTO_E", T, i64(11), u32(3), tup4("0.0.0.0", 0, "9.9.9.9", 53))
    s.e("SOCKET_SENDTO_X", T, i64(3), b"abc")
    # TCP over IPv6: bind, listen, accept, read.
    any6, a9, a1 = bytes(16), bytes.fromhex("20010db8" + "0" * 20 + "0009"), \
        bytes.fromhex("20010db8" + "0" * 20 + "0001")
    s.e("SOCKET_SOCKET_E", T, u32(10), u32(1), u32(6))
    s.e("SOCKET_SOCKET_X", T, i64(5))
    s.e("SOCKET_BIND_E", T, i64(5))
    s.e("SOCKET_BIND_X", T, i64(0), b"\x0a" + any6 + u16(8080))
    s.e("SOCKET_LISTEN_E", T, i64(5), u32(5))
    s.e("SOCKET_LISTEN_X", T, i64(0))
    s.e("SOCKET_ACCEPT_5_E", T)
    s.e("SOCKET_ACCEPT_5_X", T, i64(6), tup6(a9, 40000, a1, 8080), b"\0", u32(0), u32(5))
    s.e("SYSCALL_READ_E", T, i64(6), u32(10))
    s.e("SYSCALL_READ_X", T, i64(2), b"hi")
    # pipe, dup, fcntl.
    s.e("SYSCALL_PIPE_E", T)
    s.e("SYSCALL_PIPE_X", T, i64(0), i64(7), i64(8), u64(1234))
    s.e("SYSCALL_DUP_E", T, i64(7))
    s.e("SYSCALL_DUP_X", T, i64(9))
    s.e("SYSCALL_FCNTL_E", T, i64(8), b"\x01")
    s.e("SYSCALL_FCNTL_X", T, i64(10))
    s.e("SYSCALL_FCNTL_E", T, i64(8), b"\x03")
    s.e("SYSCALL_FCNTL_X", T, i64(0))
    # Working directory, relative and *at() opens.
    s.e("SYSCALL_CHDIR_E", T)
    s.e("SYSCALL_CHDIR_X", T, i64(0), cs("sub//dir/"))
    s.e("SYSCALL_OPEN_E", T, cs("b.txt"), u32(1), u32(0))
    s.e("SYSCALL_OPEN_X", T, i64(12), cs("b.txt"), u32(1), u32(0), u32(0))
    s.e("SYSCALL_OPENAT_2_E", T, i64(12), cs("x"), u32(1), u32(0))
    s.e("SYSCALL_OPENAT_2_X", T, i64(-2), i64(12), cs("x"), u32(1), u32(0), u32(0))
    s.e("SYSCALL_OPENAT_2_E", T, i64(-100), cs("y"), u32(1025), u32(0))
    s.e("SYSCALL_OPENAT_2_X", T, i64(13), i64(-100), cs("y"), u32(1025), u32(0), u32(0))
    s.e("SYSCALL_FCHDIR_E", T, i64(13))
    s.e("SYSCALL_FCHDIR_X", T, i64(0))
    s.e("SYSCALL_OPEN_E", T, cs("../c"), u32(1), u32(0))
    s.e("SYSCALL_OPEN_X", T, i64(-2), cs("../c"), u32(1), u32(0), u32(0))
    # An unknown thread.
    s.e("SYSCALL_WRITE_E", 200, i64(1), u32(3))
    s.e("SYSCALL_WRITE_X", 200, i64(3), b"abc")
    # A close cancelled by another thread re-creating the fd in between.
    s.e("SYSCALL_CLOSE_E", T, i64(7))
    s.e("SYSCALL_OPEN_E", TH, cs("/tmp/new"), u32(1), u32(0))
    s.e("SYSCALL_OPEN_X", TH, i64(7), cs("/tmp/new"), u32(1), u32(0), u32(0))
    s.e("SYSCALL_CLOSE_X", T, i64(0))
    s.e("SYSCALL_READ_E", T, i64(7), u32(1))
    s.e("SYSCALL_READ_X", T, i64(1), b"a")
    # Credentials and limits.
    s.e("SYSCALL_SETUID_E", T, u32(0))
    s.e("SYSCALL_SETUID_X", T, i64(0))
    s.e("SYSCALL_GETRLIMIT_E", T, b"\x07")
    s.e("SYSCALL_GETRLIMIT_X", T, i64(0), i64(4096), i64(4096))
    # Unix sockets: a failed and a successful connect; IPv4 TCP in progress.
    s.e("SOCKET_SOCKET_E", T, u32(1), u32(1), u32(0))
    s.e("SOCKET_SOCKET_X", T, i64(14))
    s.e("SOCKET_CONNECT_E", T, i64(14), b"\x01/var/run/x.sock\0")
    s.e("SOCKET_CONNECT_X", T, i64(-2), b"\x01" + u64(0) + u64(0) + b"/var/run/x.sock\0")
    s.e("SOCKET_CONNECT_E", T, i64(14), b"\x01/var/run/y.sock\0")
    s.e("SOCKET_CONNECT_X", T, i64(0), b"\x01" + u64(0xABC) + u64(0xDEF) + b"/var/run/y.sock\0")
    s.e("SOCKET_SOCKET_E", T, u32(2), u32(1), u32(0))
    s.e("SOCKET_SOCKET_X", T, i64(15))
    s.e("SOCKET_CONNECT_E", T, i64(15), b"\x02" + ip4("93.184.216.34") + u16(80))
    s.e("SOCKET_CONNECT_X", T, i64(-115), tup4("10.0.0.5", 41000, "93.184.216.34", 80))
    s.e("SYSCALL_WRITE_E", T, i64(15), u32(3))
    s.e("SYSCALL_WRITE_X", T, i64(3), b"GET")
    s.e("SOCKET_SOCKETPAIR_E", T, u32(1), u32(1), u32(0))
    s.e("SOCKET_SOCKETPAIR_X", T, i64(0), i64(16), i64(17), u64(0x1111), u64(0x2222))
    s.e("SYSCALL_EVENTFD_E", T, u64(0), u32(0))
    s.e("SYSCALL_EVENTFD_X", T, i64(18))
    s.e("SYSCALL_SIGNALFD_E", T, i64(-1), u32(0), b"\0")
    s.e("SYSCALL_SIGNALFD_X", T, i64(19))
    s.e("SYSCALL_TIMERFD_CREATE_E", T, b"\0", b"\0")
    s.e("SYSCALL_TIMERFD_CREATE_X", T, i64(23))
    s.e("SYSCALL_INOTIFY_INIT_E", T, b"\0")
    s.e("SYSCALL_INOTIFY_INIT_X", T, i64(24))
    s.e("SYSCALL_READ_E", T, i64(20), u32(1))
    s.e("SYSCALL_READ_X", T, i64(1), b"a")
    s.e("SYSCALL_READ_E", T, i64(22), u32(1))
    s.e("SYSCALL_READ_X", T, i64(1), b"a")
    # Memory counters: switch updates the process, brk the thread.
    s.e("SCHEDSWITCH_6_E", TH, i64(T), u64(5), u64(6), u32(7777), u32(888), u32(9))
    s.e("SYSCALL_BRK_4_E", TH, u64(0))
    s.e("SYSCALL_BRK_4_X", TH, u64(0x1000), u32(5555), u32(555), u32(0))
    s.e("SYSCALL_READ_E", T, i64(0), u32(1))
    # A clone by a thread nobody knew: the parent is looked up again, the child named by
    # the event.
    s.e("GENERIC_E", 300, u16(39), u16(39))
    s.e("GENERIC_X", 300, u16(39))
    s.e("SYSCALL_CLONE_20_E", 300)
    s.e("SYSCALL_CLONE_20_X", 300, *clone_x(301, 300, 300, 1, 0, comm="worker"))
    s.e("GENERIC_E", 301, u16(39), u16(39))
    s.e("GENERIC_E", 300, u16(39), u16(39))
    # An inverted clone: the child's exit comes first.
    s.e("SYSCALL_CLONE_20_X", 401, *clone_x(0, 401, 401, T, 0, comm="kid"))
    s.e("GENERIC_E", 401, u16(39), u16(39))
    s.e("SYSCALL_CLONE_20_E", T)
    s.e("SYSCALL_CLONE_20_X", T, *clone_x(401, T, T, 1, 0, comm="kid"))
    s.e("GENERIC_E", 401, u16(39), u16(39))
    # A thread of the process.
    s.e("SYSCALL_CLONE_20_E", T)
    s.e("SYSCALL_CLONE_20_X", T, *clone_x(103, T, T, 1, 0x2001))
    s.e("SYSCALL_READ_E", 103, i64(6), u32(1))
    # Exits: a process, a main thread with a live thread (kept), then its thread.
    s.e("PROCEXIT_1_E", C, i64(0), i64(0), b"\0", b"\0")
    s.e("SYSCALL_READ_E", C, i64(0), u32(1))
    s.e("PROCEXIT_1_E", T, i64(0), i64(0), b"\0", b"\0")
    s.e("SYSCALL_READ_E", T, i64(0), u32(1))
    s.e("PROCEXIT_1_E", TH, i64(0), i64(0), b"\0", b"\0")
    s.e("SYSCALL_READ_E", TH, i64(0), u32(1))
    s.e("SYSCALL_READ_E", T, i64(0), u32(1))
    s.e("SYSCALL_READ_E", 103, i64(6), u32(1))
    s.e("CONTAINER_JSON_E", -1, b'{"container":{"id":"abc","name":"web","type":0}}\0')
    s.e("SYSCALL_READ_E", T, i64(0), u32(1))
    return procs, fds, s.events


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oracle") / "synthetic.scap"
    write_capture(path, *scenario())
    return path


def _filter(state: State, text: str) -> Filter:
    field, value = text.split("=")
    return H.proc_name_is(state, value) if field == "proc.name" else H.fd_type_is(state, value)


def _mine(path: Path, mode: str, text: str) -> list[str]:
    state = State()
    filt = _filter(state, text) if text else None
    out = []
    for evt in H.events(path, Parser(state), filt if mode == "f" else None):
        if evt.info.category & Category.INTERNAL:
            continue
        if mode == "d" and filt is not None and not filt(evt):
            continue
        out.append(H.render(state, evt))
    return out


CASES = [("all", ""), ("f", "proc.name=sh"), ("d", "proc.name=sh"), ("f", "fd.type=ipv4"),
         ("d", "fd.type=ipv4")]


def _name(case: tuple[str, str]) -> str:
    return "synthetic__" + "__".join(p for p in case if p)


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_synthetic_capture_matches_sysdig(capture: Path, case: tuple[str, str]) -> None:
    mode, text = case
    mine = _mine(capture, mode, text)
    exe = shutil.which("sysdig")
    if exe is not None:
        cmd = [exe, "-r", str(capture), "-p", H.FIELDS] + (["-d"] if mode == "d" else [])
        cmd += [text] if text else []
        ref = subprocess.run(cmd, capture_output=True, check=True).stdout.decode().splitlines()
        if os.environ.get("SYSDIVE_REGEN"):
            with gzip.open(EXPECTED / f"{_name(case)}.txt.gz", "wt") as fh:
                fh.write("".join(line + "\n" for line in ref))
    else:
        if os.environ.get("CI"):
            pytest.fail("sysdig (the oracle) is not installed")
        with gzip.open(EXPECTED / f"{_name(case)}.txt.gz", "rt") as fh:
            ref = fh.read().splitlines()
    assert mine == ref
