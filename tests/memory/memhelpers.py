"""Helpers shared by the memory tests (imported by module name, like tests/live/livehelpers):
the story's container image and the growth reference computed from sysdig 0.29.3's output."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from support import busybox_image, find_sysdig

LIBS = ("/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2")

Reference = list[tuple[int, int, dict[str, tuple[int, int]]]]


def story_image(build: Path, tmp: Path) -> str:
    """An image of busybox + the leaky server, its library and the C library it links
    against (made with ``docker import``); the caller removes it."""
    files = {"app/leakyserver": build / "leakyserver", "app/libleaky.so": build / "libleaky.so",
             **{lib.lstrip("/"): os.path.realpath(lib) for lib in LIBS}}
    return busybox_image(f"sysdive-memtest-story-{uuid.uuid4().hex[:8]}:latest", tmp,
                         files=files)


def growth_reference(path: Path, flt: str = "") -> Reference:
    """(pid, growth KiB, {event type: (net KiB, changes)}) per process, most growth first,
    computed from ``sysdig -r PATH -p "%proc.pid %evt.type %proc.vmrss %evt.dir" [FILTER]``:
    a process's first known (non-zero) vm_rss to its last, an execve exit starting it afresh,
    each change credited to the event type where it showed."""
    argv = [find_sysdig(), "-r", str(path), "-p", "%proc.pid %evt.type %proc.vmrss %evt.dir"]
    out = subprocess.run(argv + ([flt] if flt else []), capture_output=True, text=True,
                         check=True).stdout
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    moves: dict[int, dict[str, list[int]]] = {}
    for line in out.splitlines():
        pid_s, etype, rss_s, direction = line.split(" ")
        if etype == "execve" and direction == "<" and pid_s.isdigit():
            first.pop(int(pid_s), None)  # a new program: its growth starts here
        if not rss_s.isdigit() or int(rss_s) == 0 or not pid_s.isdigit():
            continue
        pid, rss = int(pid_s), int(rss_s)
        if pid not in first:
            first[pid] = last[pid] = rss
            moves[pid] = {}
            continue
        if rss != last[pid]:
            m = moves[pid].setdefault(etype, [0, 0])
            m[0] += rss - last[pid]
            m[1] += 1
            last[pid] = rss
    ranked = sorted(first, key=lambda p: (-(last[p] - first[p]), p))
    return [(p, last[p] - first[p], {k: (v[0], v[1]) for k, v in moves[p].items()})
            for p in ranked]
