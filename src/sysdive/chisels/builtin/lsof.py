"""lsof: the open fds of every process when the capture starts, like ``lsof``
(sysdig's lsof.lua).

Listed at the first event that passes the command-line filter; the argument filters the fds
(``get_thread_table``). Threads are sorted by tid, fds come in the order sysdig's ``pairs``
gives them (see ``_luaorder``).
"""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._threads import thread_table
from sysdive.chisels.output import extend_string, lua_str
from sysdive.event import Event


class Lsof(Chisel):
    name = "lsof"
    short_description = "List (and optionally filter) the open file descriptors."
    category = "System State"
    description = (
        "This chisel prints the open file descriptors for every process in the system, with "
        "an output that is similar to the one of lsof. Output is at a point in time; adjust "
        "this in the filter.  It defaults to time of evt.num=0")
    args = (Arg("filter", "A sysdig-like filter expression that allows restricting the FD "
                "list. E.g. 'proc.name=foo and fd.name contains /etc'.", "filter",
                optional=True),)

    capturing = False
    matched = False

    def on_capture_start(self) -> None:
        self.capturing = True

    def on_event(self, evt: Event) -> bool | None:
        self.end_capture()
        self.matched = True
        return False

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if not self.capturing:
            return
        if not self.matched:
            self.print("empty capture or no event matching the filter")
            return
        rows = sorted(thread_table(self, self.arg_values.get("filter"), lua_order=True),
                      key=lambda r: r.tid)
        self.print(extend_string("COMMAND", 20) + extend_string("PID", 8)
                   + extend_string("TID", 8) + extend_string("USER", 8) + extend_string("FD", 8)
                   + extend_string("TYPE", 12) + "NAME")
        for r in rows:
            for f in r.fds:
                self.print(extend_string(r.comm, 20) + extend_string(lua_str(r.pid), 8)
                           + extend_string(lua_str(r.tid), 8) + extend_string(r.username, 8)
                           + extend_string(lua_str(f.fd), 8) + extend_string(f.type, 12)
                           + f.name)
