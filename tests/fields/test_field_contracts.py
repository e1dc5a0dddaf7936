"""Contract tests over every registered field: it resolves, is described, is typed, binds
cleanly and survives extraction on events it has nothing to say about."""

from __future__ import annotations

import pytest

from scapbuild import cstr, i64, make_event, u32
from sysdive.fields import FieldDef, FieldFlag, FieldRegistry, FieldValueError
from sysdive.fields.registry import ArgKind
from sysdive.schema.events import EVENTS
from sysdive.schema.types import ParamType
from sysdive.state.fds import FdInfo, FdType
from sysdive.state.tables import State
from sysdive.state.threads import ThreadInfo

# A valid argument for each kind of field argument.
SAMPLE_SUFFIX = {
    ArgKind.NONE: "",
    ArgKind.INDEX_OR_NAME: ".fd",
    ArgKind.NAME: ".res",
    ArgKind.OPTIONAL_INDEX: "[1]",
    ArgKind.TIMESTAMP: "[1000]",
    ArgKind.EVENT_TYPE: ".open",
    ArgKind.SUFFIX: ".src",
    ArgKind.SUBSYSTEM: ".cpu",
    ArgKind.INDEX_OR_PATH: "[0]",
    ArgKind.INDEX: "[0]",
}

ALL_DEFS: list[FieldDef] = list(FieldRegistry(State()).definitions())


def sample_name(fdef: FieldDef) -> str:
    return fdef.name + SAMPLE_SUFFIX[fdef.argument]


def test_names_are_unique_and_sysdig_sized() -> None:
    names = [f.name for f in ALL_DEFS]
    assert len(names) == len(set(names))
    # the seven classes (hidden ones included), k8s, mesos, span (20 with the table-only
    # ones), evtin (28)
    assert len(names) == 189 + 24 + 12 + 20 + 28


@pytest.mark.parametrize("fdef", ALL_DEFS, ids=lambda f: f.name)
def test_field_contract(fdef: FieldDef) -> None:
    assert fdef.description.strip() and fdef.display.strip()
    assert isinstance(fdef.type, ParamType)
    assert (fdef.argument is not ArgKind.NONE) == bool(fdef.flags & FieldFlag.REQUIRES_ARGUMENT) \
        or fdef.argument is ArgKind.OPTIONAL_INDEX
    reg = FieldRegistry(State())
    name = sample_name(fdef)
    bound = reg.resolve(name)
    assert bound.definition is fdef
    assert bound.name == name and bound.consumed == len(name)
    assert isinstance(bound.type, ParamType)
    assert bound.event_types is None or bound.event_types <= frozenset(range(len(EVENTS)))
    if fdef.flags & FieldFlag.FILTER_ONLY and fdef.argument is ArgKind.NONE:
        with pytest.raises(ValueError, match="is filter only"):
            reg.parse(name)
    else:
        assert reg.parse(name).consumed == len(name)


def _state_with_thread() -> State:
    state = State()
    t = ThreadInfo(100)
    t.pid, t.ptid, t.comm, t.exe, t.cwd, t.uid, t.gid = 100, 1, "cat", "/bin/cat", "/tmp/", 0, 0
    t.fds[3] = FdInfo(3, FdType.FILE, "/etc/passwd")
    state.threads[100] = t
    return state


@pytest.mark.parametrize("fdef", ALL_DEFS, ids=lambda f: f.name)
def test_field_extracts_on_unrelated_events(fdef: FieldDef) -> None:
    state = _state_with_thread()
    reg = FieldRegistry(state)
    bound = reg.resolve(sample_name(fdef))
    events = [
        make_event("SYSCALL_CLOSE_E", i64(3)),
        make_event("SYSCALL_OPEN_X", i64(3), cstr("/etc/passwd"), u32(1), u32(0)),
        make_event("GENERIC_E", b"\x05\x00", b"\x02\x00"),
        make_event("SYSCALL_BRK_4_E", i64(0)),
    ]
    for evt in events:
        evt.thread = state.threads[100]
        value = bound.extract(evt)
        if value is not None and bound.event_types is not None:
            assert evt.type in bound.event_types, "event_types must be a superset"
        try:
            bound.render(evt)
            bound.render_json(evt)
        except FieldValueError:
            # sysdig aborts on these too ("wrong event type N"): raw args of FD/flags type.
            assert fdef.name in ("evt.rawarg", "proc.fdusage", "thread.cpu", "thread.cpu.user",
                                 "thread.cpu.system")


TYPE_VALUED = [f for f in ALL_DEFS if FieldRegistry(State()).resolve(sample_name(f)).type_value]


def test_some_fields_are_type_valued() -> None:
    assert {"evt.dir", "evt.is_io", "evt.is_io_read"} <= {f.name for f in TYPE_VALUED}


@pytest.mark.parametrize("fdef", TYPE_VALUED, ids=lambda f: f.name)
def test_type_value_is_what_extract_gives(fdef: FieldDef) -> None:
    # The filter compiler decides these checks per event type from type_value alone.
    state = _state_with_thread()
    bound = FieldRegistry(state).resolve(sample_name(fdef))
    assert bound.type_value is not None
    for etype in range(len(EVENTS)):
        evt = make_event(etype)
        evt.thread = state.threads[100]
        assert bound.type_value(etype) == bound.extract(evt), EVENTS[etype].enum
