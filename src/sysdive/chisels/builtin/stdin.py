"""stdin: the standard input of processes (sysdig's stdin.lua)."""

from __future__ import annotations

from sysdive.chisels.builtin._stdio import StdioChisel


class Stdin(StdioChisel):
    name = "stdin"
    short_description = "Print stdin of processes"
    category = "I/O"
    description = (
        "Print the standard input of any process on screen. Combine this script with a "
        "filter to limit the output to a specific process or pid.")
    fd_num = 0
