"""iobytes: the bytes read and written on any FD, every second of capture time
(sysdig's iobytes.lua)."""

from __future__ import annotations

from sysdive.chisels.builtin._iobytes import IoBytesBase


class IoBytes(IoBytesBase):
    name = "iobytes"
    short_description = "Sum of I/O bytes on any type of FD"
    category = "I/O"
    description = (
        "Counts the total bytes read from and written to any type of FD (disk, socket, pipe...)"
        " and prints the result every second.")

    io_filter = "evt.is_io=true"
