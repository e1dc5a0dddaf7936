"""spectrogram: a heat map of system call latencies, one row per interval, on an ANSI
terminal (sysdig's spectrogram.lua)."""

from __future__ import annotations

import math

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.builtin._heatmap import NOT_A_TTY, RESET, bg, cell, fg, terminal_width
from sysdive.chisels.output import HIDE_CURSOR, SHOW_CURSOR, format_time_interval, parse_number
from sysdive.errors import ChiselError
from sysdive.event import Event


class Spectrogram(Chisel):
    name = "spectrogram"
    short_description = "Visualize OS latency in real time."
    category = "CPU Usage"
    description = (
        "This console visualization shows the frequency of system call latencies. The Y axis "
        "unit is time. By default, a new line is created twice a second, but that can be "
        "changed by specifying a different refresh time argument. The X axis shows a range of "
        "latencies. Each latency value has a color that can be black (no calls), green (tens "
        "of calls/s), yellow (hundreds of calls/s) or red (Thousands of calls/s). In other "
        "words, red areas mean that there are many system calls taking the specified time to "
        "return. Use this chisel in conjunction with filters to visualize latencies for "
        "certain processes, types of I/O activity, file systems, etc.")
    args = (Arg("refresh_time", "Chart refresh time in milliseconds", "int", optional=True),)

    refresh_time: float = 500_000_000

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        self.freq: dict[int, int] = {}  # kept across capture files, as the Lua's global

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "refresh_time":
            self.refresh_time = parse_number(value, name) * 1_000_000

    def on_init(self) -> None:
        self.is_tty = self.ctx.is_tty
        if not self.is_tty:
            self.print(NOT_A_TTY)
            raise ChiselError(f"init() for chisel {self.name} failed.")
        self.per_sec = 1_000_000_000 / self.refresh_time
        self.width = terminal_width(self.out)
        self.set_filter("evt.dir=<")
        self.latency = self.request_field("evt.latency").value
        self.write(HIDE_CURSOR)

    def on_capture_start(self) -> None:
        self.set_interval_ns(int(self.refresh_time))

    def on_event(self, evt: Event) -> bool | None:
        latency = self.latency(evt)
        if latency == 0:
            return True
        llat = min(math.log10(latency), 11)  # type: ignore[arg-type]
        slot = math.floor(llat * self.width / 11) + 1
        self.freq[slot] = self.freq.get(slot, 0) + 1
        return True

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        w = self.width
        row = ["\x1b[1F"]
        for x in range(1, w + 1):
            n = self.freq.get(x, 0)
            row.append(fg(0) + bg(0) + " " if n == 0 else cell(n, self.per_sec))
        row.append(RESET + "\n")
        x = 0
        while x < w:
            if math.floor(x * 11 / w) != math.floor((x - 1) * 11 / w):
                label = format_time_interval(10.0 ** math.floor(x * 11 / w))
                row.append("|" + label)
                x += len(label) + 1
            else:
                row.append(" ")
                x += 1
        row.append("\n")
        self.write("".join(row))
        self.freq = {}

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.is_tty:
            self.on_interval(ts_s, ts_ns, 0)  # the last, partial interval
            self.print(RESET)
            self.write(SHOW_CURSOR)
