"""What around, spy_logs and spy_syslog share: remember the events they show, then ask for
a second run that writes every event of the same thread within a time range of them."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.output import Colors, lua_str
from sysdive.errors import ChiselError


def dump_run_args(chisel: Chisel, dump_file: str, range_ms: str,
                  marks: list[tuple[int, object]]) -> str:
    """sysdig's second-run command line: ``-F -r SOURCE -w FILE`` and a filter that keeps
    the events of each mark's thread around its time (``evt.around``)."""
    terms = [f"(evt.around[{ts // 1_000_000_000}{ts % 1_000_000_000:09d}]={range_ms} and "
             f"thread.tid={lua_str(tid)})" for ts, tid in marks]
    return f"-F -r{chisel.ctx.evtsource_name} -w{dump_file} " + " or ".join(terms)


class LogSpy(Chisel):
    """spy_logs and spy_syslog: the same arguments, colours and dump of the events around
    each message; they differ in which writes they show and how they print them.

    A subclass's on_init sets :attr:`dump`; its on_event appends ``(ts, tid)`` to
    :attr:`marks` for each message it shows while dumping."""

    args = (
        Arg("dump_file_name", "The name of the file where the chisel will write the events "
            "related to each syslog entry.", "string", optional=True),
        Arg("dump_range_ms", "The time interval to capture *before* and *after* each event, "
            "in milliseconds. For example, 500 means that 1 second around each displayed "
            "event (.5s before and .5s after) will be saved to <dump_file_name>. The default "
            "value for dump_range_ms is 1000.", "int", optional=True),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )
    colors = Colors.on()
    dump = False

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Lua globals: kept across capture files.
        self.marks: list[tuple[int, object]] = []
        self.capturing = False

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "disable_color":
            if value == "disable_color":  # sysdig's test, not the documented value
                self.colors = Colors.off()
            return
        self.arg_values[name] = value

    def on_capture_start(self) -> None:
        if self.dump and self.ctx.is_live:
            self.print("events export not supported on live captures")
            raise ChiselError("Chisel initialization failed.")
        self.capturing = True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_tty:
            self.print(self.colors.reset)
        if self.dump and self.capturing:
            self.print(f"Writing events for {len(self.marks)} log entries")
            self.run_app(dump_run_args(self, self.arg_values["dump_file_name"],
                                       self.arg_values.get("dump_range_ms", "1000"),
                                       self.marks))
