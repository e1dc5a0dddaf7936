"""topprocs_net: the 100 processes with the most network bytes read + written
(sysdig's topprocs_net.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

FILTER = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true"


class TopProcsNet(TableChisel):
    name = "topprocs_net"
    short_description = "Top processes by network I/O"
    category = "Net"
    description = (
        "Sort the list of the processes that use the most network bandwidth. This chisel is "
        "compatible with containers using the sysdig -pc or -pcontainer argument, otherwise no "
        "container information will be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("proc.name", "proc.pid", "thread.vtid", "container.name"),
                             ("Process", "Host_pid", "Container_pid", "container.name"),
                             "evt.rawarg.res", "Bytes", FILTER, 100, "bytes")
        return TableSpec(("proc.name", "proc.pid"),
                         ("Process", "PID"),
                         "evt.rawarg.res", "Bytes", FILTER, 100, "bytes")
