"""bottlenecks: the 10 slowest system calls of the capture, each after the line of its
call (sysdig's bottlenecks.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Chisel, ChiselContext
from sysdive.chisels.output import lua_str
from sysdive.event import Event

HOW_MANY = 10


class Bottlenecks(Chisel):
    name = "bottlenecks"
    short_description = "Slowest system calls"
    category = "Performance"
    description = (f"Lists the {HOW_MANY} system calls that took the longest to return during "
                   "the capture interval.")

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # (latency, line of the call, line of the return), slowest first; kept across
        # capture files, as the Lua's globals are.
        self.slowest: list[tuple[int, str | None, str]] = []
        self.last_call: dict[object, str] = {}

    def on_init(self) -> None:
        f = self.request_field
        self.num = f("evt.num").value
        self.etype = f("evt.type").value
        self.eargs = f("evt.args").value
        self.latency = f("evt.latency").value
        self.pname = f("proc.name").value
        self.tid = f("thread.tid").value

    def on_event(self, evt: Event) -> bool | None:
        latency = self.latency(evt)
        etype = self.etype(evt)
        if etype == "switch":
            return True
        tid = self.tid(evt)
        if latency == 0:
            # Every event without a latency counts as a call, also a return whose call was
            # not captured (sysdig's test is on the latency, not the direction).
            self.last_call[tid] = (f"{self.num(evt)}) 0.000000000 {self._pname(evt)} "
                                   f"({tid}) > {lua_str(etype)} {lua_str(self.eargs(evt))}")
            return True
        if latency is None:
            return True
        slowest = self.slowest
        for j in range(HOW_MANY):
            if j >= len(slowest) or latency > slowest[j][0]:  # type: ignore[operator]
                line = (f"{self.num(evt)}) {latency // 1_000_000_000}."  # type: ignore[operator]
                        f"{latency % 1_000_000_000:09d} {self._pname(evt)} ({tid}) < "  # type: ignore[operator]
                        f"{lua_str(etype)} {lua_str(self.eargs(evt))}")
                slowest.insert(j, (latency, self.last_call.get(tid), line))  # type: ignore[arg-type]
                break
        if len(slowest) > HOW_MANY:
            slowest.pop()
        return True

    def _pname(self, evt: Event) -> str:
        name = self.pname(evt)
        return "" if name is None else lua_str(name)

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        for _, call, ret in self.slowest:
            self.print(lua_str(call))  # a return without a call before it prints "nil"
            self.print(ret)
