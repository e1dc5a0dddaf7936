"""tracers_2_statsd: every finished span sent as a statsd timer (sysdig's
tracers_2_statsd.lua with its statsd.lua client).

Each tracer exit whose span duration is known becomes one UDP datagram
``TAGS:MILLISECONDS|ms`` (``:``, ``|`` and ``@`` in the tags become ``_``; the milliseconds
as Lua prints a number). Nothing is printed. As in sysdig 0.29.3, the datagrams always go to
127.0.0.1:8125: the chisel takes ``server_addr`` and ``server_port`` but its Lua never hands
them to the client.
"""

from __future__ import annotations

import re
import socket

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.output import lua_str
from sysdive.errors import ChiselError
from sysdive.event import Event

STATSD_HOST = "127.0.0.1"
STATSD_PORT = 8125
_ESCAPE = re.compile("[:|@]")


class Tracers2Statsd(Chisel):
    name = "tracers_2_statsd"
    short_description = "Export spans duration as statds metrics."
    category = "Tracers"
    description = (
        "Converts sysdig span duration data into statsd metrics and pipes them to the given "
        "statsd server. See https://github.com/draios/sysdig/wiki/Tracers for more "
        "information.")
    args = (
        Arg("server_addr", "The address of the statsd server to send data to", "string",
            optional=True),
        Arg("server_port", "The UDP port to use", "string", optional=True),
    )
    fields_only = True

    def on_set_arg(self, name: str, value: str) -> None:
        # Accepted and, as in the Lua, never used.
        self.arg_values[name] = value

    def on_init(self) -> None:
        try:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        except OSError:
            raise ChiselError("udp_setpeername error: unable to create the socket") from None
        self.tags = self.request_field("span.tags").value
        self.duration = self.request_field("span.duration").value
        self.set_filter("evt.type=tracer and evt.dir=<")

    def on_event(self, evt: Event) -> bool | None:
        latency = self.duration(evt)
        if latency is None:
            return True
        tags = self.tags(evt)
        stat = _ESCAPE.sub("_", "" if tags is None else str(tags))
        msg = f"{stat}:{lua_str(int(latency) / 1000000)}|ms"   # type: ignore[call-overload]
        try:
            self.sock.sendto(msg.encode("utf-8", "surrogateescape"), (STATSD_HOST, STATSD_PORT))
        except OSError:
            raise ChiselError("udp_send error: cannot send the buffer: ") from None
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        self.sock.close()
