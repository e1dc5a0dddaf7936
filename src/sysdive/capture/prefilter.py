"""The live probe's in-kernel pre-filters, resolved from what a user writes into what the
probe compares (``--pid``, ``--comm``, ``--cgroup``, ``--container``, ``--syscalls``).

* processes: ``--pid`` names processes (a thread id counts as its process), which are traced
  with every process they start, including the ones already running (read from /proc here;
  the probe follows later forks itself). ``--comm`` adds threads by name, and their children.
* cgroups: a cgroup directory (``/sys/fs/cgroup/memory/docker/ID``) or a cgroup path as
  ``/proc/PID/cgroup`` writes it (``/docker/ID``), matched with everything below it. The probe
  compares kernfs node ids, which are the directories' inode numbers. On cgroup v1 one
  hierarchy is compared, chosen by its controller (memory first: docker and systemd make a
  cgroup there for every container and service); cgroup v2 (also the ``unified`` mount of a
  hybrid host) is compared through the task's default cgroup.
* syscalls: names as ``evt.type`` shows them, and named sets (``@file``, ``@net``, ``@proc``,
  ``@mem``, ``@state``). The syscalls that keep the state engine right (process creation and
  exec, fd creation and close, cwd and credentials: :data:`STATE_SYSCALLS`) are always added,
  as Falco's ``base_syscalls.repair`` does, so process and fd names survive any set.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from sysdive.capture.ebpf.loader import ProbeSettings
from sysdive.errors import CaptureError, UsageError
from sysdive.schema.syscalls import SYSCALL_NAMES, SYSCALL_NR_TO_SC

__all__ = ["CGROUP_CONTROLLERS", "NAMED_SETS", "STATE_SYSCALLS", "CgroupTarget", "Prefilter",
           "cgroup_of_pid", "descendants", "named", "resolve_cgroups", "resolve_syscalls",
           "suppressed_below", "syscall_numbers", "tgid_of"]

STATE_SYSCALLS: frozenset[str] = frozenset({
    # threads and processes: their creation, image, cwd and credentials
    "clone", "clone3", "fork", "vfork", "execve", "execveat", "chdir", "fchdir",
    "setuid", "setgid", "setresuid", "setresgid",
    # fds: created, duplicated, named, closed
    "open", "openat", "openat2", "creat", "close", "socket", "socketpair", "accept",
    "accept4", "connect", "bind", "dup", "dup2", "dup3", "pipe", "pipe2", "eventfd",
    "eventfd2", "fcntl",
})
"""Syscalls every ``--syscalls`` capture keeps: the ones the state parser builds threads and
fd tables from (procexit is not a syscall and is always traced)."""

NAMED_SETS: dict[str, frozenset[str]] = {
    "@file": frozenset({
        "open", "openat", "openat2", "creat", "close", "read", "write", "pread64", "pwrite64",
        "readv", "writev", "preadv", "pwritev", "lseek", "stat", "lstat", "fstat", "access",
        "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir",
        "sendfile"}),
    "@net": frozenset({
        "socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "sendto",
        "recvfrom", "sendmsg", "recvmsg", "shutdown", "getsockopt", "setsockopt"}),
    "@proc": frozenset({
        "clone", "clone3", "fork", "vfork", "execve", "execveat", "kill", "tkill", "tgkill",
        "setuid", "setgid", "setresuid", "setresgid", "prctl"}),
    "@mem": frozenset({"brk", "mmap", "munmap", "mprotect"}),
    "@state": STATE_SYSCALLS,
}

# v1 controllers in the order a cgroup path is looked for
CGROUP_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct", "cpuset", "blkio", "devices",
                      "freezer")
_CGROUP_ROOT = Path("/sys/fs/cgroup")


def _name_to_numbers() -> dict[str, frozenset[int]]:
    found: dict[str, set[int]] = {}
    for nr, sc in SYSCALL_NR_TO_SC.items():
        found.setdefault(SYSCALL_NAMES[sc], set()).add(nr)
    return {name: frozenset(nrs) for name, nrs in found.items()}


_NUMBERS = _name_to_numbers()


def syscall_numbers(names: Iterable[str]) -> frozenset[int]:
    """x86_64 syscall numbers of syscall names (UsageError for an unknown one)."""
    out: set[int] = set()
    for name in names:
        if name not in _NUMBERS:
            raise UsageError(f"--syscalls: unknown syscall {name!r} (names as evt.type shows "
                             f"them, or {', '.join(NAMED_SETS)})")
        out |= _NUMBERS[name]
    return frozenset(out)


def resolve_syscalls(items: Iterable[str]) -> frozenset[int]:
    """The syscall numbers traced for ``--syscalls`` items, the state set included."""
    names: set[str] = set(STATE_SYSCALLS)
    for item in items:
        if item.startswith("@"):
            if item not in NAMED_SETS:
                raise UsageError(f"--syscalls: unknown set {item!r} (sets: "
                                 f"{', '.join(NAMED_SETS)})")
            names |= NAMED_SETS[item]
        else:
            names.add(item)
    return syscall_numbers(names)


def tgid_of(pid: int, proc: Path = Path("/proc")) -> int:
    """The process (thread group) of a thread id; UsageError when there is none."""
    try:
        status = (proc / str(pid) / "status").read_text()
    except OSError:
        raise UsageError(f"--pid {pid}: no such process") from None
    for line in status.splitlines():
        if line.startswith("Tgid:"):
            return int(line.split()[1])
    raise UsageError(f"--pid {pid}: no such process")  # pragma: no cover - Tgid always there


def _parents(proc: Path) -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        try:
            stat = (proc / entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # the comm may hold spaces and parentheses: fields follow the last ')'
        out[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return out


def descendants(tgids: Iterable[int], proc: Path = Path("/proc")) -> frozenset[int]:
    """``tgids`` and every running process below them in the process tree."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents(proc).items():
        children.setdefault(ppid, []).append(pid)
    found = set(tgids)
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def named(comms: Iterable[str], proc: Path = Path("/proc")) -> set[int]:
    """The running processes whose (main thread's) comm is one of ``comms``."""
    names = set(comms)
    found = set()
    for entry in os.listdir(proc):
        if entry.isdigit():
            try:
                comm = (proc / entry / "comm").read_text().rstrip("\n")
            except OSError:
                continue   # gone meanwhile
            if comm in names:
                found.add(int(entry))
    return found


def suppressed_below(comms: Iterable[str], proc: Path = Path("/proc")) -> frozenset[int]:
    """The threads (tids) of every running process below one named by ``-U``: children
    forked before the probe's fork program ran, which it cannot have marked (libscap finds
    them in its scan of /proc the same way)."""
    roots = named(comms, proc)
    tids: set[int] = set()
    for pid in descendants(roots, proc) - roots:
        try:
            tids.update(int(t) for t in os.listdir(proc / str(pid) / "task") if t.isdigit())
        except OSError:
            continue   # gone meanwhile
    return frozenset(tids)


@dataclass(frozen=True, slots=True)
class _Mount:
    path: Path
    v2: bool
    controllers: tuple[str, ...]


def _cgroup_mounts(mountinfo: str) -> list[_Mount]:
    mounts = []
    for line in mountinfo.splitlines():
        head, _, tail = line.partition(" - ")
        fields, extra = head.split(), tail.split()
        if len(fields) < 5 or len(extra) < 3 or extra[0] not in ("cgroup", "cgroup2"):
            continue
        point = Path(fields[4].replace("\\040", " "))
        opts = tuple(o for o in extra[2].split(",") if o in CGROUP_CONTROLLERS
                     or o in ("net_cls", "net_prio", "perf_event", "hugetlb", "io", "rdma",
                              "misc"))
        mounts.append(_Mount(point, extra[0] == "cgroup2", opts))
    return mounts


def _subsys_ids(proc_cgroups: str) -> dict[str, int]:
    # /proc/cgroups lists every compiled-in controller in subsystem id order
    names = [ln.split()[0] for ln in proc_cgroups.splitlines() if ln and not ln.startswith("#")]
    return {name: k for k, name in enumerate(names)}


@dataclass(frozen=True, slots=True)
class CgroupTarget:
    """What the probe compares: the hierarchy (v1 subsystem id, or -1 for v2) and the
    kernfs ids of the cgroups, with the directories they were read from."""

    ssid: int
    ids: tuple[int, ...]
    directories: tuple[str, ...]


def _hierarchy_order(mounts: list[_Mount]) -> list[_Mount]:
    def rank(m: _Mount) -> int:
        for k, name in enumerate(CGROUP_CONTROLLERS):
            if name in m.controllers:
                return k
        return len(CGROUP_CONTROLLERS) + (0 if m.v2 else 1)
    return sorted((m for m in mounts if m.v2 or m.controllers), key=rank)


def _find_directory(path: str, mounts: list[_Mount]) -> tuple[Path, _Mount]:
    p = Path(path)
    if p.is_absolute():
        for m in sorted(mounts, key=lambda m: len(str(m.path)), reverse=True):
            if p == m.path or m.path in p.parents:
                if not p.is_dir():
                    raise UsageError(f"--cgroup {path}: no such cgroup directory")
                if not m.v2 and not m.controllers:
                    raise UsageError(f"--cgroup {path}: {m.path} has no controller (a named "
                                     "v1 hierarchy); give a path of a controller's hierarchy")
                return p, m
    rel = path.strip("/")
    for m in _hierarchy_order(mounts):
        candidate = m.path / rel
        if candidate.is_dir():
            return candidate, m
    raise UsageError(f"--cgroup {path}: no cgroup of that path (looked in "
                     f"{', '.join(str(m.path) for m in _hierarchy_order(mounts)) or 'no mount'})")


def resolve_cgroups(paths: Iterable[str], mountinfo: str | None = None,
                    proc_cgroups: str | None = None) -> CgroupTarget:
    """Turn ``--cgroup`` paths into the probe's hierarchy and kernfs ids."""
    if mountinfo is None:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    mounts = _cgroup_mounts(mountinfo)
    ssid: int | None = None
    ids: list[int] = []
    dirs: list[str] = []
    for path in paths:
        directory, mount = _find_directory(path, mounts)
        if mount.v2:
            this = -1
        else:
            if proc_cgroups is None:
                proc_cgroups = Path("/proc/cgroups").read_text()
            table = _subsys_ids(proc_cgroups)
            known = [table[c] for c in mount.controllers if c in table]
            if not known:
                raise CaptureError(f"cgroup controller(s) {','.join(mount.controllers)} of "
                                   f"{mount.path} are not in /proc/cgroups")
            this = known[0]
        if ssid is not None and this != ssid:
            raise UsageError("--cgroup/--container: every cgroup must be in one hierarchy "
                             f"({directory} is in another than {dirs[0]})")
        ssid = this
        ids.append(directory.stat().st_ino)
        dirs.append(str(directory))
    return CgroupTarget(-1 if ssid is None else ssid, tuple(ids), tuple(dirs))


def cgroup_of_pid(pid: int, proc: Path = Path("/proc"), mountinfo: str | None = None) -> str:
    """The cgroup directory of a process in the hierarchy :func:`resolve_cgroups` would use
    for a relative path (a container's cgroup, from one of its processes)."""
    if mountinfo is None:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    try:
        text = (proc / str(pid) / "cgroup").read_text()
    except OSError:
        raise UsageError(f"process {pid} is gone") from None
    by_controller: dict[str, str] = {}
    v2 = None
    for line in text.splitlines():
        _num, controllers, path = line.split(":", 2)
        if not controllers:
            v2 = path
        for c in controllers.split(","):
            by_controller[c] = path
    for m in _hierarchy_order(_cgroup_mounts(mountinfo)):
        found = v2 if m.v2 else next((by_controller[c] for c in m.controllers
                                      if c in by_controller), None)
        if found is not None and (m.path / found.strip("/")).is_dir():
            return str(m.path / found.strip("/"))
    raise UsageError(f"cannot find the cgroup directory of process {pid}")


@dataclass(frozen=True, slots=True)
class Prefilter:
    """The pre-filters of one capture, as given (see the module docstring)."""

    pids: tuple[int, ...] = ()
    comms: tuple[str, ...] = ()
    cgroups: tuple[str, ...] = ()
    syscalls: tuple[str, ...] = ()

    def apply(self, settings: ProbeSettings) -> ProbeSettings:
        """``settings`` with these pre-filters (UsageError if one cannot be resolved)."""
        if self.pids or self.comms:
            settings = replace(settings, select_procs=True,
                               select_tgids=tuple(sorted({tgid_of(p) for p in self.pids})),
                               select_comms=self.comms)
        if self.cgroups:
            target = resolve_cgroups(self.cgroups)
            settings = replace(settings, cgroup_ssid=target.ssid, cgroup_ids=target.ids)
        if self.syscalls:
            settings = replace(settings, syscalls=resolve_syscalls(self.syscalls))
        return settings

    def running(self, settings: ProbeSettings, proc: Path = Path("/proc")) -> frozenset[int]:
        """The processes selected now: the selected tgids, the processes with a thread named
        by ``--comm``, and every process below them."""
        roots = set(settings.select_tgids)
        if self.comms:
            roots |= named(self.comms, proc)
        return descendants(roots, proc)
