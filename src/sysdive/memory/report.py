"""Render an :class:`~sysdive.memory.stacks.AllocReport`: text for a terminal, JSON for tools,
and a flame graph (:mod:`sysdive.memory.flamegraph`) for people."""

from __future__ import annotations

import json

from sysdive.memory.stacks import AllocReport, AllocStack

__all__ = ["human_bytes", "report_json", "report_text"]


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _syscalls(s: AllocStack) -> str:
    return ", ".join(f"{name} {human_bytes(b)} in {c}" for name, b, c in s.by_syscall)


def report_text(report: AllocReport, top: int = 10) -> str:
    """The top stacks, most bytes first, each innermost frame first."""
    lines = [f"Allocation stacks of {report.target} over {report.seconds:.1f} s: "
             f"{report.total_count} heap-growing calls, {human_bytes(report.total_bytes)}"]
    lines.append(f"(records lost {report.lost}, stacks not copied {report.copy_failures}, "
                 f"calls of processes not symbolized {report.unresolved})")
    for k, s in enumerate(report.stacks[:top], 1):
        share = 100.0 * s.bytes / report.total_bytes if report.total_bytes else 0.0
        site = s.site
        lines.append("")
        lines.append(f"#{k}  {human_bytes(s.bytes)} in {s.count} calls ({share:.1f} %): "
                     f"{_syscalls(s)}; pids {', '.join(map(str, s.pids[:8]))}"
                     + (" ..." if len(s.pids) > 8 else ""))
        lines.append(f"    allocating code: {site if site else '??'}")
        lines.extend(f"      {f}" for f in s.frames)
    if not report.stacks:
        lines.append("")
        lines.append("no heap-growing brk or anonymous mmap calls were seen")
    return "\n".join(lines) + "\n"


def report_dict(report: AllocReport, top: int | None = None) -> dict[str, object]:
    """The report as plain data (what -j prints)."""
    stacks = report.stacks if top is None else report.stacks[:top]
    return {
        "target": report.target,
        "seconds": round(report.seconds, 3),
        "total_bytes": report.total_bytes,
        "total_count": report.total_count,
        "lost": report.lost,
        "copy_failures": report.copy_failures,
        "unresolved": report.unresolved,
        "stacks": [{
            "bytes": s.bytes,
            "count": s.count,
            "site": ({"function": s.site.function, "module": s.site.module}
                     if s.site else None),
            "by_syscall": {name: {"bytes": b, "count": c} for name, b, c in s.by_syscall},
            "pids": list(s.pids),
            "frames": [{"function": f.function, "module": f.module} for f in s.frames],
        } for s in stacks],
    }


def report_json(report: AllocReport, top: int | None = None) -> str:
    """One JSON object, keys sorted, on one line."""
    return json.dumps(report_dict(report, top), sort_keys=True) + "\n"
