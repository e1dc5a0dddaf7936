"""Properties: no input crashes or hangs the compiler; event_types is sound; and/or/not are
evaluated as the tree says."""

from __future__ import annotations

import time
from ipaddress import IPv4Address, IPv6Address

from filter_fakes import FIELDS, GENERIC_IDS, RESOLVER, Event
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sysdive.errors import FilterError
from sysdive.filter import And, Check, Node, Not, Or, compile_filter, parse, to_text
from sysdive.schema.events import event_ids_named

# -- no crash, no hang ------------------------------------------------------------------------

VALID_FILTERS = [
    "evt.type=open and proc.name contains ssh",
    "(evt.type in (open, read) or not fd.name pmatch (/etc, /usr)) and evt.rawres>=0",
    "proc.aname[2]=bash or fd.sip=10.0.0.1 or fd.net=10.0.0.0/8",
    "evt.buffer bcontains 474554 and evt.is_io=true",
    'fd.name glob "/etc/[a-z]*" and proc.name!="a b\\x41"',
    "not not evt.type exists",
    "evt.rawres==0 or proc.name==x",
]

FILTER_ALPHABET = st.sampled_from(
    [
        *" \t()!=<>\"',\\x0123456789abcdefnotr.*?[]/-:",
        *["and", "or", "not", "in", "exists", "contains", "glob", "pmatch", "evt.type"],
        *["proc.name", "fd.sip", "evt.rawres", "==", "\\x4", "é", "\udcff", "\0"],
    ]
)


def _compile_or_reject(text: str) -> None:
    # A guard against exponential blow-up (deep recursion, backtracking), not a speed goal:
    # CPU time of this process, with a bound far above the normal ~0.1 s, so a loaded
    # machine cannot fail it.
    start = time.process_time()
    try:
        compile_filter(text, RESOLVER)
    except FilterError as err:
        assert str(err).startswith("filter error at column "), str(err)
    assert time.process_time() - start < 20.0, f"blow-up on {text!r}"


@settings(max_examples=1500, deadline=None)
@given(st.lists(FILTER_ALPHABET, max_size=40).map("".join))
def test_random_text_only_raises_filter_error(text: str) -> None:
    _compile_or_reject(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_only_raises_filter_error(text: str) -> None:
    _compile_or_reject(text)


@st.composite
def mutated_filter(draw: st.DrawFn) -> str:
    chars = list(draw(st.sampled_from(VALID_FILTERS)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        where = draw(st.integers(0, len(chars)))
        piece = draw(FILTER_ALPHABET)
        if action == "insert" or not chars:
            chars.insert(where, piece)
        elif action == "delete":
            del chars[min(where, len(chars) - 1)]
        else:
            chars[min(where, len(chars) - 1)] = piece
    return "".join(chars)


@settings(max_examples=1500, deadline=None)
@given(mutated_filter())
def test_mutated_filters_only_raise_filter_error(text: str) -> None:
    _compile_or_reject(text)


def test_valid_filters_compile() -> None:
    for text in VALID_FILTERS:
        compile_filter(text, RESOLVER)


def test_pathological_inputs_are_fast() -> None:
    for text in [
        "(" * 10000,
        ")" * 10000,
        "not " * 10000 + "proc.name=x",
        " or ".join(["proc.name=x"] * 3000),
        "proc.name glob '" + "*a" * 2000 + "'",
        "proc.name in (" + ",".join(str(i) for i in range(20000)) + ")",
        "a" * 100000,
        '"' * 100000,
        "\\" * 100000,
        "proc.name=" + "\\x41" * 20000,
    ]:
        _compile_or_reject(text)


# -- random filters over the fake fields ---------------------------------------------------------

TYPES = ["open", "read", "connect", "switch", "close"]
STRINGS = ["bash", "sshd", "", "/etc/hosts", "/usr/bin/ssh"]
EVENT_IDS = sorted(
    {i for name in TYPES for i in event_ids_named(name)} | {min(GENERIC_IDS), max(GENERIC_IDS)}
)


def _string_check(field: str) -> st.SearchStrategy[str]:
    op = st.sampled_from(["=", "!=", "<", "contains", "startswith", "glob", "icontains"])
    value = st.sampled_from([*STRINGS, "*s*", "/etc/*", "SS"])
    in_list = st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3).map(
        lambda vs: f"{field} in (" + ", ".join(repr(v) for v in vs) + ")"
    )
    pmatch = st.sampled_from(["/etc", "/usr", ""]).map(lambda v: f"{field} pmatch ({v!r})")
    plain = st.tuples(op, value).map(lambda t: f"{field} {t[0]} {t[1]!r}")
    return st.one_of(plain, in_list, pmatch, st.just(f"{field} exists"))


CHECKS = st.one_of(
    st.sampled_from([*TYPES, "mprotect"]).map(lambda t: f"evt.type={t}"),
    st.sampled_from(TYPES).map(lambda t: f"evt.type!={t}"),
    st.lists(st.sampled_from(TYPES), min_size=1, max_size=3).map(
        lambda ts: "evt.type in (" + ", ".join(ts) + ")"
    ),
    _string_check("proc.name"),
    _string_check("fd.name"),
    _string_check("proc.aname"),
    st.tuples(st.sampled_from(["=", "!=", "<", ">=", "in"]), st.integers(-3, 3)).map(
        lambda t: f"evt.rawres {t[0]} ({t[1]})" if t[0] == "in" else f"evt.rawres {t[0]} {t[1]}"
    ),
    st.sampled_from(["GET", "HTTP", "x"]).map(lambda v: f"evt.buffer contains {v}"),
    st.sampled_from(["=", "!="]).map(lambda op: f"fd.sip {op} 10.0.0.1"),
    st.sampled_from(["=", "!="]).map(lambda op: f"fd.net {op} 10.0.0.0/8"),
    st.sampled_from(["=80", "!=80", ">1000"]).map(lambda v: f"fd.port{v}"),
    st.just("evt.is_io=true"),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["and", "or"]), children).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"not {c}"),
    )


FILTERS = st.recursive(CHECKS, _combine, max_leaves=6)


@st.composite
def events(draw: st.DrawFn) -> Event:
    evt: Event = {"type": draw(st.sampled_from(EVENT_IDS))}
    if evt["type"] in GENERIC_IDS:
        evt["syscall"] = draw(st.sampled_from(["mprotect", "open", "futex"]))
    maybe = st.none() | st.just(True)
    if draw(maybe):
        evt["proc.name"] = draw(st.sampled_from(STRINGS))
    if draw(maybe):
        evt["fd.name"] = draw(st.sampled_from(STRINGS))
    if draw(maybe):
        evt["proc.aname"] = tuple(draw(st.lists(st.sampled_from(STRINGS), max_size=3)))
    if draw(maybe):
        evt["evt.rawres"] = draw(st.integers(-3, 3))
    if draw(maybe):
        evt["evt.buffer"] = draw(st.sampled_from([b"GET / HTTP", b"x", b""]))
    if draw(maybe):
        evt["fd.sip"] = draw(st.sampled_from([IPv4Address("10.0.0.1"), IPv6Address("::1")]))
    if draw(maybe):
        evt["fd.net"] = draw(
            st.sampled_from(
                [IPv4Address("10.2.3.4"), (IPv4Address("10.0.0.1"), IPv4Address("8.8.8.8"))]
            )
        )
    if draw(maybe):
        evt["fd.port"] = draw(st.sampled_from([80, (80, 50000), (1, 2)]))
    if draw(maybe):
        evt["evt.is_io"] = draw(st.booleans())
    return evt


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILTERS, st.lists(events(), min_size=1, max_size=8))
def test_event_types_are_sound(text: str, evts: list[Event]) -> None:
    compiled = compile_filter(text, RESOLVER)
    if compiled.event_types is None:
        return
    for evt in evts:
        if evt["type"] not in compiled.event_types:
            assert not compiled.match(evt), (text, evt)


def _reference(node: Node, evt: Event) -> bool:
    """Evaluate the tree by walking it, each check compiled on its own."""
    if isinstance(node, Check):
        return compile_filter(to_text(node), RESOLVER).match(evt)
    if isinstance(node, Not):
        return not _reference(node.operand, evt)
    if isinstance(node, And):
        return all(_reference(op, evt) for op in node.operands)
    assert isinstance(node, Or)
    return any(_reference(op, evt) for op in node.operands)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILTERS, events())
def test_generated_code_follows_the_tree(text: str, evt: Event) -> None:
    tree = parse(text)
    assume(not _has_eqeq(tree))
    assert compile_filter(text, RESOLVER).match(evt) == _reference(tree, evt)


def _has_eqeq(node: Node) -> bool:
    if isinstance(node, Check):
        return node.op.value == "=="
    if isinstance(node, Not):
        return _has_eqeq(node.operand)
    return any(_has_eqeq(op) for op in node.operands)


def test_every_fake_field_is_covered() -> None:
    # keep the fake registry honest: each field compiles with "exists"
    for name in FIELDS:
        compiled = compile_filter(f"{name} exists", RESOLVER)
        assert compiled.fields[0].name == name
