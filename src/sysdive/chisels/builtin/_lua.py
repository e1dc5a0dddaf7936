"""Small pieces of Lua's string library that the ported chisels depend on for their output.

Several sysdig chisels match text with Lua patterns (``string.find``, ``string.match``,
``gmatch``) rather than plain substrings: ``%.`` is a literal dot, ``-`` a lazy repeat, ``%g``
a printable character. What they accept decides what they print, so the patterns are
translated to Python regular expressions with Lua's meaning (C locale: only ASCII letters
are letters). Not a chisel: the leading underscore keeps it out of ``-cl``.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["compile_pattern", "lua_find", "lua_match", "lua_split", "lua_text"]

# Lua's character classes (lowercase; the uppercase letter is the complement).
_CLASSES = {
    "a": "A-Za-z",
    "c": "\\x00-\\x1f\\x7f",
    "d": "0-9",
    "g": "\\x21-\\x7e",
    "l": "a-z",
    "p": "!-/:-@\\[-`{-~",
    "s": "\\t\\n\\x0b\\x0c\\r ",
    "u": "A-Z",
    "w": "A-Za-z0-9",
    "x": "A-Fa-f0-9",
}


def _class(letter: str) -> tuple[str, bool] | None:
    """The set body of ``%letter`` and whether it is complemented, or None."""
    body = _CLASSES.get(letter.lower())
    if body is None:
        return None
    return body, letter.isupper()


def _escape_in_set(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


def _single(pat: str, i: int) -> tuple[str, int]:
    """One single-character item of ``pat`` at ``i``: its regex and where it ends."""
    c = pat[i]
    if c == ".":
        return "[\\s\\S]", i + 1
    if c == "%":
        if i + 1 >= len(pat):
            raise ValueError("malformed pattern (ends with '%')")
        n = pat[i + 1]
        cls = _class(n)
        if cls is not None:
            body, neg = cls
            return f"[{'^' if neg else ''}{body}]", i + 2
        return re.escape(n), i + 2
    if c == "[":
        j = i + 1
        neg = False
        if j < len(pat) and pat[j] == "^":
            neg = True
            j += 1
        parts: list[str] = []
        first = True
        while True:
            if j >= len(pat):
                raise ValueError("malformed pattern (missing ']')")
            ch = pat[j]
            if ch == "]" and not first:
                j += 1
                break
            first = False
            if ch == "%" and j + 1 < len(pat):
                n = pat[j + 1]
                cls = _class(n)
                if cls is not None:
                    body, cneg = cls
                    # A complemented class inside a set: spell out its complement.
                    parts.append(_complement(body) if cneg else body)
                else:
                    parts.append(_escape_in_set(n))
                j += 2
            elif j + 2 < len(pat) and pat[j + 1] == "-" and pat[j + 2] != "]":
                parts.append(f"{_escape_in_set(ch)}-{_escape_in_set(pat[j + 2])}")
                j += 3
            else:
                parts.append(_escape_in_set(ch))
                j += 1
        return f"[{'^' if neg else ''}{''.join(parts)}]", j
    return re.escape(c), i + 1


def _complement(body: str) -> str:
    """The ASCII complement of a class body, as ranges (for %A etc. inside [...])."""
    members = re.compile(f"[{body}]")
    out: list[str] = []
    start = None
    for code in range(0x100):
        inside = members.match(chr(code)) is not None
        if not inside and start is None:
            start = code
        if (inside or code == 0xFF) and start is not None:
            end = code - 1 if inside else code
            out.append(f"\\x{start:02x}-\\x{end:02x}")
            start = None
    return "".join(out) + "\\u0100-\\U0010ffff"


@lru_cache(maxsize=256)
def compile_pattern(pat: str) -> re.Pattern[str]:
    """A Lua pattern as a Python regex (anchors, captures, quantifiers ``* + - ?``)."""
    out: list[str] = []
    i = 0
    if pat.startswith("^"):
        out.append("\\A")
        i = 1
    while i < len(pat):
        c = pat[i]
        if c == "(":
            if pat[i + 1:i + 2] == ")":  # position capture: not used by our chisels
                raise ValueError("position captures are not supported")
            out.append("(")
            i += 1
            continue
        if c == ")":
            out.append(")")
            i += 1
            continue
        if c == "$" and i == len(pat) - 1:
            out.append("\\Z")
            i += 1
            continue
        if c == "%" and i + 1 < len(pat) and pat[i + 1] in "bf":
            raise ValueError(f"%{pat[i + 1]} is not supported")
        item, i = _single(pat, i)
        if i < len(pat) and pat[i] in "*+-?":
            q = pat[i]
            item += {"*": "*", "+": "+", "-": "*?", "?": "?"}[q]
            i += 1
        out.append(item)
    return re.compile("".join(out))


def lua_find(s: str, pat: str) -> bool:
    """Whether ``string.find(s, pat)`` finds something."""
    return compile_pattern(pat).search(s) is not None


def lua_match(s: str, pat: str) -> tuple[str, ...] | None:
    """``string.match(s, pat)``: the captures (or the whole match), None when no match."""
    m = compile_pattern(pat).search(s)
    if m is None:
        return None
    return m.groups() if m.re.groups else (m.group(0),)


def lua_split(s: str, delimiter: str) -> list[str]:
    """common.lua's ``split``: the pieces between matches of ``delimiter`` (a pattern)."""
    return [m.group(1) for m in compile_pattern(f"(.-){delimiter}").finditer(s + delimiter)]


def lua_text(value: object) -> str:
    """What Lua's ``print``/``..`` write for a field value: buffers byte for byte."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    from sysdive.chisels.output import lua_str

    return lua_str(value)
