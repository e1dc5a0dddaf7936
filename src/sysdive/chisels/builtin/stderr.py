"""stderr: the standard error of processes, with the container with -pc (stderr.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.builtin._lua import lua_text
from sysdive.chisels.builtin._stdio import StdioChisel
from sysdive.chisels.output import Colors, lua_str
from sysdive.event import Event


class Stderr(StdioChisel):
    name = "stderr"
    short_description = "Print stderr of processes"
    category = "I/O"
    description = (
        "Print the standard error of any process on screen. Combine this script with a "
        "filter to limit the output to a specific process or pid. This chisel is compatible "
        "with containers using the sysdig -pc or -pcontainer argument, otherwise no container "
        "information will be shown. (Blue represents a process running within a container, "
        "and Green represents a host process)")
    args = (Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
                "string", optional=True),)
    fd_num = 2
    colors = Colors.on()

    def on_set_arg(self, name: str, value: str) -> None:
        # As in sysdig: the value that works is "disable_color", not the documented one.
        if name == "disable_color" and value == "disable_color":
            self.colors = Colors.off()

    def on_init(self) -> None:
        super().on_init()
        self.cname = self.request_field("container.name").value
        self.cid = self.request_field("container.id").value

    def on_event(self, evt: Event) -> bool | None:
        buf = self.data(evt)
        if buf is None:
            return True
        if not self.ctx.print_container:
            self.print(lua_text(buf))
            return True
        cname = self.cname(evt)
        color = self.colors.green if cname == "host" else self.colors.blue
        # %-20.20s: padded and cut to 20 characters.
        self.print(f"{color}{lua_str(self.cid(evt))[:20]:<20} {lua_str(cname)[:20]:<20} "
                   f"{lua_text(buf)}")
        return True
