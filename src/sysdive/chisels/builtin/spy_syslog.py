"""spy_syslog: every message written to syslog, optionally saving the events around each
(sysdig's spy_syslog.lua).

sysdig takes facility, severity and message from its syslog protocol decoder (the
``syslog.*`` fields); sysdive has no such field class yet, so the decoding is done here, as
libsinsp does it for a write to a ``/dev/log`` socket: the digits between the first byte and
``>`` are the priority, the message is what follows.
"""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.builtin._dump import dump_run_args
from sysdive.chisels.output import Colors, lua_str
from sysdive.errors import ChiselError
from sysdive.event import Event

SEVERITIES = ("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug")
FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
              "clock", "authpriv", "ftp", "ntp", "logaudit", "logalert", "cron", "local0",
              "local1", "local2", "local3", "local4", "local5", "local6", "local7")
_PRI_MAX = 15


def decode_syslog(data: bytes) -> tuple[int, str] | None:
    """(priority, message) of a syslog datagram, or None when it has no priority."""
    end = data.find(b">", 1, 1 + _PRI_MAX)
    stop = data.find(b"\0", 1, 1 + _PRI_MAX)
    cut = min(x for x in (end, stop, min(len(data), 1 + _PRI_MAX)) if x >= 0)
    pri = data[1:cut]
    if not pri or len(data) < len(pri) + 2 or not all(0x30 <= b <= 0x39 for b in pri):
        return None
    value = int(pri) & 0xFFFFFFFF
    if value >= 1 << 31:
        value -= 1 << 32
    msg = data[len(pri) + 2:]
    return value, msg.decode("utf-8", "surrogateescape")


class SpySyslog(Chisel):
    name = "spy_syslog"
    short_description = (
        "Print every message written to syslog. Optionally, export the events around each "
        "syslog message to file.")
    category = "Logs"
    description = (
        "Print every message written to syslog by any process. You can combine this chisel "
        "with filters like 'proc.name=foo' (to restrict the output to a specific process), or "
        "'syslog.message contains foo' (to show only messages including a specific string). "
        "You can also write the events generated around each log entry to file by using the "
        "dump_file_name and dump_range_ms arguments.")
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

    def on_init(self) -> None:
        f = self.request_field
        self.tid = f("thread.tid").value
        self.pname = f("proc.name").value
        self.cname = f("container.name").value
        self.cid = f("container.id").value
        self.set_snaplen(1000)
        self.set_filter("fd.name contains /dev/log and evt.is_io_write=true and evt.dir=< and "
                        "evt.failed=false")
        self.dump = "dump_file_name" in self.arg_values

    def on_capture_start(self) -> None:
        if self.dump and self.ctx.is_live:
            self.print("events export not supported on live captures")
            raise ChiselError("Chisel initialization failed.")
        self.capturing = True

    def on_event(self, evt: Event) -> bool | None:
        params = evt.params()
        decoded = decode_syslog(params[1]) if len(params) > 1 else None
        fac: object = None
        sev: object = None
        msg: object = None
        sevcode: int | None = None
        if decoded is not None:
            pri, msg = decoded
            sevcode = pri & 7
            facility = (pri >> 3) & 0xFFFFFFFF
            fac = FACILITIES[facility] if facility < len(FACILITIES) else "<NA>"
            sev = SEVERITIES[sevcode]
        tid = self.tid(evt)
        if tid is None:
            raise TypeError("bad argument to 'format' (number expected, got nil)")
        pname = self.pname(evt)
        cname = self.cname(evt)
        cid = self.cid(evt)
        s = lua_str  # LuaJIT's %s writes nil as "nil"
        tid_text = str(int(tid))  # type: ignore[call-overload]
        if self.ctx.is_tty:
            c = self.colors
            if sevcode is None:
                raise TypeError("attempt to compare nil with number")
            if sevcode == 4:
                color = c.yellow
            elif sevcode < 4:
                color = c.red
            elif cname != "host":
                color = c.blue
            else:
                color = c.green
            if self.ctx.print_container:
                line = (f"{color}{s(cid):<20} {s(cname):<20} {s(fac)}.{s(sev)} {s(pname)}"
                        f"[{tid_text}] {s(msg)}")
            else:
                line = f"{color}{s(fac)}.{s(sev)} {s(pname)}[{tid_text}] {s(msg)}"
        elif self.ctx.print_container:
            # The Lua passes the facility first here, so the columns are shifted; kept.
            line = (f"{s(fac):<20} {s(cid):<20} {s(cname)}.{s(sev)} {s(pname)}[{tid_text}] "
                    f"{s(msg)}")
        else:
            line = f"{s(fac)}.{s(sev)} {s(pname)}[{tid_text}] {s(msg)}"
        self.print(line)
        if self.dump:
            self.marks.append((evt.ts, tid))
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_tty:
            self.print(self.colors.reset)
        if self.dump and self.capturing:
            self.print(f"Writing events for {len(self.marks)} log entries")
            self.run_app(dump_run_args(self, self.arg_values["dump_file_name"],
                                       self.arg_values.get("dump_range_ms", "1000"),
                                       self.marks))
