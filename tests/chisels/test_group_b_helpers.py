"""Unit tests of the helpers behind the group-B chisel ports (their parity with sysdig is
checked end to end by test_chisel_parity.py and test_chisel_synthetic.py)."""

from __future__ import annotations

import pytest

from sysdive.chisels.builtin._lua import lua_find, lua_match, lua_split
from sysdive.chisels.builtin._luaorder import lua_pairs_order, unordered_map_order
from sysdive.chisels.builtin.spy_syslog import decode_syslog
from sysdive.chisels.output import format_bytes, lua_fixed


@pytest.mark.parametrize("text,pattern,groups", [
    ("Host: example.com..Accept", "Host: (%g+)%.%.", ("example.com",)),
    ("GET /x HTTP/1.1", "^(%u+) (%g+)", ("GET", "/x")),
    ("xGET /x", "^(%u+) (%g+)", None),
    ("HTTP/1.1 404 Not Found", "HTTP/[%g]+ (%d+)", ("404",)),
    ("Content-Length: 12..", "Content%-Length: (%d+)%.%.", ("12",)),
    ("A=() { :;}; id", "%(%).+", ("() { :;}; id",)),
    ("gets a", "^[gs]et", ("get",)),
])
def test_lua_match(text: str, pattern: str, groups: tuple[str, ...] | None) -> None:
    assert lua_match(text, pattern) == groups


def test_lua_find_and_split() -> None:
    assert lua_find("curl", "cu.l") and not lua_find("cxrl", "c%ul")
    assert lua_find("a-6b", "-6")  # a leading '-' is a plain character
    assert lua_split("a\nb\n\nc", "\n") == ["a", "b", "", "c"]
    assert lua_split("set k 0 0 5", " ") == ["set", "k", "0", "0", "5"]


def test_lua_fixed_rounds_ties_away_from_zero() -> None:
    assert lua_fixed(10.625, 2) == "10.63"     # glibc's printf gives 10.62
    assert lua_fixed(2.675, 2) == "2.67"       # not a tie: 2.67499999...
    assert format_bytes(10.625 * 1024 * 1024) == "10.63M"


def test_decode_syslog() -> None:
    assert decode_syslog(b"<13>hello") == (13, "hello")
    assert decode_syslog(b"x191>y") == (191, "y")  # the first byte is not checked
    assert decode_syslog(b"<1x>bad") is None
    assert decode_syslog(b"no priority") is None
    assert decode_syslog(b"<5>") == (5, "")


def test_unordered_map_order_puts_new_buckets_first() -> None:
    # The first insert makes 13 buckets; a node for an empty bucket goes in front.
    assert unordered_map_order([1, 2, 3]) == [3, 2, 1]
    # 15 and 2 share bucket 2 of 13: the newer one goes just before the older.
    assert unordered_map_order([2, 5, 15]) == [5, 15, 2]
    order = unordered_map_order(range(30))
    assert sorted(order) == list(range(30))


def test_lua_pairs_order_array_then_hash() -> None:
    # Dense small keys live in the array part, in order; a far key goes to the hash part.
    assert lua_pairs_order([3, 0, 2, 1]) == [0, 1, 2, 3]
    assert lua_pairs_order([0, 1, 2, 255]) == [0, 1, 2, 255]
    keys = [13612, 13511, 1830, 1470]
    assert sorted(lua_pairs_order(keys)) == sorted(keys)
