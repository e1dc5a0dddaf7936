"""topprocs_cpu: processes by CPU share over the capture (sysdig's topprocs_cpu.lua).

Sums ``thread.cpu`` of the procinfo events per process name and pid; printed as a
percentage of the capture's duration.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.chisels.output import CLEAR_SCREEN, HIDE_CURSOR, SHOW_CURSOR, lua_str, move_to
from sysdive.chisels.table import KEY_SEP, TableSpec, render_sorted_table
from sysdive.event import Event
from sysdive.fields.registry import thread_determined

if TYPE_CHECKING:
    from sysdive.event_rows import EventRows
    from sysdive.fields.registry import ColumnExtractor


class TopProcsCpu(Chisel):
    name = "topprocs_cpu"
    short_description = "Top processes by CPU usage"
    category = "CPU Usage"
    description = (
        "Show the top process defined by the highest CPU utilization. This chisel is "
        "compatible with containers using the sysdig -pc or -pcontainer argument, otherwise "
        "no container information will be shown.")
    fields_only = True

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        self.table: dict[str, float] = {}  # kept across capture files, as in the Lua

    def on_init(self) -> None:
        if self.ctx.print_container:
            self.spec = TableSpec(("proc.name", "proc.pid", "proc.vpid", "container.name"),
                                  ("Process", "Host_pid", "Container_pid", "container.name"),
                                  "thread.exectime", "CPU%", top=10, units="timepct")
        else:
            self.spec = TableSpec(("proc.name", "proc.pid"), ("Process", "PID"),
                                  "thread.exectime", "CPU%", top=10, units="timepct")
        self.key_fields = [self.request_field(k) for k in self.spec.keys]
        self.keys = [f.value for f in self.key_fields]
        self.cpu_field = self.request_field("thread.cpu")
        self.cpu = self.cpu_field.value
        self.set_filter("evt.type=procinfo")

    def on_capture_start(self) -> None:
        if self.ctx.is_live:
            self.set_interval_s(1)
            if self.ctx.output_format != "json":
                self.write(CLEAR_SCREEN + HIDE_CURSOR)

    def on_event(self, evt: Event) -> bool | None:
        parts = []
        for get in self.keys:
            v = get(evt)
            if v is None:
                return None
            parts.append(v if type(v) is str else lua_str(v))
        key = KEY_SEP.join(parts)
        cpu = self.cpu(evt)
        # The Lua chisel fails on a missing value the same way (arithmetic on nil).
        self.table[key] = self.table.get(key, 0) + cpu * 10_000_000  # type: ignore[operator]
        return True

    def fold_rows(self) -> Callable[[EventRows], None] | None:
        column = self.cpu_field.bound.column
        if (self.ctx.is_live or column is None
                or not thread_determined(f.bound for f in self.key_fields)):
            return None
        return partial(self._fold_rows, column)

    def _fold_rows(self, column: ColumnExtractor, rows: EventRows) -> None:
        """on_event over ``rows``: the key once per thread, thread.cpu as a column, and
        one sum per key where that gives what the Lua's sums in event order give."""
        import numpy as np

        names: dict[str, int] = {}
        kidx = [-1] * len(rows.threads)
        for j, evt in rows.thread_events():
            parts = []
            for get in self.keys:
                v = get(evt)
                if v is None:
                    break
                parts.append(v if type(v) is str else lua_str(v))
            else:
                kidx[j] = names.setdefault(KEY_SEP.join(parts), len(names))
        if not names:
            return
        rowkey = np.array(kidx)[rows.thread_index]
        sel = np.arange(len(rows)) if -1 not in kidx else np.flatnonzero(rowkey >= 0)
        values = column(rows, sel)
        if values is None:  # an unusual layout: event by event
            for i in sel.tolist():
                self.on_event(rows.event(i))
            return
        terms = values * 10_000_000
        keys = list(names)
        table = self.table
        kk = rowkey[sel]
        sums = np.bincount(kk, weights=terms, minlength=len(keys)).tolist()
        before = [table.get(k, 0) for k in keys]
        # Whole numbers >= 0 whose total stays within 2**53 add up exactly in any order
        # (the terms are: thread.cpu is a whole number up to 100).
        if (max(b + v for b, v in zip(before, sums, strict=True)) <= 2.0 ** 53
                and (terms >= 0).all() and (terms == np.floor(terms)).all()):
            for k, b, v in zip(keys, before, sums, strict=True):
                table[k] = b + v
            return
        tget = table.get
        for ki, v in zip(kk.tolist(), terms.tolist(), strict=True):
            k = keys[ki]
            table[k] = tget(k, 0) + v

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0))
        self.write(render_sorted_table(self.table, self.spec, delta, self.ctx.output_format,
                                       ts_s))
        self.table = {}

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_live and self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0) + SHOW_CURSOR)
            return
        self.write(render_sorted_table(self.table, self.spec, delta, self.ctx.output_format,
                                       ts_s))
