"""scallslower: system calls slower than a threshold (sysdig's scallslower.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._printf import s
from sysdive.chisels.builtin._slowio import CONTAINER_NOTE
from sysdive.chisels.output import Colors, parse_number
from sysdive.event import Event


class ScallsLower(Chisel):
    name = "scallslower"
    short_description = "Trace slow syscalls"
    category = "Performance"
    description = "Trace syscalls slower than a threshold milliseconds." + CONTAINER_NOTE
    args = (
        Arg("min_ms", "Minimum milliseconds before which a syscall should complete", "int"),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )

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
        self.datetime = f("evt.datetime").value
        self.pname = f("proc.name").value
        self.latency = f("evt.latency").value
        self.cname = f("container.name").value
        self.cid = f("container.id").value
        if self.ctx.print_container:
            # Two blanks after container.id in the title only: sysdig's layout.
            self.print(f"{s('evt.datetime', 23, 23)} {s('container.id', 20, 20)}  "
                       f"{s('container.name', 20, 20)} {s('proc.name', 23, 23)} "
                       f"{s('LATENCY(ms)', 20)} evt.type")
            self.print(f"{'-' * 23} {'-' * 20} {'-' * 20} {'-' * 23} {'-' * 20} {'-' * 20}")
        else:
            self.print(f"{s('evt.datetime', 23, 23)} {s('proc.name', 23, 23)} "
                       f"{s('LATENCY(ms)', 20)} evt.type")
            self.print(f"{'-' * 23} {'-' * 23} {'-' * 20} {'-' * 20}")

    def on_event(self, evt: Event) -> bool | None:
        lat = self.latency(evt)
        if lat is None:
            return None
        ms = lat / 1_000_000  # type: ignore[operator]
        if not ms > self.min_ms:
            return None
        c = self.colors
        color = c.green if self.cname(evt) == "host" else c.blue
        if self.ctx.print_container:
            self.print(f"{color}{s(self.datetime(evt), 23, 23)} {s(self.cid(evt), 20, 20)} "
                       f"{s(self.cname(evt), 20, 20)} {s(self.pname(evt), 23, 23)} "
                       f"{s(ms, 20)} {s(self.etype(evt))}")
        else:
            self.print(f"{color}{s(self.datetime(evt), 23, 23)} {s(self.pname(evt), 23, 23)} "
                       f"{s(ms, 20)} {s(self.etype(evt))}")
        return None
