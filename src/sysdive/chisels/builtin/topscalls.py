"""topscalls: the 30 system calls called most often (sysdig's topscalls.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 30


class TopScalls(TableChisel):
    name = "topscalls"
    short_description = "Top system calls by number of calls"
    category = "Performance"
    description = (
        f"Show the top {TOP_NUMBER} system calls in terms of number of calls. You can use "
        "filters to restrict this to a specific process, thread or file. This chisel is "
        "compatible with containers using the sysdig -pc or -pcontainer argument, otherwise "
        "no container information will be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("evt.type", "container.name"), ("Syscall", "container.name"),
                             "evt.count", "# Calls", "evt.type!=switch", TOP_NUMBER, "none")
        return TableSpec(("evt.type",), ("Syscall",), "evt.count", "# Calls",
                         "evt.type!=switch", TOP_NUMBER, "none")
