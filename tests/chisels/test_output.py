"""The output helpers against sysdig's own Lua helpers, run in the LuaJIT sysdig links.

``common.lua`` (format_bytes, format_time_interval, extend_string) is loaded from
``/usr/share/sysdig/chisels`` into ``libluajit-5.1.so.2`` through ctypes, and each helper is
compared with its Python port on the same inputs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

import pytest

from sysdive.chisels.output import (
    Colors,
    columns,
    extend_string,
    format_bytes,
    format_time_interval,
    lua_str,
    top_by_value,
)
from sysdive.chisels.runner import split_args
from sysdive.errors import ChiselError

CHISELS = Path("/usr/share/sysdig/chisels")
LUAJIT = "libluajit-5.1.so.2"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def lua() -> ctypes.CDLL:
    if not (CHISELS / "common.lua").is_file():
        _unavailable("sysdig's chisels are not installed")
    try:
        lib = ctypes.CDLL(LUAJIT)
    except OSError:
        _unavailable(f"{LUAJIT} (installed with sysdig) is missing")
    lib.luaL_newstate.restype = ctypes.c_void_p
    lib.luaL_openlibs.argtypes = [ctypes.c_void_p]
    lib.luaL_loadstring.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.lua_pcall.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.lua_tolstring.argtypes = [ctypes.c_void_p, ctypes.c_int,
                                  ctypes.POINTER(ctypes.c_size_t)]
    lib.lua_tolstring.restype = ctypes.c_void_p
    lib.lua_close.argtypes = [ctypes.c_void_p]
    return lib


def run_lua(lib: ctypes.CDLL, body: str) -> bytes:
    """Run ``body`` after ``require "common"``; it returns a string, which is returned."""
    state = lib.luaL_newstate()
    try:
        lib.luaL_openlibs(state)
        code = f'package.path = "{CHISELS}/?.lua;" .. package.path\nrequire "common"\n{body}'
        if lib.luaL_loadstring(state, code.encode()) or lib.lua_pcall(state, 0, 1, 0):
            size = ctypes.c_size_t()
            err = lib.lua_tolstring(state, -1, ctypes.byref(size))
            raise AssertionError(ctypes.string_at(err, size.value).decode())
        size = ctypes.c_size_t()
        ptr = lib.lua_tolstring(state, -1, ctypes.byref(size))
        return ctypes.string_at(ptr, size.value)
    finally:
        lib.lua_close(state)


NUMBERS = [0, 1, 999, 1000, 1023, 1024, 1025, 1536, 9999, 10_000, 12_345, 99_999, 100_000,
           999_999, 1_000_000, 1_048_576, 1_048_577, 5_500_000, 9_999_999, 10_000_000,
           123_456_789, 999_999_999, 1_000_000_000, 1_073_741_825, 1_234_567_890,
           59_999_999_999, 1_099_511_627_777, 5 * 1024 ** 5 + 7, 1.5, 1023.75, 1234.5,
           2_000_000.25]


def test_format_bytes_and_time_match_common_lua(lua: ctypes.CDLL) -> None:
    values = ", ".join(repr(v) for v in NUMBERS)
    got = run_lua(lua, f"local out = {{}}\nfor _, v in ipairs({{{values}}}) do\n"
                       "  out[#out + 1] = format_bytes(v) .. '|' .. format_time_interval(v)\n"
                       "end\nreturn table.concat(out, '\\n')").decode().split("\n")
    ours = [f"{format_bytes(v)}|{format_time_interval(v)}" for v in NUMBERS]
    assert ours == got


STRINGS = ["", "a", "abc", "x" * 19, "x" * 20, "x" * 21, "/usr/lib/x86_64-linux-gnu/libz.so",
           "héllo wörld", "ünïcode-in-a-long-name-here"]


def test_extend_string_matches_common_lua(lua: ctypes.CDLL) -> None:
    widths = [-1, 0, 1, 5, 20, 40, 200]
    cases = [(s, w) for s in STRINGS for w in widths]
    table = ", ".join(f'{{"{s}", {w}}}' for s, w in cases)
    got = run_lua(lua, f"local out = {{}}\nfor _, c in ipairs({{{table}}}) do\n"
                       "  out[#out + 1] = '[' .. extend_string(c[1], c[2]) .. ']'\n"
                       "end\nreturn table.concat(out, '\\n')").split(b"\n")
    ours = [f"[{extend_string(s, w)}]".encode("utf-8", "surrogateescape") for s, w in cases]
    assert ours == got


def test_lua_str_matches_tostring(lua: ctypes.CDLL) -> None:
    values: list[float] = [0, 1, -1, 17496, 0.1 + 0.2, 1e15, 123456789012345, 2.5e-7,
                           3.0, 2 ** 53, 1 / 3, -1.5, 99999999999999.5, 1e-5, 123.456, 1e100,
                           9.999999999999995e14, 0.000123456789012345678, 5e-324]
    got = run_lua(lua, "local out = {}\nfor _, v in ipairs({"
                  + ", ".join(repr(float(v)) for v in values)
                  + "}) do out[#out + 1] = tostring(v) end\nreturn table.concat(out, ' ')")
    assert " ".join(lua_str(v) for v in values) == got.decode()
    assert lua_str(True) == "true" and lua_str(None) == "nil"


def test_columns_and_top() -> None:
    assert columns(["a", "b", "rest of it"], [3, 4]) == "a  b   rest of it"
    assert columns(["abcdef", "x"], [4]) == "abc x"
    table = {"a": 1.0, "b": 3.0, "c": 3.0, "d": 2.0}
    assert top_by_value(table, 0) == [("b", 3.0), ("c", 3.0), ("d", 2.0), ("a", 1.0)]
    assert top_by_value(table, 2) == [("b", 3.0), ("c", 3.0)]


def test_colors() -> None:
    on, off = Colors.on(), Colors.off()
    assert (on.red, on.blue, on.reset, on.oncyan) == ("\x1b[31m", "\x1b[34m", "\x1b[0m",
                                                      "\x1b[46m")
    assert off.red == off.reset == ""


@pytest.mark.parametrize(("text", "words"), [
    ("", []),
    ("  1  ", ["1"]),
    ("1 disable_color", ["1", "disable_color"]),
    ("a  b", ["a", "", "b"]),
    ("'evt.type=open and fd.num>2' 5", ["evt.type=open and fd.num>2", "5"]),
    ("`x y` z", ["x y", "z"]),
])
def test_split_args(text: str, words: list[str]) -> None:
    assert split_args(text, "t") == words


def test_split_args_unclosed_quote() -> None:
    with pytest.raises(ChiselError, match="corrupted parameters for chisel t"):
        split_args("'a b", "t")
