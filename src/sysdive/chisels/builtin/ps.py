"""ps: the processes of the machine when the capture starts, like ``ps`` (sysdig's ps.lua).

The list is taken at the first event that passes the command-line filter (the chisel ends
the capture there); the chisel's own argument filters the list by fd, as
``get_thread_table`` does.
"""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._threads import thread_table
from sysdive.chisels.output import extend_string, format_bytes, lua_str
from sysdive.event import Event


class Ps(Chisel):
    name = "ps"
    short_description = "List (and optionally filter) the machine processes."
    category = "System State"
    description = (
        "List the running processes, with an output that is similar to the one of ps. Output "
        "is at a point in time; adjust this in the filter. It defaults to time of evt.num=0")
    args = (Arg("filter", "A sysdig-like filter expression that allows restricting the FD "
                "list. For example 'fd.name contains /etc' shows all the processes that have "
                "files open under /etc.", "filter", optional=True),)

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
        rows = sorted(thread_table(self, self.arg_values.get("filter")), key=lambda r: r.tid)
        self.print(extend_string("TID", 8) + extend_string("PID", 8) + extend_string("USER", 12)
                   + extend_string("VIRT", 11) + extend_string("RES", 11)
                   + extend_string("FDLIMIT", 10) + extend_string("CMD", 20))
        for r in rows:
            self.print(extend_string(lua_str(r.tid), 8) + extend_string(lua_str(r.pid), 8)
                       + extend_string(r.username, 12)
                       + extend_string(format_bytes(r.vmsize_kb * 1024), 11)
                       + extend_string(format_bytes(r.vmrss_kb * 1024), 11)
                       + extend_string(lua_str(r.fdlimit), 10) + r.comm)
