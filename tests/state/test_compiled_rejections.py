"""The compiled fast rejections (state/_rowparse.c) leave the state exactly as the parser's
Python versions do (skip_rejected, reject_fast, reject_state_fast), on every sample capture.

Both run over the same State objects; this compares everything the tables hold after a
filtered read through the batch loop, with the module and without it (SYSDIVE_NO_EXTENSION),
and the events handed on. tests/parity compares the printed output of every filter case too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scapbuild import i64, make_event, u32, write_capture
from support import compiled_module
from sysdive.event import Event
from sysdive.fields.registry import FieldOptions, FieldRegistry, reads_fd_state
from sysdive.filter import compile_filter
from sysdive.inspector import Inspector
from sysdive.scap import reader
from sysdive.scap.blocks import ProcEntry
from sysdive.state.fds import FdInfo
from sysdive.state.parse_tables import PPM_EVENT_MAX
from sysdive.state.parser import Parser
from sysdive.state.tables import State
from sysdive.state.threads import ThreadInfo

CAPTURES = ("curl_google", "run_as_user_0_container", "single_ipv6_conn")
FILTERS = (
    "fd.name contains libc",
    "fd.name contains /etc or proc.name=curl",
    "evt.type=read and fd.name contains .so",
    "evt.is_io=true and evt.dir=< and evt.rawres>0",   # echo_fds's: no fast predicate
    "fd.type=ipv4",
    "proc.name=curl",                                   # fast, reads no fd
    "evt.type=read and evt.rawres>=0",                  # no fast form: filtered on the Event in C
    "proc.name!=curl",                                  # native over the comm; any type
    "proc.name startswith cur or fd.name contains /etc",   # any type, generic events too
    "evt.type=mprotect or proc.name=curl",              # any type, but not generic events
    # memory exits handed on with their counters
    "evt.type in (brk, mmap, munmap) and proc.name contains cur or fd.name contains /etc",
    "evt.type=brk and evt.dir=<",
    # a result comparison applied to the row in C (the compiler's result_native)
    "evt.rawres<0",
    "evt.is_io=true and evt.rawres!=0",
)


def _rowparse() -> Any:
    return compiled_module("state._rowparse")


def _fd_slots(f: FdInfo) -> tuple[Any, ...]:
    """Every slot of an fd entry (the C side builds them without FdInfo.__init__)."""
    return tuple((name, type(v).__name__, bytes(v) if isinstance(v, bytearray) else v)
                 for name in FdInfo.__slots__ for v in (getattr(f, name),))


def _event_slots(evt: Event) -> tuple[Any, ...]:
    """Every slot of an event (the C side builds events without Event.__init__): its bytes
    instead of the buffer they lie in, the context objects by what identifies them."""
    out: list[Any] = [("raw", evt.raw()), ("params", evt.params())]
    for name in Event.__slots__:
        if name in ("buf", "hdr", "end", "_params"):   # _params: a lazy cache
            continue
        v = getattr(evt, name)
        if name == "thread":   # and the memory counters a handed-on exit may have set
            v = None if v is None else (v.tid, v.vmsize_kb, v.vmrss_kb, v.vmswap_kb)
        elif name == "fdinfo":
            v = None if v is None else _fd_slots(v)
        elif name == "enter":
            v = None if v is None else (v.num, v.type)
        out.append((name, type(v).__name__, v))
    return tuple(out)


def _snapshot(state: State) -> list[Any]:
    out: list[Any] = [state.lastevent_ts, state.tid_to_remove, list(state.fds_to_remove)]
    for tid in sorted(state.threads):
        t = state.threads[tid]
        data = t.lastevent_data
        out.append((tid, t.pid, t.flags, t.lastevent_type, t.lastevent_fd, t.lastevent_cpuid,
                    t.latency, t.last_latency_entertime, t.lastevent_ts, t.prevevent_ts,
                    t.vmsize_kb, t.vmrss_kb, t.vmswap_kb,
                    _event_slots(data) if isinstance(data, Event) else repr(data),
                    [(fd, _fd_slots(f)) for fd, f in sorted(t.fds.items())]))
    return out


def _read(path: Path, text: str, monkeypatch: pytest.MonkeyPatch, compiled: bool
          ) -> tuple[list[Any], list[Any], bool]:
    if compiled:
        monkeypatch.delenv("SYSDIVE_NO_EXTENSION", raising=False)
    else:
        monkeypatch.setenv("SYSDIVE_NO_EXTENSION", "1")
    monkeypatch.setattr(reader, "VECTORISE_MIN", 0)
    insp = Inspector()
    compiled_filter = compile_filter(text, FieldRegistry(insp.state, FieldOptions()))
    insp.capture_filter = compiled_filter.match
    insp.filter_types = compiled_filter.event_types
    insp.fd_state = reads_fd_state(compiled_filter.fields)
    insp.make_fast_filter = compiled_filter.make_fast_match
    used: list[bool] = []
    real = Parser.compiled_rejections

    def spy(self: Parser, preds: Any, may_pass: Any, *rest: Any) -> Any:
        rows = real(self, preds, may_pass, *rest)
        used.append(rows is not None)
        return rows
    monkeypatch.setattr(Parser, "compiled_rejections", spy)
    seen: list[Any] = []

    def on_event(evt: Event) -> None:
        seen.append(_event_slots(evt))
    insp.run([str(path)], on_event)
    assert used, "the batch loop did not run"
    return seen, _snapshot(insp.state), all(used)


# A known divergence: when the filter reads no fd state and can match only types without
# one (brk), single_ipv6_conn's listening socket (fd 3 of tid 25886, a placeholder thread)
# is in the compiled path's fd table at the end and not in the Python path's: the numpy
# loop drops runs of skippable rows it finds dead (FastPath._live), which the compiled loop
# visits, and with the bind exit read the run that made fd 3 comes out dead. Nothing reads
# that fd (the printed events are equal); strict, so that its fix shows.
_DIVERGES = {("single_ipv6_conn", "evt.type=brk and evt.dir=<")}


@pytest.mark.parametrize("text", FILTERS)
@pytest.mark.parametrize("capture", CAPTURES)
def test_compiled_rejections_match_python(capture: str, text: str, v2_samples: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          request: pytest.FixtureRequest) -> None:
    if (capture, text) in _DIVERGES:
        request.applymarker(pytest.mark.xfail(strict=True, reason="fd table divergence"))
    _rowparse()
    path = v2_samples / f"{capture}.scap"
    seen_c, state_c, used_c = _read(path, text, monkeypatch, compiled=True)
    seen_py, state_py, used_py = _read(path, text, monkeypatch, compiled=False)
    assert used_c and not used_py
    assert seen_c == seen_py
    assert state_c == state_py, "the states differ"


def test_rows_refuse_bad_columns() -> None:
    mod = _rowparse()
    state = State()
    rows = Parser(state).compiled_rejections([None] * PPM_EVENT_MAX, None)
    assert isinstance(rows, mod.Rows)
    a = bytes(24)   # three int64 zeros
    kinds = bytes([2]) * PPM_EVENT_MAX
    with pytest.raises(ValueError, match="one length"):
        rows.load_walk(b"", 0, 0, a, bytes(16), None, kinds, None)
    with pytest.raises(ValueError, match="one length"):
        rows.load_walk(b"", 0, 0, a, a, bytes(2), kinds, None)
    with pytest.raises(ValueError, match="65536"):
        rows.load_walk(b"", 0, 0, a, a, None, kinds, bytes(10))
    with pytest.raises(ValueError, match="kinds one per type"):
        rows.load_walk(b"", 0, 0, a, a, None, bytes(3), None)
    big = (5000).to_bytes(8, "little") * 3
    with pytest.raises(ValueError, match="out of range"):
        rows.load_walk(bytes(400), 0, 0, a, big, None, kinds, None)
    with pytest.raises(ValueError, match="outside the buffer"):
        rows.load_walk(b"\0" * 40, 0, 0, (20).to_bytes(8, "little") * 3, a, None, kinds, None)
    with pytest.raises(RuntimeError, match="no batch"):
        rows.advance(0)

    class Plain:
        flags = name = oldname = type = 0

    with pytest.raises(TypeError, match="not a slot"):
        mod.Rows(None, state, Event, ThreadInfo, Plain, [None] * PPM_EVENT_MAX, None,
                 bytes(PPM_EVENT_MAX), bytes(PPM_EVENT_MAX), bytes(PPM_EVENT_MAX),
                 bytes(PPM_EVENT_MAX), {}, None, {})


def _same_both_ways(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Read ``path`` filtered by ``text`` through the compiled loop and the Python one:
    the same events handed on and the same state after; that state."""
    seen_c, state_c, used_c = _read(path, text, monkeypatch, compiled=True)
    seen_py, state_py, _ = _read(path, text, monkeypatch, compiled=False)
    assert used_c
    assert seen_c == seen_py
    assert state_c == state_py
    return state_c


# -- the open fast path's path join, in C: every corner of concatenate_paths ---------------

_PATH_BYTES = st.lists(st.sampled_from([b"/", b".", b"..", b"a", b"lib", b"\x01", b"\xc3\xa9",
                                        b"\xff", b"\0", b"//", b"./", b"../"]),
                       max_size=12).map(b"".join)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(_PATH_BYTES, min_size=1, max_size=8),
       cwd=st.sampled_from(["/", "/home/u/", "/tmp/d\u00e9j\u00e0/", "/x/" + "y" * 1000 + "/"]),
       text=st.sampled_from(["fd.name contains zz", "fd.name contains /", "fd.name = /"]))
def test_open_paths_joined_in_c_as_in_python(names: list[bytes], cwd: str, text: str,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Opens of odd names (dots, doubled slashes, non-printable and non-ASCII bytes, names
    without their NUL, a cwd that is not ASCII or near the 1024-byte limit) name their fds
    the same in C and in Python, rejected or handed on."""
    _rowparse()
    proc = ProcEntry(tid=100, pid=100, ptid=1, comm="t", exe="t", args=b"", cwd=cwd,
                     fdlimit=1024, flags=0, uid=0, gid=0)
    events = [make_event("SYSCALL_OPEN_X", i64(3 + k), name, u32(k * 1024), u32(0), u32(k),
                         tid=100, ts=1_000_000_000 + k, num=k + 1)
              for k, name in enumerate(names)]
    path = tmp_path / f"open-{abs(hash((tuple(names), cwd, text)))}.scap"
    write_capture(path, [proc], {}, events)
    _same_both_ways(path, text, monkeypatch)


@pytest.mark.parametrize("text", ["fd.name contains zz", "not fd.name contains zz"])
def test_connect_enters_in_c_as_in_python(text: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Connect enters (IPv4, IPv6, IPv4-mapped, unix, none, an enter with only the fd) and
    sendto enters on sockets the fast path created, and a sendto on an unknown fd: the
    sockets and stored enters they leave, rejected or handed on, are the same in C and in
    Python."""
    _rowparse()
    proc = ProcEntry(tid=100, pid=100, ptid=1, comm="t", exe="t", args=b"", cwd="/",
                     fdlimit=1024, flags=0, uid=0, gid=0)
    v4 = b"\x02" + bytes([10, 0, 0, 7]) + (443).to_bytes(2, "little")
    v6 = b"\x0a" + bytes(range(16)) + (80).to_bytes(2, "little")
    mapped = b"\x0a" + bytes(10) + b"\xff\xff" + bytes([1, 2, 3, 4]) + (53).to_bytes(2, "little")
    unix = b"\x01" + b"/run/x.sock\0"
    v4tuple = (b"\x02" + bytes([10, 0, 0, 1]) + (5000).to_bytes(2, "little")
               + bytes([10, 0, 0, 9]) + (53).to_bytes(2, "little"))
    addrs: list[bytes | None] = [v4, v6, mapped, unix, b"", None]
    events = []
    ts = 1_000_000_000
    for k, addr in enumerate(addrs):
        fd = 3 + k
        ts += 10
        events.append(make_event("SOCKET_SOCKET_E", u32(10 if addr in (v6, mapped) else 2),
                                 u32(1), u32(0), tid=100, ts=ts, num=len(events) + 1))
        events.append(make_event("SOCKET_SOCKET_X", i64(fd), tid=100, ts=ts + 1,
                                 num=len(events) + 1))
        params = (i64(fd),) if addr is None else (i64(fd), addr)
        events.append(make_event("SOCKET_CONNECT_E", *params, tid=100, ts=ts + 2,
                                 num=len(events) + 1))
        # a sendto enter on the socket (stored for its exit)
        events.append(make_event("SOCKET_SENDTO_E", i64(fd), u32(5), v4tuple, tid=100,
                                 ts=ts + 3, num=len(events) + 1))
    # a sendto enter on an fd never seen: it becomes a UDP socket (the full path)
    events.append(make_event("SOCKET_SENDTO_E", i64(40), u32(5), v4tuple, tid=100,
                             ts=ts + 4, num=len(events) + 1))
    path = tmp_path / "connect.scap"
    write_capture(path, [proc], {}, events)
    state_c = _same_both_ways(path, text, monkeypatch)
    socks = state_c[3][-1]
    assert len(socks) == len(addrs) + 1   # every socket made it, and the sendto's
