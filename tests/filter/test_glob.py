"""``glob`` against the C library's own fnmatch (what sysdig 0.29.3 calls), and ``pmatch``."""

from __future__ import annotations

import ctypes
import ctypes.util
import locale
import platform
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sysdive.filter._checks import compile_pmatch
from sysdive.filter._glob import (
    _NEVER_MATCHES,
    _Elements,
    _Interpreter,
    _linear_segments,
    _segment_matcher,
    compile_glob,
)


def _libc_fnmatch() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    fn = libc.fnmatch
    fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


FNMATCH = _libc_fnmatch()
needs_glibc = pytest.mark.skipif(FNMATCH is None, reason="needs glibc's fnmatch as the oracle")


@pytest.fixture(scope="module")
def c_locale() -> Iterator[None]:
    # sysdig never calls setlocale: fnmatch then works on bytes in the C locale.
    saved = locale.setlocale(locale.LC_ALL)
    locale.setlocale(locale.LC_ALL, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def libc_glob(pattern: bytes, string: bytes) -> bool:
    assert FNMATCH is not None
    return bool(FNMATCH(pattern, string, 0) == 0)


def ours(pattern: bytes, string: bytes) -> bool:
    decode = "utf-8", "surrogateescape"
    return compile_glob(pattern.decode(*decode))(string.decode(*decode))


PATTERN_PIECES = [
    *"ab[]!^-\\*?:.=/",
    "[:alpha:]",
    "[:digit:]",
    "[:upper:]",
    "[:foo:]",
    "[=a=]",
    "[.a.]",
    "[.ab.]",
    "\xe9",
    "A",
    "z",
    "[a-c]",
    "[!a]",
]
STRING_CHARS = [*"ab[]!^-\\*?:.=Az0/", "\xe9", "\x7f"]

patterns = st.lists(st.sampled_from(PATTERN_PIECES), max_size=9).map("".join)


@st.composite
def pattern_and_string(draw: st.DrawFn) -> tuple[bytes, bytes]:
    pattern = draw(patterns)
    if draw(st.booleans()):
        string = draw(st.lists(st.sampled_from(STRING_CHARS), max_size=8).map("".join))
    else:
        # Strings close to the pattern reach the odd corners (literal "[", classes...).
        base = list(
            draw(st.sampled_from([pattern, pattern.replace("*", ""), pattern.replace("?", "a")]))
        )
        for _ in range(draw(st.integers(0, 2))):
            delete: bool = draw(st.booleans())
            if base and delete:
                del base[draw(st.integers(0, len(base) - 1))]
            else:
                base.insert(draw(st.integers(0, len(base))), draw(st.sampled_from(STRING_CHARS)))
        string = "".join(base)
    return pattern.encode("latin-1"), string.encode("latin-1")


@needs_glibc
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern_and_string())
def test_glob_agrees_with_glibc(c_locale: None, case: tuple[bytes, bytes]) -> None:
    pattern, string = case
    assert ours(pattern, string) == libc_glob(pattern, string), (pattern, string)


@needs_glibc
@pytest.mark.parametrize(
    ("pattern", "string"),
    [
        (b"[[b", b"[[b"),  # unterminated: a literal "[" even though "[" was a member
        (b"[a[=b]", b"a"),  # matched "a", then the skip scan fails on "[=b]"
        (b"[a[=b]", b"["),
        (b"[a-", b"a"),  # a range running off the end fails
        (b"[ab", b"[ab"),
        (b"[]]", b"]"),
        (b"[!]]", b"a"),
        (b"[]-a]", b"^"),
        (b"[[.a.]-c]", b"b"),
        (b"[[.ab.]]", b"a"),
        (b"[[:alpha:]-z]", b"-"),
        (b"[z-a]", b"m"),
        (b"a\\", b"a\\"),  # a trailing backslash never matches
        (b"\\*", b"*"),
        (b"*", b""),
        (b"*a*a*a*a*b", b"a" * 3000),  # no backtracking blow-up
        (b"[\xc3][\xa9]", "é".encode()),
        (b"?", "é".encode()),
        (b"[[:" + b"a" * 3000 + b":]]", b"a"),
    ],
    ids=lambda x: repr(x[:24]),
)
def test_glob_corners(c_locale: None, pattern: bytes, string: bytes) -> None:
    assert ours(pattern, string) == libc_glob(pattern, string)


@settings(max_examples=500, deadline=None)
@given(pattern_and_string())
def test_linear_matcher_agrees_with_interpreter(case: tuple[bytes, bytes]) -> None:
    pattern, string = (x.decode("latin-1") for x in case)
    elements = _Elements(pattern)
    segments = _linear_segments(pattern, elements)
    if segments is None:
        return
    # Both matchers work on bytes-as-latin-1 text; compile_glob would re-encode non-ASCII
    # characters as UTF-8 first, so compare the two matchers themselves.
    linear = (lambda _: False) if segments is _NEVER_MATCHES else _segment_matcher(segments)
    assert linear(string) == _Interpreter(pattern, elements)(string)


def test_glob_examples() -> None:
    assert compile_glob("/etc/*")("/etc/passwd")
    assert compile_glob("*")("/a/b/.c")  # no FNM_PATHNAME / FNM_PERIOD
    assert compile_glob("/etc/[!h]*")("/etc/resolv.conf")
    assert not compile_glob("/etc/[!h]*")("/etc/hosts")
    assert compile_glob("/etc/\\h*")("/etc/hosts")
    assert not compile_glob("/etc/[h")("/etc/h")
    assert compile_glob("/etc/[h")("/etc/[h")
    assert compile_glob("[[:digit:]]*")("1x")
    assert not compile_glob("[[:digit:]]*")("x1")
    assert compile_glob("a\0junk")("a")  # a NUL ends the pattern


def test_pmatch() -> None:
    pm = compile_pmatch(["/etc", "/usr/lib/", "var//log"])
    assert pm("/etc")
    assert pm("/etc/hosts")
    assert pm("etc/hosts")
    assert pm("/usr/lib/x/y")
    assert pm("/var/log/syslog")
    assert not pm("/etcx")
    assert not pm("/usr")
    assert not pm("/")
    assert not pm("")
    assert compile_pmatch([""])("")
    assert compile_pmatch(["/"])("/anything")
