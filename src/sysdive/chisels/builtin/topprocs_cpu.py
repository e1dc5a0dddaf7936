"""topprocs_cpu: processes by CPU share over the capture (sysdig's topprocs_cpu.lua).

Sums ``thread.cpu`` of the procinfo events per process name and pid; printed as a
percentage of the capture's duration.
"""

from __future__ import annotations

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.chisels.output import CLEAR_SCREEN, HIDE_CURSOR, SHOW_CURSOR, lua_str, move_to
from sysdive.chisels.table import KEY_SEP, TableSpec, render_sorted_table
from sysdive.event import Event


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
        self.keys = [self.request_field(k).value for k in self.spec.keys]
        self.cpu = self.request_field("thread.cpu").value
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

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0))
        self.write(render_sorted_table(self.table, self.spec, delta, self.ctx.output_format))
        self.table = {}

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_live and self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0) + SHOW_CURSOR)
            return
        self.write(render_sorted_table(self.table, self.spec, delta, self.ctx.output_format))
