"""topcontainers_error: the 100 containers with the most failed system calls
(sysdig's topcontainers_error.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

FILTER = "evt.failed=true and container.name!=host"


class TopContainersError(TableChisel):
    name = "topcontainers_error"
    short_description = "Top containers by number of errors"
    category = "Errors"
    description = (
        "Shows the top container in terms of system call errors.")

    def table_spec(self) -> TableSpec:
        return TableSpec(("container.name",),
                         ("container.name",),
                         "evt.count", "#Errors", FILTER, 100, "none")
