"""JSON text as sysdig's Lua chisels write it (dkjson's ``json.encode`` with ``indent``).

The layout: an object opens with ``{``, each member on a new line indented two spaces per
level (``"key":value``, no blank after the colon), the closing brace on a line of its own
one level out; arrays stay on one line (``[a,b]``) whatever they hold, with ``null`` for
the holes of a Lua array. Numbers are written as Lua's ``tostring`` writes them (``%.14g``;
NaN and infinities become ``null``). Strings escape the bytes dkjson escapes: the ASCII
control characters, ``"``, ``\\`` and DEL, and the UTF-8 sequences of a few invisible
characters (U+0080-U+009F, U+00AD, U+0600-U+0604, U+070F, U+17B4-U+17B5, U+200C-U+200F,
U+2028-U+202F, U+2060-U+206F, U+FEFF, U+FFF0-U+FFFF) as ``\\u`` escapes. Anything else,
invalid UTF-8 included, is copied as it is.

Objects are ``dict`` (members in insertion order: dkjson follows Lua's hash order, which
sysdig seeds at random, so any fixed order is one sysdig may print), arrays ``list``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from sysdive.chisels.output import lua_str

__all__ = ["encode", "quote"]

_SHORT = {b'"': b'\\"', b"\\": b"\\\\", b"\b": b"\\b", b"\f": b"\\f", b"\n": b"\\n",
          b"\r": b"\\r", b"\t": b"\\t"}
_ASCII = re.compile(rb'[\x00-\x1f"\\\x7f]')
_WIDE_LEAD = re.compile(rb"[\xc2\xd8\xdc\xe1\xe2\xef]")
# dkjson's second pass, pattern by pattern, in its order.
_WIDE = tuple(re.compile(p) for p in (
    rb"\xc2[\x80-\x9f\xad]", rb"\xd8[\x80-\x84]", rb"\xdc\x8f", rb"\xe1\x9e[\xb4\xb5]",
    rb"\xe2\x80[\x8c-\x8f\xa8-\xaf]", rb"\xe2\x81[\xa0-\xaf]", rb"\xef\xbb\xbf",
    rb"\xef\xbf[\xb0-\xbf]"))


def _escape_ascii(m: re.Match[bytes]) -> bytes:
    c = m.group()
    return _SHORT.get(c) or b"\\u%04x" % c[0]


def _escape_wide(m: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(m.group().decode("utf-8"))


def quote(text: str) -> str:
    """``text`` as a JSON string, quotes included (dkjson's ``quotestring``)."""
    if text.isascii() and not _ASCII.search(text.encode()):
        return f'"{text}"'
    raw = _ASCII.sub(_escape_ascii, text.encode("utf-8", "surrogateescape"))
    if _WIDE_LEAD.search(raw):
        for pattern in _WIDE:
            raw = pattern.sub(_escape_wide, raw)
    return '"' + raw.decode("utf-8", "surrogateescape") + '"'


def _number(value: float) -> str:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "null"
    return lua_str(value)


def _encode(value: object, level: int, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, int | float):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(quote(value))
    elif isinstance(value, Mapping):
        inner = "\n" + "  " * (level + 1)
        out.append("{")
        for i, (key, member) in enumerate(value.items()):
            out.append(("," if i else "") + inner + quote(key) + ":")
            _encode(member, level + 1, out)
        out.append("\n" + "  " * level + "}")
    elif isinstance(value, Sequence):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, level + 1, out)
        out.append("]")
    else:
        raise TypeError(f"type '{type(value).__name__}' is not supported by JSON.")


def encode(value: object) -> str:
    """``json.encode(value, {indent = true})``."""
    out: list[str] = []
    _encode(value, 0, out)
    return "".join(out)
