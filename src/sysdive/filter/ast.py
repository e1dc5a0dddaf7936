"""The frozen syntax tree of a filter expression.

The parser builds it, the compiler reads it; nothing mutates it. Every node remembers the
1-based column where it starts so the compiler can name the offending token in its errors.

::

    Node := Check | Not | And | Or

``And``/``Or`` hold two or more operands (a chain like ``a and b and c`` is one ``And``),
``Not`` holds one. A :class:`Check` is one ``field op value`` comparison.
"""

from __future__ import annotations

from enum import Enum

from sysdive.records import record

__all__ = ["And", "Check", "CmpOp", "Literal", "Node", "Not", "Or", "to_text"]


class CmpOp(Enum):
    """A comparison operator, valued by its spelling in a filter."""

    EQ = "="
    EQEQ = "=="
    """Superset spelling of ``=``; see the parser docstring for how it stays compatible."""
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    CONTAINS = "contains"
    ICONTAINS = "icontains"
    STARTSWITH = "startswith"
    ENDSWITH = "endswith"
    GLOB = "glob"
    IN = "in"
    INTERSECTS = "intersects"
    PMATCH = "pmatch"
    EXISTS = "exists"
    BCONTAINS = "bcontains"
    BSTARTSWITH = "bstartswith"

    @property
    def takes_list(self) -> bool:
        """True for the operators followed by a parenthesised value list."""
        return self in _LIST_OPS

    @property
    def takes_value(self) -> bool:
        """False only for ``exists``."""
        return self is not CmpOp.EXISTS


_LIST_OPS = frozenset({CmpOp.IN, CmpOp.INTERSECTS, CmpOp.PMATCH})


@record
class Literal:
    """One value as written, after quote removal and escape decoding.

    ``text`` holds what sysdig 0.29.3 would hand to its value parser: ``\\xHH`` escapes with
    HH >= 0x80 appear as the surrogate-escaped character for that byte (U+DC80 + ...), so
    ``text.encode("utf-8", "surrogateescape")`` gives back the exact bytes.

    ``compat`` is only set on the value of an ``==`` check: the value 0.29.3 would read there
    (which starts with the second ``=``), or None when the two readings do not even end at the
    same place. The compiler picks one reading by the field type.
    """

    text: str
    column: int
    quoted: bool = False
    compat: str | None = None


@record
class Check:
    """``field op value``, ``field op (v1, v2, ...)`` or ``field exists``."""

    field: str
    op: CmpOp
    values: tuple[Literal, ...]
    column: int
    """Column of the field name."""
    op_column: int


@record
class Not:
    """Logical negation of ``operand``."""

    operand: Node
    column: int


@record
class And:
    """True when every operand is true; evaluated left to right, short-circuiting."""

    operands: tuple[Node, ...]
    column: int


@record
class Or:
    """True when any operand is true; evaluated left to right, short-circuiting."""

    operands: tuple[Node, ...]
    column: int


Node = Check | Not | And | Or


def _quote(text: str) -> str:
    # Double quotes with backslash escapes are the only quoting that 0.29.3 reads back
    # unchanged, whatever the text holds.
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "'":
            # a quote of either kind ends a quoted value and only '"' has an escape
            out.append("\\x27")
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_text(node: Node) -> str:
    """Render ``node`` as a fully parenthesised filter that parses back to the same tree.

    Meant for messages and debugging. Without ``==`` checks the output is also accepted by
    sysdig 0.29.3 with the same meaning (every and/or group is bracketed).
    """
    if isinstance(node, Check):
        if node.op is CmpOp.EXISTS:
            return f"{node.field} exists"
        if node.op.takes_list:
            inner = ", ".join(_quote(v.text) for v in node.values)
            return f"{node.field} {node.op.value} ({inner})"
        return f"{node.field} {node.op.value} {_quote(node.values[0].text)}"
    if isinstance(node, Not):
        return f"not ({to_text(node.operand)})"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(to_text(op) for op in node.operands) + ")"
