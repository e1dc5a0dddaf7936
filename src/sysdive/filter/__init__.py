"""The sysdig 0.29.3 filter language: lexer -> parser -> frozen AST -> compiler.

Typical use::

    from sysdive.filter import compile_filter

    flt = compile_filter("evt.type=open and proc.name contains ssh", registry)
    if flt.event_types is None or evt.type in flt.event_types:
        if flt.match(evt):
            ...

The grammar and its relation to 0.29.3 are documented in :mod:`sysdive.filter.parser`, the
comparison semantics in :mod:`sysdive.filter.compiler`. Every error is a
:class:`~sysdive.errors.FilterError` whose message names the column and the offending token.
"""

from __future__ import annotations

from sysdive.filter.ast import And, Check, CmpOp, Literal, Node, Not, Or, to_text
from sysdive.filter.compiler import (
    BoundField,
    CompiledFilter,
    FieldResolver,
    compile_filter,
    compile_tree,
)
from sysdive.filter.parser import parse

__all__ = [
    "And",
    "BoundField",
    "Check",
    "CmpOp",
    "CompiledFilter",
    "FieldResolver",
    "Literal",
    "Node",
    "Not",
    "Or",
    "compile_filter",
    "compile_tree",
    "parse",
    "to_text",
]
