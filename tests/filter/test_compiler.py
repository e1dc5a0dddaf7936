"""The compiler: literal conversion, comparison semantics, errors and event types."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv6Address
from typing import Any

import pytest
from filter_fakes import GENERIC_IDS, NET_IDS, OPEN_IDS, RESOLVER, RW_IDS, event

from scapbuild import make_event
from sysdive.errors import FilterError
from sysdive.fields import FieldRegistry
from sysdive.filter import CompiledFilter, Not, compile_filter, compile_tree, parse
from sysdive.filter.ast import And, Check
from sysdive.schema.events import EVENTS, event_ids_named
from sysdive.state.tables import State


def flt(text: str) -> CompiledFilter:
    return compile_filter(text, RESOLVER)


def matches(text: str, **fields: Any) -> bool:
    type_name = fields.pop("type_name", "open")
    return flt(text).match(event(type_name, **fields))


def error_of(text: str) -> tuple[int, str]:
    with pytest.raises(FilterError) as info:
        flt(text)
    m = re.fullmatch(r"filter error at column (\d+): (.*)", str(info.value), re.S)
    assert m, str(info.value)
    return int(m.group(1)), m.group(2)


# -- strings -------------------------------------------------------------------------------------

STRING_CASES = [
    ("proc.name=bash", "bash", True),
    ("proc.name=bash", "bas", False),
    ("proc.name!=bash", "bash", False),
    ("proc.name!=bash", "zsh", True),
    ("proc.name<bash", "ash", True),
    ("proc.name<bash", "bash", False),
    ("proc.name<=bash", "bash", True),
    ("proc.name>bash", "zsh", True),
    ("proc.name>=bash", "bash", True),
    ("proc.name>b", "Z", False),  # byte order: uppercase sorts first
    ("proc.name contains as", "bash", True),
    ("proc.name contains sa", "bash", False),
    ('proc.name contains ""', "bash", True),
    ("proc.name icontains AS", "bAsh", True),
    ("proc.name icontains É", "é", False),  # strcasestr folds ASCII only
    ("proc.name icontains É", "xÉx", True),
    ("proc.name startswith ba", "bash", True),
    ("proc.name startswith as", "bash", False),
    ("proc.name endswith sh", "bash", True),
    ("proc.name endswith ba", "bash", False),
    ("proc.name glob b*h", "bash", True),
    ("proc.name glob b?sh", "bash", True),
    ("proc.name glob 'b[!a]sh'", "bash", False),
    ("proc.name glob 'b[^x]sh'", "bash", True),
    ("proc.name glob B*", "bash", False),
    ("proc.name glob '*'", "", True),
    ("proc.name glob ?", "é", False),  # one byte, and é has two
    ("proc.name glob ??", "é", True),
    ("proc.name in (zsh, bash)", "bash", True),
    ("proc.name in (zsh, bas)", "bash", False),
    ("proc.name intersects (zsh, bash)", "bash", True),
    ("proc.name pmatch (/usr/bin)", "/usr/bin/bash", True),
    ("proc.name pmatch (/usr/bin)", "/usr/bin", True),
    ("proc.name pmatch (/usr/bin)", "/usr/binx", False),
    ("proc.name pmatch (usr//bin/)", "/usr/bin/x", True),
    ("proc.name pmatch (/usr/bin/x)", "/usr/bin", False),
    ("proc.name pmatch ('', /x)", "/anything", True),
    ("proc.name pmatch (/etc, /usr)", "/usr/lib", True),
    ("proc.name exists", "", True),
    (r"proc.name = 'a\x00b'", "a", True),  # a literal ends at its first NUL
    (r"proc.name = a\x41", "aA", True),
    (r"proc.name = \xff", "\udcff", True),
    ("proc.name==bash", "=bash", True),  # 0.29.3's reading of "==" on strings
    ("proc.name==bash", "bash", False),
    ("proc.name==", "=", True),
]


@pytest.mark.parametrize(("text", "value", "expected"), STRING_CASES)
def test_string_operators(text: str, value: str, expected: bool) -> None:
    assert matches(text, proc__name=value) is expected


def test_fspath_fields_compare_as_strings() -> None:
    assert matches("evt.arg.path pmatch (/etc)", evt__arg__path="/etc/hosts")
    assert matches("evt.arg.path glob '/etc/*'", evt__arg__path="/etc/hosts")


# -- missing values and tuples ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "proc.name=bash",
        "proc.name!=bash",
        "proc.name<zzz",
        "proc.name contains a",
        "proc.name glob *",
        "proc.name in (bash)",
        "proc.name pmatch ('')",
        "proc.name exists",
        "evt.rawres!=5",
        "fd.sip!=1.2.3.4",
        "fd.net!=10.0.0.0/8",
        "evt.buffer!=x",
    ],
)
def test_missing_value_fails_every_comparison(text: str) -> None:
    assert flt(text).match(event("open")) is False
    assert flt("not " + text).match(event("open")) is True


def test_tuple_values_match_any_element() -> None:
    ancestors = ("bash", "sshd", "systemd")
    assert matches("proc.aname=sshd", proc__aname=ancestors)
    assert matches("proc.aname!=bash", proc__aname=ancestors)  # some ancestor is not bash
    assert not matches("proc.aname=zsh", proc__aname=ancestors)
    assert matches("proc.aname in (zsh, systemd)", proc__aname=ancestors)
    assert matches("proc.aname glob 'ss*'", proc__aname=ancestors)
    assert matches("proc.aname[1]=sshd", proc__aname=ancestors)
    assert not matches("proc.aname[1]=bash", proc__aname=ancestors)
    assert matches("proc.aname exists", proc__aname=ancestors)
    assert not matches("proc.aname exists", proc__aname=())
    assert not matches("proc.aname!=x", proc__aname=())


def test_ne_requires_all_for_either_end_fields() -> None:
    both = (80, 40000)
    assert matches("fd.port=80", type_name="connect", fd__port=both)
    assert not matches("fd.port!=80", type_name="connect", fd__port=both)
    assert matches("fd.port!=81", type_name="connect", fd__port=both)
    assert matches("fd.port>1024", type_name="connect", fd__port=both)
    assert matches("fd.port in (1, 80)", type_name="connect", fd__port=both)
    nets = (IPv4Address("10.1.2.3"), IPv4Address("192.168.1.1"))
    assert matches("fd.net=10.0.0.0/8", type_name="connect", fd__net=nets)
    assert not matches("fd.net!=10.0.0.0/8", type_name="connect", fd__net=nets)
    assert matches("fd.net!=172.16.0.0/12", type_name="connect", fd__net=nets)


# -- numbers -------------------------------------------------------------------------------------

NUMBER_CASES = [
    ("evt.rawres=0", 0, True),
    ("evt.rawres=-2", -2, True),
    ("evt.rawres=+2", 2, True),
    ('evt.rawres=" 2"', 2, True),  # sscanf skips leading blanks
    ("evt.rawres<0", -2, True),
    ("evt.rawres<=-2", -2, True),
    ("evt.rawres>-3", -2, True),
    ("evt.rawres>=0", -2, False),
    ("evt.rawres!=0", -2, True),
    ("evt.rawres in (1, -2, 3)", -2, True),
    ("evt.rawres=99999999999999999999", 2**63 - 1, True),  # strtol saturates
    ("evt.rawres=-99999999999999999999", -(2**63), True),
    ("evt.rawres==-2", -2, True),  # "==" is "=" for numbers
    ("evt.rawres == -2", -2, True),
]


@pytest.mark.parametrize(("text", "value", "expected"), NUMBER_CASES)
def test_signed_numbers(text: str, value: int, expected: bool) -> None:
    assert matches(text, evt__rawres=value) is expected


def test_literals_are_cut_to_the_field_width() -> None:
    assert matches("evt.cpu=65536", evt__cpu=0)
    assert matches("evt.cpu=65535", evt__cpu=-1)
    assert matches("evt.cpu=32768", evt__cpu=-32768)
    assert matches("evt.count=256", evt__count=0)
    assert matches("evt.count=-1", evt__count=255)
    assert matches("user.uid=-1", user__uid=2**32 - 1)
    assert matches("user.uid=4294967296", user__uid=0)
    assert matches("evt.rawtime=-1", evt__rawtime=2**64 - 1)
    assert matches("evt.rawtime=99999999999999999999", evt__rawtime=2**64 - 1)
    assert matches("evt.flags=4294967297", evt__flags=1)
    assert matches("fd.num=3", fd__num=3)


def test_ports() -> None:
    assert matches("fd.sport=80", type_name="connect", fd__sport=80)
    assert matches("fd.sport=http", type_name="connect", fd__sport=80)
    assert matches("fd.sport=65616", type_name="connect", fd__sport=80)
    assert matches("fd.sport=", type_name="connect", fd__sport=0)
    assert matches("fd.sport in (ssh, http)", type_name="connect", fd__sport=80)


def test_booleans_and_doubles() -> None:
    assert matches("evt.is_io=true", evt__is_io=True)
    assert matches("evt.is_io=false", evt__is_io=False)
    assert not matches("evt.is_io=true", evt__is_io=False)
    assert matches("evt.is_io>false", evt__is_io=True)
    assert matches("evt.is_io in (true)", evt__is_io=True)
    assert matches("thread.cpu>0.5", thread__cpu=0.75)
    assert matches("thread.cpu=1e2", thread__cpu=100.0)
    assert not matches("thread.cpu<.5", thread__cpu=0.75)


# -- buffers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("evt.buffer=GET", False),
        ("evt.buffer='GET / HTTP'", True),
        ("evt.buffer!=GET", True),
        ("evt.buffer contains HTTP", True),
        ("evt.buffer contains http", False),
        ("evt.buffer startswith GET", True),
        ("evt.buffer endswith HTTP", True),
        ("evt.buffer in (x, 'GET / HTTP')", True),
        ("evt.buffer bcontains 2f20", True),
        ("evt.buffer bcontains 2F20", True),
        ("evt.buffer bstartswith 474554", True),
        ("evt.buffer bstartswith 4554", False),
        ("evt.buffer==GET", False),  # 0.29.3's reading: "=GET"
        (r"evt.buffer contains '\x20/'", True),
    ],
)
def test_buffers(text: str, expected: bool) -> None:
    assert matches(text, type_name="read", evt__buffer=b"GET / HTTP") is expected


def test_buffer_literal_bytes() -> None:
    assert matches(r"evt.buffer=\xff\x00", type_name="read", evt__buffer=b"\xff\x00")
    assert matches("evt.buffer=é", type_name="read", evt__buffer="é".encode())


# -- addresses and networks ----------------------------------------------------------------------


def net_match(text: str, **fields: Any) -> bool:
    return matches(text, type_name="connect", **fields)


def test_ipv4_addresses() -> None:
    a = IPv4Address("10.0.0.1")
    assert net_match("fd.v4=10.0.0.1", fd__v4=a)
    assert net_match("fd.v4!=10.0.0.2", fd__v4=a)
    assert net_match("fd.v4 in (1.1.1.1, 10.0.0.1)", fd__v4=a)
    # 0.29.3 orders the raw in_addr as a little-endian integer: the last byte counts most.
    assert net_match("fd.v4 > 1.0.0.2", fd__v4=IPv4Address("2.0.0.1")) is False
    assert net_match("fd.v4 < 1.0.0.2", fd__v4=IPv4Address("2.0.0.1")) is True
    assert net_match("fd.v4 >= 10.0.0.1", fd__v4=a)
    assert net_match("fd.v4==10.0.0.1", fd__v4=a)


def test_ip_fields_of_either_family() -> None:
    v4, v6 = IPv4Address("1.2.3.4"), IPv6Address("2001:db8::1")
    assert net_match("fd.sip=1.2.3.4", fd__sip=v4)
    assert net_match("fd.sip=2001:db8::1", fd__sip=v6)
    assert not net_match("fd.sip=::1", fd__sip=v4)
    assert net_match("fd.sip!=::1", fd__sip=v4)
    assert net_match("fd.sip in (::1, 1.2.3.4)", fd__sip=v4)
    assert net_match("fd.sip in (::1, 2001:db8:0::1)", fd__sip=v6)
    assert net_match("fd.sip > 1.2.3.3", fd__sip=v4)
    assert not net_match("fd.sip > 1.2.3.3", fd__sip=v6)  # IPv6 values never order
    assert not net_match("fd.sip > ::1", fd__sip=v6)
    assert net_match("fd.v6=2001:db8::1", fd__v6=v6)


def test_networks() -> None:
    inside, outside = IPv4Address("10.9.8.7"), IPv4Address("11.0.0.1")
    assert net_match("fd.net=10.0.0.0/8", fd__net=inside)
    assert not net_match("fd.net=10.0.0.0/8", fd__net=outside)
    assert net_match("fd.net!=10.0.0.0/8", fd__net=outside)
    assert net_match("fd.net=10.1.2.3/8", fd__net=inside)  # host bits are masked away
    assert net_match("fd.net=1.2.3.4/0", fd__net=outside)
    assert net_match("fd.net=1.2.3.4/256", fd__net=outside)  # /256 reads as /0
    assert net_match("fd.net in (192.168.0.0/16, 10.0.0.0/8)", fd__net=inside)
    v6 = IPv6Address("2001:db8:1:2:aaaa::1")
    assert net_match("fd.net=2001:db8:1:2::", fd__net=v6)  # a bare IPv6 literal is its /64
    assert not net_match("fd.net=2001:db8:1:3::", fd__net=v6)
    assert net_match("fd.net=2001:db8::/32", fd__net=v6)
    assert not net_match("fd.net=2001:db9::/32", fd__net=v6)
    assert not net_match("fd.net=10.0.0.0/8", fd__net=v6)
    assert not net_match("fd.net=2001:db8::/32", fd__net=inside)


# -- evt.type ----------------------------------------------------------------------------------------


def test_evt_type() -> None:
    assert matches("evt.type=open")
    assert not matches("evt.type=close")
    assert matches("evt.type!=close")
    assert matches("evt.type in (close, open)")
    assert matches("evt.type==open")  # "==" is "=": no event is named "=open"
    assert matches("evt.type == open")
    generic = {"type": min(GENERIC_IDS), "syscall": "mprotect"}
    assert flt("evt.type=mprotect").match(generic)
    assert not flt("evt.type=syscall").match(generic)


def test_evt_type_event_types() -> None:
    assert flt("evt.type=open").event_types == frozenset(event_ids_named("open")) | GENERIC_IDS
    assert flt("evt.type=switch").event_types == frozenset(event_ids_named("switch"))
    assert flt("evt.type in (switch, procexit)").event_types == frozenset(
        event_ids_named("switch") + event_ids_named("procexit")
    )
    assert (
        flt("evt.type=mprotect").event_types == frozenset(event_ids_named("mprotect")) | GENERIC_IDS
    )
    assert flt("evt.type!=open").event_types is None
    assert flt("evt.type exists").event_types is None


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("evt.type=opne", 10, "unknown event type 'opne'"),
        ("evt.type=", 10, "unknown event type ''"),
        ("evt.type in (open, opne)", 20, "unknown event type 'opne'"),
        ("evt.type contains op", 19, "unknown event type 'op'"),
        ("evt.type glob 'op*'", 15, "unknown event type 'op*'"),
    ],
)
def test_unknown_event_types(text: str, column: int, message: str) -> None:
    assert error_of(text) == (column, message)


# -- event types ---------------------------------------------------------------------------------


def test_event_types_combine() -> None:
    switch = frozenset(event_ids_named("switch"))
    assert flt("proc.name=x").event_types is None
    assert flt("fd.name=x").event_types == OPEN_IDS | RW_IDS
    assert flt("fd.name!=x").event_types == OPEN_IDS | RW_IDS
    assert flt("fd.name exists").event_types == OPEN_IDS | RW_IDS
    assert flt("evt.buffer contains x and fd.name=y").event_types == RW_IDS
    assert flt("evt.buffer contains x and proc.name=y").event_types == RW_IDS
    assert flt("evt.buffer contains x or proc.name=y").event_types is None
    assert flt("evt.buffer contains x or evt.type=switch").event_types == RW_IDS | switch
    assert flt("evt.type=switch and fd.name=x").event_types == frozenset()
    assert flt("not fd.name=x").event_types is None
    assert flt("not not fd.name=x").event_types == OPEN_IDS | RW_IDS
    assert flt("fd.sip=1.2.3.4 and evt.type=read").event_types == (
        NET_IDS & (frozenset(event_ids_named("read")) | GENERIC_IDS)
    )


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("proc.nme=x", 1, "unknown field 'proc.nme'"),
        ("proc.name=x and proc.nme=y", 17, "unknown field 'proc.nme'"),
        ("proc.aname[x]=bash", 1, "invalid field 'proc.aname[x]': bad ancestor index 'x'"),
        ("evt.rawres=abc", 12, "'abc' is not a valid number (field 'evt.rawres')"),
        ("evt.rawres=0x10", 12, "'0x10' is not a valid number (field 'evt.rawres')"),
        ("evt.rawres=1.5", 12, "'1.5' is not a valid number (field 'evt.rawres')"),
        ("evt.rawres=", 12, "'' is not a valid number (field 'evt.rawres')"),
        ('evt.rawres="5 "', 12, "'5 ' is not a valid number (field 'evt.rawres')"),
        ("evt.rawres in (1, x)", 19, "'x' is not a valid number (field 'evt.rawres')"),
        ("evt.is_io=1", 11, "unrecognized boolean value '1' (expected true or false)"),
        ("evt.is_io=True", 11, "unrecognized boolean value 'True' (expected true or false)"),
        ("fd.sport=nosuch", 10, "unrecognized protocol 'nosuch' (field 'fd.sport')"),
        ("fd.sport=-1", 10, "unrecognized protocol '-1' (field 'fd.sport')"),
        ("fd.sip=1.2.3", 8, "unrecognized IPv4 address '1.2.3' (field 'fd.sip')"),
        ("fd.sip=01.2.3.4", 8, "unrecognized IPv4 address '01.2.3.4' (field 'fd.sip')"),
        ("fd.sip=::1.2.3.4", 8, "unrecognized IPv4 address '::1.2.3.4' (field 'fd.sip')"),
        ("fd.sip=fe80::1%eth0", 8, "unrecognized IPv6 address 'fe80::1%eth0' (field 'fd.sip')"),
        ("fd.v4=::1", 7, "unrecognized IPv4 address '::1' (field 'fd.v4')"),
        ("fd.net=10.0.0.0", 8, "unrecognized IP network '10.0.0.0' (expected address/length)"),
        ("fd.net=10.0.0.0/33", 8, "invalid netmask '33' (field 'fd.net')"),
        ("fd.net=10.0.0.0/-1", 8, "invalid netmask '-1' (field 'fd.net')"),
        ("fd.net=10.0.0.0/8/9", 8, "'8/9' is not a valid number (field 'fd.net')"),
        ("fd.net=::1/129", 8, "invalid IPv6 prefix length '129' (field 'fd.net')"),
        ("evt.buffer bcontains GET", 22, "'GET' is not a hex string"),
        ("evt.buffer bcontains 474", 22, "'474' is not a hex string"),
    ],
)
def test_value_errors(text: str, column: int, message: str) -> None:
    got_column, got_message = error_of(text)
    assert got_column == column
    assert got_message.startswith(message), got_message


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("evt.rawres contains 1", 12, "operator 'contains' is not supported for 'evt.rawres'"),
        ("evt.rawres glob 1", 12, "operator 'glob' is not supported for 'evt.rawres'"),
        ("evt.rawres pmatch (1)", 12, "'pmatch' needs a string field; 'evt.rawres' is not"),
        ("evt.buffer pmatch (x)", 12, "'pmatch' needs a string field; 'evt.buffer' is not"),
        ("evt.buffer icontains x", 12, "operator 'icontains' is not supported for 'evt.buffer'"),
        ("evt.buffer glob x", 12, "operator 'glob' is not supported for 'evt.buffer'"),
        ("evt.buffer < x", 12, "operator '<' is not supported for 'evt.buffer'"),
        ("proc.name bcontains 00", 11, "operator 'bcontains' is not supported for 'proc.name'"),
        ("fd.net > 10.0.0.0/8", 8, "operator '>' is not supported for 'fd.net'"),
        ("fd.v6 < ::1", 7, "operator '<' is not supported for 'fd.v6'"),
        ("fd.ip > 1.2.3.4", 7, "operator '>' is not supported for 'fd.ip'"),
        ("evt.around>1", 11, "operator '>' is not supported for 'evt.around'"),
        ("proc.sigset=1", 12, "operator '=' is not supported for 'proc.sigset'"),
        ("proc.name == bash", 11, "'==' is ambiguous for the string field 'proc.name'"),
        ('proc.name=="a b"', 10, "'==' is ambiguous for the string field 'proc.name'"),
    ],
)
def test_operator_errors(text: str, column: int, message: str) -> None:
    got_column, got_message = error_of(text)
    assert got_column == column
    assert got_message.startswith(message), got_message


def test_exists_works_on_any_type() -> None:
    assert matches("proc.sigset exists", proc__sigset=3)


# -- the compiled object ---------------------------------------------------------------------------


def test_compiled_filter_reports_its_fields_and_source() -> None:
    compiled = flt("proc.name=a and (fd.name=b or not evt.rawres<0)")
    assert [f.name for f in compiled.fields] == ["proc.name", "fd.name", "evt.rawres"]
    assert "def _match(evt):" in compiled.source
    assert compiled.text == "proc.name=a and (fd.name=b or not evt.rawres<0)"
    with pytest.raises(AttributeError):
        compiled.text = "x"  # type: ignore[misc]


def test_match_short_circuits_left_to_right() -> None:
    calls: list[str] = []

    class Recording:
        def resolve(self, text: str) -> Any:
            field = RESOLVER.resolve(text)

            class Wrapped:
                name = field.name
                type = field.type
                event_types = field.event_types

                def extract(self, evt: Any) -> object | None:
                    calls.append(text)
                    return field.extract(evt)

            return Wrapped()

    compiled = compile_filter("proc.name=a and fd.name=b or evt.rawres=1", Recording())
    compiled.match(event("open", proc__name="x", evt__rawres=1))
    assert calls == ["proc.name", "evt.rawres"]


def test_compile_tree_accepts_hand_built_trees() -> None:
    tree = Not(Not(parse("fd.name=x"), 1), 1)
    compiled = compile_tree(tree, RESOLVER)
    assert compiled.event_types == OPEN_IDS | RW_IDS
    assert compiled.match(event("open", fd__name="x"))
    assert not compiled.match(event("open", fd__name="y"))


@pytest.mark.parametrize("text", [
    "evt.dir=<", "evt.dir!=<", "evt.dir in (<)", "evt.is_io=true", "evt.is_io_read=false",
    "evt.is_io_write!=true", "evt.is_wait exists", "not evt.is_io=true",
    "evt.is_io=true and evt.dir=<",
])
def test_type_valued_checks_are_decided_per_type(text: str) -> None:
    # evt.dir and the evt.is_* flags compile to an event-type set lookup; the result must be
    # what comparing the extracted value gives, for every event type.
    reg = FieldRegistry(State())
    compiled = compile_filter(text, reg)
    assert "_x(evt)" not in compiled.source   # no per-event extraction left
    tree = parse(text)
    checks = list(tree.operands) if isinstance(tree, And) else [tree]
    for etype in range(len(EVENTS)):
        evt = make_event(etype)
        expected = True
        for node in checks:
            negate = isinstance(node, Not)
            check = node.operand if isinstance(node, Not) else node
            assert isinstance(check, Check)
            value = reg.resolve(check.field).extract(evt)
            lits = [lit.text for lit in check.values]
            if check.op.value == "exists":
                ok = value is not None
            elif isinstance(value, bool):
                ok = (value == (lits[0] == "true")) == (check.op.value == "=")
            elif check.op.value == "in":
                ok = value in lits
            else:
                ok = (value == lits[0]) == (check.op.value == "=")
            expected = expected and (ok != negate)
        assert compiled.match(evt) is expected, (text, EVENTS[etype].enum)
        if compiled.event_types is not None and expected:
            assert etype in compiled.event_types


# -- the native form of a result comparison --------------------------------------------------

@pytest.mark.parametrize(("text", "native"), [
    ("evt.is_io=true and evt.dir=< and evt.rawres>0", (5, 0)),   # echo_fds's filter
    ("evt.rawres<0", (3, 0)),
    ("evt.dir=< and evt.rawres!=-2", (2, -2)),
    ("evt.rawres>=0 and evt.rawres<5", None),          # two comparisons
    ("evt.rawres>0 or evt.dir=<", None),               # not a conjunction
    ("proc.name=curl and evt.rawres>0", None),         # a check that needs the thread
    ("evt.type=read and evt.rawres>0", None),          # evt.type reads a generic's param
    ("not evt.rawres>0", None),
    ("evt.res=SUCCESS", None),                         # not the raw result
])
def test_result_comparison_native_form(text: str, native: tuple[int, int] | None) -> None:
    # The real registry: the native form comes from evt.rawres's own extractor.
    compiled = compile_filter(text, FieldRegistry(State()))
    found = getattr(compiled.match, "result_native", None)
    assert (None if found is None else found[:2]) == native
    if found is not None:
        at = found[2]
        assert len(at) == len(EVENTS)
        read_x = event_ids_named("read")[1]
        assert at[read_x] == 1                      # res, its first param
        assert at[event_ids_named("read")[0]] == 0  # an enter: no result
