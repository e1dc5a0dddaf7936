"""A process's executable mappings, with the files behind them kept open.

The files are opened at snapshot time through ``/proc/PID/map_files/START-END`` (the very
file the process mapped, even if it was replaced or deleted since, and inside a container's
mount namespace) or else ``/proc/PID/root/PATH`` (the path as the process sees it), and the
descriptors stay open, so a process that has exited by the time its stacks are symbolized can
still be symbolized.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field

__all__ = ["Mapping", "ProcessMaps", "snapshot_maps"]


@dataclass(frozen=True, slots=True)
class Mapping:
    """One executable file mapping of a process."""

    start: int
    end: int
    offset: int      # file offset of ``start``
    path: str        # as the process sees it
    key: tuple[int, int]  # (device, inode): identifies the file across processes


@dataclass(slots=True)
class ProcessMaps:
    """The executable mappings of one process, sorted by address."""

    pid: int
    mappings: list[Mapping] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def find(self, addr: int) -> Mapping | None:
        """The mapping holding ``addr``, or None."""
        k = bisect.bisect_right(self._starts, addr) - 1
        if k >= 0 and addr < self.mappings[k].end:
            return self.mappings[k]
        return None


class FileCache:
    """Open descriptors of mapped files by (device, inode), shared by every process."""

    def __init__(self) -> None:
        self.fds: dict[tuple[int, int], int] = {}
        self.paths: dict[tuple[int, int], str] = {}

    def open(self, pid: int, m: Mapping) -> None:
        if m.key in self.fds:
            return
        for candidate in (f"/proc/{pid}/map_files/{m.start:x}-{m.end:x}",
                          f"/proc/{pid}/root{m.path}"):
            try:
                self.fds[m.key] = os.open(candidate, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                continue
            self.paths[m.key] = m.path
            return

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()


def snapshot_maps(pid: int, files: FileCache) -> ProcessMaps | None:
    """Read ``/proc/PID/maps`` now and open every executable file mapping; None if gone."""
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    out = ProcessMaps(pid)
    for line in lines:
        parts = line.split(maxsplit=5)
        if len(parts) < 6 or "x" not in parts[1] or not parts[5].startswith("/"):
            continue  # anonymous, [vdso], [vsyscall] and non-code mappings
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        major, minor = (int(x, 16) for x in parts[3].split(":"))
        path = parts[5].removesuffix(" (deleted)")
        m = Mapping(lo, hi, int(parts[2], 16), path, (os.makedev(major, minor), int(parts[4])))
        files.open(pid, m)
        out.mappings.append(m)
    out.mappings.sort(key=lambda m: m.start)
    out._starts = [m.start for m in out.mappings]
    return out
