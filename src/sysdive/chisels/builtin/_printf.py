"""Lua's ``string.format`` conversions the ported chisels use, byte for byte.

LuaJIT formats ``%s`` with ``tostring`` (so numbers print as ``%.14g`` and nil as ``nil``)
and counts widths and precisions in bytes; ``%d`` truncates a fractional number toward zero.
(Private to the built-ins: the leading underscore keeps it out of ``-cl``.)
"""

from __future__ import annotations

from sysdive.chisels.output import lua_str


def s(value: object, width: int = 0, prec: int = -1, left: bool = True) -> str:
    """``%-W.Ps`` (``left``) or ``%W.Ps`` of ``value``; ``prec`` < 0: no precision."""
    text = lua_str(value)
    if text.isascii():
        if prec >= 0:
            text = text[:prec]
        pad = width - len(text)
    else:
        raw = text.encode("utf-8", "surrogateescape")
        if prec >= 0:
            raw = raw[:prec]
        text = raw.decode("utf-8", "surrogateescape")
        pad = width - len(raw)
    if pad <= 0:
        return text
    return text + " " * pad if left else " " * pad + text


def d(value: float, width: int = 0, left: bool = False) -> str:
    """``%Wd`` (``%-Wd`` when ``left``) of a Lua number."""
    text = str(int(value))
    return text.ljust(width) if left else text.rjust(width)
