"""JSON string escaping as sysdig 0.29.3 (jsoncpp 1.9's FastWriter) prints it.

The expected texts were taken from ``sysdig -j`` on captures whose process name was
replaced by these bytes (see the module docstring of :mod:`sysdive.format.jsonout`).
"""

from __future__ import annotations

import json

import pytest

from sysdive.format.jsonout import dumps_sorted, encode_value, quote


def from_bytes(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(("raw", "expected"), [
    (b"curl", '"curl"'),
    (b"\x01\xc3\xa9\x7f", '"\\u0001\\u00e9\x7f"'),          # DEL is not escaped
    (b"\xff\xfe\x1b\"", '"\\ufffd\\ufffd\\u001b\\""'),      # unreadable bytes: U+FFFD
    (b"\xe2\x82\xac\\\\", '"\\u20ac\\\\\\\\"'),
    (b"\xf0\x9f\x98\x80", '"\\ud83d\\ude00"'),                # surrogate pair, lower case
    (b"\xf4\x90\x80\x80", '"\\ud800\\udc00"'),                # beyond U+10FFFF: 10 bits each
    (b"\xf7\xbf\xbf\xbf", '"\\udbbf\\udfff"'),
    (b"\xc0\xafab", '"\\ufffdab"'),                           # overlong: one U+FFFD, 2 bytes
    (b"\xed\xa0\x80a", '"\\ufffda"'),                         # encoded surrogate
    (b"abc\xc3", '"abc\\ufffd"'),                             # cut at the end: one byte
    (b"\x80abc", '"\\ufffdbc"'),                              # a continuation byte leads
    (b"\x0c\r\t\n", '"\\f\\r\\t\\n"'),
    (b"\\\"/\x08", '"\\\\\\"/\\b"'),
])
def test_quote_matches_sysdig(raw: bytes, expected: str) -> None:
    assert quote(from_bytes(raw)) == expected


@pytest.mark.parametrize("text", ["", "plain", "a\"b\\c", "\x00\x1f ~", "tab\tnl\n"])
def test_ascii_text_is_pythons_escaping(text: str) -> None:
    assert quote(text) == json.dumps(text)


def test_values_and_objects() -> None:
    assert [encode_value(v) for v in (None, True, False, 7, -1, "x")] == \
        ["null", "true", "false", "7", "-1", '"x"']
    assert dumps_sorted({"b": 1, "a": "\x7f", "c": None}) == '{"a":"\x7f","b":1,"c":null}'
