"""topports_server: the 100 TCP/UDP server ports with the most bytes in + out
(sysdig's topports_server.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 100
FILTER = "(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true"


class TopPortsServer(TableChisel):
    name = "topports_server"
    short_description = "Top TCP/UDP server ports by R+W bytes"
    category = "Net"
    description = (
        "Shows the top TCP/UDP server ports in terms of total (in+out) bandwidth. This chisel "
        "is compatible with containers using the sysdig -pc or -pcontainer argument, otherwise "
        "no container information will be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("fd.sport", "container.name"),
                             ("Srv Port", "container.name"),
                             "evt.rawarg.res", "Bytes", FILTER, TOP_NUMBER, "bytes")
        return TableSpec(("fd.sport",),
                         ("Srv Port",),
                         "evt.rawarg.res", "Bytes", FILTER, TOP_NUMBER, "bytes")
