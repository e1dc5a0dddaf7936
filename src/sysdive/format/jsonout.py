"""JSON lines as sysdig writes them (jsoncpp's FastWriter): sorted keys, no spaces.

:func:`dumps_sorted` encodes a whole object; the formatter's compiled line functions build
the line themselves from :func:`quote` (strings) and :func:`encode_value` (anything a field
returns), which give the same text as that encoder does for the value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii

_encoder = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), sort_keys=True)

quote: Callable[[str], str] = encode_basestring_ascii
"""A string as a quoted JSON string, escaped as :func:`dumps_sorted` escapes it (C code)."""

_int_repr = int.__repr__


def dumps_sorted(obj: dict[str, object]) -> str:
    """One object on one line, keys sorted, strings escaped as jsoncpp escapes them."""
    return _encoder.encode(obj)


def encode_value(value: object) -> str:
    """One field value (str, int, bool or None; anything else through the encoder)."""
    cls = value.__class__
    if cls is str:
        return encode_basestring_ascii(value)  # type: ignore[arg-type]
    if value is None:
        return "null"
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return _int_repr(value)
    return _encoder.encode(value)
