"""topscalls_time: the 30 system calls with the most time spent in them
(sysdig's topscalls_time.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 30
FILTER = ""


class TopScallsTime(TableChisel):
    name = "topscalls_time"
    short_description = "Top system calls by time"
    category = "Performance"
    description = (
        f"Show the top {TOP_NUMBER} system calls in terms of time spent in each call. You "
        "can use filters to restrict this to a specific process, thread or file."
        " This chisel is compatible with containers using the sysdig -pc or -pcontainer "
        "argument, otherwise no container information will be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("evt.type", "container.name"),
                             ("Syscall", "container.name"),
                             "evt.latency", "Time", FILTER, TOP_NUMBER, "time")
        return TableSpec(("evt.type",),
                         ("Syscall",),
                         "evt.latency", "Time", FILTER, TOP_NUMBER, "time")
