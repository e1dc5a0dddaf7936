"""topprocs_errors: the 100 processes with the most failed system calls
(sysdig's topprocs_errors.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

FILTER = "evt.failed=true"


class TopProcsErrors(TableChisel):
    name = "topprocs_errors"
    short_description = "top processes by number of errors"
    category = "Errors"
    description = (
        "Shows the top processes in terms of system call errors. This chisel is compatible with"
        " containers using the sysdig -pc or -pcontainer argument, otherwise no container "
        "information will be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("proc.name", "proc.pid", "thread.vtid", "container.name"),
                             ("Process", "Host_pid", "Container_pid", "container.name"),
                             "evt.count", "#Errors", FILTER, 100, "none")
        return TableSpec(("proc.name", "proc.pid"),
                         ("Process", "PID"),
                         "evt.count", "#Errors", FILTER, 100, "none")
