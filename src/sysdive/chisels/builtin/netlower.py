"""netlower: network I/O slower than a threshold (sysdig's netlower.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.builtin._slowio import CONTAINER_NOTE, SlowIo


class NetLower(SlowIo):
    name = "netlower"
    short_description = "Trace slow network I/0"
    category = "Performance"
    description = ("Trace network I/O slower than a threshold, or all network I/O."
                   + CONTAINER_NOTE)
    args = (
        Arg("min_ms", "Minimum millisecond threshold for showing network I/O", "int"),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )
    io_filter = "evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)"
