"""topconns: the 30 network connections with the most bytes in + out (sysdig's topconns.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 30
FILTER = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true"


class TopConns(TableChisel):
    name = "topconns"
    short_description = "Top network connections by total bytes"
    category = "Net"
    description = (
        "Shows the top network connections in terms of total (in+out) bandwidth. This chisel is"
        " compatible with containers using the sysdig -pc or -pcontainer argument, otherwise no"
        " container information will be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("container.name", "fd.l4proto", "fd.name"),
                             ("container.name", "Proto", "Conn"),
                             "evt.rawarg.res", "Bytes", FILTER, TOP_NUMBER, "bytes")
        return TableSpec(("fd.l4proto", "fd.name"),
                         ("Proto", "Conn"),
                         "evt.rawarg.res", "Bytes", FILTER, TOP_NUMBER, "bytes")
