"""One comparison, compiled: the literal values converted and a Python test expression.

The compiler inlines each check into one generated function. Here a check becomes a
:class:`CheckCode`: a Python expression over one extracted value (written ``{v}``) plus the
objects it refers to. Which operators each kind of value allows mirrors the exceptions
0.29.3 throws in ``flt_compare_*`` (there at the first event; here when compiling).
"""

from __future__ import annotations

import ipaddress
import operator
from collections.abc import Callable, Sequence
from enum import Enum

from sysdive.filter._glob import compile_glob
from sysdive.filter._values import (
    IPv4Net,
    IPv6Net,
    parse_bool,
    parse_c_integer,
    parse_double,
    parse_hex_bytes,
    parse_ip,
    parse_ipnet,
    parse_port,
    parse_string,
)
from sysdive.filter.ast import CmpOp
from sysdive.records import record
from sysdive.schema.types import ParamType as PT

__all__ = ["CheckCode", "Kind", "build_check", "convert_value", "kind_of"]


class Kind(Enum):
    """How values of a param type compare; the value names the kind in messages."""

    STRING = "string"
    BYTES = "buffer"
    INT = "integer"
    FLOAT = "floating-point"
    BOOL = "boolean"
    IPV4 = "IPv4 address"
    IPV6 = "IPv6 address"
    IP = "IP address"
    NET = "IP network"
    OTHER = "non-comparable"


# (bits, signed) of every integer-like type; 0.29.3 has no value parser for PID, SIGTYPE,
# SYSCALLID, UID and GID ("wrong parameter type"), so accepting those is our superset.
_INTEGERS: dict[PT, tuple[int, bool]] = {
    PT.INT8: (8, True),
    PT.INT16: (16, True),
    PT.INT32: (32, True),
    PT.INT64: (64, True),
    PT.FD: (64, True),
    PT.ERRNO: (64, True),
    PT.PID: (64, True),
    PT.UINT8: (8, False),
    PT.UINT16: (16, False),
    PT.UINT32: (32, False),
    PT.UINT64: (64, False),
    PT.FLAGS8: (8, False),
    PT.FLAGS16: (16, False),
    PT.FLAGS32: (32, False),
    PT.MODE: (32, False),
    PT.L4PROTO: (8, False),
    PT.SIGTYPE: (8, False),
    PT.SYSCALLID: (16, False),
    PT.UID: (32, False),
    PT.GID: (32, False),
    PT.RELTIME: (64, False),
    PT.ABSTIME: (64, False),
    PT.PORT: (16, False),
}

_KINDS: dict[PT, Kind] = {
    PT.CHARBUF: Kind.STRING,
    PT.FSPATH: Kind.STRING,
    PT.FSRELPATH: Kind.STRING,
    PT.BYTEBUF: Kind.BYTES,
    PT.BOOL: Kind.BOOL,
    PT.DOUBLE: Kind.FLOAT,
    PT.IPV4ADDR: Kind.IPV4,
    PT.IPV6ADDR: Kind.IPV6,
    PT.IPADDR: Kind.IP,
    PT.IPV4NET: Kind.NET,
    PT.IPV6NET: Kind.NET,
    PT.IPNET: Kind.NET,
}

_ORDER = frozenset({CmpOp.LT, CmpOp.LE, CmpOp.GT, CmpOp.GE})
_BASIC = frozenset({CmpOp.EQ, CmpOp.NE, CmpOp.IN, CmpOp.INTERSECTS, CmpOp.EXISTS})
_STRING_ONLY = frozenset(
    {CmpOp.CONTAINS, CmpOp.ICONTAINS, CmpOp.STARTSWITH, CmpOp.ENDSWITH, CmpOp.GLOB, CmpOp.PMATCH}
)

ALLOWED_OPS: dict[Kind, frozenset[CmpOp]] = {
    Kind.STRING: _BASIC | _ORDER | _STRING_ONLY,
    Kind.BYTES: _BASIC
    | {CmpOp.CONTAINS, CmpOp.STARTSWITH, CmpOp.ENDSWITH, CmpOp.BCONTAINS, CmpOp.BSTARTSWITH},
    Kind.INT: _BASIC | _ORDER,
    Kind.FLOAT: _BASIC | _ORDER,
    Kind.BOOL: _BASIC | _ORDER,
    # 0.29.3 orders IPv4 addresses (as little-endian integers), not IPv6 ones.
    Kind.IPV4: _BASIC | _ORDER,
    Kind.IP: _BASIC | _ORDER,
    Kind.IPV6: _BASIC,
    Kind.NET: _BASIC,
    Kind.OTHER: frozenset({CmpOp.EXISTS}),
}


def kind_of(ptype: PT) -> Kind:
    """The comparison kind of a param type."""
    if ptype in _INTEGERS:
        return Kind.INT
    return _KINDS.get(ptype, Kind.OTHER)


def convert_value(ptype: PT, op: CmpOp, text: str) -> object:
    """Convert one literal for a field of type ``ptype``; ValueError names what is wrong."""
    kind = kind_of(ptype)
    if op in (CmpOp.BCONTAINS, CmpOp.BSTARTSWITH):
        return parse_hex_bytes(text)
    if kind is Kind.STRING:
        return parse_string(text)
    if kind is Kind.BYTES:
        return text.encode("utf-8", "surrogateescape")
    if ptype is PT.PORT:
        return parse_port(text)
    if kind is Kind.INT:
        bits, signed = _INTEGERS[ptype]
        return parse_c_integer(text, bits, signed)
    if kind is Kind.BOOL:
        return parse_bool(text)
    if kind is Kind.FLOAT:
        return parse_double(text)
    if kind in (Kind.IPV4, Kind.IPV6, Kind.IP):
        return parse_ip(text, {Kind.IPV4: 4, Kind.IPV6: 6}.get(kind))
    if kind is Kind.NET:
        return parse_ipnet(text, {PT.IPV4NET: 4, PT.IPV6NET: 6}.get(ptype))
    raise ValueError(f"values of type {ptype.name} cannot be compared")


@record
class CheckCode:
    """A test over one extracted value: ``expr`` with ``{v}`` for the value, and its names."""

    expr: str
    names: dict[str, object]


_PY_OPS = {
    CmpOp.EQ: "==",
    CmpOp.NE: "!=",
    CmpOp.LT: "<",
    CmpOp.LE: "<=",
    CmpOp.GT: ">",
    CmpOp.GE: ">=",
}

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as ``strcasestr`` does in the C locale."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def _ipv4_key(addr: ipaddress.IPv4Address) -> int:
    # 0.29.3 compares the in_addr as a native (little-endian) uint32, i.e. byte-reversed.
    return int.from_bytes(addr.packed, "little")


def _normalized_path(path: str) -> str:
    """``/a/b`` for any spelling of the same components (``a//b/``), ``""`` for none."""
    if path.startswith("/") and "//" not in path and not path.endswith("/"):
        return path
    parts = [part for part in path.split("/") if part]
    return "/" + "/".join(parts) if parts else ""


def compile_pmatch(paths: Sequence[str]) -> Callable[[str], bool]:
    """``pmatch``: true when some listed path is a prefix of the value, component-wise.

    Components are split on ``/`` with empty ones dropped, so ``/etc``, ``etc/`` and
    ``//etc`` all mean the same and ``/et`` does not match ``/etc/hosts``; an empty path
    matches everything.
    """
    prefixes = frozenset(_normalized_path(p) for p in paths)
    if "" in prefixes:
        return lambda value: True

    def pmatch(value: str) -> bool:
        path = _normalized_path(value)
        if path in prefixes:
            return True
        # every proper prefix that ends before a "/"
        slash = path.find("/", 1)
        while slash != -1:
            if path[:slash] in prefixes:
                return True
            slash = path.find("/", slash + 1)
        return False

    return pmatch


def build_check(kind: Kind, op: CmpOp, values: Sequence[object], name: str) -> CheckCode:
    """The test for one check; ``name`` is a unique prefix for the objects it uses."""
    lit = f"{name}_l"
    fn = f"{name}_f"
    first = values[0] if values else None
    if op is CmpOp.EXISTS:
        return CheckCode("True", {})
    if op in (CmpOp.IN, CmpOp.INTERSECTS):
        if kind is Kind.NET:
            nets = tuple(v for v in values if isinstance(v, IPv4Net | IPv6Net))
            return CheckCode(f"{fn}({{v}})", {fn: lambda a: any(n.contains(a) for n in nets)})
        return CheckCode(f"{{v}} in {lit}", {lit: frozenset(values)})
    if kind is Kind.NET:
        assert isinstance(first, IPv4Net | IPv6Net)
        negation = "not " if op is CmpOp.NE else ""
        return CheckCode(f"{negation}{fn}({{v}})", {fn: first.contains})
    if op in _ORDER and kind is Kind.IPV4:
        assert isinstance(first, ipaddress.IPv4Address)
        return CheckCode(f"{fn}({{v}}) {_PY_OPS[op]} {lit}", {fn: _ipv4_key, lit: _ipv4_key(first)})
    if op in _ORDER and kind is Kind.IP:
        if not isinstance(first, ipaddress.IPv4Address):
            # 0.29.3 throws on ordering IPv6 addresses; no IPv6 value can satisfy it.
            return CheckCode("False", {})
        key = _ipv4_key(first)
        compare: Callable[[int, int], bool] = {
            CmpOp.LT: operator.lt,
            CmpOp.LE: operator.le,
            CmpOp.GT: operator.gt,
            CmpOp.GE: operator.ge,
        }[op]

        def ordered(addr: object) -> bool:
            return isinstance(addr, ipaddress.IPv4Address) and compare(_ipv4_key(addr), key)

        return CheckCode(f"{fn}({{v}})", {fn: ordered})
    if op in _PY_OPS:
        return CheckCode(f"{{v}} {_PY_OPS[op]} {lit}", {lit: first})
    if op in (CmpOp.CONTAINS, CmpOp.BCONTAINS):
        return CheckCode(f"{lit} in {{v}}", {lit: first})
    if op is CmpOp.ICONTAINS:
        assert isinstance(first, str)
        return CheckCode(f"{lit} in {fn}({{v}})", {lit: ascii_lower(first), fn: ascii_lower})
    if op in (CmpOp.STARTSWITH, CmpOp.BSTARTSWITH):
        return CheckCode(f"{{v}}.startswith({lit})", {lit: first})
    if op is CmpOp.ENDSWITH:
        return CheckCode(f"{{v}}.endswith({lit})", {lit: first})
    if op is CmpOp.GLOB:
        assert isinstance(first, str)
        return CheckCode(f"{fn}({{v}})", {fn: compile_glob(first)})
    if op is CmpOp.PMATCH:
        return CheckCode(f"{fn}({{v}})", {fn: compile_pmatch([str(v) for v in values])})
    raise AssertionError(f"no test for {op}")  # pragma: no cover - ALLOWED_OPS rules it out
