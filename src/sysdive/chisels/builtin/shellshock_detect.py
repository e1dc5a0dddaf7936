"""shellshock_detect: bash started with a function definition smuggled in an environment
variable (CVE-2014-6271) (sysdig's shellshock_detect.lua).

sysdig 0.29.3 cannot run this chisel: the Lua's filter, ``proc.name=bash or proc.name=sh and
evt.type=execve``, mixes ``and`` and ``or`` without brackets, which sysdig's filter compiler
rejects, so ``sysdig -c shellshock_detect`` stops before printing anything. sysdive runs the
filter its author meant, with the brackets (:attr:`FILTER`); the tests check the output
against sysdig running its own Lua with those brackets added.
"""

from __future__ import annotations

from sysdive.chisels.api import Chisel
from sysdive.chisels.builtin._lua import lua_find, lua_match, lua_text
from sysdive.chisels.builtin._threads import thread_table
from sysdive.chisels.output import extend_string, lua_str
from sysdive.event import Event

ATTACK = "%(%) ?{.+"


class ShellshockDetect(Chisel):
    name = "shellshock_detect"
    short_description = "print shellshock attacks"
    category = "Security"
    description = (
        "Reports every attempt to execute bash in a way that exploits the shellshock "
        "vulnerability (http://web.nvd.nist.gov/view/vuln/detail?vulnId=CVE-2014-6271). For "
        "every attempt, the chisel reports the time, the name of the process trying to run "
        "bash, and its PID.")

    FILTER = "(proc.name=bash or proc.name=sh) and evt.type=execve"

    def on_init(self) -> None:
        f = self.request_field
        self.pname = f("proc.pname").value
        self.ppid = f("proc.ppid").value
        self.pid = f("proc.pid").value
        # sysdig reads "evt.arg.env" out of this name and ignores the rest.
        self.env = f("evt.arg.env").value
        self.etime = f("evt.time").value
        self.set_filter(self.FILTER)
        self.print(extend_string("TIME", 22) + extend_string("PROCNAME", 22)
                   + extend_string("PID", 8) + "FUNCTION")

    def on_event(self, evt: Event) -> bool | None:
        env = self.env(evt)
        if env is None or not lua_find(lua_text(env), ATTACK):
            return True
        pid = self.pid(evt)
        rows = {row.tid: row for row in thread_table(self, None)}
        row = rows.get(pid)  # type: ignore[call-overload]
        if row is None:
            raise TypeError("attempt to index a nil value")
        for var in row.env:
            if lua_find(var, ATTACK):
                found = lua_match(var, "%(%).+")
                command = found[0] if found is not None else ""
                self.print(extend_string(lua_text(self.etime(evt)), 22)
                           + extend_string(lua_text(self.pname(evt)), 22)
                           + extend_string(lua_str(self.ppid(evt)), 8) + command)
                break
        return True
