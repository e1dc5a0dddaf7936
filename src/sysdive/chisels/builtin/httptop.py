"""httptop: HTTP requests by calls, time or bytes, as a top table (sysdig's httptop.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.builtin._http import HttpParser, Transaction
from sysdive.chisels.builtin._lua import lua_text
from sysdive.chisels.output import CLEAR_SCREEN, HIDE_CURSOR, SHOW_CURSOR, move_to
from sysdive.chisels.table import KEY_SEP, TableSpec, render_sorted_table
from sysdive.errors import ChiselError
from sysdive.event import Event

TOP_NUMBER = 30
_UNITS = {"ncalls": "none", "time": "time", "bytes": "bytes"}


class HttpTop(Chisel):
    name = "httptop"
    short_description = "Top HTTP requests"
    category = "Application"
    merge_filter = False  # evt.buflen of a read needs its enter event parsed
    description = "Show top HTTP requests by: ncalls, time or bytes"
    args = (Arg("by", "Show top HTTP transactions by: ncalls, time or bytes, default is ncalls",
                "string", optional=True),)

    by = "ncalls"

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Lua globals: kept across capture files (the table is emptied after each print).
        self.partial: dict[tuple[object, object], Transaction] = {}
        # After a capture file's table is printed its lists hold their sums (the Lua
        # overwrites them in place); a second file then trips over them, as in sysdig.
        self.groups: dict[str, list[Transaction] | float] = {}
        self.containers = 0

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "by":
            if value not in _UNITS:
                self.print("Invalid argument! Valid options: ncalls, bytes, time")
                raise ChiselError("set_arg() for chisel httptop failed.")
            self.by = value

    def on_init(self) -> None:
        self.http = HttpParser(self, self._add, self.partial)
        if self.ctx.print_container:
            # The Lua inserts the column on every on_init: once per capture file.
            self.containers += 1
        keys = ("container",) * self.containers + ("method", "url")
        self.spec = TableSpec(keys, keys, self.by, self.by, top=TOP_NUMBER,
                              units=_UNITS[self.by])

    def on_capture_start(self) -> None:
        if self.ctx.is_live:
            self.set_interval_s(1)
            if self.ctx.output_format != "json":
                self.write(CLEAR_SCREEN + HIDE_CURSOR)

    def on_event(self, evt: Event) -> bool | None:
        self.http.feed(evt)
        return None

    def _add(self, tr: Transaction) -> None:
        key = f"{tr.method}{KEY_SEP}{tr.url}"
        if self.ctx.print_container:
            if tr.container is None:
                raise TypeError("attempt to concatenate a nil value")
            key = lua_text(tr.container) + KEY_SEP + key
        group = self.groups.setdefault(key, [])
        if not isinstance(group, list):
            raise TypeError("bad argument #1 to 'insert' (table expected, got number)")
        group.append(tr)

    def _table(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for key, trs in self.groups.items():
            if not isinstance(trs, list):
                raise TypeError("attempt to get length of a number value")
            if self.by == "ncalls":
                out[key] = len(trs)
            elif self.by == "bytes":
                total = 0.0
                for tr in trs:
                    total += tr.length
                out[key] = total
            else:
                spent = 0.0
                for tr in trs:
                    spent = spent + tr.response_ts - tr.request_ts
                out[key] = spent / len(trs)
        return out

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0))
        self.write(render_sorted_table(self._table(), self.spec, delta, self.ctx.output_format,
                                       ts_s))
        self.groups = {}

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_live and self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0) + SHOW_CURSOR)
            return
        try:
            table = self._table()
        except TypeError:
            # The Lua fails here on a second capture file whose table still holds the first
            # file's sums; sysdig reports nothing and prints no table (exit status 0).
            return
        self.groups = dict(table)
        self.write(render_sorted_table(table, self.spec, delta, self.ctx.output_format,
                                       ts_s))
