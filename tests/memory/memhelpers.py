"""Helpers shared by the memory tests (imported by module name, like tests/live/livehelpers):
the story's container image and the growth reference computed from sysdig 0.29.3's output."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest

CAPTURES = Path(__file__).resolve().parents[3] / "shared" / "captures"
LIBS = ("/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2")

Reference = list[tuple[int, int, dict[str, tuple[int, int]]]]


def story_image(build: Path, tmp: Path) -> str:
    """An image of busybox + the leaky server, its library and the C library it links
    against (made with ``docker import``); the caller removes it."""
    tar = tmp / "rootfs.tar"
    with tarfile.open(tar, "w") as out:
        out.add("/bin/busybox", "bin/busybox")
        out.add(build / "leakyserver", "app/leakyserver")
        out.add(build / "libleaky.so", "app/libleaky.so")
        for lib in LIBS:
            out.add(os.path.realpath(lib), lib.lstrip("/"))
    tag = f"sysdive-memtest-story-{uuid.uuid4().hex[:8]}:latest"
    subprocess.run(["docker", "import", str(tar), tag], check=True, capture_output=True)
    return tag


def growth_reference(path: Path, flt: str = "") -> Reference:
    """(pid, growth KiB, {event type: (net KiB, changes)}) per process, most growth first,
    computed from ``sysdig -r PATH -p "%proc.pid %evt.type %proc.vmrss %evt.dir" [FILTER]``:
    a process's first known (non-zero) vm_rss to its last, an execve exit starting it afresh,
    each change credited to the event type where it showed."""
    sysdig = shutil.which("sysdig")
    if sysdig is None:
        pytest.fail("sysdig 0.29.3 is needed for the reference (scripts/install.sh)")
    argv = [sysdig, "-r", str(path), "-p", "%proc.pid %evt.type %proc.vmrss %evt.dir"]
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
