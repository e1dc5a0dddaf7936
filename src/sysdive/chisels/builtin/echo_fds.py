"""echo_fds: the data every process reads and writes, with a coloured header per buffer
(sysdig's echo_fds.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.output import Colors, format_bytes, lua_str
from sysdive.event import Event


class EchoFds(Chisel):
    name = "echo_fds"
    short_description = "Print the data read and written by processes."
    category = "I/O"
    description = (
        "Print the data read and written for any FD. Combine this script with a filter to "
        "restrict what it shows. This chisel is compatible with containers using the sysdig "
        "-pc or -pcontainer argument, otherwise no container information will be shown. "
        "(Blue represents  [Write], and Red represents [Read] for all data except when the "
        "-pc or -pcontainer argument is used. If used the container.name and container.id "
        "will be represented as: Green [host], and Cyan [container]) Container information "
        "will contain '[]' around container.name and container.id.")
    args = (Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
                "string", optional=True),)

    colors = Colors.on()
    fields_only = True

    def on_set_arg(self, name: str, value: str) -> None:
        # sysdig compares with "disable_color" although its description says "disable_colors".
        if name == "disable_color" and value == "disable_color":
            self.colors = Colors.off()

    def on_init(self) -> None:
        self.isread = self.request_field("evt.is_io_read").value
        self.res = self.request_field("evt.rawarg.res").value
        self.fdname = self.request_field("fd.name").value
        self.pname = self.request_field("proc.name").value
        self.cname = self.request_field("container.name").value
        self.cid = self.request_field("container.id").value
        self.set_snaplen(2000)
        self.set_filter("evt.is_io=true and evt.dir=< and evt.rawres>0")
        self.set_event_formatter("%evt.arg.data")

    def on_event(self, evt: Event) -> bool | None:
        # One call per printed buffer: the header is one f-string and one write.
        res = self.res(evt)
        if res <= 0:  # type: ignore[operator]
            return True
        c = self.colors
        name = self.fdname(evt)
        if name is None:
            name = "<NA>"
        container = ""
        if self.ctx.print_container:
            cname = lua_str(self.cname(evt))
            color = c.green if cname == "host" else c.cyan
            container = f"{color} [{cname}] [{lua_str(self.cid(evt))}]"
        pname = self.pname(evt)
        if pname.__class__ is not str:
            pname = lua_str(pname)
        # format_bytes's own first case, spelt out: nearly every buffer is under 1KB.
        size = f"{res}B" if res <= 1024 else format_bytes(res)  # type: ignore[operator,arg-type]
        if self.isread(evt):
            self.out.write(f"{c.red}------ Read {size} from {container} {c.red} {name} ({pname})\n")
        else:
            self.out.write(f"{c.blue}------ Write {size} to {container} {c.blue} {name} ({pname})\n")
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        self.print(self.colors.reset)
