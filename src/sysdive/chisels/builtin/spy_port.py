"""spy_port: the payloads exchanged on one IP port (sysdig's spy_port.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.builtin._spy_net import SpyNetChisel


class SpyPort(SpyNetChisel):
    name = "spy_port"
    short_description = "Show the data exchanged using the given IP port number"
    category = "Net"
    description = (
        "Shows the network payloads exchanged using a given IP port number. You can combine "
        "this chisel with the -x, -X or -A sysdig command line switches to customize the "
        "screen output")
    args = (
        Arg("host_port", "The remote host IP port number", "int"),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )

    def endpoint_filter(self) -> str:
        return "fd.port=" + self.arg_values["host_port"]
