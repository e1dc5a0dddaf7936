"""fdcount_by: how many distinct FDs each value of a field used (sysdig's fdcount_by.lua).

An FD counts once per key, identified by its number and name together; the rows are
``KEY<TAB>COUNT`` (Lua's ``print`` of two values), most FDs first.
"""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.output import lua_str, top_by_value
from sysdive.event import Event


class FdCountBy(Chisel):
    name = "fdcount_by"
    short_description = "FD count, aggregated by an arbitrary filter field"
    category = "I/O"
    description = (
        "Groups all the active FDs based on the given filter field, and returns the fd count "
        "for each key. For example, it can be used to list the number of connections per "
        "process or per IP endpoint.")
    args = (Arg("key", "The filter field used for grouping"),)

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Kept across capture files, as the Lua's global table is.
        self.fds: dict[object, set[tuple[object, object]]] = {}
        self.counts: dict[object, int] = {}

    def on_init(self) -> None:
        self.key = self.request_field(self.arg_values["key"]).value
        self.fdnum = self.request_field("fd.num").value
        self.fdname = self.request_field("fd.name").value

    def on_event(self, evt: Event) -> bool | None:
        key = self.key(evt)
        if key is None:
            return True
        fdnum = self.fdnum(evt)
        if fdnum is None or fdnum <= 0:  # type: ignore[operator]
            return True
        fdname = self.fdname(evt)
        if fdname is None or fdname == "":
            return True
        seen = self.fds.get(key)
        if seen is None:
            seen = self.fds[key] = set()
        ident = (fdnum, fdname)
        if ident not in seen:
            seen.add(ident)
            self.counts[key] = len(seen)
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        # sysdig orders equal counts by its hash table layout (random per run).
        for key, count in top_by_value(self.counts, 0):
            self.print(f"{lua_str(key)}\t{count}")
