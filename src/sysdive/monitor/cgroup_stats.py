"""A cgroup's memory, CPU and block-I/O accounting, on cgroup v1 and v2 alike.

The layout is read once from ``/proc/self/mountinfo``: every v1 hierarchy with its
controllers, and the v2 (unified) mount. A controller mounted as v1 is read there (hybrid
hosts, such as Docker's cgroupfs driver on v1, mount ``memory`` as v1 and an empty unified
tree beside it); otherwise the unified tree answers.

Field meanings follow the kernel's documentation (``admin-guide/cgroup-v1/memory.rst`` and
``cgroup-v2.rst``). The working set is cAdvisor's: the charge minus inactive file pages,
floored at zero (``total_inactive_file`` on v1, ``inactive_file`` on v2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sysdive.monitor.model import CgroupStats
from sysdive.monitor.procfs import read_text

# v1 reports "no limit" as the largest page-aligned signed 64-bit value.
_UNLIMITED = 1 << 62


@dataclass(frozen=True, slots=True)
class CgroupLayout:
    """Where each controller is mounted: v1 mount points by controller, and the v2 root."""

    v1: dict[str, str]
    v2: str | None

    @property
    def memory_version(self) -> int:
        """1 when memory is a v1 controller here, else 2."""
        return 1 if "memory" in self.v1 else 2

    @classmethod
    def detect(cls, mountinfo_path: str = "/proc/self/mountinfo") -> CgroupLayout:
        """Read the mount table."""
        v1: dict[str, str] = {}
        v2: str | None = None
        for line in (read_text(mountinfo_path, 1 << 20) or "").splitlines():
            left, sep, right = line.partition(" - ")
            if not sep:
                continue
            fstype, _, rest = right.partition(" ")
            mount_point = left.split()[4].replace("\\040", " ")
            if fstype == "cgroup2":
                v2 = mount_point
            elif fstype == "cgroup":
                options = rest.split()[-1].split(",") if rest.split() else []
                for opt in options:
                    if opt in ("memory", "cpu", "cpuacct", "blkio", "pids") \
                            or opt.startswith("name="):
                        v1.setdefault(opt, mount_point)
        return cls(v1=v1, v2=v2)

    def dirs(self, cgroups: list[tuple[str, str]]) -> CgroupDirs:
        """The directories holding a process's memory, CPU and block-I/O accounting."""
        by_sub = dict(cgroups)
        unified = by_sub.get("")

        def place(controller: str) -> tuple[str, int] | None:
            if controller in self.v1 and controller in by_sub:
                return self.v1[controller] + by_sub[controller].rstrip("/"), 1
            if self.v2 is not None and unified is not None:
                return self.v2 + unified.rstrip("/"), 2
            return None

        return CgroupDirs(memory=place("memory"), cpu=place("cpuacct"), blkio=place("blkio"))


@dataclass(frozen=True, slots=True)
class CgroupDirs:
    """(directory, cgroup version) per controller, or None when absent."""

    memory: tuple[str, int] | None
    cpu: tuple[str, int] | None
    blkio: tuple[str, int] | None


Reader = Callable[[str], "str | None"]


def _kv(text: str | None) -> dict[str, int]:
    """``key value`` lines (memory.stat, memory.events, oom_control, cpu.stat)."""
    if not text:
        return {}
    words = text.split()
    try:
        return dict(zip(words[::2], map(int, words[1::2]), strict=True))
    except ValueError:   # an odd line: fall back to line by line
        out: dict[str, int] = {}
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if value.isdigit():
                out[key] = int(value)
        return out


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() else None


def _memory_v1(d: str, read: Reader, counters: bool) -> tuple[int, ...] | None:
    stat = _kv(read(d + "/memory.stat"))
    usage = _int(read(d + "/memory.usage_in_bytes"))
    if usage is None or not stat:
        return None
    # memory.stat carries the limit in force (the lowest along the path): one read less.
    limit = stat.get("hierarchical_memory_limit")
    if limit is None:
        limit = _int(read(d + "/memory.limit_in_bytes"))
    if counters:
        failcnt = _int(read(d + "/memory.failcnt")) or 0
        oom = _kv(read(d + "/memory.oom_control"))
    else:
        failcnt, oom = -1, {"oom_kill": -1}
    swap = stat.get("total_swap", -1)
    working = max(usage - stat.get("total_inactive_file", 0), 0)
    return (usage, working, stat.get("total_rss", 0), stat.get("total_cache", 0),
            stat.get("total_mapped_file", 0), swap,
            -1 if limit is None or limit >= _UNLIMITED else limit,
            failcnt, oom.get("oom_kill", 0), oom.get("oom_kill", 0))


def _memory_v2(d: str, read: Reader, counters: bool) -> tuple[int, ...] | None:
    stat = _kv(read(d + "/memory.stat"))
    usage = _int(read(d + "/memory.current"))
    if usage is None or not stat:
        return None
    limit = _int(read(d + "/memory.max"))   # "max" (no limit) parses as None
    events = _kv(read(d + "/memory.events")) if counters else \
        {"max": -1, "oom": -1, "oom_kill": -1}
    swap = _int(read(d + "/memory.swap.current"))
    working = max(usage - stat.get("inactive_file", 0), 0)
    return (usage, working, stat.get("anon", 0), stat.get("file", 0),
            stat.get("file_mapped", 0), -1 if swap is None else swap,
            -1 if limit is None else limit, events.get("max", 0),
            events.get("oom", 0), events.get("oom_kill", 0))


def _cpu(place: tuple[str, int] | None, read: Reader) -> float:
    if place is None:
        return 0.0
    d, version = place
    if version == 1:
        return (_int(read(d + "/cpuacct.usage")) or 0) / 1e9
    return _kv(read(d + "/cpu.stat")).get("usage_usec", 0) / 1e6


def _blkio(place: tuple[str, int] | None, read: Reader) -> tuple[int, int]:
    if place is None:
        return 0, 0
    d, version = place
    rd = wr = 0
    if version == 1:
        text = read(d + "/blkio.throttle.io_service_bytes_recursive") or ""
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 3:
                if parts[1] == "Read":
                    rd += int(parts[2])
                elif parts[1] == "Write":
                    wr += int(parts[2])
        return rd, wr
    for line in (read(d + "/io.stat") or "").splitlines():
        for item in line.split()[1:]:
            key, _, value = item.partition("=")
            if key == "rbytes":
                rd += int(value)
            elif key == "wbytes":
                wr += int(value)
    return rd, wr


def read_cgroup(dirs: CgroupDirs, read: Reader = read_text,
                previous: CgroupStats | None = None) -> CgroupStats | None:
    """The accounting of one cgroup now, or None when its memory cgroup is gone.

    With ``previous``, the slow counters (failcnt, OOM counters, block I/O) are carried over
    from it instead of being read: memory and CPU are read every round, those counters only
    on the rounds the caller chooses (they cost half the reads and change rarely)."""
    if dirs.memory is None:
        return None
    d, version = dirs.memory
    counters = previous is None
    mem = _memory_v1(d, read, counters) if version == 1 else _memory_v2(d, read, counters)
    if mem is None:
        return None
    usage, working, rss, cache, mapped, swap, limit, failcnt, oom_events, oom_kills = mem
    if previous is None:
        blk_read, blk_write = _blkio(dirs.blkio, read)
    else:
        failcnt, oom_events, oom_kills = (previous.failcnt, previous.oom_events,
                                          previous.oom_kills)
        blk_read, blk_write = previous.blk_read, previous.blk_write
    return CgroupStats(usage=usage, working_set=working, rss=rss, cache=cache,
                       mapped_file=mapped, swap=None if swap < 0 else swap,
                       limit=None if limit < 0 else limit, failcnt=failcnt,
                       oom_events=oom_events, oom_kills=oom_kills,
                       cpu_seconds=_cpu(dirs.cpu, read), blk_read=blk_read,
                       blk_write=blk_write)


def read_netdev(pid: int, proc: str = "/proc",
                read: Reader = read_text) -> tuple[int, int] | None:
    """Bytes received and sent on every interface but loopback of ``pid``'s network
    namespace."""
    text = read(f"{proc}/{pid}/net/dev")
    if text is None:
        return None
    rx = tx = 0
    for line in text.splitlines()[2:]:
        name, _, rest = line.partition(":")
        if name.strip() == "lo":
            continue
        cols = rest.split()
        if len(cols) >= 9:
            rx += int(cols[0])
            tx += int(cols[8])
    return rx, tx
