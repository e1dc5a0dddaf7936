"""What fileslower and netlower share: sysdig's two chisels differ only in their filter,
the argument's text and fileslower's skipping of ``/dev/`` files."""

from __future__ import annotations

from sysdive.chisels.api import Chisel
from sysdive.chisels.builtin._printf import d, s
from sysdive.chisels.output import Colors, parse_number
from sysdive.event import Event

CONTAINER_NOTE = (
    " This chisel is compatible with containers using the sysdig -pc or -pcontainer argument,"
    " otherwise no container information will be shown. (Blue represents a process running "
    "within a container, and Green represents a host process)")


class SlowIo(Chisel):
    """I/O events slower than ``min_ms`` on the FDs :attr:`io_filter` selects."""

    io_filter = ""
    skip_dev = False
    colors = Colors.on()
    min_ms: float = 0

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "disable_color" and value == "disable_color":
            self.colors = Colors.off()
        elif name == "min_ms":
            self.min_ms = parse_number(value, name)

    def on_init(self) -> None:
        f = self.request_field
        self.etype = f("evt.type").value
        self.dir = f("evt.dir").value
        self.datetime = f("evt.datetime").value
        self.fdname = f("fd.name").value
        self.pname = f("proc.name").value
        self.latency = f("evt.latency").value
        self.cname = f("container.name").value
        self.cid = f("container.id").value
        self.set_filter(self.io_filter)
        if self.ctx.print_container:
            self.print(f"{s('evt.datetime', 23, 23)} {s('container.id', 20, 20)} "
                       f"{s('container.name', 20, 20)} {s('proc.name', 12, 12)} "
                       f"{s('evt.type', 8)} {s('LATENCY(ms)', 12)} fd.name")
            # The rule under the container columns is longer than the columns, as in sysdig.
            self.print(f"{'-' * 23} {'-' * 20} {'-' * 20} {'-' * 12} {'-' * 8} {'-' * 12} "
                       f"{'-' * 41}")
        else:
            self.print(f"{s('evt.datetime', 23, 23)} {s('proc.name', 12, 12)} "
                       f"{s('evt.type', 8)} {s('LATENCY(ms)', 12)} fd.name")
            self.print(f"{'-' * 23} {'-' * 12} {'-' * 8} {'-' * 12} {'-' * 41}")

    def on_event(self, evt: Event) -> bool | None:
        # Enter events have a latency of 0, so a missing value is an error, as in the Lua.
        lat = self.latency(evt) / 1_000_000  # type: ignore[operator]
        fn = self.fdname(evt)
        if self.dir(evt) != "<" or not lat > self.min_ms:
            return True
        if self.skip_dev and isinstance(fn, str) and fn[:5] == "/dev/":
            return True
        c = self.colors
        color = c.green if self.cname(evt) == "host" else c.blue
        if self.ctx.print_container:
            self.print(f"{color}{s(self.datetime(evt), 23, 23)} {s(self.cid(evt), 20, 20)} "
                       f"{s(self.cname(evt), 20, 20)} {s(self.pname(evt), 12, 12)} "
                       f"{s(self.etype(evt), 8)} {d(lat, 12)} {s(fn)}")
        else:
            self.print(f"{color}{s(self.datetime(evt), 23, 23)} {s(self.pname(evt), 12, 12)} "
                       f"{s(self.etype(evt), 8)} {d(lat, 12)} {s(fn)}")
        return True
