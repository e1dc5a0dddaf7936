"""What around, spy_logs and spy_syslog share: remember the events they show, then ask for
a second run that writes every event of the same thread within a time range of them."""

from __future__ import annotations

from sysdive.chisels.api import Chisel
from sysdive.chisels.output import lua_str


def dump_run_args(chisel: Chisel, dump_file: str, range_ms: str,
                  marks: list[tuple[int, object]]) -> str:
    """sysdig's second-run command line: ``-F -r SOURCE -w FILE`` and a filter that keeps
    the events of each mark's thread around its time (``evt.around``)."""
    terms = [f"(evt.around[{ts // 1_000_000_000}{ts % 1_000_000_000:09d}]={range_ms} and "
             f"thread.tid={lua_str(tid)})" for ts, tid in marks]
    return f"-F -r{chisel.ctx.evtsource_name} -w{dump_file} " + " or ".join(terms)
