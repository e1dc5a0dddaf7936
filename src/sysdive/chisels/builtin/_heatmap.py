"""What spectrogram and subsecoffset share: one row of coloured cells per interval on an
ANSI terminal (256-colour codes, shade characters), as sysdig's Lua draws it."""

from __future__ import annotations

import fcntl
import math
import struct
import termios
from typing import TextIO

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.chisels.output import SHOW_CURSOR
from sysdive.errors import ChiselError

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


class Heatmap(Chisel):
    """A row of :func:`cell` per ``refresh_time`` (ns) counted in :attr:`freq` by slot
    (1 to the terminal's width), drawn on an ANSI terminal only."""

    refresh_time: float
    # What the Lua draws for a slot that counted nothing.
    EMPTY = fg(0) + bg(0) + " "

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        self.freq: dict[int, int] = {}  # kept across capture files, as the Lua's global

    def open_terminal(self) -> None:
        """Refuse to run off a terminal; size the rows from its width."""
        self.is_tty = self.ctx.is_tty
        if not self.is_tty:
            self.print(NOT_A_TTY)
            raise ChiselError(f"init() for chisel {self.name} failed.")
        self.per_sec = 1_000_000_000 / self.refresh_time
        self.width = terminal_width(self.out)

    def on_capture_start(self) -> None:
        self.set_interval_ns(int(self.refresh_time))

    def cells(self) -> list[str]:
        """The row of the interval: the cursor back to the line start, then every slot."""
        row = ["\x1b[1F"]
        for x in range(1, self.width + 1):
            n = self.freq.get(x, 0)
            row.append(self.EMPTY if n == 0 else cell(n, self.per_sec))
        row.append(RESET + "\n")
        return row

    def close_terminal(self) -> None:
        if self.is_tty:
            self.print(RESET)
            self.write(SHOW_CURSOR)
