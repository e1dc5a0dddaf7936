"""Which container a process runs in, judged from its cgroup paths alone.

sysdig 0.29.3 (libsinsp ``container_engine/*`` at libs e5c53d64) asks one engine after the
other, in a fixed order, and the first engine that recognises *any* of the thread's cgroups
wins: podman, docker, CRI (containerd / CRI-O), lxc, libvirt-lxc, mesos, rkt, bpm. This
module reproduces that decision as a pure function of the ``(subsystem, path)`` pairs, so
the state engine (capture replay and live), the monitor and tests share one answer.

runc-based runtimes put a 64-hex-digit id between a prefix and a suffix; libsinsp searches
the *last* occurrence of each and reports the first 12 digits. Its hex check has a quirk we
keep on purpose: the first non-hex character is searched from the id on but its position is
compared with 64 as if the id started the path, so long paths accept ids sysdig accepts.

rkt (needs the process root and the parents' environment) is not decided here; mesos needs
the task id from the environment, passed in by the caller. systemd-nspawn machines are not
containers to sysdig 0.29.3; ``nspawn=True`` recognises them as an extension (type custom).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from pathlib import Path

from sysdive.records import record

__all__ = ["ContainerMatch", "ContainerType", "container_of_pid", "iter_matches",
           "match_cgroup_path", "match_cgroups", "parse_proc_cgroup"]


class ContainerType(enum.IntEnum):
    """``sinsp_container_type`` values (the ``type`` of the container JSON event)."""

    DOCKER = 0
    LXC = 1
    LIBVIRT_LXC = 2
    MESOS = 3
    RKT = 4
    CUSTOM = 5
    CRI = 6
    CONTAINERD = 7
    CRIO = 8
    BPM = 9
    STATIC = 10
    PODMAN = 11


@record
class ContainerMatch:
    """A thread's container as its cgroups tell it: the engine that claimed it and the id."""

    type: ContainerType
    id: str


_ID_LEN = 64
_SHORT_ID_LEN = 12
_HEX = frozenset("0123456789abcdefABCDEF")

# (prefix, suffix) around the 64-digit id; an empty suffix means "up to the end".
_PODMAN_LAYOUT = (("/libpod-", ".scope"),)
_DOCKER_LAYOUT = (("/", ""), ("/docker-", ".scope"))
_CRI_LAYOUT = (("/", ""), ("/crio-", ""), ("/cri-containerd-", ".scope"), ("/crio-", ".scope"),
               (":cri-containerd:", ""))
_BPM_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
_MESOS_CHARS = _HEX | {"-"}


def _match_runc_id(path: str, prefix: str, suffix: str) -> str | None:
    """``runc::match_one_container_id``: the short id if ``path`` holds prefix+id+suffix."""
    start = path.rfind(prefix)
    if start < 0:
        return None
    start += len(prefix)
    end = path.rfind(suffix) if suffix else len(path)
    if end < 0 or end - start != _ID_LEN:
        return None
    # libsinsp compares the absolute position of the first non-hex character with 64.
    for pos in range(start, min(len(path), _ID_LEN)):
        if path[pos] not in _HEX:
            return None
    return path[start:start + _SHORT_ID_LEN]


def _runc(paths: list[str], layout: tuple[tuple[str, str], ...]) -> str | None:
    for path in paths:
        for prefix, suffix in layout:
            cid = _match_runc_id(path, prefix, suffix)
            if cid is not None:
                return cid
    return None


def _podman(cgroups: list[tuple[str, str]]) -> str | None:
    cid = _runc([p for _, p in cgroups], _PODMAN_LAYOUT)
    if cid is not None:
        return cid
    # Rootless podman: .../podman-<pid>.scope/<64 hex> in the name=systemd hierarchy.
    # (libsinsp also reads /proc/PID/uid_map to refuse uid 0; live callers may do so.)
    systemd = next((p for s, p in cgroups if s == "name=systemd"), "")
    pos = systemd.find("podman-")
    if pos < 0:
        return None
    rest = systemd[pos + 7:]
    digits = len(rest) - len(rest.lstrip("0123456789"))
    if digits == 0 or not rest[digits:].startswith(".scope/") or len(rest) <= digits + 7:
        return None
    return _match_runc_id(systemd, ".scope/", "")


def _lxc(paths: list[str]) -> str | None:
    for path in paths:
        for marker in ("/lxc/", "/lxc.payload/"):
            pos = path.find(marker)
            if pos >= 0:
                start = pos + len(marker)
                end = path.find("/", start)
                return path[start:] if end < 0 else path[start:end]
    return None


def _libvirt_lxc(paths: list[str]) -> str | None:
    for path in paths:
        pos = path.find(".libvirt-lxc")
        if pos >= 0 and pos == len(path) - len(".libvirt-lxc"):
            slash = path.rfind("/")
            if slash >= 0:
                return path[slash + 1:pos]
        pos = path.find("-lxc\\x2")
        if pos >= 0:
            end = path.find(".scope")
            if end >= 0 and end == len(path) - len(".scope"):
                # libsinsp skips "-lxc\x2d" (one character more than it searched for).
                start = pos + 8
                return path[start:end] if end >= start else path[start:]
        pos = path.find("/libvirt/lxc/")
        if pos >= 0:
            return path[pos + len("/libvirt/lxc/"):]
    return None


def _mesos(paths: list[str], task_id: str) -> str | None:
    for path in paths:
        pos = path.find("/mesos/")
        if pos < 0:
            continue
        cid = path[pos + len("/mesos/"):]
        if len(cid) == 36 and all(c in _MESOS_CHARS for c in cid):
            # libsinsp stops at the first such cgroup; it only counts with a task id that
            # looks real (3+ characters with a dot or an underscore).
            ok = len(task_id) >= 3 and ("." in task_id or "_" in task_id)
            return cid if ok else None
    return None


def _bpm(paths: list[str]) -> str | None:
    for path in paths:
        pos = path.find("bpm-")
        if pos < 0:
            continue
        start = pos + 4
        end = path.find(".scope", start)
        cid = path[start:] if end < 0 else path[start:end]
        if cid and all(c in _BPM_CHARS for c in cid):
            return cid
    return None


def _nspawn(paths: list[str]) -> str | None:
    # systemd-nspawn registers machines as /machine.slice/machine-<name>.scope; libvirt's
    # "machine-lxc\x2d..." and "machine-qemu..." units are not nspawn containers.
    for path in paths:
        pos = path.find("/machine.slice/machine-")
        if pos < 0:
            continue
        start = pos + len("/machine.slice/machine-")
        end = path.find(".scope", start)
        name = path[start:end] if end >= 0 else ""
        if name and not name.startswith(("lxc\\x2d", "qemu")):
            return name.replace("\\x2d", "-")
    return None


def iter_matches(cgroups: Iterable[tuple[str, str]], *, mesos_task_id: str = "",
                 nspawn: bool = False) -> Iterator[ContainerMatch]:
    """Every engine's claim on a thread with these ``(subsys, path)`` cgroups, in libsinsp's
    order of asking (at most one claim per engine).

    sysdig moves on to the next engine when an engine's claim leads nowhere (docker or
    podman metadata whose lookup failed, a CRI id without a CRI socket); the state engine
    needs the whole sequence to follow it. Most callers want :func:`match_cgroups`.
    """
    pairs = list(cgroups)
    paths = [p for _, p in pairs]
    cid = _podman(pairs)
    if cid is not None:
        yield ContainerMatch(ContainerType.PODMAN, cid)
    cid = _runc(paths, _DOCKER_LAYOUT)
    if cid is not None:
        yield ContainerMatch(ContainerType.DOCKER, cid)
    cid = _runc(paths, _CRI_LAYOUT)
    if cid is not None:
        yield ContainerMatch(ContainerType.CRI, cid)
    for kind, found in ((ContainerType.LXC, _lxc), (ContainerType.LIBVIRT_LXC, _libvirt_lxc)):
        cid = found(paths)
        if cid is not None:
            yield ContainerMatch(kind, cid)
    cid = _mesos(paths, mesos_task_id)
    if cid is not None:
        yield ContainerMatch(ContainerType.MESOS, cid)
    cid = _bpm(paths)
    if cid is not None:
        yield ContainerMatch(ContainerType.BPM, cid)
    if nspawn:
        cid = _nspawn(paths)
        if cid is not None:
            yield ContainerMatch(ContainerType.CUSTOM, cid)


def match_cgroups(cgroups: Iterable[tuple[str, str]], *, mesos_task_id: str = "",
                  nspawn: bool = False) -> ContainerMatch | None:
    """The container sysdig 0.29.3 assigns to a thread with these ``(subsys, path)`` cgroups.

    None for host threads. The engines are asked in libsinsp's order and each looks at all
    cgroups before the next engine is asked. A docker-style ``/<64 hex>`` path is claimed by
    the docker engine even under containerd or CRI-O, exactly as in sysdig; only the CRI
    specific layouts (``/crio-``, ``/cri-containerd-``, ``:cri-containerd:``) yield
    ``ContainerType.CRI``.
    """
    return next(iter_matches(cgroups, mesos_task_id=mesos_task_id, nspawn=nspawn), None)


def match_cgroup_path(path: str, *, nspawn: bool = False) -> ContainerMatch | None:
    """:func:`match_cgroups` for a single cgroup path (e.g. a cgroup v2 unified path)."""
    return match_cgroups([("", path)], nspawn=nspawn)


def parse_proc_cgroup(text: str) -> list[tuple[str, str]]:
    """``(subsystem, path)`` pairs from the text of ``/proc/PID/cgroup`` (v1 and v2).

    A v1 line ``4:cpu,cpuacct:/docker/ID`` gives one pair per controller; the v2 line
    ``0::/system.slice/docker-ID.scope`` gives ``("", path)``.
    """
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        for name in controllers.split(",") if controllers else [""]:
            out.append((name, path))
    return out


def container_of_pid(pid: int, *, proc: str = "/proc",
                     nspawn: bool = False) -> ContainerMatch | None:
    """The container of a live process from ``/proc/PID/cgroup``; None for the host or when
    the process is gone or unreadable."""
    try:
        text = Path(proc, str(pid), "cgroup").read_text(errors="replace")
    except OSError:
        return None
    return match_cgroups(parse_proc_cgroup(text), nspawn=nspawn)
