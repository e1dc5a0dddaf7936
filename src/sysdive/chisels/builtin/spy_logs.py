"""spy_logs: every line written to a log file, optionally saving the events around each
(sysdig's spy_logs.lua)."""

from __future__ import annotations

from sysdive.chisels.builtin._dump import LogSpy
from sysdive.chisels.builtin._lua import lua_split, lua_text
from sysdive.event import Event

FILE_FILTER = ("(fd.name contains .log or fd.name contains _log or fd.name contains /var/log) "
               "and not (fd.name contains .gz or fd.name contains .tgz)")


class SpyLogs(LogSpy):
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



def _concat(value: object) -> str:
    if value is None:
        raise TypeError("attempt to concatenate a nil value")
    return lua_text(value)
