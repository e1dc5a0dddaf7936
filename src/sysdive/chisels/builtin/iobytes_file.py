"""iobytes_file: the bytes read and written on files, every second of capture time
(sysdig's iobytes_file.lua)."""

from __future__ import annotations

from sysdive.chisels.builtin._iobytes import IoBytesBase


class IoBytesFile(IoBytesBase):
    name = "iobytes_file"
    short_description = "Sum of file I/O bytes"
    category = "I/O"
    description = (
        "Counts the total bytes read from and written to files.")

    io_filter = "evt.is_io=true and fd.type=file"
