"""httplog: one line per HTTP request and its response (sysdig's httplog.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.chisels.builtin._http import HttpParser, Transaction
from sysdive.chisels.builtin._lua import lua_text
from sysdive.event import Event


class HttpLog(Chisel):
    name = "httplog"
    short_description = "HTTP requests log"
    category = "Application"
    merge_filter = False  # evt.buflen of a read needs its enter event parsed
    description = "Show a log of all HTTP requests"

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        self.partial: dict[tuple[object, object], Transaction] = {}

    def on_init(self) -> None:
        self.http = HttpParser(self, self._log, self.partial)
        self.current: Event | None = None

    def on_event(self, evt: Event) -> bool | None:
        self.current = evt
        self.http.feed(evt)
        return None

    def _log(self, tr: Transaction) -> None:
        # The time printed is the response's (the event being parsed).
        assert self.current is not None
        when = lua_text(self.http.datetime(self.current))
        if self.ctx.print_container:
            if tr.container is None:
                raise TypeError("attempt to concatenate a nil value")
            container = f" {lua_text(tr.container)} "
        else:
            container = " "
        latency = int((tr.response_ts - tr.request_ts) / 1_000_000)  # %d truncates
        self.print(f"{when}{container}{tr.direction} method={tr.method} url={tr.url} "
                   f"response_code={int(tr.code)} latency={latency}ms size={int(tr.length)}B")
