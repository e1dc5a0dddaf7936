"""iobytes: the bytes read and written on any FD, every second of capture time
(sysdig's iobytes.lua)."""

from __future__ import annotations

import time

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.event import Event


class IoBytes(Chisel):
    name = "iobytes"
    short_description = "Sum of I/O bytes on any type of FD"
    category = "I/O"
    description = (
        "Counts the total bytes read from and written to any type of FD (disk, socket, pipe...)"
        " and prints the result every second.")

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Kept across capture files, as the Lua's globals are.
        self.total = self.total_in = self.total_out = 0

    def on_init(self) -> None:
        self.res = self.request_field("evt.rawarg.res").value
        self.isread = self.request_field("evt.is_io_read").value
        self.set_filter("evt.is_io=true")
        self.set_interval_s(1)

    def on_event(self, evt: Event) -> bool | None:
        n = self.res(evt)
        if n is not None and n > 0:  # type: ignore[operator]
            self.total += n  # type: ignore[operator]
            if self.isread(evt):
                self.total_in += n  # type: ignore[operator]
            else:
                self.total_out += n  # type: ignore[operator]
        return True

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        # The time is the one of the event that ends the interval (evt.time.s: local time).
        stamp = time.strftime("%H:%M:%S", time.localtime(ts_s))
        self.print(f"{stamp} in:{self.total_in} out:{self.total_out} tot:{self.total}")
        self.total = self.total_in = self.total_out = 0
