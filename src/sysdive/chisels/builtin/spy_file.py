"""spy_file: every read and write on files, with the data as ASCII (sysdig's spy_file.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._lua import lua_text
from sysdive.chisels.output import format_bytes
from sysdive.event import Event


class SpyFile(Chisel):
    name = "spy_file"
    short_description = (
        "Echo any read/write made by any process to all files. Optionally, you can provide "
        "the name of one file to only intercept reads/writes to that file.")
    category = "I/O"
    description = (
        "This chisel intercepts all reads and writes to all files. Instead of all files, you "
        "can limit interception to one file.")
    args = (
        Arg("read_or_write", "Specify 'R' to capture only read events; 'W' to capture only "
            "write events; 'RW' to capture read and write events. By default both read and "
            "write events are captured.", "string", optional=True),
        Arg("spy_on_file_name", "The name of the file which the chisel should spy on for all "
            "read and write activity.", "string", optional=True),
    )

    def on_init(self) -> None:
        self.set_output_format("ascii")
        f = self.request_field
        self.data = f("evt.arg.data").value
        self.fdname = f("fd.name").value
        self.is_write = f("evt.is_io_write").value
        self.pid = f("proc.pid").value
        self.pname = f("proc.name").value
        self.res = f("evt.rawarg.res").value
        self.time = f("evt.time").value
        self.set_snaplen(2000)
        target = self.arg_values.get("spy_on_file_name", "")
        if target:
            flt = f"(fd.name={target}) and "
        else:
            flt = "(not fd.name contains /dev/pt and not fd.name contains /dev/tty) and "
        mode = self.arg_values.get("read_or_write")
        if mode in ("R", "r"):
            flt += "evt.is_io_read=true and "
        elif mode in ("W", "w"):
            flt += "evt.is_io_write=true and "
        else:
            flt += "evt.is_io=true and "
        self.set_filter(flt + "fd.type=file and evt.dir=< and evt.failed=false")

    def on_event(self, evt: Event) -> bool | None:
        rw = "W" if self.is_write(evt) is True else "R"
        # string.format("%s") of nil raises in the Lua; the filter rules that out.
        size = format_bytes(self.res(evt))  # type: ignore[arg-type]
        self.print(f"{lua_text(self.time(evt))} {lua_text(self.pname(evt))}"
                   f"({lua_text(self.pid(evt))}) {rw} {size} {lua_text(self.fdname(evt))} "
                   f"{lua_text(self.data(evt))}")
        return True
