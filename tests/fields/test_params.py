"""Param rendering (``evt.info`` / ``evt.arg``) on hand-made events, one case per rule of
libsinsp's ``get_param_as_str``; capture parity is in test_field_parity.py."""

from __future__ import annotations

import socket
import struct

import pytest

from scapbuild import cstr, i64, make_event, u16, u32, u64
from sysdive.fields import RenderContext, render_args, render_info, render_param
from sysdive.format.buffers import BufferFormat
from sysdive.scap.blocks import GroupEntry, UserEntry
from sysdive.state.fds import L4_TCP, V4_L4, FdInfo, FdType
from sysdive.state.tables import State
from sysdive.state.threads import ThreadInfo


@pytest.fixture
def state() -> State:
    st = State()
    for tid, comm in ((100, "curl"), (1, "systemd")):
        t = ThreadInfo(tid)
        t.pid, t.comm, t.cwd = tid, comm, "/home/u/"
        st.threads[tid] = t
    t = st.threads[100]
    t.fds[3] = FdInfo(3, FdType.FILE, "/etc/ld.so.cache")
    sock = FdInfo(4, FdType.IPV4_SOCK, "1.2.3.4:5->6.7.8.9:80")
    sock.sock[V4_L4] = L4_TCP
    sock.flags = 1 << 2  # client role
    t.fds[4] = sock
    t.fds[7] = FdInfo(7, FdType.DIRECTORY, "/var/lib")
    st.users[1000] = UserEntry(1000, 1000, "ubuntu", "/home/ubuntu", "/bin/bash")
    st.groups[1000] = GroupEntry(1000, "ubuntu")
    return st


def info(state: State, etype: str, *params: bytes, ctx: RenderContext | None = None) -> str:
    evt = make_event(etype, *params)
    evt.thread = state.threads.get(100)
    return render_info(evt, ctx or RenderContext(state))


def test_errno_and_fd(state: State) -> None:
    assert info(state, "SYSCALL_CLOSE_X", i64(-2)) == "res=-2(ENOENT) "
    assert info(state, "SYSCALL_CLOSE_X", i64(0)) == "res=0 "
    assert info(state, "SYSCALL_CLOSE_E", i64(3)) == "fd=3(<f>/etc/ld.so.cache) "
    assert info(state, "SYSCALL_CLOSE_E", i64(4)) == "fd=4(<4t>1.2.3.4:5->6.7.8.9:80) "
    assert info(state, "SYSCALL_CLOSE_E", i64(9)) == "fd=9 "
    # Negative fds: AT_FDCWD, else an errno name (anonymous mmap passes -1).
    assert info(state, "SYSCALL_CLOSE_E", i64(-100)) == "fd=-100(AT_FDCWD) "
    assert info(state, "SYSCALL_CLOSE_E", i64(-1)) == "fd=-1(EPERM) "


def test_simple_buffer_mode_drops_the_type_letter(state: State) -> None:
    ctx = RenderContext(state, BufferFormat.SIMPLE)
    assert info(state, "SYSCALL_CLOSE_E", i64(4), ctx=ctx) == "fd=4(<t>1.2.3.4:5->6.7.8.9:80) "


def test_numbers_follow_c_varargs(state: State) -> None:
    # brk: UINT64/hex -> upper-case hex without 0x; vm sizes UINT32 decimal.
    assert info(state, "SYSCALL_BRK_4_X", u64(0x55DB0DE73000), u32(508), u32(4), u32(0)) == \
        "res=55DB0DE73000 vm_size=508 vm_rss=4 vm_swap=0 "
    # UINT64 in decimal prints signed; a UINT32 above 2^31 does too (promoted to int).
    assert info(state, "SYSCALL_GETRLIMIT_X", i64(0), i64(-1), i64(-1)) == "res=0 cur=-1 max=-1 "
    assert info(state, "SYSCALL_OPEN_E", cstr("/x"), u32(1), u32(0o644)) == \
        "name=/x flags=1(O_RDONLY) mode=0644 "
    assert info(state, "SYSCALL_OPEN_E", cstr("/x"), u32(1), u32(0)) == \
        "name=/x flags=1(O_RDONLY) mode=0 "


def test_flags(state: State) -> None:
    assert info(state, "SYSCALL_OPEN_E", cstr("/x"), u32(4097), u32(0)) == \
        "name=/x flags=4097(O_RDONLY|O_CLOEXEC) mode=0 "
    assert info(state, "SYSCALL_ACCESS_E", u32(0)) == "mode=0(F_OK) "
    assert info(state, "SOCKET_SOCKET_E", u32(1), u32(1), u32(0)) == \
        "domain=1(AF_LOCAL) type=1 proto=0 "


def test_pid_and_ids(state: State) -> None:
    assert info(state, "SCHEDSWITCH_6_E", i64(1), u64(0), u64(2), u32(3), u32(4), u32(5)) == \
        "next=1(systemd) pgft_maj=0 pgft_min=2 vm_size=3 vm_rss=4 vm_swap=5 "
    assert info(state, "SCHEDSWITCH_6_E", i64(55), u64(0), u64(0), u32(0), u32(0), u32(0)) \
        .startswith("next=55 ")
    assert info(state, "SYSCALL_SETUID_E", u32(1000)) == "uid=1000(ubuntu) "
    assert info(state, "SYSCALL_SETUID_E", u32(7)) == "uid=7(<NA>) "
    assert info(state, "SYSCALL_SETUID_E", u32(0xFFFFFFFF)) == "uid=-1(<NONE>) "
    assert info(state, "SYSCALL_SETGID_E", u32(1000)) == "gid=1000(ubuntu) "


def test_paths(state: State) -> None:
    assert info(state, "SYSCALL_STAT_X", i64(0), cstr("/etc/passwd")) == \
        "res=0 path=/etc/passwd "
    assert info(state, "SYSCALL_STAT_X", i64(0), cstr("a/../b/./c")) == \
        "res=0 path=a/../b/./c(/home/u/b/c) "
    assert info(state, "SYSCALL_STAT_X", i64(0), cstr("../../../x")) == \
        "res=0 path=../../../x(/x) "
    # FSRELPATH: relative to the dirfd's directory, or the cwd for AT_FDCWD.
    assert info(state, "SYSCALL_MKDIRAT_X", i64(0), i64(7), cstr("d"), u32(0)) == \
        "res=0 dirfd=7(<d>/var/lib) path=d(/var/lib/d) mode=0 "
    assert info(state, "SYSCALL_MKDIRAT_X", i64(0), i64(-100), cstr("d"), u32(0)) == \
        "res=0 dirfd=-100(AT_FDCWD) path=d(/home/u/d) mode=0 "


def _v4(ip: str) -> bytes:
    return socket.inet_aton(ip)


def test_sockaddr_and_tuples(state: State) -> None:
    addr = b"\x02" + _v4("1.2.3.4") + u16(80)
    assert info(state, "SOCKET_CONNECT_E", i64(9), addr) == "fd=9 addr=1.2.3.4:80 "
    v6 = socket.inet_pton(socket.AF_INET6, "2001:db8::3")
    assert info(state, "SOCKET_CONNECT_E", i64(9), b"\x0a" + v6 + u16(1234)) == \
        "fd=9 addr=2001:db8::3:1234 "
    assert info(state, "SOCKET_CONNECT_E", i64(9), b"\x01/run/x\0") == "fd=9 addr=/run/x "
    assert info(state, "SOCKET_CONNECT_E", i64(9), b"") == "fd=9 addr=NULL "
    assert info(state, "SOCKET_CONNECT_E", i64(9), b"\x11xx") == "fd=9 addr=family 17 "
    t4 = b"\x02" + _v4("1.2.3.4") + u16(5) + _v4("6.7.8.9") + u16(80)
    assert info(state, "SOCKET_CONNECT_X", i64(0), t4) == "res=0 tuple=1.2.3.4:5->6.7.8.9:80 "
    mapped = b"\x0a" + bytes(10) + b"\xff\xff" + _v4("1.2.3.4") + u16(5) + bytes(10) + \
        b"\xff\xff" + _v4("6.7.8.9") + u16(80)
    assert info(state, "SOCKET_CONNECT_X", i64(0), mapped) == \
        "res=0 tuple=1.2.3.4:5->6.7.8.9:80 "
    unix = b"\x01" + u64(0) + u64(0xFFFF94DC817B9400) + b"/var/run/nscd/socket\0"
    assert info(state, "SOCKET_CONNECT_X", i64(0), unix) == \
        "res=0 tuple=0->ffff94dc817b9400 /var/run/nscd/socket "


def test_fdlist_sigtype_reltime(state: State) -> None:
    fds = u16(2) + struct.pack("<qh", 3, 1) + struct.pack("<qh", 9, 4)
    assert info(state, "SYSCALL_POLL_X", i64(1), fds) == "res=1 fds=3:f1 9:?4 "
    assert info(state, "SYSCALL_POLL_X", i64(0), u16(0)) == "res=0 fds= "
    assert info(state, "PROCEXIT_1_E", i64(0), i64(0), b"\x09", b"\x00") == \
        "status=0 ret=0 sig=9(SIGKILL) core=0 "
    evt = make_event("SYSCALL_NANOSLEEP_E", u64(1_500_000_000))
    assert render_param(evt, 0, RenderContext(state)) == ("1500000000", "1.5s")
    evt = make_event("SYSCALL_NANOSLEEP_E", u64(2**64 - 1))
    assert render_param(evt, 0, RenderContext(state)) == ("none", "")


def test_dynamic_params(state: State) -> None:
    # setsockopt val: sub-type index 3 = UINT64, index 2 = UINT32, index 0 = BYTEBUF.
    params = (i64(0), i64(9), b"\x01", b"\x02")
    evt = make_event("SOCKET_SETSOCKOPT_X", *params, b"\x03" + u64(7), u32(8))
    assert render_param(evt, 4, RenderContext(state)) == ("7", "")
    evt = make_event("SOCKET_SETSOCKOPT_X", *params, b"\x00abc", u32(3))
    assert render_param(evt, 4, RenderContext(state)) == ("abc", "")
    evt = make_event("SOCKET_SETSOCKOPT_X", *params, b"\x09", u32(0))
    assert render_param(evt, 4, RenderContext(state)) == ("INVALID DYNAMIC PARAMETER", "")


def test_buffers_and_the_80_char_cut(state: State) -> None:
    data = b"GET / HTTP/1.1\r\n" + b"x" * 100
    text = info(state, "SYSCALL_READ_X", i64(len(data)), data)
    assert text == "res=116 data=GET / HTTP/1.1.." + "x" * 61 + "... "
    uncut = info(state, "SYSCALL_READ_X", i64(len(data)), data,
                 ctx=RenderContext(state, max_len=None))
    assert uncut == "res=116 data=GET / HTTP/1.1.." + "x" * 100 + " "
    hexed = info(state, "SYSCALL_READ_X", i64(2), b"AB",
                 ctx=RenderContext(state, BufferFormat.HEX))
    assert hexed == "res=2 data=\n\t0x0000: 4142\n "
    # CHARBUF is never cut and stops at the first NUL.
    assert info(state, "SYSCALL_CHDIR_X", i64(0), b"/" + b"d" * 100 + b"\0junk") == \
        "res=0 path=/" + "d" * 100 + " "


def test_generic_events_have_no_info(state: State) -> None:
    evt = make_event("GENERIC_E", u16(75), u16(10))
    assert render_info(evt, RenderContext(state)) == ""
    assert render_param(evt, 0, RenderContext(state)) == ("75", "mprotect")


def test_events_with_fewer_params_than_the_table(state: State) -> None:
    assert info(state, "SYSCALL_OPEN_E") == ""
    assert info(state, "SYSCALL_OPEN_X", i64(3), cstr("/etc/ld.so.cache"), u32(4097),
                u32(0)) == ("fd=3(<f>/etc/ld.so.cache) name=/etc/ld.so.cache "
                            "flags=4097(O_RDONLY|O_CLOEXEC) mode=0 ")
    evt = make_event("SYSCALL_OPEN_X", i64(3))
    with pytest.raises(IndexError):
        render_param(evt, 1, RenderContext(state))


def test_render_args_equals_info(state: State) -> None:
    evt = make_event("SYSCALL_CLOSE_E", i64(3))
    evt.thread = state.threads[100]
    ctx = RenderContext(state)
    assert render_args(evt, ctx) == render_info(evt, ctx) == "fd=3(<f>/etc/ld.so.cache) "
