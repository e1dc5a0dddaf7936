"""Compile a filter into one fast predicate plus the set of event types it can match.

:func:`compile_filter` parses the text, binds every field through a :class:`FieldResolver`,
converts every literal to its field's type once, and generates the source of one Python
function that tests an event with no tree walking and no allocation beyond what extraction
itself does. The result is a :class:`CompiledFilter`.

Comparison semantics (libsinsp ``flt_compare*`` in 0.29.3):

* A field that cannot be extracted (``extract`` returns None) makes every comparison false,
  ``!=`` included; ``exists`` is true exactly when extraction succeeds.
* A field whose ``extract`` returns a ``tuple`` (exactly ``tuple``) holds several values,
  e.g. ``proc.aname`` without index: a comparison is true when it holds for any of them, and
  ``exists`` when there is at least one. A bound field may set ``ne_requires_all = True`` to
  make ``!=`` hold only when it holds for every value (0.29.3's ``fd.ip``, ``fd.port``,
  ``fd.net``... mean "neither end is ...").
* Strings: ``=``, ``!=``, ``<``... compare code points (byte order, for UTF-8); ``contains``,
  ``startswith``, ``endswith`` as usual; ``icontains`` folds ASCII letters only (C-locale
  ``strcasestr``); ``glob`` is glibc ``fnmatch`` with no flags, on bytes; ``in`` is set
  membership; ``pmatch`` is a path-prefix match by components. A literal ends at its first
  NUL (``\\x00``).
* Numbers compare numerically. Literals are read like 0.29.3's ``sscanf`` and cut to the
  field's width (``evt.cpu=65536`` is ``evt.cpu=0`` for the 16-bit field).
* Buffers (BYTEBUF): ``=``, ``!=``, ``contains``, ``startswith``, ``endswith``, ``in`` on
  the UTF-8 bytes of the literal; ``bcontains``/``bstartswith`` take hex.
* IPv4 addresses order as 0.29.3's little-endian integers (``1.0.0.2 > 2.0.0.1``); IPv6
  addresses do not order. A network literal (``fd.net=10.0.0.0/8``) matches the addresses
  in it; a plain IPv6 literal for a network field means its /64, as in 0.29.3.
* ``evt.type`` literals must name an event or a syscall (``unknown event type``).

Differences from 0.29.3 (its runtime errors become compile errors; its unparseable values
become accepted ones where the meaning is plain):

==============================================  =============================================
0.29.3                                          sysdive
==============================================  =============================================
``contains`` etc. on numbers, ``icontains``/    FilterError when compiling
``glob``/``<`` on buffers, ``<`` on IPv6 or
networks: an exception at the first event
string literals of 256 bytes or more:           **superset**: any length
"filter parameter too long"
PID, SIGTYPE, SYSCALLID, UID, GID, DOUBLE       **superset**: read as numbers
fields: "wrong parameter type"
``pmatch`` on FSPATH/FSRELPATH fields: error    **superset**: allowed (CHARBUF too, as before)
IPv6 network literal with ``/len``: error       **superset**: prefix match
comparing an IPv4 value with an IPv6 literal    never equal (``!=`` true)
(or back): compares raw bytes of both
``glob``/``<`` on non-ASCII text: bytes         same, except ``<`` between lone surrogates
                                                (undecodable bytes) and other characters
==============================================  =============================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sysdive.filter._checks import (
    ALLOWED_OPS,
    CheckCode,
    Kind,
    build_check,
    convert_value,
    kind_of,
)
from sysdive.filter.ast import And, Check, CmpOp, Node, Not, Or
from sysdive.filter.lexer import filter_error
from sysdive.filter.parser import parse
from sysdive.records import record
from sysdive.schema.events import EVENTS, event_ids_named
from sysdive.schema.syscalls import SYSCALL_NAMES
from sysdive.schema.types import ParamType

__all__ = ["BoundField", "CompiledFilter", "FieldResolver", "compile_filter", "compile_tree"]


class BoundField(Protocol):
    """One field of a filter, bound by the resolver to how it is extracted.

    Optional attributes, read with ``getattr`` when present:

    * ``ne_requires_all: bool`` - for tuple values, ``!=`` must hold for every element;
    * ``allowed_ops: frozenset[str] | None`` - operator spellings this field accepts
      (``evt.around`` takes only ``=``; ``fd.ip`` only ``=``, ``!=``, ``in``);
    * ``type_value: Callable[[int], object] | None`` - the value as a function of the event
      type alone, when it is one: the check then compiles to a set of event types.
    """

    @property
    def name(self) -> str:
        """The field as written, e.g. ``evt.arg.fd`` or ``proc.aname[2]``."""

    @property
    def type(self) -> ParamType:
        """The type of the extracted value."""

    @property
    def event_types(self) -> frozenset[int] | None:
        """Event ids for which extraction can ever succeed; None for unknown/any."""

    def extract(self, evt: Any) -> object | None:
        """The value for ``evt``, None when not available, or a tuple of values."""


class FieldResolver(Protocol):
    """Binds field names (with their arguments) to :class:`BoundField` objects."""

    def resolve(self, text: str) -> BoundField:
        """Raise ``KeyError(text)`` for an unknown field, ``ValueError(msg)`` for bad args."""


@record(eq=False)
class CompiledFilter:
    """A compiled filter.

    ``match(evt)`` tells whether an event passes. ``event_types`` holds every event id the
    filter can match (None: any); an event whose id is not in it never matches, so callers
    may skip such events without calling ``match``.
    """

    text: str
    tree: Node
    event_types: frozenset[int] | None
    fields: tuple[BoundField, ...]
    """Every bound field, in the order they appear."""
    match: Callable[[Any], bool]
    source: str
    """The generated Python source of ``match`` (for debugging)."""
    make_fast_match: Callable[[], Callable[[int, Any, Any], bool]] | None = None
    """Builds (on first call; later calls return the same) the same test as
    ``fast_match(event type, thread, fd info)``, when every field can be computed from those
    (``BoundField.fast``) for an event that changes no state; None otherwise. The state
    parser uses it to reject events without building them. It is compiled on demand: only
    large captures use it, and compiling doubles the cost of a huge filter."""


_DIR_IDS = {">": frozenset(range(0, len(EVENTS), 2)), "<": frozenset(range(1, len(EVENTS), 2))}


def compile_filter(text: str, resolver: FieldResolver) -> CompiledFilter:
    """Parse and compile ``text``; raise :class:`~sysdive.errors.FilterError` if invalid."""
    return compile_tree(parse(text), resolver, text)


def compile_tree(tree: Node, resolver: FieldResolver, text: str = "") -> CompiledFilter:
    """Compile an already parsed tree (``text`` is kept for reference only)."""
    gen = _Generator(resolver)
    expr, event_types = gen.node(tree)
    body = expr.replace(_CALL, "(evt)").replace(_TYPE, "evt.type")
    source = "".join(gen.helpers) + f"def _match(evt):\n    return {body}\n"
    namespace: dict[str, Any] = dict(gen.names)
    exec(compile(source, "<sysdive filter>", "exec"), namespace)
    match: Callable[[Any], bool] = namespace["_match"]
    # A filter that is one evt.rawres comparison, alone or and-ed with checks of the event
    # type only (echo_fds': evt.is_io=true and evt.dir=< and evt.rawres>0), carries it as
    # ``result_native``: the types it can match are event_types, so compiled code may
    # apply the comparison to an event of those types without building it.
    operands = [tree] if isinstance(tree, Check) else (
        list(tree.operands) if isinstance(tree, And) else [])
    compares = [f for f in gen.forms if f]
    if (operands and all(isinstance(o, Check) for o in operands)
            and len(gen.forms) == len(operands) and len(compares) == 1
            and all(f is None or f for f in gen.forms)):
        match.result_native = compares[0]  # type: ignore[attr-defined]
    make_fast = None
    if gen.fast_ok:
        fast_body = expr.replace(_CALL, "_q(_et, _th, _fd)").replace(_TYPE, "_et")
        fast_source = f"def _fast_match(_et, _th, _fd):\n    return {fast_body}\n"
        native = gen.native if isinstance(tree, Check) else None
        # The fast form gets a generic syscall event's type, not the syscall's name that
        # evt.type reads from its param: such events may take it when evt.type is unused.
        generic_ok = all(f.name != "evt.type" for f in gen.fields)
        make_fast = _fast_factory(fast_source, namespace, native, generic_ok)
    return CompiledFilter(text, tree, event_types, tuple(gen.fields), match, source, make_fast)


# The string comparisons compiled code can apply to a native fast field (NATIVE_OPS[op] is
# the code state/_rowparse.c knows it by).
NATIVE_OPS = {CmpOp.CONTAINS: 1, CmpOp.EQ: 2, CmpOp.NE: 3, CmpOp.STARTSWITH: 4,
              CmpOp.ENDSWITH: 5}
# Where compiled code reads a native field's value (the fast field's ``native_source``).
NATIVE_SOURCES = {"fd.name": 0, "proc.name": 1}
# The integer comparisons compiled code can apply to an event's result (evt.rawres).
RESULT_OPS = {CmpOp.EQ: 1, CmpOp.NE: 2, CmpOp.LT: 3, CmpOp.LE: 4, CmpOp.GT: 5, CmpOp.GE: 6}


def _fast_factory(source: str, namespace: dict[str, Any],
                  native: tuple[int, str, bytes, int] | None, generic_ok: bool
                  ) -> Callable[[], Callable[[int, Any, Any], bool]]:
    built: list[Callable[[int, Any, Any], bool]] = []

    def make() -> Callable[[int, Any, Any], bool]:
        if not built:
            exec(compile(source, "<sysdive filter (fast)>", "exec"), namespace)
            fn = namespace["_fast_match"]
            # A filter that is one string comparison of a native field carries it as
            # ``native``: (NATIVE_OPS code, the literal, the field's native_types, its
            # NATIVE_SOURCES code), for compiled code to apply without calling the function.
            fn.native = native
            fn.generic_ok = generic_ok
            built.append(fn)
        return built[0]
    return make


# Where a field's value is fetched in a generated expression: ``cN_x(evt)`` in ``_match``,
# ``cN_q(_et, _th, _fd)`` in ``_fast_match``.
_CALL = "\x00call"
# Where the event type is read: ``evt.type`` in ``_match``, ``_et`` in ``_fast_match``.
_TYPE = "\x00type"


def _passing_types(by_type: Callable[[int], object], op: CmpOp, code: CheckCode,
                   names: dict[str, Any]) -> frozenset[int]:
    """The event types whose value (``by_type(type)``) passes the check ``op``/``code``."""
    test = eval(compile(f"lambda _v: ({code.expr.format(v='_v')})", "<sysdive filter>",
                        "eval"), {**names, **code.names})
    out = []
    for etype in range(len(EVENTS)):
        value = by_type(etype)
        if value is None:
            continue   # no value: every comparison is false, only exists is not
        if op is CmpOp.EXISTS or test(value):
            out.append(etype)
    return frozenset(out)


# -- event types ------------------------------------------------------------------------------

_GENERIC_IDS = frozenset(event_ids_named("syscall"))
_SYSCALL_NAMES = frozenset(SYSCALL_NAMES)
_EVENT_NAMES = frozenset(info.name for info in EVENTS)


def _ids_of_type_name(name: str) -> frozenset[int]:
    """Event ids whose ``evt.type`` can be ``name``: table rows, or generic syscalls."""
    ids = frozenset(event_ids_named(name))
    if name in _SYSCALL_NAMES:
        # Generic events show the syscall's own name; a syscall that has its own event in
        # the table may still arrive as a generic one from an older driver.
        ids |= _GENERIC_IDS
    return ids


def _intersect(sets: list[frozenset[int] | None]) -> frozenset[int] | None:
    known = [s for s in sets if s is not None]
    if not known:
        return None
    result = known[0]
    for s in known[1:]:
        result &= s
    return result


def _union(sets: list[frozenset[int] | None]) -> frozenset[int] | None:
    result: frozenset[int] = frozenset()
    for s in sets:
        if s is None:
            return None
        result |= s
    return result


# -- code generation ----------------------------------------------------------------------------


class _Generator:
    def __init__(self, resolver: FieldResolver) -> None:
        self.resolver = resolver
        self.names: dict[str, object] = {}
        self.helpers: list[str] = []
        self.fields: list[BoundField] = []
        self.fast_ok = True
        # The last check's native form (see _fast_factory), when it has one.
        self.native: tuple[int, str, bytes, int] | None = None
        # Per check, in order: None when decided by the event type alone, its result
        # comparison (RESULT_OPS code, value, where each type has its result) when it is
        # one of evt.rawres, else False.
        self.forms: list[tuple[int, int, bytes] | bool | None] = []

    def node(self, node: Node) -> tuple[str, frozenset[int] | None]:
        """Python expression over ``evt`` for ``node``, and the event ids it can match."""
        if isinstance(node, Check):
            return self.check(node)
        if isinstance(node, Not):
            operand = node.operand
            if isinstance(operand, Not):
                # The parser folds double negations, trees built by hand may still hold them.
                return self.node(operand.operand)
            expr, _ = self.node(operand)
            # "not x" holds for events x was never about, so nothing can be excluded.
            return f"(not {expr})", None
        parts = [self.node(op) for op in node.operands]
        exprs = [expr for expr, _ in parts]
        sets = [ids for _, ids in parts]
        if isinstance(node, And):
            return "(" + " and ".join(exprs) + ")", _intersect(sets)
        return "(" + " or ".join(exprs) + ")", _union(sets)

    def _bind(self, check: Check) -> BoundField:
        try:
            return self.resolver.resolve(check.field)
        except KeyError:
            raise filter_error(check.column, f"unknown field {check.field!r}") from None
        except ValueError as err:
            raise filter_error(check.column, f"invalid field {check.field!r}: {err}") from None

    def check(self, check: Check) -> tuple[str, frozenset[int] | None]:
        field = self._bind(check)
        self.fields.append(field)
        is_evt_type = field.name == "evt.type"
        kind = kind_of(field.type)
        op = check.op
        texts = [lit.text for lit in check.values]
        if op is CmpOp.EQEQ:
            op, texts = CmpOp.EQ, self._eqeq_texts(check, kind, is_evt_type)
        self._check_operator(check, field, kind, op)
        values = self._convert(check, field, op, texts, is_evt_type)

        index = len(self.fields) - 1
        prefix = f"c{index}"
        extract = f"{prefix}_x{_CALL}"   # becomes cN_x(evt) or cN_x_q(_et, _th, _fd)
        self.names[f"{prefix}_x"] = field.extract
        code = build_check(kind, op, values, prefix)
        self.names.update(code.names)
        by_type = getattr(field, "type_value", None)
        if by_type is not None and not getattr(field, "veto_first", False):
            # A function of the event type (evt.dir, evt.is_io...): the check is decided
            # now for every type, and per event it is one set lookup.
            ids = _passing_types(by_type, op, code, self.names)
            self.names[f"{prefix}_s"] = ids
            self.native = None
            self.forms.append(None)
            known = field.event_types
            return f"({_TYPE} in {prefix}_s)", ids if known is None else ids & known
        result_at = getattr(field.extract, "result_at", None)
        if (isinstance(result_at, bytes) and op in RESULT_OPS and len(values) == 1
                and isinstance(values[0], int) and not isinstance(values[0], bool)):
            self.forms.append((RESULT_OPS[op], values[0], result_at))
        else:
            self.forms.append(False)
        fast = getattr(field, "fast", None)
        if fast is None:
            self.fast_ok = False
        else:
            self.names[f"{prefix}_x_q"] = fast
        native_types = getattr(fast, "native_types", None)
        self.native = None
        if isinstance(native_types, bytes) and op in NATIVE_OPS and len(values) == 1 \
                and isinstance(values[0], str):
            self.native = (NATIVE_OPS[op], values[0], native_types,
                           NATIVE_SOURCES[getattr(fast, "native_source", "fd.name")])

        event_types = field.event_types
        if is_evt_type and op in (CmpOp.EQ, CmpOp.IN, CmpOp.INTERSECTS):
            ids = frozenset().union(*(_ids_of_type_name(str(v)) for v in values))
            event_types = ids if event_types is None else ids & event_types
        elif (op is CmpOp.EQ and values == [True]
              and getattr(field, "true_types", None) is not None):
            ids = field.true_types  # type: ignore[attr-defined]
            event_types = ids if event_types is None else ids & event_types
        elif (field.name == "evt.dir" and op in (CmpOp.EQ, CmpOp.IN)
              and all(str(v) in _DIR_IDS for v in values)):
            # Enters have even ids, exits odd ones: evt.dir=< can only match exits.
            ids = frozenset().union(*(_DIR_IDS[str(v)] for v in values))
            event_types = ids if event_types is None else ids & event_types

        # evtin.*: a tuple whose first element (None if absent) vetoes the check when it
        # holds (a tracer enter's own span, first in libsinsp's scan); any other decides.
        veto = bool(getattr(field, "veto_first", False))
        if op is CmpOp.EXISTS and veto:
            return f"((_v := {extract}) is not None and _v[0] is None and len(_v) > 1)", \
                event_types
        if op is CmpOp.EXISTS:
            expr = (
                f"((_v := {extract}) is not None"
                " and (_v.__class__ is not tuple or len(_v) > 0))"
            )
            return expr, event_types
        scalar = code.expr.format(v="_v")
        element = code.expr.format(v="_e")
        every = op is CmpOp.NE and bool(getattr(field, "ne_requires_all", False))
        helper = f"{prefix}_t"
        if veto:
            self.helpers.append(
                f"def {helper}(vs):\n"
                f"    _e = vs[0]\n"
                f"    if _e is not None and ({element}):\n        return False\n"
                f"    for _e in vs[1:]:\n        if {element}:\n            return True\n"
                f"    return False\n\n"
            )
            return f"((_v := {extract}) is not None and {helper}(_v))", event_types
        if every:
            self.helpers.append(
                f"def {helper}(vs):\n"
                f"    if not vs:\n        return False\n"
                f"    for _e in vs:\n        if not ({element}):\n            return False\n"
                f"    return True\n\n"
            )
        else:
            self.helpers.append(
                f"def {helper}(vs):\n"
                f"    for _e in vs:\n        if {element}:\n            return True\n"
                f"    return False\n\n"
            )
        expr = (
            f"((_v := {extract}) is not None"
            f" and ({helper}(_v) if _v.__class__ is tuple else ({scalar})))"
        )
        return expr, event_types

    def _eqeq_texts(self, check: Check, kind: Kind, is_evt_type: bool) -> list[str]:
        literal = check.values[0]
        if kind not in (Kind.STRING, Kind.BYTES) or is_evt_type:
            # 0.29.3 would read a value starting with "=", which no number, boolean,
            # address or event name can be: it rejected these, so "==" may mean "=".
            return [literal.text]
        if literal.compat is None:
            raise filter_error(
                check.op_column,
                f"'==' is ambiguous for the string field {check.field!r}: sysdig 0.29.3 "
                "reads it as '=' with a value starting with '='; write '='",
            )
        return [literal.compat]

    def _check_operator(self, check: Check, field: BoundField, kind: Kind, op: CmpOp) -> None:
        where = check.op_column
        if op is CmpOp.PMATCH and kind is not Kind.STRING:
            raise filter_error(where, f"'pmatch' needs a string field; {check.field!r} is not")
        if op not in ALLOWED_OPS[kind]:
            raise filter_error(
                where,
                f"operator {op.value!r} is not supported for {check.field!r} ({kind.value} field)",
            )
        allowed = getattr(field, "allowed_ops", None)
        if allowed is not None and op is not CmpOp.EXISTS and op.value not in allowed:
            raise filter_error(where, f"operator {op.value!r} is not supported for {check.field!r}")

    def _convert(
        self, check: Check, field: BoundField, op: CmpOp, texts: list[str], is_evt_type: bool
    ) -> list[object]:
        values: list[object] = []
        for literal, text in zip(check.values, texts, strict=True):
            try:
                value = convert_value(field.type, op, text)
            except ValueError as err:
                raise filter_error(literal.column, f"{err} (field {check.field!r})") from None
            if is_evt_type and not (value in _EVENT_NAMES or value in _SYSCALL_NAMES):
                raise filter_error(literal.column, f"unknown event type {value!r}")
            values.append(value)
        return values


def generic_syscall_ids(tree: Node) -> frozenset[int] | None:
    """PPM_SC ids a generic syscall event (ids 0 and 1) can carry and still match ``tree``.

    ``event_types`` has to admit every generic event as soon as the filter names a syscall;
    this narrows it by the syscall id the generic event carries, from the ``evt.type`` checks
    every match must pass. None when the filter does not constrain it.
    """
    if isinstance(tree, Check):
        if tree.field == "evt.type" and tree.op in (CmpOp.EQ, CmpOp.IN):
            names = {lit.text for lit in tree.values}
            return frozenset(i for i, n in enumerate(SYSCALL_NAMES) if n in names)
        return None
    if isinstance(tree, And):
        known = [s for s in (generic_syscall_ids(c) for c in tree.operands) if s is not None]
        if not known:
            return None
        out = known[0]
        for s in known[1:]:
            out &= s
        return out
    if isinstance(tree, Or):
        parts = [generic_syscall_ids(c) for c in tree.operands]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*(p for p in parts if p is not None))
    return None
