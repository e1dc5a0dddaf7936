"""The HTTP transaction parser behind httplog and httptop (sysdig's http.lua library).

A transaction starts with an I/O buffer that looks like a request line (``GET /path``) on
some process and fd, and ends with the next buffer on the same process and fd that holds a
status line. The buffers are the text ``-p %evt.buffer`` prints (so a CR LF reads ``..``,
which is what the header patterns expect), and the times are Lua numbers (doubles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sysdive.chisels.api import Chisel
from sysdive.chisels.builtin._lua import lua_match
from sysdive.event import Event

HTTP_FILTER = ("evt.is_io = true and evt.buflen > 0 and (fd.sockfamily = ip or "
               "fd.sockfamily = unix)")


@dataclass(slots=True)
class Transaction:
    """One request and its response."""

    method: str
    url: str
    request_ts: float
    direction: str
    container: object
    code: float = 0
    length: float = 0
    response_ts: float = 0


class HttpParser:
    """Requests the fields and pairs requests with responses; ``on_transaction`` gets each
    completed one."""

    def __init__(self, chisel: Chisel, on_transaction: Callable[[Transaction], None],
                 partial: dict[tuple[object, object], Transaction]) -> None:
        chisel.set_filter(HTTP_FILTER)
        f = chisel.request_field
        self.buffer = f("evt.buffer").text
        self.fd = f("fd.num").value
        self.pid = f("proc.pid").value
        self.rawtime = f("evt.rawtime").value
        self.datetime = f("evt.datetime").value
        self.io_dir = f("evt.io_dir").value
        self.container = f("container.name").value
        chisel.set_snaplen(1024)
        self.on_transaction = on_transaction
        # Requests waiting for their response: the chisel keeps them across capture files.
        self.partial = partial

    def feed(self, evt: Event) -> None:
        buf = self.buffer(evt) or ""
        key = (self.pid(evt), self.fd(evt))
        ts = float(self.rawtime(evt))  # type: ignore[arg-type]
        pending = self.partial.get(key)
        if pending is None:
            req = lua_match(buf, "^(%u+) (%g+)")
            if req is None:
                return
            method, url = req
            host = lua_match(buf, "Host: (%g+)%.%.")
            if host is not None:
                url = host[0] + url
            io_dir = self.io_dir(evt)
            direction = "<" if io_dir == "read" else ">" if io_dir == "write" else "<NA>"
            self.partial[key] = Transaction(method, url, ts, direction, self.container(evt))
            return
        code = lua_match(buf, "HTTP/[%g]+ (%d+)")
        if code is None:
            return
        length = lua_match(buf, "Content%-Length: (%d+)%.%.")
        pending.code = float(code[0])
        pending.length = float(length[0]) if length is not None else 0
        pending.response_ts = ts
        self.on_transaction(pending)
        del self.partial[key]
