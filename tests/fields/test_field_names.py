"""Field name parsing as sysdig 0.29.3 does it (messages and consumed lengths checked by hand
against ``sysdig -p``), and the special values of a few fields."""

from __future__ import annotations

import pytest

from scapbuild import cstr, i64, make_event, u32
from sysdive.fields import FieldRegistry, FieldValueError
from sysdive.fields.evt import AroundMatch
from sysdive.schema.types import ParamType
from sysdive.state.tables import State
from sysdive.state.threads import ThreadInfo


@pytest.fixture
def reg() -> FieldRegistry:
    return FieldRegistry(State())


@pytest.mark.parametrize(("text", "consumed"), [
    ("evt.num", 7),
    ("evt.numfoo", 7),              # the rest of a -p token is literal text
    ("evt.infox", 8),
    ("evt.arg.fdzz", 10),           # the longest param name of any event that prefixes it
    ("evt.arg[3] x", 10),
    ("evt.rawarg.res", 14),
    ("evt.abspath.dst", 15),
    ("evt.abspath", 11),
    ("evt.type.is.open", 16),
    ("evt.type.is.9", 13),
    ("evt.type.is.open %x", 0),     # the whole rest must be a type, else nothing is consumed
    ("proc.aname", 10),
    ("proc.aname[2]x", 13),
    ("proc.anamex", 0),             # a swallowed syntax error
    ("thread.cgroup.cpu_set x", 21),
    ("thread.cgroups", 14),
    ("container.mount[0]", 18),
    ("container.mount.dest[/x*]", 25),
    ("fd.cip.name", 11),
    ("syscall.type", 12),
])
def test_consumed_lengths(reg: FieldRegistry, text: str, consumed: int) -> None:
    assert reg.parse(text).consumed == consumed


@pytest.mark.parametrize(("text", "message"), [
    ("evt.argx foo", "filter syntax error: evt.argx foo"),
    ("evt.arg[x] foo", "x is not a valid number"),
    ("evt.arg[", " is not a valid number"),
    ("evt.arg.zzz", "unknown event argument zzz"),
    ("evt.rawarg[0]", "evt.arg fields must be expressed explicitly"),
    ("evt.around.5", "wrong syntax for evt.around"),
    ("thread.cgroup", "filter syntax error: thread.cgroup"),
    ("container.mount", "filter syntax error: container.mount"),
    ("container.mount.nope[1]", "filter syntax error: container.mount.nope[1]"),
    ("argv", "filter error: proc.arg filter not implemented yet"),
    ("fd.ip x", "fd.ip x is filter only and cannot be used as a display field"),
])
def test_parse_errors(reg: FieldRegistry, text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        reg.parse(text)
    assert str(err.value) == message


def test_unknown_and_partial_names(reg: FieldRegistry) -> None:
    with pytest.raises(KeyError):
        reg.parse("nope")
    with pytest.raises(KeyError):
        reg.resolve("evt.numfoo")
    with pytest.raises(KeyError):
        reg.resolve("proc.anamex")
    assert reg.resolve("fd.ip").filter_only  # filters may use filter-only fields
    assert reg.parse("evt.around[5]").render(make_event("SYSCALL_CLOSE_X", i64(0))) is None


def test_rawarg_takes_the_type_of_the_first_param_of_that_name(reg: FieldRegistry) -> None:
    assert reg.resolve("evt.rawarg.res").type is ParamType.ERRNO
    assert reg.resolve("evt.rawarg.fd").type is ParamType.FD
    brk = make_event("SYSCALL_BRK_4_X", i64(0x55DB0DE73000), u32(1), u32(2), u32(3))
    assert reg.resolve("evt.rawarg.res").render(brk) == "94399319453696"
    close = make_event("SYSCALL_CLOSE_E", i64(3))
    # sysdig aborts here: an FD value has no text form in its raw-value printer.
    with pytest.raises(FieldValueError, match="wrong event type 14"):
        reg.resolve("evt.rawarg.fd").render(close)
    assert reg.resolve("evt.rawarg.fd").extract(close) == 3
    # Integers printed with the rawarg's own (empty) print format come out as <NA>.
    read = make_event("SYSCALL_READ_E", i64(3), u32(10))
    assert reg.resolve("evt.rawarg.size").render(read) is None
    assert reg.resolve("evt.rawarg.size").extract(read) == 10


def test_type_is_extracts_but_prints_nothing(reg: FieldRegistry) -> None:
    bound = reg.resolve("evt.type.is.open")
    assert bound.extract(make_event("SYSCALL_OPEN_E", cstr("/x"), u32(0), u32(0))) == 1
    assert bound.extract(make_event("SYSCALL_OPEN_X", i64(3))) == 1
    assert bound.extract(make_event("SYSCALL_CLOSE_E", i64(3))) == 0
    assert bound.render(make_event("SYSCALL_CLOSE_E", i64(3))) is None


def test_ancestor_fields() -> None:
    state = State()
    for tid, ptid, comm in ((1, 0, "systemd"), (10, 1, "sshd"), (20, 10, "bash"),
                            (30, 20, "curl")):
        t = ThreadInfo(tid)
        t.pid, t.ptid, t.comm = tid, ptid, comm
        state.threads[tid] = t
    reg = FieldRegistry(state)
    evt = make_event("SYSCALL_CLOSE_E", i64(3), tid=30)
    evt.thread = state.threads[30]
    aname = reg.resolve("proc.aname")
    assert aname.extract(evt) == ("bash", "sshd", "systemd")  # any ancestor, not itself
    assert aname.render(evt) == "curl"                      # printed: the process itself
    assert reg.resolve("proc.aname[2]").render(evt) == "sshd"
    assert reg.resolve("proc.aname[9]").render(evt) is None
    assert reg.resolve("proc.apid").extract(evt) == (20, 10, 1)
    assert reg.resolve("proc.pname").render(evt) == "bash"


def test_around_matches_a_window_in_milliseconds(reg: FieldRegistry) -> None:
    evt = make_event("SYSCALL_CLOSE_E", i64(3), ts=10_000_000_000)
    value = reg.resolve("evt.around[10500000000]").extract(evt)
    assert isinstance(value, AroundMatch)
    assert value == 500 and value == 1000
    assert value != 499


def test_stateful_fields_keep_state_per_binding(reg: FieldRegistry) -> None:
    first = reg.resolve("evt.deltatime")
    e1 = make_event("SYSCALL_CLOSE_E", i64(3), ts=1000)
    e2 = make_event("SYSCALL_CLOSE_X", i64(0), ts=1500)
    assert first.render(e1) == "0" and first.render(e2) == "500"
    other = reg.resolve("evt.deltatime")
    assert other.render(e2) == "0"
    # -j evaluates each token twice, so the delta shown there is always 0.
    assert reg.resolve("evt.deltatime").render_json(e2) == 0
