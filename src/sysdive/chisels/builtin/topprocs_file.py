"""topprocs_file: the 10 processes with the most file bytes read + written
(sysdig's topprocs_file.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 10
FILTER = "fd.type=file and evt.is_io=true"


class TopProcsFile(TableChisel):
    name = "topprocs_file"
    short_description = "Top processes by R+W disk bytes"
    category = "I/O"
    description = (
        "Shows the top processes in terms of total (in+out) bytes to disk. This chisel is "
        "compatible with containers using the sysdig -pc or -pcontainer argument, otherwise no "
        "container information will be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("proc.name", "proc.pid", "thread.vtid", "container.name"),
                             ("Process", "Host_pid", "Container_pid", "container.name"),
                             "evt.rawarg.res", "Bytes", FILTER, TOP_NUMBER, "bytes")
        return TableSpec(("proc.name", "proc.pid"),
                         ("Process", "PID"),
                         "evt.rawarg.res", "Bytes", FILTER, TOP_NUMBER, "bytes")
