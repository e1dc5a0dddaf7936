"""Output helpers shared by chisels: sysdig's units, padding, top-N tables and colours.

These reproduce the behaviour of sysdig 0.29.3's Lua helpers (``common.lua``,
``ansiterminal.lua``) exactly, including their quirks: ``format_bytes`` switches unit only
*above* a power of 1024 and writes ``KB`` but ``M``/``G``; ``extend_string`` counts bytes
(Lua strings are bytes) and cuts a long string to ``width - 1`` characters plus a blank.
Numbers follow Lua's rules: :func:`lua_str` is ``tostring`` (``%.14g``), and ``%d``/``%u``
truncate toward zero.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

__all__ = [
    "Colors",
    "columns",
    "extend_string",
    "format_bytes",
    "format_time_interval",
    "lua_fixed",
    "lua_str",
    "move_to",
    "parse_number",
    "top_by_value",
]

_KB = 1024
_MB = _KB * 1024
_GB = _MB * 1024
_TB = _GB * 1024
_PB = _TB * 1024
ONE_S_IN_NS = 1_000_000_000
ONE_MS_IN_NS = 1_000_000
ONE_US_IN_NS = 1_000


def lua_str(value: object) -> str:
    """Lua's ``tostring`` of a field value: numbers as LuaJIT's ``%.14g``, booleans as
    true/false, None as nil, bytes as latin-1 text."""
    t = type(value)
    if t is str:
        return value  # type: ignore[return-value]
    if t is int:
        if -_EXACT < value < _EXACT:  # type: ignore[operator]
            return str(value)
        return _g14(float(value))  # type: ignore[arg-type]
    if t is bool:
        return "true" if value else "false"
    if isinstance(value, int | float):
        if value == int(value) and -_EXACT < value < _EXACT and not (
                value == 0 and math.copysign(1, value) < 0):
            return str(int(value))
        return _g14(float(value))
    if value is None:
        return "nil"
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


_EXACT = 10 ** 14  # integers below this print whole under %.14g


def _g14(v: float) -> str:
    """``%.14g`` as LuaJIT's ``tostring`` writes it: exact ties round half up (C's printf
    rounds them to even: 123456789012345 is 1.2345678901235e+14 in LuaJIT)."""
    if v != v:
        return "nan" if math.copysign(1, v) > 0 else "-nan"
    if v in (math.inf, -math.inf):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "-0" if math.copysign(1, v) < 0 else "0"
    d = Decimal(v)
    exp = d.adjusted()
    r = d.quantize(Decimal(1).scaleb(exp - 13), rounding=ROUND_HALF_UP)
    if r.adjusted() != exp:  # 9.99...95 rounded up to the next power of ten
        exp += 1
        r = d.quantize(Decimal(1).scaleb(exp - 13), rounding=ROUND_HALF_UP)
    if -4 <= exp < 14:
        text = f"{r:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    sign, digits, _ = r.as_tuple()
    mant = "".join(map(str, digits)).ljust(14, "0")
    frac = mant[1:].rstrip("0")
    return (f"{'-' if sign else ''}{mant[0]}{'.' + frac if frac else ''}"
            f"e{'-' if exp < 0 else '+'}{abs(exp):02d}")


def lua_fixed(val: float, digits: int) -> str:
    """``string.format("%.Nf", val)`` as LuaJIT writes it: the exact binary value rounded,
    ties away from zero (glibc's printf rounds 10.625 to 10.62, LuaJIT to 10.63)."""
    if val != val or val in (math.inf, -math.inf):
        return f"{val:.{digits}f}"
    q = Decimal(val).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{q:f}"


def format_bytes(val: float) -> str:
    """A byte count as sysdig prints it: ``832B``, ``6.71KB``, ``1.50M``, ``2.00G``..."""
    if val > _PB:
        return lua_fixed(val / _PB, 2) + "P"
    if val > _TB:
        return lua_fixed(val / _TB, 2) + "T"
    if val > _GB:
        return lua_fixed(val / _GB, 2) + "G"
    if val > _MB:
        return lua_fixed(val / _MB, 2) + "M"
    if val > _KB:
        return lua_fixed(val / _KB, 2) + "KB"
    return f"{int(val)}B"


def format_time_interval(val: float) -> str:
    """A nanosecond interval as sysdig prints it: ``1.10s``, ``15ms``, ``2.50ms``, ``12us``,
    ``3.40us``, ``999ns`` (the fraction is truncated, not rounded)."""
    if val >= ONE_S_IN_NS:
        return f"{math.floor(val / ONE_S_IN_NS)}.{int((val % ONE_S_IN_NS) / 10_000_000):02d}s"
    if val >= ONE_S_IN_NS / 100:
        return f"{math.floor(val / (ONE_S_IN_NS / 1000))}ms"
    if val >= ONE_S_IN_NS / 1000:
        return f"{math.floor(val / (ONE_S_IN_NS / 1000))}.{int((val % ONE_MS_IN_NS) / 10_000):02d}ms"
    if val >= ONE_S_IN_NS / 100_000:
        return f"{math.floor(val / (ONE_S_IN_NS / 1_000_000))}us"
    if val >= ONE_S_IN_NS / 1_000_000:
        return f"{math.floor(val / (ONE_S_IN_NS / 1_000_000))}.{int((val % ONE_US_IN_NS) / 10):02d}us"
    return f"{int(val)}ns"


_PAD_MAX = 167  # common.lua pads from a constant string of this many blanks


def extend_string(s: str, width: int) -> str:
    """``s`` padded with blanks to ``width`` bytes, or cut to ``width - 1`` bytes and a blank
    when it is not shorter (empty when ``width`` <= 0). At most 167 blanks are added."""
    if s.isascii():
        n = len(s)
        if n < width:
            return s + " " * min(width - n, _PAD_MAX)
        return s[:width - 1] + " " if width > 0 else ""
    # Lua counts bytes: a cut may split a UTF-8 sequence, as sysdig's does.
    b = s.encode("utf-8", "surrogateescape")
    if len(b) < width:
        out = b + b" " * min(width - len(b), _PAD_MAX)
    else:
        out = b[:width - 1] + b" " if width > 0 else b""
    return out.decode("utf-8", "surrogateescape")


def columns(values: Sequence[str], widths: Sequence[int]) -> str:
    """Values side by side, each but the last padded/cut to its width by
    :func:`extend_string` (the last is printed whole)."""
    parts = [extend_string(v, w) for v, w in zip(values[:-1], widths, strict=False)]
    if values:
        parts.append(values[-1])
    return "".join(parts)


K = TypeVar("K", bound=Hashable)


def top_by_value(table: Mapping[K, float], n: int) -> list[tuple[K, float]]:
    """The ``n`` entries with the largest values (all when ``n`` is 0), largest first.

    Equal values keep the table's insertion order. (sysdig orders ties by LuaJIT's hash
    layout, which is seeded randomly per run: its own output varies between runs.)
    """
    items = sorted(table.items(), key=_neg_value)
    return items if n == 0 else items[:n]


def _neg_value(item: tuple[object, float]) -> float:
    return -item[1]


@dataclass(frozen=True, slots=True)
class Colors:
    """ANSI colour and attribute codes of sysdig's ``ansiterminal`` (all empty when off).

    ``Colors.on()`` / ``Colors.off()``; e.g. ``c.red + "text" + c.reset``.
    """

    reset: str = ""
    clear: str = ""
    bright: str = ""
    dim: str = ""
    underscore: str = ""
    blink: str = ""
    reverse: str = ""
    hidden: str = ""
    black: str = ""
    red: str = ""
    green: str = ""
    yellow: str = ""
    blue: str = ""
    magenta: str = ""
    cyan: str = ""
    white: str = ""
    onblack: str = ""
    onred: str = ""
    ongreen: str = ""
    onyellow: str = ""
    onblue: str = ""
    onmagenta: str = ""
    oncyan: str = ""
    onwhite: str = ""

    @classmethod
    def on(cls) -> Colors:
        """The escape codes."""
        codes = {"reset": 0, "clear": 0, "bright": 1, "dim": 2, "underscore": 4, "blink": 5,
                 "reverse": 7, "hidden": 8}
        for i, c in enumerate(("black", "red", "green", "yellow", "blue", "magenta", "cyan",
                               "white")):
            codes[c] = 30 + i
            codes["on" + c] = 40 + i
        return cls(**{f.name: f"\x1b[{codes[f.name]}m" for f in fields(cls)})

    @classmethod
    def off(cls) -> Colors:
        """Every code empty (a chisel's ``disable_color`` argument)."""
        return cls()


# Terminal control sequences (live, full-screen chisels).
CLEAR_SCREEN = "\x1b[2J"
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"


def move_to(x: int, y: int) -> str:
    """Cursor to column ``x``, row ``y`` (ansiterminal's ``moveto``)."""
    return f"\x1b[{x};{y}H"


def parse_number(value: str, name: str) -> float:
    """Lua's ``tonumber`` for an argument; raises ValueError with sysdig's text."""
    text = value.strip()
    try:
        return int(text, 0) if text.lower().startswith("0x") else int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"Input {name} must be a number.") from None

