"""OOM kills as the kernel reports them, read from ``/dev/kmsg``.

The memory cgroup OOM killer prints two records per victim (``mm/oom_kill.c``)::

    oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/docker/ID,task_memcg=/docker/ID,task=sh,pid=4242,uid=0
    Memory cgroup out of memory: Killed process 4242 (sh) total-vm:..., anon-rss:65024kB, ...

The first names the cgroup of the victim (hence its container, even after the container is
removed: the id is in the path), the second its name and memory at the time of the kill.
A global OOM prints ``Out of memory: Killed process ...`` instead. Each record of
``/dev/kmsg`` carries a sequence number; the agent keeps the last one it handled (with the
boot id) so a restarted agent neither repeats nor misses kills.
"""

from __future__ import annotations

import errno
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_OOM_KILL = re.compile(r"oom-kill:(?P<kv>.*)")
_KILLED = re.compile(r"(?P<scope>Memory cgroup out of memory|Out of memory(?: \(oom_kill_"
                     r"allocating_task\))?): Killed process (?P<pid>\d+) \((?P<comm>.*?)\)"
                     r"(?P<rest>.*)")
_SIZES = re.compile(r"(total-vm|anon-rss|file-rss|shmem-rss):(\d+)kB")


@dataclass(frozen=True, slots=True)
class KernelLogOomKill:
    """One process killed by the OOM killer."""

    seq: int               # /dev/kmsg sequence number of the "Killed process" record
    ts: float              # wall-clock time (converted from the kernel's monotonic stamp)
    pid: int
    comm: str
    memcg: str             # cgroup of the victim ("" when the kernel did not say)
    constraint: str        # CONSTRAINT_MEMCG for a cgroup limit, CONSTRAINT_NONE globally
    anon_rss: int          # bytes
    file_rss: int
    shmem_rss: int
    total_vm: int


@dataclass(frozen=True, slots=True)
class KmsgRecord:
    """One ``/dev/kmsg`` record."""

    seq: int
    usec: int
    message: str


def parse_record(raw: str) -> KmsgRecord | None:
    """``prio,seq,usec,flags[,...];message`` (continuation lines are ignored)."""
    head, sep, message = raw.partition(";")
    if not sep:
        return None
    parts = head.split(",")
    if len(parts) < 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return KmsgRecord(int(parts[1]), int(parts[2]), message.split("\n", 1)[0])


class OomParser:
    """Joins the two records of each kill."""

    def __init__(self) -> None:
        self._pending: dict[str, str] = {}

    def feed(self, rec: KmsgRecord, wall_offset: float) -> KernelLogOomKill | None:
        """Consume a record; return a kill when its ``Killed process`` record arrives."""
        m = _OOM_KILL.match(rec.message)
        if m:
            pending: dict[str, str] = {}
            for item in m.group("kv").split(","):
                key, _, value = item.partition("=")
                pending[key] = value
            self._pending = pending
            return None
        m = _KILLED.match(rec.message)
        if not m:
            return None
        pid = int(m.group("pid"))
        info = self._pending if self._pending.get("pid") == str(pid) else {}
        self._pending = {}
        sizes = {k: int(v) * 1024 for k, v in _SIZES.findall(m.group("rest"))}
        constraint = info.get("constraint") or (
            "CONSTRAINT_MEMCG" if m.group("scope").startswith("Memory cgroup") else "")
        return KernelLogOomKill(seq=rec.seq, ts=wall_offset + rec.usec / 1e6, pid=pid,
                       comm=m.group("comm"), memcg=info.get("task_memcg", ""),
                       constraint=constraint, anon_rss=sizes.get("anon-rss", 0),
                       file_rss=sizes.get("file-rss", 0),
                       shmem_rss=sizes.get("shmem-rss", 0),
                       total_vm=sizes.get("total-vm", 0))


def boot_id() -> str:
    """This boot's id (so sequence numbers from an earlier boot are not trusted)."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return ""


class KmsgWatcher:
    """Reads ``/dev/kmsg`` in a daemon thread and calls ``on_kill`` for every OOM kill.

    ``after_seq`` resumes after a record already handled (same boot); None starts at the end
    of the buffer, so kills from before the agent's first start are not reported.
    """

    def __init__(self, on_kill: Callable[[KernelLogOomKill], None], after_seq: int | None = None,
                 path: str = "/dev/kmsg") -> None:
        self._on_kill = on_kill
        self._after = after_seq
        self._path = path
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def start(self) -> bool:
        """Open the device and start reading; False (with :attr:`error`) if unreadable."""
        try:
            fd = os.open(self._path, os.O_RDONLY)
        except OSError as err:
            self.error = f"cannot read {self._path}: {err.strerror}"
            return False
        if self._after is None:
            os.lseek(fd, 0, os.SEEK_END)
        self._thread = threading.Thread(target=self._run, args=(fd,), daemon=True,
                                        name="kmsg")
        self._thread.start()
        return True

    def _run(self, fd: int) -> None:
        parser = OomParser()
        while True:
            try:
                raw = os.read(fd, 8192)
            except OSError as err:
                if err.errno == errno.EPIPE:   # records overwritten before we read them
                    continue
                if err.errno == errno.EINTR:
                    continue
                self.error = f"reading kmsg: {err.strerror}"
                return
            if not raw:
                time.sleep(0.5)
                continue
            rec = parse_record(raw.decode("utf-8", "replace"))
            if rec is None or (self._after is not None and rec.seq <= self._after):
                continue
            kill = parser.feed(rec, time.time() - time.monotonic())
            if kill is not None:
                self._on_kill(kill)
