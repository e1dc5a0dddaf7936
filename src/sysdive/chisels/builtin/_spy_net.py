"""The shared body of spy_ip and spy_port: payloads of network I/O with a header line each
time the direction changes."""

from __future__ import annotations

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.chisels.builtin._lua import lua_text
from sysdive.chisels.output import Colors, format_bytes
from sysdive.event import Event

_READ, _WRITE = 1, 2


class SpyNetChisel(Chisel):
    """Subclasses name the endpoint filter (:meth:`endpoint_filter`) and the header word
    of writes (:attr:`write_word`)."""

    write_word = "Write"
    colors = Colors.on()

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Lua globals: kept across capture files.
        self.direction = 0
        self.header: str | None = None

    def on_set_arg(self, name: str, value: str) -> None:
        # These two chisels, unlike the others, compare with the documented value.
        if name == "disable_color":
            if value == "disable_colors":
                self.colors = Colors.off()
            return
        self.arg_values[name] = value

    def endpoint_filter(self) -> str:
        raise NotImplementedError

    def on_init(self) -> None:
        self.data = self.request_field("evt.arg.data").value
        self.is_read = self.request_field("evt.is_io_read").value
        self.res = self.request_field("evt.rawarg.res").value
        self.set_snaplen(1000)
        self.set_filter("evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6) and "
                        + self.endpoint_filter())

    def on_event(self, evt: Event) -> bool | None:
        res = self.res(evt)
        if res is None or res <= 0:  # type: ignore[operator]
            return True
        data = self.data(evt)
        if data is None:
            return True
        # The header is rebuilt only when the direction changes; otherwise the previous
        # one (with its byte count) is printed again, as the Lua does.
        if self.is_read(evt):
            if self.direction != _READ:
                self.header = f"{self.colors.red}------ Read {format_bytes(res)}"  # type: ignore[arg-type]
                self.direction = _READ
        elif self.direction != _WRITE:
            self.header = (f"{self.colors.blue}------ {self.write_word} "
                           f"{format_bytes(res)}")  # type: ignore[arg-type]
            self.direction = _WRITE
        self.print(lua_text(self.header))
        self.print(lua_text(data))
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        self.print(self.colors.reset)
