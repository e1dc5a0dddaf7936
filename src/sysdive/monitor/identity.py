"""Which container a process belongs to (TEMPORARY until sysdive.containers lands in main).

This stand-in recognises docker's cgroupfs and systemd layouts only; it is replaced by
``sysdive.containers.cgroups.match_cgroups`` when the container issue is merged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    """A container as its cgroups tell it."""

    runtime: str
    cid: str


_HEX = frozenset("0123456789abcdef")


def parse_cgroups(text: str) -> list[tuple[str, str]]:
    """``/proc/PID/cgroup`` as (subsystem, path) pairs."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            out.extend((s, parts[2]) for s in (parts[1].split(",") if parts[1] else [""]))
    return out


def identify(cgroups: list[tuple[str, str]]) -> Identity | None:
    """The container of a process with these cgroups, or None for the host."""
    for _, path in cgroups:
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if last.startswith("docker-") and last.endswith(".scope"):
            last = last[7:-6]
        if len(last) == 64 and set(last) <= _HEX:
            return Identity("docker", last[:12])
    return None
