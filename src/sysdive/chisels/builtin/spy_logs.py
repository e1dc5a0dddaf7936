"""spy_logs: every line written to a log file, optionally saving the events around each
(sysdig's spy_logs.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.builtin._dump import dump_run_args
from sysdive.chisels.builtin._lua import lua_split, lua_text
from sysdive.chisels.output import Colors
from sysdive.errors import ChiselError
from sysdive.event import Event

FILE_FILTER = ("(fd.name contains .log or fd.name contains _log or fd.name contains /var/log) "
               "and not (fd.name contains .gz or fd.name contains .tgz)")


class SpyLogs(Chisel):
    name = "spy_logs"
    short_description = (
        "Echo any write made by any process to a log file. Optionally, export the events "
        "around each log message to file.")
    category = "Logs"
    description = (
        "This chisel intercepts all the writes to files containing '.log' or '_log' in their "
        "name, and pretty prints them. You can combine this chisel with filters like "
        "'proc.name=foo' (to restrict the output to a specific process), or 'evt.buffer "
        "contains foo' (to show only messages including a specific string). You can also "
        "write the events generated around each log entry to file by using the dump_file_name "
        "and dump_range_ms arguments. If running from a terminal the line will be colored "
        "Green = OK; Yellow = Warn; and Red = Error. This chisel is compatible with containers "
        "using the sysdig -pc or -pcontainer argument, otherwise no container information "
        "will be shown. ( A Blue colored container.name represents a process running within "
        "a container)")
    args = (
        Arg("dump_file_name", "The name of the file where the chisel will write the events "
            "related to each syslog entry.", "string", optional=True),
        Arg("dump_range_ms", "The time interval to capture *before* and *after* each event, "
            "in milliseconds. For example, 500 means that 1 second around each displayed "
            "event (.5s before and .5s after) will be saved to <dump_file_name>. The default "
            "value for dump_range_ms is 1000.", "int", optional=True),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )
    colors = Colors.on()

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Lua globals: kept across capture files.
        self.marks: list[tuple[int, object]] = []
        self.capturing = False

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "disable_color":
            if value == "disable_color":  # sysdig's test, not the documented value
                self.colors = Colors.off()
            return
        self.arg_values[name] = value

    def on_init(self) -> None:
        self.set_output_format("ascii")
        f = self.request_field
        self.buf = f("evt.buffer").text
        self.tid = f("thread.tid").value
        self.pname = f("proc.name").value
        self.fdname = f("fd.name").value
        self.cname = f("container.name").value
        self.set_snaplen(2000)
        self.set_filter(f"({FILE_FILTER}) and evt.is_io_write=true and evt.dir=< and "
                        "evt.failed=false")
        self.dump = "dump_file_name" in self.arg_values

    def on_capture_start(self) -> None:
        if self.dump and self.ctx.is_live:
            self.print("events export not supported on live captures")
            raise ChiselError("Chisel initialization failed.")
        self.capturing = True

    def on_event(self, evt: Event) -> bool | None:
        buf = self.buf(evt)
        cname = self.cname(evt)
        # Lua concatenation: a missing process or fd name is an error there too.
        prefix = f"{_concat(self.pname(evt))} {_concat(self.fdname(evt))} "
        c = self.colors
        for msg in lua_split(lua_text(buf), "\n"):
            if not msg:
                continue
            if self.ctx.is_tty:
                low = msg.lower()
                color = c.green
                if "warn" in low:
                    color = c.yellow
                elif "err" in msg:  # the Lua looks for "err" in the original case
                    color = c.red
                if self.ctx.print_container:
                    shade = c.blue if cname != "host" else color
                    line = f"{color} {shade} {lua_text(cname)} {color} {prefix}{msg}"
                else:
                    line = f"{color} {prefix}{msg}"
            elif self.ctx.print_container:
                line = f"{lua_text(cname)} {prefix}{msg}"
            else:
                line = f"{prefix}{msg}"
            self.print(line)
        if self.dump:
            self.marks.append((evt.ts, self.tid(evt)))
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_tty:
            self.print(self.colors.reset)
        if self.dump and self.capturing:
            self.print(f"Writing events for {len(self.marks)} log entries")
            self.run_app(dump_run_args(self, self.arg_values["dump_file_name"],
                                       self.arg_values.get("dump_range_ms", "1000"),
                                       self.marks))


def _concat(value: object) -> str:
    if value is None:
        raise TypeError("attempt to concatenate a nil value")
    return lua_text(value)
