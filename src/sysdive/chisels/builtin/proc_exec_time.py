"""proc_exec_time: processes that ended, with how long they ran, coloured by duration
(sysdig's proc_exec_time.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._printf import s
from sysdive.chisels.output import Colors, format_time_interval
from sysdive.event import Event

THRESHOLD_YELLOW_NS = 3_000_000_000
THRESHOLD_RED_NS = 10_000_000_000


class ProcExecTime(Chisel):
    name = "proc_exec_time"
    short_description = "Show process execution time"
    category = "Performance"
    description = (
        "List the processes that have finished running, along with their execution time, and "
        "color every line based on the total process run time (Green|Blue below thresholds, "
        "Yellow at 3 sec, and Red at 10 sec). This chisel is compatible with containers using "
        "the sysdig -pc or -pcontainer argument, otherwise no container information will be "
        "shown. (Blue represents a process running within a container, and Green represents "
        "a host process)")
    args = (Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
                "string", optional=True),)

    colors = Colors.on()

    def on_set_arg(self, name: str, value: str) -> None:
        # Unlike its siblings, this one compares with "disable_colors", as its text says.
        if value == "disable_colors":
            self.colors = Colors.off()

    def on_init(self) -> None:
        f = self.request_field
        self.exe = f("proc.name").value
        self.pargs = f("proc.args").value
        self.duration = f("proc.duration").value
        self.cname = f("container.name").value
        self.cid = f("container.id").value
        self.set_filter("evt.type=procexit")
        if self.ctx.print_container:
            self.print(f"{s('proc.duration', 13, 13)} {s('container.id', 20, 20)} "
                       f"{s('container.name', 20, 20)} {s('proc.name', 12, 12)} proc.args")
            self.print(f"{'-' * 13} {'-' * 20} {'-' * 20} {'-' * 12} {'-' * 20}")
        else:
            self.print(f"{s('proc.duration', 13, 13)} {s('proc.name', 12, 12)} proc.args")
            self.print(f"{'-' * 13} {'-' * 12} {'-' * 20}")

    def on_event(self, evt: Event) -> bool | None:
        duration = self.duration(evt)
        if duration is None:
            return True
        c = self.colors
        if duration > THRESHOLD_RED_NS:  # type: ignore[operator]
            color = c.red
        elif duration > THRESHOLD_YELLOW_NS:  # type: ignore[operator]
            color = c.yellow
        elif self.cname(evt) != "host":
            color = c.blue
        else:
            color = c.green
        took = format_time_interval(duration)  # type: ignore[arg-type]
        if self.ctx.print_container:
            self.print(f"{color}{s(took, 13, 13)} {s(self.cid(evt), 20, 20)} "
                       f"{s(self.cname(evt), 20, 20)} {s(self.exe(evt), 12, 12)} "
                       f"{s(self.pargs(evt))}")
        else:
            self.print(f"{color}{s(took, 13, 13)} {s(self.exe(evt), 12, 12)} "
                       f"{s(self.pargs(evt))}")
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        self.print(self.colors.reset)
