"""topcontainers_net: the 100 containers with the most network bytes read + written
(sysdig's topcontainers_net.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

FILTER = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true and container.name!=host"


class TopContainersNet(TableChisel):
    name = "topcontainers_net"
    short_description = "Top containers by network I/O"
    category = "Net"
    description = (
        "Sorted list of containers that use the most network bandwidth.")

    def table_spec(self) -> TableSpec:
        return TableSpec(("container.name",),
                         ("container.name",),
                         "evt.rawarg.res", "Bytes", FILTER, 100, "bytes")
