"""list_login_shells: the login shell IDs of the sessions that ran commands
(sysdig's list_login_shells.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.builtin._lua import lua_find, lua_text
from sysdive.event import Event


class ListLoginShells(Chisel):
    name = "list_login_shells"
    short_description = "List the login shell IDs"
    category = "Security"
    description = (
        "List the IDs of the login sessions. Optionally, the list can be filtered to include "
        "only the sessions that contain a specific command. The session IDs listed by this "
        "chisel can be used as filters for the spy_users chisel. This chisel is compatible "
        "with containers using the sysdig -pc or -pcontainer argument, otherwise no container "
        "information will be shown.")
    args = (
        Arg("command", "If this parameter is specified, only the login shells that contain "
            "commands including the given string in their name will be listed. * will match "
            "any command name.", "string", optional=True),
        Arg("arguments", "If this parameter is specified, only the login shells that contain "
            "commands including the given string in their arguments will be listed", "string",
            optional=True),
    )

    command: str | None = None
    arguments: str | None = None

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # The Lua keeps only the last matching session, in a global table of three slots.
        self.last: dict[str, object] = {}

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "command":
            if value != "*":
                self.command = value
        elif name == "arguments":
            self.arguments = value

    def on_init(self) -> None:
        f = self.request_field
        self.sid = f("proc.loginshellid").value
        self.exe = f("evt.arg.exe").value
        self.args_ = f("evt.arg.args").value
        self.cname = f("container.name").value
        self.cid = f("container.id").value
        self.set_filter("evt.type=execve")

    def on_event(self, evt: Event) -> bool | None:
        sid = self.sid(evt)
        exe = self.exe(evt)
        if sid is None or exe is None:
            return True
        # The arguments are Lua patterns, not plain strings.
        if self.command is not None and not lua_find(lua_text(exe), self.command):
            return True
        args = self.args_(evt)
        if self.arguments is not None and args is not None and not lua_find(
                lua_text(args), self.arguments):
            return True
        self.last = {"fsid": sid, "containername": self.cname(evt),
                     "containerid": self.cid(evt)}
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.command is not None:
            self.print(f"Shells containing {self.command}:")
        else:
            self.print("All shells:")
        # The Lua loops over the slots of that table and prints the last session once per
        # slot that holds a value: up to three identical lines.
        for _ in (v for v in self.last.values() if v is not None):
            if self.ctx.print_container:
                self.print(f"{_concat(self.last['fsid'])} {_concat(self.last['containername'])} "
                           f"{_concat(self.last['containerid'])}")
            else:
                self.print(lua_text(self.last["fsid"]))


def _concat(value: object) -> str:
    if value is None:
        raise TypeError("attempt to concatenate a nil value")
    return lua_text(value)
