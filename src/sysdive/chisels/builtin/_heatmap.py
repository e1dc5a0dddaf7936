"""What spectrogram and subsecoffset share: one row of coloured cells per interval on an
ANSI terminal (256-colour codes, shade characters), as sysdig's Lua draws it."""

from __future__ import annotations

import fcntl
import math
import struct
import termios
from typing import TextIO

COLPALETTE = (22, 28, 64, 34, 2, 76, 46, 118, 154, 191, 227, 226, 11, 220, 209, 208, 202, 197,
              9, 1)
CHARPALETTE = (" ", "\u2591", "\u2592", "\u2591")
RESET = "\x1b[0m"
NOT_A_TTY = "This chisel only works on ANSI terminals. Aborting."


def terminal_width(out: TextIO) -> int:
    """Columns of the terminal on ``out`` (sysdig's ``get_terminal_info().width``: -1 when
    the ioctl fails)."""
    try:
        packed = fcntl.ioctl(out.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
    except (OSError, ValueError, AttributeError):
        return -1
    return int(struct.unpack("HHHH", packed)[1])


def fg(color: int) -> str:
    return f"\x1b[38;5;{color}m"


def bg(color: int) -> str:
    return f"\x1b[48;5;{color}m"


def cell(n: int, per_sec: float) -> str:
    """The colours and character of a cell that counted ``n`` calls."""
    col = math.log10(n * per_sec + 1) / math.log10(1.6)
    col = min(max(col, 1), len(COLPALETTE))
    low = math.floor(col)
    high = math.ceil(col)
    delta = col - low
    ch = CHARPALETTE[math.floor(1 + delta * len(CHARPALETTE)) - 1]
    # Above 75% the Lua draws a 25% shade with the colours swapped.
    if delta > 0.75:
        return fg(COLPALETTE[high - 1]) + bg(COLPALETTE[low - 1]) + ch
    return fg(COLPALETTE[low - 1]) + bg(COLPALETTE[high - 1]) + ch


def lua_mod(a: float, b: float) -> float:
    """Lua's ``a % b`` on doubles (``a - floor(a / b) * b``, not C's fmod)."""
    return a - math.floor(a / b) * b
