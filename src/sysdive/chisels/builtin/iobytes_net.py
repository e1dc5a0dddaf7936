"""iobytes_net: the bytes read and written on network sockets, every second of capture time
(sysdig's iobytes_net.lua)."""

from __future__ import annotations

from sysdive.chisels.builtin._iobytes import IoBytesBase


class IoBytesNet(IoBytesBase):
    name = "iobytes_net"
    short_description = "Show total network I/O bytes"
    category = "Net"
    description = (
        "Counts the total bytes read from and written to the network, and prints the result "
        "every second")

    io_filter = "evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)"
