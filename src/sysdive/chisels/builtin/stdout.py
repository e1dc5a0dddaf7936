"""stdout: the standard output of processes (sysdig's stdout.lua)."""

from __future__ import annotations

from sysdive.chisels.builtin._stdio import StdioChisel


class Stdout(StdioChisel):
    name = "stdout"
    short_description = "Print stdout of processes"
    category = "I/O"
    description = (
        "Print the standard output of any process on screen. Combine this script with a "
        "filter to limit the output to a specific process or pid.")
    fd_num = 1
