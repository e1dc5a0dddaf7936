"""spy_ip: the payloads exchanged with one IP address (sysdig's spy_ip.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.builtin._spy_net import SpyNetChisel


class SpyIp(SpyNetChisel):
    name = "spy_ip"
    short_description = "Show the data exchanged with the given IP address"
    category = "Net"
    description = (
        "Shows the network payloads exchanged with an IP end-point. You can combine this "
        "chisel with the -x, -X or -A sysdig command line switches to customize the screen "
        "output")
    args = (
        Arg("host_ip", "The remote host IP address", "ipv4"),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )
    # sysdig's spy_ip labels writes "Read" too; kept, it is what the output says.
    write_word = "Read"

    def endpoint_filter(self) -> str:
        return "fd.ip=" + self.arg_values["host_ip"]
