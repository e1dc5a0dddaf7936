"""topcontainers_file: the 10 containers with the most file bytes read + written
(sysdig's topcontainers_file.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 10
FILTER = "fd.type=file and evt.is_io=true and container.name!=host"


class TopContainersFile(TableChisel):
    name = "topcontainers_file"
    short_description = "Top containers by R+W disk bytes"
    category = "I/O"
    description = (
        "Shows the top containers in terms of total (in+out) bytes to disk.")

    def table_spec(self) -> TableSpec:
        return TableSpec(("container.name",),
                         ("container.name",),
                         "evt.rawarg.res", "Bytes", FILTER, TOP_NUMBER, "bytes")
