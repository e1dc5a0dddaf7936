"""subsecoffset: a heat map of when, within each second (or refresh period), system calls
start, one row per period, on an ANSI terminal (sysdig's subsecoffset.lua)."""

from __future__ import annotations

import math

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.builtin._heatmap import (
    NOT_A_TTY,
    RESET,
    bg,
    cell,
    lua_mod,
    terminal_width,
)
from sysdive.chisels.output import HIDE_CURSOR, SHOW_CURSOR, lua_str, parse_number
from sysdive.errors import ChiselError
from sysdive.event import Event


class SubsecOffset(Chisel):
    name = "subsecoffset"
    short_description = "Visualize subsecond offset execution time."
    category = "CPU Usage"
    description = (
        "This visualizes the subsecond offset time of system call execution. This allows "
        "repetitive patterns to be identified, which are lost when averaging at a one second "
        "granularity. The Y axis (vertical) shows the passage of time. The X axis "
        "(horizontal) shows the passage of time within whole or fractions of a second. By "
        "default, the X axis range is 1000 milliseconds; this can be specified as an argument "
        "(try 100). Each bucket of the heat map, or spectrogram, is shown as a colored "
        "rectangle. The color shows how many syscalls fell into that time and subsecond "
        "offset range. It can be black (no calls), green (tens of calls/s), yellow (hundreds "
        "of calls/s) or red (Thousands of calls/s). Use this chisel in conjunction with "
        "filters to visualize latencies for certain processes, types of I/O activity, file "
        "systems, etc.")
    args = (Arg("refresh_time", "chart refresh time in milliseconds", "int", optional=True),)

    refresh_time: float = 1_000_000_000.0

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        self.freq: dict[int, int] = {}  # kept across capture files, as the Lua's global

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "refresh_time":
            self.refresh_time = float(parse_number(value, name)) * 1_000_000

    def on_init(self) -> None:
        self.is_tty = self.ctx.is_tty
        if not self.is_tty:
            self.print(NOT_A_TTY)
            raise ChiselError(f"init() for chisel {self.name} failed.")
        self.per_sec = 1_000_000_000 / self.refresh_time
        self.width = terminal_width(self.out)
        self.label_len = len(f"|{lua_str(0.9 * self.refresh_time / 10_000_000)}ms")
        self.set_filter("evt.dir=>")
        self.rawtime = self.request_field("evt.rawtime").value
        self.write(HIDE_CURSOR)
        self.print("Tracing syscalls... red (hot) == high frequency <-> green == low "
                   "frequency.\n")

    def on_capture_start(self) -> None:
        self.set_interval_ns(int(self.refresh_time))

    def on_event(self, evt: Event) -> bool | None:
        # In doubles, as the Lua computes it (the nanosecond timestamp loses its low bits).
        t = float(self.rawtime(evt))  # type: ignore[arg-type]
        slot = math.floor(lua_mod(t * 1000 / self.refresh_time, 1000) / 1000 * self.width)
        self.freq[slot] = self.freq.get(slot, 0) + 1
        return True

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        w = self.width
        row = ["\x1b[1F"]
        for x in range(1, w + 1):
            n = self.freq.get(x, 0)
            # The Lua sets the background twice (and no foreground) for an empty cell.
            row.append(bg(0) + bg(0) + " " if n == 0 else cell(n, self.per_sec))
        row.append(RESET + "\n")
        x = 0
        while x < w:
            if math.floor(x * 10 / w) != math.floor((x - 1) * 10 / w) and \
                    x <= w - self.label_len:
                label = f"|{lua_str(math.floor(10 * x / w) * self.refresh_time / 10_000_000)}ms"
                row.append(label)
                x += len(label)
            else:
                row.append(" ")
                x += 1
        row.append("\n")
        self.write("".join(row))
        self.freq = {}

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.is_tty:
            self.print(RESET)
            self.write(SHOW_CURSOR)
