"""around: save to a file the events of the same thread around every event the filter
matches (sysdig's around.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.builtin._dump import dump_run_args
from sysdive.chisels.builtin._lua import lua_text
from sysdive.chisels.output import Colors
from sysdive.errors import ChiselError
from sysdive.event import Event


class Around(Chisel):
    name = "around"
    short_description = (
        "Export to file the events around the time range where the given filter matches.")
    category = "Misc"
    description = (
        "Given a filter on the command line, this chisel saves the events that are in a time "
        "range around filter matches, and that are on the SAME process/thread. The time range "
        "can be adjusted with the dump_range_ms argument. For example, 'sysdig -c around "
        "evt.type=open and evt.failed=true' will save two seconds of activity around every "
        "failed open.")
    args = (
        Arg("dump_file_name", "The name of the file where the chisel will write the events "
            "related to each syslog entry.", "string"),
        Arg("dump_range_ms", "The time interval to capture *before* and *after* each event, "
            "in milliseconds. For example, 500 means that 1 second around each displayed "
            "event (.5s before and .5s after) will be saved to <dump_file_name>. The default "
            "value for dump_range_ms is 1000.", "int", optional=True),
    )

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Lua globals: kept across capture files.
        self.marks: list[tuple[int, object]] = []

    def on_init(self) -> None:
        self.pname = self.request_field("proc.name").value
        self.tid = self.request_field("thread.tid").value
        self.etime = self.request_field("evt.time").value
        if self.ctx.filter == "":
            # sysdig prints this and then refuses to start the chisel.
            self.print("no filter specified")
            raise ChiselError("Chisel initialization failed.")

    def on_capture_start(self) -> None:
        if self.ctx.is_live:
            self.print("live capture not supported")
            raise ChiselError("Chisel initialization failed.")

    def on_event(self, evt: Event) -> bool | None:
        pname = self.pname(evt)
        tid = self.tid(evt)
        self.print(f"{lua_text(self.etime(evt))} {'<NA>' if pname is None else lua_text(pname)}"
                   f"({lua_text(tid)})")
        self.marks.append((evt.ts, tid))
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_tty:
            self.print(Colors.on().reset)
        dump = self.arg_values["dump_file_name"]
        self.print(f"\nSaving events around {len(self.marks)} syslog entries to {dump}")
        self.run_app(dump_run_args(self, dump, self.arg_values.get("dump_range_ms", "1000"),
                                   self.marks))
