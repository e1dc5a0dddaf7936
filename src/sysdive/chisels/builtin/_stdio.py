"""The shared body of the stdin, stdout and stderr chisels: print what a process reads or
writes on one standard fd, buffer by buffer, as it came."""

from __future__ import annotations

from sysdive.chisels.api import Chisel
from sysdive.chisels.builtin._lua import lua_text
from sysdive.event import Event


class StdioChisel(Chisel):
    """Prints the data of I/O events on fd :attr:`fd_num` (subclasses set it)."""

    fd_num = 0

    def on_init(self) -> None:
        self.data = self.request_field("evt.rawarg.data").value
        self.set_snaplen(2000)
        self.set_filter(f"fd.num={self.fd_num} and evt.is_io=true")

    def on_event(self, evt: Event) -> bool | None:
        buf = self.data(evt)
        if buf is not None:
            self.print(lua_text(buf))
        return True
