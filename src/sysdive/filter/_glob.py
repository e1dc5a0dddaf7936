"""``glob``: the pattern language of C ``fnmatch(pattern, string, 0)`` as sysdig 0.29.3 runs it.

sysdig never calls ``setlocale``, so glibc matches bytes in the C locale: ``?`` is one byte,
bracket ranges compare byte values, ``[:alpha:]`` and friends are ASCII classes. With no
flags, ``*`` and ``?`` also match ``/`` and a leading ``.``, and ``\\`` escapes the next
character (a lone trailing ``\\`` never matches).

glibc decides what a ``[`` means while matching, and its odd corners are kept here:

* ``[!...]`` and ``[^...]`` negate; a ``]`` right after ``[``, ``[!`` or ``[^`` is a member;
* a ``[`` with no closing ``]`` is a literal ``[`` (glibc 2.36, the libc sysdig 0.29.3 links
  against here, also falls back to that after a member matched and the skip scan below
  ran off the end);
* an unknown ``[:class:]``, a bad ``[.x.]`` or a range running off the end makes the bracket
  fail at that point; ``[:``, ``[=`` not closed properly are read as a ``[`` member;
* once a member matches, the rest of the bracket is skipped by a second, slightly
  different scan, which can fail (``[a[=b]`` matches ``[``, ``=`` and ``b`` but not ``a``).

So each bracket is evaluated here for all 256 byte values once, at compile time, giving for
each byte either failure or the pattern position where matching goes on. When every bracket
goes on at one place, the pattern is a plain sequence and is matched with small fixed-length
regular expressions between the ``*`` wildcards (leftmost placement, as glibc does; no
backtracking blow-up). Otherwise a direct interpreter of glibc's strategy is used.

Strings and patterns are handled as bytes (UTF-8, with surrogate escapes for raw bytes),
carried in ``str`` objects whose code points are the byte values (latin-1), so that ASCII
values need no conversion at all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from sysdive.records import record

__all__ = ["compile_glob"]

_FAIL = -1
_UNTERMINATED = -2
_CLASS_NAME_MAX = 2048  # glibc's CHAR_CLASS_MAX_LENGTH (CHARCLASS_NAME_MAX)


def _ascii_class(test: Callable[[int], bool]) -> frozenset[str]:
    return frozenset(chr(b) for b in range(256) if test(b))


# The character classes of the C locale.
_CLASSES: dict[str, frozenset[str]] = {
    "alnum": _ascii_class(lambda b: chr(b).isascii() and chr(b).isalnum()),
    "alpha": _ascii_class(lambda b: chr(b).isascii() and chr(b).isalpha()),
    "blank": _ascii_class(lambda b: b in (0x20, 0x09)),
    "cntrl": _ascii_class(lambda b: b < 0x20 or b == 0x7F),
    "digit": _ascii_class(lambda b: 0x30 <= b <= 0x39),
    "graph": _ascii_class(lambda b: 0x21 <= b <= 0x7E),
    "lower": _ascii_class(lambda b: 0x61 <= b <= 0x7A),
    "print": _ascii_class(lambda b: 0x20 <= b <= 0x7E),
    "punct": _ascii_class(lambda b: 0x21 <= b <= 0x7E and not chr(b).isalnum()),
    "space": _ascii_class(lambda b: b in (0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D)),
    "upper": _ascii_class(lambda b: 0x41 <= b <= 0x5A),
    "xdigit": _ascii_class(lambda b: chr(b) in "0123456789abcdefABCDEF"),
}


def _boundaries(members: frozenset[str]) -> set[int]:
    return {b for b in range(1, 256) if (chr(b) in members) != (chr(b - 1) in members)}


_CLASS_BOUNDARIES = frozenset({0, 256}).union(*(_boundaries(m) for m in _CLASSES.values()))


class _Scan:
    """Reads the pattern with C-string conventions: past the end there is a NUL."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def at(self, pos: int) -> str:
        return self.pattern[pos] if pos < len(self.pattern) else "\0"


def _matched(scan: _Scan, p: int, fn: str, negate: bool, p_init: int, memo: dict[int, int]) -> int:
    """Outcome once a member matched ``fn`` and the bracket goes on at ``p``."""
    end = memo.get(p)
    if end is None:
        end = memo[p] = _skip_scan(scan, p)
    if end == _UNTERMINATED:
        # glibc 2.36 falls back to a literal "[" here too, negated or not.
        return p_init if fn == "[" else _FAIL
    if end == _FAIL or negate:
        return _FAIL
    return end


def _skip_scan(scan: _Scan, p: int) -> int:
    """Position after the closing ``]``, _FAIL, or _UNTERMINATED if the pattern ends first."""
    at = scan.at
    while True:
        c = at(p)
        p += 1
        if c == "]":
            return p
        if c == "\0":
            return _UNTERMINATED
        if c == "\\":
            if at(p) == "\0":
                return _FAIL
            p += 1
        elif c == "[" and at(p) == ":":
            start = p
            count = 0
            while True:
                p += 1
                c = at(p)
                count += 1
                if count == _CLASS_NAME_MAX:
                    return _FAIL
                if c == ":" and at(p + 1) == "]":
                    break
                if c < "a" or c >= "z":
                    p = start - 2
                    break
            p += 2
        elif c == "[" and at(p) == "=":
            p += 1
            if at(p) == "\0":
                return _FAIL
            p += 1
            if at(p) != "=" or at(p + 1) != "]":
                return _FAIL
            p += 2
        elif c == "[" and at(p) == ".":
            while True:
                p += 1
                c = at(p)
                if c == "\0":
                    return _FAIL
                if c == "." and at(p + 1) == "]":
                    break
            p += 2


def _collating(scan: _Scan, p: int) -> tuple[str | None, int]:
    """Read ``[.x.]`` whose ``.`` is at ``p``: (the one character or None if bad, end)."""
    start = p
    while True:
        p += 1
        c = scan.at(p)
        if c == "." and scan.at(p + 1) == "]":
            p += 2
            break
        if c == "\0":
            return None, p
    body = scan.pattern[start + 1 : p - 2]
    return (body if len(body) == 1 else None), p


def _bracket_outcome(scan: _Scan, open_pos: int, fn: str, skips: dict[int, int]) -> int:
    """Where matching goes on after the ``[`` at ``open_pos`` meets byte ``fn`` (or _FAIL)."""
    at = scan.at
    p = open_pos + 1
    p_init = p
    negate = at(p) in "!^"
    if negate:
        p += 1
    c = at(p)
    p += 1
    while True:
        member: str | None = None  # a plain member character, to go through the range logic
        if c == "\\":
            if at(p) == "\0":
                return _FAIL
            member = at(p)
            p += 1
        elif c == "[" and at(p) == ":":
            start = p
            name = ""
            plain = False
            while True:
                if len(name) == _CLASS_NAME_MAX:
                    return _FAIL
                p += 1
                c = at(p)
                if c == ":" and at(p + 1) == "]":
                    p += 2
                    break
                if c < "a" or c >= "z":
                    plain = True
                    break
                name += c
            if plain:
                p = start
                member = "["
            else:
                members = _CLASSES.get(name)
                if members is None:
                    return _FAIL
                if fn in members:
                    return _matched(scan, p, fn, negate, p_init, skips)
                c = at(p)
                p += 1
        elif c == "[" and at(p) == "=":
            start = p
            equiv = at(p + 1)
            if equiv == "\0" or at(p + 2) != "=" or at(p + 3) != "]":
                p = start
                member = "["
            else:
                p += 4
                if fn == equiv:
                    return _matched(scan, p, fn, negate, p_init, skips)
                c = at(p)
                p += 1
        elif c == "\0":
            # Unterminated: the "[" was an ordinary character after all.
            return p_init if fn == "[" else _FAIL
        elif c == "[" and at(p) == ".":
            char, p = _collating(scan, p)
            if char is None:
                return _FAIL
            is_range = at(p) == "-" and at(p + 1) != "\0"
            if not is_range and fn == char:
                return _matched(scan, p, fn, negate, p_init, skips)
            outcome = _range_tail(scan, p, char, fn, negate, p_init, skips)
            if isinstance(outcome, int):
                return outcome
            c, p = outcome
        else:
            member = c
        if member is not None:
            is_range = at(p) == "-" and at(p + 1) not in "\0]"
            if not is_range and member == fn:
                return _matched(scan, p, fn, negate, p_init, skips)
            outcome = _range_tail(scan, p, member, fn, negate, p_init, skips)
            if isinstance(outcome, int):
                return outcome
            c, p = outcome
        if c == "]":
            break
    return p if negate else _FAIL


def _range_tail(
    scan: _Scan, p: int, low: str, fn: str, negate: bool, p_init: int, skips: dict[int, int]
) -> int | tuple[str, int]:
    """After a member ``low`` at ``p``: a final outcome, or the next (character, position)."""
    at = scan.at
    c = at(p)
    p += 1
    if c == "-" and at(p) != "]":
        high = at(p)
        p += 1
        if high == "[" and at(p) == ".":
            char, p = _collating(scan, p)
            if char is None:
                return _FAIL
            high = char
        else:
            if high == "\\":
                high = at(p)
                p += 1
            if high == "\0":
                return _FAIL
        if low <= fn <= high:
            return _matched(scan, p, fn, negate, p_init, skips)
        c = at(p)
        p += 1
    return c, p


# -- elements and matching ----------------------------------------------------------------

_ANY, _STAR, _LIT, _BRACKET, _NEVER = range(5)


@record
class _Element:
    kind: int
    char: str = ""  # _LIT
    next: int = 0  # position after the element (_ANY, _LIT)
    table: tuple[int, ...] = ()  # _BRACKET: outcome per byte value


class _Elements:
    """The element starting at each pattern position, built on first use.

    Brackets are costly to tabulate (256 scans), and only the positions matching can reach
    are ever needed.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.scan = _Scan(pattern)
        self.cache: dict[int, _Element] = {}

    def __getitem__(self, i: int) -> _Element:
        el = self.cache.get(i)
        if el is None:
            el = self.cache[i] = self._build(i)
        return el

    def _build(self, i: int) -> _Element:
        pattern = self.pattern
        c = pattern[i]
        if c == "?":
            return _Element(_ANY, next=i + 1)
        if c == "*":
            return _Element(_STAR, next=i + 1)
        if c == "\\":
            if i + 1 >= len(pattern):
                return _Element(_NEVER)
            return _Element(_LIT, char=pattern[i + 1], next=i + 2)
        if c == "[":
            # The outcome depends on the byte only through comparisons with characters of
            # the pattern and through class membership, so it is constant between those
            # boundaries: evaluate one byte per stretch.
            points = set(_CLASS_BOUNDARIES)
            for ch in pattern[i:]:
                points.update((ord(ch), ord(ch) + 1))
            bounds = sorted(points)
            skips: dict[int, int] = {}
            table = [_FAIL] * 256
            for low, high in itertools.pairwise(bounds):
                table[low:high] = [_bracket_outcome(self.scan, i, chr(low), skips)] * (high - low)
            return _Element(_BRACKET, table=tuple(table))
        return _Element(_LIT, char=c, next=i + 1)


class _Interpreter:
    """glibc's matching strategy over the element table (used for irregular patterns)."""

    def __init__(self, pattern: str, elements: _Elements) -> None:
        self.pattern = pattern
        self.elements = elements

    def __call__(self, string: str) -> bool:
        return self._run(0, string, 0, False) is True

    def _run(self, p: int, s: str, n: int, stop_at_star: bool) -> bool | tuple[int, int]:
        """True/False, or with ``stop_at_star`` the (star position, string position) reached."""
        pattern, elements, end = self.pattern, self.elements, len(s)
        while p < len(pattern):
            el = elements[p]
            if el.kind == _LIT or el.kind == _ANY:
                if n == end or (el.kind == _LIT and s[n] != el.char):
                    return False
                p, n = el.next, n + 1
            elif el.kind == _BRACKET:
                if n == end:
                    return False
                p = el.table[ord(s[n])]
                if p == _FAIL:
                    return False
                n += 1
            elif el.kind == _NEVER:
                return False
            else:
                if stop_at_star:
                    return (p, n)
                p += 1
                while p < len(pattern) and pattern[p] in "?*":
                    if pattern[p] == "?":
                        if n == end:
                            return False
                        n += 1
                    p += 1
                if p == len(pattern):
                    return True
                first = pattern[p]
                if first == "\\":
                    first = pattern[p + 1] if p + 1 < len(pattern) else "\0"
                for k in range(n, end):
                    if first != "[" and s[k] != first:
                        continue
                    found = self._run(p, s, k, True)
                    if found is True:
                        return True
                    if found is not False:
                        p, n = found
                        break
                else:
                    return False
        return n == end


_NEVER_MATCHES: list[tuple[str, int]] = []


def _linear_segments(pattern: str, elements: _Elements) -> list[tuple[str, int]] | None:
    """The fixed-length pieces between ``*`` wildcards as (regex source, length).

    None when some bracket goes on at more than one place (use the interpreter), and
    :data:`_NEVER_MATCHES` when some element on the way can never match.
    """
    segments: list[tuple[str, int]] = []
    current: list[str] = []
    p = 0
    while p < len(pattern):
        el = elements[p]
        if el.kind == _STAR:
            segments.append(("".join(current), len(current)))
            current = []
            p = el.next
        elif el.kind == _ANY or el.kind == _LIT:
            current.append("." if el.kind == _ANY else re.escape(el.char))
            p = el.next
        elif el.kind == _NEVER:
            return _NEVER_MATCHES
        else:
            targets = {t for t in el.table if t != _FAIL}
            if not targets:
                return _NEVER_MATCHES
            if len(targets) > 1:
                return None
            members = "".join(re.escape(chr(b)) for b, t in enumerate(el.table) if t != _FAIL)
            current.append(f"[{members}]")
            p = targets.pop()
    segments.append(("".join(current), len(current)))
    return segments


def _segment_matcher(segments: list[tuple[str, int]]) -> Callable[[str], bool]:
    flags = re.DOTALL
    if len(segments) == 1:
        whole = re.compile(segments[0][0], flags).fullmatch
        return lambda s: whole(s) is not None
    head = re.compile(segments[0][0], flags).match
    middle = [re.compile(src, flags).search for src, _ in segments[1:-1]]
    tail_src, tail_len = segments[-1]
    tail = re.compile(tail_src, flags).fullmatch

    def match(s: str) -> bool:
        # The piece after the last "*" must end the string; the ones before go leftmost,
        # which is what glibc does and is never worse for what follows (a "*").
        m = head(s)
        if m is None:
            return False
        pos = m.end()
        for search in middle:
            m = search(s, pos)
            if m is None:
                return False
            pos = m.end()
        start = len(s) - tail_len
        return start >= pos and tail(s, start) is not None

    return match


def compile_glob(pattern: str) -> Callable[[str], bool]:
    """Return a predicate telling whether a value matches ``pattern`` as glibc fnmatch would.

    ``pattern`` and the values are ordinary ``str``; both are taken as their UTF-8 bytes
    (surrogate escapes standing for raw bytes). A NUL ends the pattern, as in C.
    """
    raw = pattern.split("\0", 1)[0].encode("utf-8", "surrogateescape").decode("latin-1")
    elements = _Elements(raw)
    segments = _linear_segments(raw, elements)
    matcher: Callable[[str], bool]
    if segments is _NEVER_MATCHES:
        return lambda value: False
    matcher = _Interpreter(raw, elements) if segments is None else _segment_matcher(segments)

    def glob_match(value: str) -> bool:
        if not value.isascii():
            value = value.encode("utf-8", "surrogateescape").decode("latin-1")
        return matcher(value)

    return glob_match
