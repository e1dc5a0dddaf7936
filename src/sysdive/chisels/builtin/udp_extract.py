"""udp_extract: the payload of every UDP fd, one file per fd in ./udp_dump_files
(sysdig's udp_extract.lua)."""

from __future__ import annotations

import os
from typing import BinaryIO

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.chisels.builtin._lua import lua_text
from sysdive.errors import ChiselError
from sysdive.event import Event

OUTPUT_DIR_NAME = "./udp_dump_files"


def _mkdir(dirname: str) -> None:
    """The Lua's mkdir: the Unix command, then the Windows one through the shell. On Linux
    the second leaves a file named ``nul`` holding the shell's complaint; sysdig does the
    same, so the directory's content stays the same as sysdig's."""
    os.system(f"mkdir {dirname} 2> /dev/null")
    os.system(f"md {dirname} 2> nul")


class UdpExtract(Chisel):
    name = "udp_extract"
    short_description = "extract data from UDP streams to files."
    category = "I/O"
    description = (
        "This chisel parses a trace file, identifies file descriptors carrying UDP network "
        f"traffic (DNS excluded) and dumps the content of each FD into a different file in "
        f"the {OUTPUT_DIR_NAME} directory. Files are named after the UDP tuple they contain.")

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # A Lua global: a second capture file appends to the files the first opened.
        self.files: dict[str, BinaryIO] = {}

    def on_init(self) -> None:
        self.buf = self.request_field("evt.rawarg.data").value
        self.fdname = self.request_field("fd.name").value
        self.request_field("evt.rawarg.res")
        self.request_field("fd.type")
        _mkdir(OUTPUT_DIR_NAME)
        self.set_snaplen(16384)
        self.set_filter("evt.dir=< and evt.rawres>=0 and fd.l4proto=udp and evt.is_io=true")

    def on_capture_start(self) -> None:
        if self.ctx.is_live:
            self.print("live capture not supported")
            raise ChiselError("Chisel initialization failed.")

    def on_event(self, evt: Event) -> bool | None:
        buf = self.buf(evt)
        name = self.fdname(evt)
        if name is None:
            raise TypeError("attempt to concatenate a nil value")
        key = lua_text(name)
        out = self.files.get(key)
        if out is None:
            path = (OUTPUT_DIR_NAME + "/" + key).replace(":", "_").replace(">", "-")
            # io.open(..., "w"): truncates; an fd seen again later appends to the same handle.
            out = open(path, "wb")  # noqa: SIM115 - closed in on_capture_end
            self.files[key] = out
        if buf is None:
            raise TypeError("bad argument #1 to 'write' (string expected, got nil)")
        out.write(buf if isinstance(buf, bytes) else lua_text(buf).encode())
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        # Lua closes the files when the chisel's state goes away; flushing here is the same
        # for the files' contents.
        for f in self.files.values():
            f.flush()
