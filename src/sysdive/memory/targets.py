"""What ``sysdive --alloc-stacks`` traces: a process, a container, or the whole host.

The target is written like a filter, in one of these forms::

    proc.pid=1234            that process (and the children it starts)
    container.name=NAME      every process of a Docker container (and their children)
    container.id=ID          the same, by (short or full) id
    (nothing)                every process on the host

Containers are found through the Docker Engine API on its Unix socket (name -> full id), and
their processes by the container their ``/proc/PID/cgroup`` names, decided as sysdig does
(:mod:`sysdive.containers.cgroups`).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote

from sysdive.containers.cgroups import container_of_pid
from sysdive.errors import UsageError

__all__ = ["Target", "is_target_spec", "resolve_target"]

DOCKER_SOCKET = "/var/run/docker.sock"
_FORM = re.compile(r"^\s*(proc\.pid|container\.name|container\.id)\s*=\s*(\S+)\s*$")


@dataclass(frozen=True, slots=True)
class Target:
    """Resolved target: the processes to trace now (empty: every process) and a label."""

    pids: frozenset[int]
    label: str


class _UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=10)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect(self._path)
        self.sock = sock


def docker_container_id(name_or_id: str, sock: str = DOCKER_SOCKET) -> str:
    """The full id of a Docker container, by name or id prefix."""
    conn = _UnixHTTP(sock)
    try:
        conn.request("GET", f"/containers/{quote(name_or_id, safe='')}/json")
        resp = conn.getresponse()
        body = resp.read()
    except OSError as err:
        raise UsageError(f"cannot ask dockerd about container {name_or_id!r}: {err}") from None
    finally:
        conn.close()
    if resp.status == 404:
        raise UsageError(f"no such container: {name_or_id}")
    if resp.status != 200:
        raise UsageError(f"dockerd answered {resp.status} about container {name_or_id!r}")
    return str(json.loads(body)["Id"])


def pids_in_container(container_id: str) -> frozenset[int]:
    """Processes that sysdig's rules place in the container (by their cgroups)."""
    short = container_id[:12]
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            match = container_of_pid(int(entry))
            if match is not None and match.id == short:
                found.add(int(entry))
    return frozenset(found)


def is_target_spec(spec: str) -> bool:
    """Whether ``spec`` names one process or container (a form :func:`resolve_target` takes,
    other than the empty host-wide one)."""
    return _FORM.match(spec) is not None


def resolve_target(spec: str) -> Target:
    """Parse and resolve a target (see the module docstring); UsageError if it cannot be."""
    if not spec.strip():
        return Target(frozenset(), "all processes")
    m = _FORM.match(spec)
    if m is None:
        raise UsageError(f"--alloc-stacks takes proc.pid=PID, container.name=NAME or "
                         f"container.id=ID, not {spec.strip()!r}")
    field, value = m.group(1), m.group(2)
    if field == "proc.pid":
        if not value.isdigit() or not os.path.exists(f"/proc/{value}"):
            raise UsageError(f"no such process: {value}")
        return Target(frozenset({int(value)}), f"pid {value}")
    cid = docker_container_id(value)
    pids = pids_in_container(cid)
    if not pids:
        raise UsageError(f"container {value} has no running process")
    label = f"container {value}" if field == "container.name" else f"container {cid[:12]}"
    return Target(pids, label)
