"""netstat: the network connections when the capture starts, like ``netstat``
(sysdig's netstat.lua).

Listed at the first event that passes the command-line filter; the argument is and-ed to
``fd.type=ipv4 or fd.type=ipv6`` and filters the fds (``get_thread_table``). Rows come in
the order sysdig's ``pairs`` gives them (see ``_luaorder``).
"""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._lua import lua_text
from sysdive.chisels.builtin._threads import thread_table
from sysdive.chisels.output import extend_string, lua_str
from sysdive.event import Event


class Netstat(Chisel):
    name = "netstat"
    short_description = "List (and optionally filter) network connections."
    category = "System State"
    description = (
        "Print the system network connections, with an output that is similar to the one of "
        "netstat. Output is at a point in time; adjust this in the filter. It defaults to time "
        "of evt.num=0")
    args = (Arg("filter", "A sysdig-like filter expression that allows restricting the FD "
                "list. E.g. 'proc.name=foo and fd.port=80'.", "filter", optional=True),)

    capturing = False
    matched = False

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "filter":
            self.arg_values[name] = value

    def flt(self) -> str:
        base = "(fd.type=ipv4 or fd.type=ipv6)"
        if "filter" in self.arg_values:
            # The Lua joins them without a blank: ")and (...)".
            return f"{base}and ({self.arg_values['filter']})"
        return base

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
        rows = thread_table(self, self.flt(), lua_order=True)
        self.print(extend_string("Proto", 6) + extend_string("Server Address", 25)
                   + extend_string("Client Address", 25) + extend_string("State", 15)
                   + "TID/PID/Program Name")
        for r in rows:
            for f in r.fds:
                cip: object = f.cip
                cport: object = f.cport
                state = "ESTABLISHED"
                if cip is None:
                    cip, cport, state = "0.0.0.0", "*", "LISTEN"
                if f.sip is None or f.sport is None or f.l4proto is None:
                    raise TypeError("attempt to concatenate a nil value")
                self.print(extend_string(f.l4proto, 6)
                           + extend_string(f"{f.sip}:{lua_str(f.sport)}", 25)
                           + extend_string(f"{lua_text(cip)}:{lua_text(cport)}", 25)
                           + extend_string(state, 15)
                           + f"{lua_str(r.tid)}/{lua_str(r.pid)}/{r.comm}")
