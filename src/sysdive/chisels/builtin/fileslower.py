"""fileslower: file I/O slower than a threshold, /dev files left out (sysdig's
fileslower.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.builtin._slowio import CONTAINER_NOTE, SlowIo


class FilesLower(SlowIo):
    name = "fileslower"
    short_description = "Trace slow file I/O"
    category = "Performance"
    description = "Trace file I/O slower than a threshold, or all file I/O." + CONTAINER_NOTE
    args = (
        Arg("min_ms", "Minimum millisecond threshold for showing file I/O", "int"),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )
    io_filter = "evt.is_io=true and fd.type=file"
    skip_dev = True
