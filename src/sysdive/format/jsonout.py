"""JSON text as sysdig writes it (jsoncpp's FastWriter): sorted keys, no spaces.

Strings are escaped as jsoncpp 1.9's ``valueToQuotedStringN`` escapes them: ``"``, ``\\``
and ``\\b \\f \\n \\r \\t`` by their short forms, the other control characters and every
non-ASCII character as ``\\uxxxx`` (lower-case hex; surrogate pairs above U+FFFF), and DEL
(0x7F) as is. The input is the original bytes (sysdive's strings keep undecodable bytes as
``surrogateescape`` code points): jsoncpp's UTF-8 reader turns a byte sequence it cannot
read into U+FFFD, following its own rules for what a sequence consumes.

For ASCII text without DEL that is exactly what Python's ``json`` C escaper writes, so that
is used where it can be; other strings take a byte-by-byte port of jsoncpp's loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii

__all__ = ["ascii_quote", "dumps_sorted", "encode_value", "quote", "quote_expression"]

_encoder = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), sort_keys=True)
_int_repr = int.__repr__
_REPLACEMENT = 0xFFFD
_SHORT = {0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r",
          0x09: "\\t"}


ascii_quote = encode_basestring_ascii
""":func:`quote` for ASCII text without DEL (C code)."""


def quote_expression(value: str, names: Callable[[object], str]) -> str:
    """A Python expression giving the JSON text of the field value named ``value``: the
    C escaper inline for the common case, :func:`encode_value` for the rest. ``names``
    gives the global name of an object in the generated code."""
    return (f"{names(ascii_quote)}({value}) if {value}.__class__ is str and "
            f"{value}.isascii() and {names(chr(0x7F))} not in {value} "
            f"else {names(encode_value)}({value})")


def quote(text: str) -> str:
    """``text`` as a quoted JSON string, escaped as sysdig's jsoncpp escapes it."""
    if text.isascii() and "\x7f" not in text:
        return encode_basestring_ascii(text)
    return _quote_bytes(text.encode("utf-8", "surrogateescape"))


def _codepoint(data: bytes, i: int) -> tuple[int, int]:
    # jsoncpp's utf8ToCodepoint: (code point, bytes consumed). Continuation bytes are not
    # checked; a sequence running past the end, an overlong form or an encoded surrogate
    # gives U+FFFD (consuming one byte when it ran past the end, the sequence otherwise).
    c = data[i]
    left = len(data) - i
    if c < 0x80:
        return c, 1
    if c < 0xE0:
        if left < 2:
            return _REPLACEMENT, 1
        cp = (c & 0x1F) << 6 | data[i + 1] & 0x3F
        return (_REPLACEMENT if cp < 0x80 else cp), 2
    if c < 0xF0:
        if left < 3:
            return _REPLACEMENT, 1
        cp = (c & 0x0F) << 12 | (data[i + 1] & 0x3F) << 6 | data[i + 2] & 0x3F
        return (_REPLACEMENT if cp < 0x800 or 0xD800 <= cp <= 0xDFFF else cp), 3
    if c < 0xF8:
        if left < 4:
            return _REPLACEMENT, 1
        cp = ((c & 0x07) << 18 | (data[i + 1] & 0x3F) << 12 | (data[i + 2] & 0x3F) << 6
              | data[i + 3] & 0x3F)
        return (_REPLACEMENT if cp < 0x10000 else cp), 4
    return _REPLACEMENT, 1


def _quote_bytes(data: bytes) -> str:
    out = ['"']
    append = out.append
    i, n = 0, len(data)
    while i < n:
        short = _SHORT.get(data[i])
        if short is not None:
            append(short)
            i += 1
            continue
        cp, used = _codepoint(data, i)
        i += used
        if 0x20 <= cp <= 0x7F:
            append(chr(cp))
        elif cp < 0x10000:
            append(f"\\u{cp:04x}")
        else:
            # A surrogate pair; sequences beyond U+10FFFF keep 10 bits in each half too
            # (observed: F4 90 80 80 gives \ud800\udc00).
            cp -= 0x10000
            append(f"\\u{(cp >> 10 & 0x3FF) + 0xD800:04x}\\u{(cp & 0x3FF) + 0xDC00:04x}")
    append('"')
    return "".join(out)


def encode_value(value: object) -> str:
    """One field value as JSON text (str, int, bool or None; anything else through Python's
    encoder)."""
    cls = value.__class__
    if cls is str:
        return quote(value)  # type: ignore[arg-type]
    if value is None:
        return "null"
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return _int_repr(value)
    return _encoder.encode(value)


def dumps_sorted(obj: dict[str, object]) -> str:
    """A flat object on one line, keys sorted, as :func:`encode_value` encodes its values."""
    return "{" + ",".join(quote(k) + ":" + encode_value(v) for k, v in sorted(obj.items())) + "}"
