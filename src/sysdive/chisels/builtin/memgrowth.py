"""memgrowth: which processes and containers grew in resident memory, and which system calls
grew them (a sysdive chisel; sysdig 0.29.3 has none like it). The computation is
:mod:`sysdive.memory.growth`; this module only shows it."""

from __future__ import annotations

import json

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.output import parse_number
from sysdive.event import Event
from sysdive.memory.growth import ContainerGrowth, GrowthTracker, ProcessGrowth

DEFAULT_TOP = 10


def _kb(n: int) -> str:
    return f"{n:+d}" if n else "0"


def _grew_by(g: ProcessGrowth) -> str:
    parts = [f"{etype} {_kb(kb)} ({n})" for etype, kb, n in g.by_event[:3]]
    return ", ".join(parts) or "-"


class MemGrowth(Chisel):
    name = "memgrowth"
    short_description = "Resident memory growth by process and container"
    # sysdive-only chisels get categories sysdig 0.29.3 has none of (tests/chisels checks)
    category = "Memory"
    description = (
        "Ranks processes and containers by how much their resident memory (proc.vmrss, as "
        "the kernel reports it on brk, mmap, munmap, execve, clone and switch events) grew "
        "during the capture, and names the system calls at which it moved. A process's "
        "growth is its last value minus its first (an execve starts it afresh); a "
        "container's is the peak of its live processes' summed growth. With a limit in MiB "
        "the time each growing process needs to reach it at its current rate is shown.")
    args = (
        Arg("top", "how many processes and containers to show (default 10)", "int",
            optional=True),
        Arg("limit_mb", "a memory limit in MiB to project the time to", "int", optional=True),
    )

    top = DEFAULT_TOP
    limit_kb: int | None = None

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "top":
            self.top = max(int(parse_number(value, name)), 1)
        elif name == "limit_mb":
            self.limit_kb = int(parse_number(value, name)) * 1024

    def on_init(self) -> None:
        self.tracker = GrowthTracker(self.ctx.registry)

    def on_event(self, evt: Event) -> bool | None:
        self.tracker.on_event(evt)
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        procs = self.tracker.processes()[:self.top]
        conts = self.tracker.containers()[:self.top]
        if self.ctx.output_format == "json":
            self.out.write(json.dumps(self._json(procs, conts), sort_keys=True) + "\n")
            return
        w = self.out.write
        w("Processes by resident memory growth (KiB)\n")
        w(f"{'PID':>8} {'Growth':>9} {'First':>9} {'Last':>9} {'Peak':>9} {'KiB/s':>9} "
          f"{'To limit':>9} {'Container':<24} {'Process':<16} Grew at\n")
        for g in procs:
            eta = g.seconds_to(self.limit_kb) if self.limit_kb is not None else None
            w(f"{g.pid:>8} {_kb(g.growth_kb):>9} {g.first_kb:>9} {g.last_kb:>9} "
              f"{g.peak_kb:>9} {g.rate_kb_s:>9.0f} "
              f"{(f'{eta:.0f} s' if eta is not None else '-'):>9} "
              f"{g.container_name[:24]:<24} {g.name[:16]:<16} {_grew_by(g)}\n")
        w("\nContainers by resident memory growth (KiB)\n")
        w(f"{'Growth':>9} {'At end':>9} {'Container':<24} {'Id':<12} Top process\n")
        for c in conts:
            top = c.processes[0] if c.processes else None
            w(f"{_kb(c.growth_kb):>9} {_kb(c.final_growth_kb):>9} {c.name[:24]:<24} "
              f"{c.container_id[:12]:<12} "
              f"{f'{top.name} ({top.pid})' if top is not None else '-'}\n")

    def _json(self, procs: list[ProcessGrowth],
              conts: list[ContainerGrowth]) -> dict[str, object]:
        return {
            "processes": [{
                "pid": g.pid, "name": g.name, "container.id": g.container_id,
                "container.name": g.container_name, "growth_kb": g.growth_kb,
                "first_kb": g.first_kb, "last_kb": g.last_kb, "peak_kb": g.peak_kb,
                "rate_kb_s": round(g.rate_kb_s, 1),
                "seconds_to_limit": (g.seconds_to(self.limit_kb)
                                     if self.limit_kb is not None else None),
                "grew_at": [{"evt.type": t, "kb": kb, "changes": n} for t, kb, n in g.by_event],
            } for g in procs],
            "containers": [{
                "container.id": c.container_id, "container.name": c.name,
                "growth_kb": c.growth_kb, "final_growth_kb": c.final_growth_kb,
                "pids": [g.pid for g in c.processes],
            } for c in conts],
        }
