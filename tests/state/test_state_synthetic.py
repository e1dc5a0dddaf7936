"""Unit tests of the state engine on synthetic events: thread creation rules, clone/execve,
deferred removals, enter/exit pairing, socket naming and the process-list import."""

from __future__ import annotations

import pytest
from statehelpers import Feeder

from scapbuild import cstr as cs
from scapbuild import i64, make_event, u32, u64
from sysdive.scap.blocks import CaptureHeader, FdEntry, Interface, ProcEntry
from sysdive.state.decode import concatenate_paths
from sysdive.state.fds import FdType
from sysdive.state.parser import Parser
from sysdive.state.tables import State
from sysdive.state.threads import CL_CLONE_FILES, CL_CLONE_INVERTED, CL_CLONE_THREAD

PARENT, CHILD = 100, 101
AF_INET, AF_INET6, AF_UNIX = b"\x02", b"\x0a", b"\x01"


def _proc(tid: int, pid: int, comm: str, flags: int = 0, cwd: str = "/home/u") -> ProcEntry:
    return ProcEntry(tid, pid, 1, comm, "/bin/" + comm, b"-x\0arg\0", cwd, 1024, flags,
                     1000, 1000, vtid=tid, vpid=pid, env=b"A=1\0B=2\0",
                     cgroups=b"cpu=/x\0perf=/\0")


@pytest.fixture
def world() -> tuple[State, Parser, Feeder]:
    """A state with one process (tid 100) and a second thread of it (102)."""
    hdr = CaptureHeader()
    hdr.procs[PARENT] = _proc(PARENT, PARENT, "sh")
    hdr.procs[102] = _proc(102, PARENT, "sh", flags=CL_CLONE_THREAD | CL_CLONE_FILES)
    hdr.fds[PARENT] = {0: FdEntry(0, 1, 1, name="/dev/pts/0")}
    state = State()
    state.load_header(hdr)
    parser = Parser(state)
    return state, parser, Feeder(parser)


def _clone_x(res: int, tid: int, pid: int, ptid: int, flags: int, comm: str = "sh",
             vtid: int | None = None) -> tuple[bytes, ...]:
    return (i64(res), cs("/bin/" + comm), b"-c\0ls\0", i64(tid), i64(pid), i64(ptid),
            cs("/ignored"), i64(2048), u64(1), u64(2), u32(300), u32(40), u32(0), cs(comm),
            b"cpu=/y\0", u32(flags), u32(0), u32(0), i64(tid if vtid is None else vtid),
            i64(pid))


def test_unknown_tid_gets_placeholder() -> None:
    state = State()
    f = Feeder(Parser(state))
    evt = f.feed("PPME_SYSCALL_READ_E", 555, i64(3), u32(10))
    t = evt.thread
    assert t is not None and state.threads[555] is t
    assert (t.comm, t.exe, t.pid, t.ptid, t.uid, t.gid, t.loginuid, t.vtid, state.cwd(t)) == \
        ("<NA>", "<NA>", 555, -1, 0xFFFFFFFF, 0xFFFFFFFF, -1, -1, "")


def test_switch_and_clone_exit_do_not_invent_threads() -> None:
    state = State()
    f = Feeder(Parser(state))
    f.feed("PPME_SCHEDSWITCH_6_E", 7, i64(8), u64(0), u64(0), u32(1), u32(2), u32(3))
    assert 7 not in state.threads


def test_load_header_shares_main_fd_table_and_cwd(world: tuple[State, Parser, Feeder]) -> None:
    state, _, _ = world
    main, thread = state.threads[PARENT], state.threads[102]
    assert state.fd_table(thread) is main.fds
    assert state.get_fd(thread, 0) is main.fds[0]
    assert state.cwd(thread) == "/home/u/"
    assert main.args == ["-x", "arg"] and main.env == ["A=1", "B=2"] and thread.env == []
    assert main.cgroups == [("cpu", "/x"), ("perf_event", "/")]
    assert main.nchilds == 1


def test_clone_from_parent_creates_process(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    f.feed("PPME_SYSCALL_CLONE_20_E", PARENT)
    evt = f.feed("PPME_SYSCALL_CLONE_20_X", PARENT, *_clone_x(CHILD, PARENT, PARENT, 1, 0))
    child = state.threads[CHILD]
    assert (child.pid, child.ptid, child.comm, child.args, child.uid) == \
        (CHILD, PARENT, "sh", ["-c", "ls"], 0)
    assert (child.vtid, child.vpid, child.vmrss_kb, child.fdlimit) == (CHILD, CHILD, 40, 2048)
    assert child.cwd == "/home/u/" and child.env == ["A=1", "B=2"]
    assert child.fds[0].name == "/dev/pts/0" and child.fds[0] is not state.threads[PARENT].fds[0]
    assert evt.latency == 1000
    # The child's own clone exit finds it and leaves it alone.
    f.feed("PPME_SYSCALL_CLONE_20_X", CHILD, *_clone_x(0, CHILD, CHILD, PARENT, 0))
    assert state.threads[CHILD] is child


def test_clone_thread_shares_fds(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    flags = CL_CLONE_THREAD | CL_CLONE_FILES
    f.feed("PPME_SYSCALL_CLONE_20_X", PARENT, *_clone_x(CHILD, PARENT, PARENT, 1, flags))
    child = state.threads[CHILD]
    assert child.pid == PARENT and state.fd_table(child) is state.threads[PARENT].fds
    f.feed("PPME_SYSCALL_OPEN_E", CHILD)
    f.feed("PPME_SYSCALL_OPEN_X", CHILD, i64(5), cs("notes.txt"), u32(1), u32(0))
    assert state.threads[PARENT].fds[5].name == "/home/u/notes.txt"


def test_inverted_clone(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    f.feed("PPME_SYSCALL_CLONE_20_X", CHILD, *_clone_x(0, CHILD, CHILD, PARENT, 0))
    child = state.threads[CHILD]
    assert child.ptid == PARENT and child.flags & CL_CLONE_INVERTED
    f.feed("PPME_SYSCALL_CLONE_20_X", PARENT, *_clone_x(CHILD, PARENT, PARENT, 1, 0))
    assert state.threads[CHILD] is child


def test_clone_in_container_left_to_child(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    f.feed("PPME_SYSCALL_CLONE_20_X", PARENT,
           *_clone_x(CHILD, PARENT, PARENT, 1, 1 << 29))
    assert CHILD not in state.threads


def test_execve_updates_process(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    thread = state.threads[102]
    f.feed("PPME_SYSCALL_EXECVE_19_E", 102, cs("../bin/ls"))
    f.feed("PPME_SYSCALL_EXECVE_19_X", 102, i64(0), cs("/bin/ls"), b"-l\0", i64(102),
           i64(102), i64(1), cs("/"), u64(64), u64(0), u64(0), u32(900), u32(80), u32(0),
           cs("ls"), b"cpu=/z\0", b"X=1\0", u32(0), i64(102), u32(1000), u32(1))
    assert (thread.exe, thread.comm, thread.args, thread.pid) == ("/bin/ls", "ls", ["-l"], 102)
    assert (thread.vmsize_kb, thread.vmrss_kb, thread.env, thread.loginuid) == \
        (900, 80, ["X=1"], 1000)
    assert thread.exe_writable and thread.cgroups == [("cpu", "/z")]
    # The exec made it a process of its own; clone flags are gone with the old image.
    assert not thread.flags & CL_CLONE_FILES and state.fd_table(thread) is thread.fds
    # exepath joins the *thread's own* cwd (empty for a non-main thread), and libsinsp's
    # normaliser cannot climb above the start of the buffer: "../" is simply dropped.
    assert thread.exepath == "bin/ls"


def test_close_removes_fd_at_next_event(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    f.feed("PPME_SYSCALL_OPEN_E", PARENT, cs("/etc/passwd"), u32(1), u32(0))
    evt = f.feed("PPME_SYSCALL_OPEN_X", PARENT, i64(3), cs("/etc/passwd"), u32(1), u32(0))
    assert evt.fdinfo is not None and evt.fdinfo.type == FdType.FILE_V2
    f.feed("PPME_SYSCALL_CLOSE_E", PARENT, i64(3))
    evt = f.feed("PPME_SYSCALL_CLOSE_X", PARENT, i64(0))
    assert evt.fdinfo is not None and evt.fdinfo.name == "/etc/passwd"
    assert 3 in state.threads[PARENT].fds
    f.feed("PPME_SYSCALL_READ_E", PARENT, i64(3), u32(1))
    assert 3 not in state.threads[PARENT].fds


def test_procexit_removes_thread_at_next_event() -> None:
    state = State()
    f = Feeder(Parser(state))
    evt = f.feed("PPME_PROCEXIT_1_E", 9, i64(0), i64(0), b"\x00", b"\x00")
    assert evt.thread is state.threads[9]
    f.feed("PPME_SYSCALL_READ_E", 10, i64(3), u32(1))
    assert 9 not in state.threads


def test_unpaired_exit_has_no_fd(world: tuple[State, Parser, Feeder]) -> None:
    _, _, f = world
    assert f.feed("PPME_SYSCALL_READ_X", PARENT, i64(1), b"x").fdinfo is None
    f.feed("PPME_SYSCALL_READ_E", PARENT, i64(0), u32(1))
    evt = f.feed("PPME_SYSCALL_READ_X", PARENT, i64(1), b"x")
    assert evt.fdinfo is not None and evt.fdinfo.name == "/dev/pts/0"


def test_early_drop_breaks_pairing(world: tuple[State, Parser, Feeder]) -> None:
    _, _, f = world
    evt = f.feed("PPME_SYSCALL_READ_E", PARENT, i64(0), u32(1), filt=lambda e: e.type & 1 == 1)
    assert evt.extra is False
    evt = f.feed("PPME_SYSCALL_READ_X", PARENT, i64(1), b"x", filt=lambda e: True)
    assert evt.extra is True and evt.fdinfo is None


def test_state_only_events_are_parsed_but_hidden(world: tuple[State, Parser, Feeder]) -> None:
    state, parser, f = world
    f.feed("PPME_SYSCALL_OPEN_E", PARENT)
    f.num += 1
    evt = make_event("SYSCALL_OPEN_X", i64(4), cs("/a"), u32(1), u32(0), tid=PARENT,
                     ts=f.ts + 1, num=f.num, dflags=1)
    assert parser.process_event(evt) is False
    assert state.threads[PARENT].fds[4].name == "/a"


def _udp6_socket(f: Feeder) -> None:
    f.feed("PPME_SOCKET_SOCKET_E", PARENT, u32(10), u32(2), u32(0))
    f.feed("PPME_SOCKET_SOCKET_X", PARENT, i64(4))


def _tuple6(sip: bytes, sport: int, dip: bytes, dport: int) -> bytes:
    return AF_INET6 + sip + sport.to_bytes(2, "little") + dip + dport.to_bytes(2, "little")


def test_udp_destination_is_sticky(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    _udp6_socket(f)
    loop = bytes(15) + b"\x01"
    other = bytes.fromhex("20014860486000000000000000008888")
    # Connect enters without the address (as in the sample captures): only exits count.
    f.feed("PPME_SOCKET_CONNECT_E", PARENT, i64(4))
    f.feed("PPME_SOCKET_CONNECT_X", PARENT, i64(0), _tuple6(loop, 40000, loop, 2345))
    fdi = state.threads[PARENT].fds[4]
    assert fdi.name == "::1:40000->::1:2345"
    f.feed("PPME_SOCKET_CONNECT_E", PARENT, i64(4))
    f.feed("PPME_SOCKET_CONNECT_X", PARENT, i64(0), _tuple6(loop, 40001, other, 53))
    assert fdi.name == "::1:40001->::1:2345"
    # A connect enter that carries the address does replace the destination.
    addr = AF_INET6 + other + (53).to_bytes(2, "little")
    f.feed("PPME_SOCKET_CONNECT_E", PARENT, i64(4), addr)
    f.feed("PPME_SOCKET_CONNECT_X", PARENT, i64(0), _tuple6(loop, 40002, other, 53))
    assert fdi.name == "::1:40002->2001:4860:4860::8888:53"


def test_bind_makes_server_socket(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    _udp6_socket(f)
    addr = bytes.fromhex("20010db8000000000000000000030000")
    f.feed("PPME_SOCKET_BIND_E", PARENT, i64(4))
    f.feed("PPME_SOCKET_BIND_X", PARENT, i64(0), AF_INET6 + addr + (1234).to_bytes(2, "little"))
    fdi = state.threads[PARENT].fds[4]
    assert (fdi.type, fdi.name, fdi.sport, fdi.l4proto) == \
        (FdType.IPV6_SERVSOCK, "2001:db8::3:0:1234", 1234, 3)


def test_pipe_dup_and_failed_open(world: tuple[State, Parser, Feeder]) -> None:
    state, _, f = world
    f.feed("PPME_SYSCALL_PIPE_E", PARENT)
    f.feed("PPME_SYSCALL_PIPE_X", PARENT, i64(0), i64(5), i64(6), u64(77))
    fds = state.threads[PARENT].fds
    assert fds[5].type == fds[6].type == FdType.FIFO and fds[5].name == ""
    f.feed("PPME_SYSCALL_DUP_E", PARENT, i64(5))
    f.feed("PPME_SYSCALL_DUP_X", PARENT, i64(9))
    assert fds[9].type == FdType.FIFO and fds[9] is not fds[5]
    f.feed("PPME_SYSCALL_OPEN_E", PARENT)
    evt = f.feed("PPME_SYSCALL_OPEN_X", PARENT, i64(-2), cs("x"), u32(1), u32(0))
    assert evt.fdinfo is None and evt.thread is not None and evt.thread.lastevent_fd == -1


def test_socket_names_from_process_list() -> None:
    hdr = CaptureHeader()
    hdr.procs[1] = _proc(1, 1, "srv")
    mapped = bytes(10) + b"\xff\xff" + bytes([10, 0, 0, 1])
    peer = bytes(10) + b"\xff\xff" + bytes([10, 0, 0, 2])
    hdr.fds[1] = {
        3: FdEntry(3, 0, 5, sip=bytes(4), sport=22, l4proto=2),
        4: FdEntry(4, 0, 4, sip=mapped, dip=peer, sport=22, dport=5000, l4proto=2),
        5: FdEntry(5, 0, 3, sip=bytes([10, 0, 0, 1]), dip=bytes([8, 8, 8, 8]), sport=40000,
                   dport=53, l4proto=3),
        6: FdEntry(6, 0, 3, sip=bytes(4), dip=bytes([8, 8, 4, 4]), sport=40001, dport=53,
                   l4proto=3),
        7: FdEntry(7, 0, 8, name="/run/sock", source=1, dest=2),
    }
    hdr.interfaces.append(Interface(1, "eth0", bytes([10, 0, 0, 1]), bytes([255, 0, 0, 0]),
                                    bytes(4)))
    state = State()
    state.load_header(hdr)
    fds = state.threads[1].fds
    assert fds[3].name == "0.0.0.0:22"
    # A mapped v6 socket becomes v4; source port 22 is a server port: ends swapped.
    assert fds[4].type == FdType.IPV4_SOCK and fds[4].name == "10.0.0.2:5000->10.0.0.1:22"
    assert fds[4].is_role_server and fds[5].is_role_client
    assert fds[5].name == "10.0.0.1:40000->8.8.8.8:53"
    assert fds[6].name == "10.0.0.1:40001->8.8.4.4:53"   # zero source guessed from eth0
    assert fds[7].name == "/run/sock" and fds[7].is_role_server


@pytest.mark.parametrize(("base", "path", "expected"), [
    ("/home/u/", b"a/../b/./c//d/\0", "/home/u/b/c/d"),
    ("/home/u/", b"/abs/x\0", "/abs/x"),
    ("/", b"..\0", "/"),
    ("/home/u/", b"\0", "/home/u"),
    ("/home/u/", b"bad\x01name\0", "/home/u/bad.name"),
    ("/", b"x" * 1100 + b"\0", "/PATH_TOO_LONG"),
])
def test_concatenate_paths(base: str, path: bytes, expected: str) -> None:
    assert concatenate_paths(base, path)[0] == expected
