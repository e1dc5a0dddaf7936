"""topfiles_time: the 10 files with the most time spent in I/O calls
(sysdig's topfiles_time.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 10
FILTER = "fd.type=file and evt.is_io=true"


class TopFilesTime(TableChisel):
    name = "topfiles_time"
    short_description = "Top files by time"
    category = "I/O"
    description = (
        "Shows the top files in terms of disk usage. This chisel is compatible with containers "
        "using the sysdig -pc or -pcontainer argument, otherwise no container information will "
        "be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("fd.name", "container.name"),
                             ("Filename", "container.name"),
                             "evt.latency", "Time", FILTER, TOP_NUMBER, "time")
        return TableSpec(("fd.name",),
                         ("Filename",),
                         "evt.latency", "Time", FILTER, TOP_NUMBER, "time")
