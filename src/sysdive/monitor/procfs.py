"""Host memory and CPU, and the process list, read from ``/proc``.

The sampler reads a few hundred small files every second, so reads go through
:func:`read_text` (one ``os.open``/``os.read``, no buffered file object) and each process
costs one read of ``/proc/PID/stat`` per round; its cgroups are read once per process
lifetime (keyed by pid and start time, so a reused pid is read again).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sysdive.monitor.model import HostSample

_PAGE = os.sysconf("SC_PAGE_SIZE")
_HZ = os.sysconf("SC_CLK_TCK")


def read_text(path: str, limit: int = 65536) -> str | None:
    """The contents of a small kernel file, or None if it is gone or unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, limit).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


class KernelFiles:
    """Reads kernel files through descriptors kept open between rounds.

    ``/proc`` and cgroup files are generated on each read from offset 0, so a kept
    descriptor read with ``pread`` sees fresh values and saves the path lookup, open and
    close of every file every round (about a third of the sampler's cost). A file not read
    during a round is closed by :meth:`sweep`; a process or cgroup that went away makes its
    read fail (ESRCH, ENODEV), which closes it at once. At most ``budget`` descriptors are
    kept; beyond that files are opened and closed as usual.
    """

    def __init__(self, budget: int = 4096) -> None:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < budget + 256 and hard != soft:
            want = budget + 256 if hard == resource.RLIM_INFINITY else min(hard, budget + 256)
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
                soft = want
            except (ValueError, OSError):
                pass
        limit = soft if soft != resource.RLIM_INFINITY else budget + 256
        self._budget = max(min(budget, limit - 256), 0)
        self._fds: dict[str, int] = {}
        self._used: set[str] = set()

    def read(self, path: str, limit: int = 65536) -> str | None:
        """The contents of ``path`` now, or None if it is gone or unreadable."""
        fd = self._fds.get(path)
        if fd is None:
            if len(self._fds) >= self._budget:
                return read_text(path, limit)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                return None
            self._fds[path] = fd
        self._used.add(path)
        try:
            return os.pread(fd, limit, 0).decode("utf-8", "replace")
        except OSError:
            del self._fds[path]
            os.close(fd)
            return None

    def sweep(self) -> None:
        """Close the files not read since the last sweep."""
        for path in [p for p in self._fds if p not in self._used]:
            os.close(self._fds.pop(path))
        self._used = set()

    def close(self) -> None:
        """Close every kept descriptor."""
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()


def parse_meminfo(text: str) -> dict[str, int]:
    """``/proc/meminfo`` as bytes by key."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts:
            value = int(parts[0])
            out[key] = value * 1024 if len(parts) > 1 else value
    return out


def read_host(proc: str = "/proc", read: Callable[[str], str | None] = read_text) \
        -> HostSample:
    """Host memory and busy CPU time now."""
    mem = parse_meminfo(read(f"{proc}/meminfo") or "")
    total = mem.get("MemTotal", 0)
    available = mem.get("MemAvailable", mem.get("MemFree", 0))
    stat = read(f"{proc}/stat") or ""
    busy = 0.0
    cpus = 0
    for line in stat.splitlines():
        if line.startswith("cpu "):
            ticks = [int(x) for x in line.split()[1:]]
            # user nice system idle iowait irq softirq steal (guest is inside user)
            idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
            busy = (sum(ticks[:8]) - idle) / _HZ
        elif line.startswith("cpu"):
            cpus += 1
        elif cpus:
            break
    return HostSample(
        mem_total=total, mem_used=max(total - available, 0), mem_available=available,
        mem_free=mem.get("MemFree", 0), buffers=mem.get("Buffers", 0),
        cached=mem.get("Cached", 0), swap_total=mem.get("SwapTotal", 0),
        swap_used=max(mem.get("SwapTotal", 0) - mem.get("SwapFree", 0), 0),
        cpu_seconds=busy, cpu_count=max(cpus, 1))


@dataclass(frozen=True, slots=True)
class ProcStat:
    """The parts of ``/proc/PID/stat`` the monitor uses."""

    pid: int
    comm: str
    rss: int
    cpu_seconds: float
    start_ticks: int
    kernel: bool            # a kernel thread (PF_KTHREAD): no memory of its own


_PF_KTHREAD = 0x00200000


def parse_stat(pid: int, text: str) -> ProcStat | None:
    """Parse ``/proc/PID/stat``; the name may hold spaces and parentheses, so split at the
    last ``)``."""
    lpar = text.find("(")
    rpar = text.rfind(")")
    if lpar < 0 or rpar < 0:
        return None
    fields = text[rpar + 2:].split(None, 22)   # nothing past rss is needed
    if len(fields) < 22:
        return None
    # fields[0] is field 3 (state): flags=9, utime=14, stime=15, starttime=22, rss=24.
    return ProcStat(pid=pid, comm=text[lpar + 1:rpar],
                    rss=int(fields[21]) * _PAGE,
                    cpu_seconds=(int(fields[11]) + int(fields[12])) / _HZ,
                    start_ticks=int(fields[19]),
                    kernel=bool(int(fields[6]) & _PF_KTHREAD))


def iter_pids(proc: str = "/proc") -> Iterator[int]:
    """Every process id (thread groups only) present now."""
    try:
        names = os.listdir(proc)
    except OSError:
        return
    for name in names:
        if name.isdigit():
            yield int(name)
