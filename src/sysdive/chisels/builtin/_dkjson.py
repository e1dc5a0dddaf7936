"""dkjson's encoder (the JSON library of sysdig's chisels) with ``indent = true``: object
members on their own lines, two blanks per level, arrays on one line, numbers as Lua's
``tostring``, empty tables as ``[]``, Lua strings (bytes) escaped as dkjson escapes them."""

from __future__ import annotations

import math
import re

from sysdive.chisels.output import lua_str

__all__ = ["encode"]


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
            "\t": "\\t"}
_ESCAPED = re.compile('[\x00-\x1f"\\\\\x7f\x80-\x9f\xad\u0600-\u0604\u070f\u17b4\u17b5'
                      "\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff]")


def _quote(text: str) -> str:
    return '"' + _ESCAPED.sub(lambda m: _ESCAPES.get(m.group(0), f"\\u{ord(m.group(0)):04x}"),
                              text) + '"'


def encode(value: object, level: int = 0) -> str:
    """JSON as dkjson writes it with ``indent``: object members on their own lines, two
    blanks per level, arrays on one line, numbers as Lua's tostring, empty tables as []."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if value != value or value in (math.inf, -math.inf):
            return "null"
        return lua_str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bytes):
        return _quote(value.decode("utf-8", "surrogateescape"))
    level += 1
    if isinstance(value, list) or (isinstance(value, dict) and not value):
        items = value if isinstance(value, list) else []
        return "[" + ",".join(encode(v, level) for v in items) + "]"
    assert isinstance(value, dict)
    pad = "\n" + "  " * level
    members = ",".join(f"{pad}{_quote(str(k))}:{encode(v, level)}" for k, v in value.items())
    return "{" + members + "\n" + "  " * (level - 1) + "}"
