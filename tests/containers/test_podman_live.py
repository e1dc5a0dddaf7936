"""podman, where it runs: metadata through its Docker-compatible API socket, and the cgroup
layout of its cgroupfs manager (which sysdig 0.29.3 does not recognise: such containers are
``host`` to it, and so to sysdive).

Needs root, podman (scripts/install.sh installs it) and its API service on
/run/podman/podman.sock: the test starts ``podman system service`` itself unless one already
answers there (and stops the one it started). Skipped where podman is missing or unusable,
failed under ``CI``.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from support import unavailable
from sysdive.containers.cgroups import ContainerType, container_of_pid, match_cgroup_path
from sysdive.containers.runtime import RuntimeSocket, RuntimeWatcher

TOKEN = uuid.uuid4().hex[:6]
IMAGE = f"sysdive-c4p-{TOKEN}:1"
NAME = f"c4p{TOKEN}_app"
SOCK = "/run/podman/podman.sock"


def _podman(*args: str, check: bool = True) -> str:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120,
                          check=False)
    if check:
        assert done.returncode == 0, f"podman {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def _unavailable(reason: str) -> NoReturn:
    unavailable(reason, in_ci=f"CI must run the podman tests, but {reason}")


def _answers(sock: str) -> bool:
    """Whether a podman (Docker-compatible) API answers ``GET /_ping`` on ``sock``."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(sock)
            s.sendall(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
            head = s.recv(64)
    except OSError:
        return False
    return head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0]


def _start_service() -> subprocess.Popen[bytes] | None:
    """The API service, started unless one answers already (then None)."""
    if _answers(SOCK):
        return None
    Path(SOCK).parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        Path(SOCK).unlink()     # a stale socket of a service that is gone
    service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{SOCK}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        if _answers(SOCK):
            return service
        if service.poll() is not None:
            break
        time.sleep(0.1)
    service.kill()
    _, err = service.communicate(timeout=10)
    _unavailable(f"podman system service did not answer on {SOCK}: "
                 f"{err.decode(errors='replace')[-500:]}")


@pytest.fixture(scope="module")
def podman_container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    if os.geteuid() != 0:
        _unavailable("podman tests need root")
    if shutil.which("podman") is None:
        _unavailable("podman is not installed")
    if not Path("/bin/busybox").exists():
        _unavailable("busybox-static is not installed")
    info = subprocess.run(["podman", "info"], capture_output=True, text=True, timeout=120,
                          check=False)
    if info.returncode != 0:
        _unavailable(f"podman does not work here: {info.stderr[-500:]}")
    service = _start_service()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add("/bin/busybox", "bin/busybox")
        link = tarfile.TarInfo("bin/sh")
        link.type, link.linkname = tarfile.SYMTYPE, "busybox"
        tar.addfile(link)
    rootfs = tmp_path_factory.mktemp("prootfs") / "rootfs.tar"
    rootfs.write_bytes(buf.getvalue())
    try:
        _podman("import", str(rootfs), IMAGE)
        # Limits below the host's: this machine refuses podman's default rlimits.
        cid = _podman("run", "-d", "--ulimit", "nofile=1024:1024", "--ulimit",
                      "nproc=1000:1000", "--name", NAME, IMAGE, "/bin/sh", "-c",
                      "while true; do sleep 1; done")
        pid = int(_podman("inspect", "-f", "{{.State.Pid}}", NAME))
        yield cid, pid
    finally:
        _podman("rm", "-f", NAME, check=False)
        _podman("rmi", "-f", IMAGE, check=False)
        if service is not None:
            service.terminate()
            service.wait(10)


def test_podman_api_describes_the_container(podman_container: tuple[str, int]) -> None:
    cid, _ = podman_container
    watcher = RuntimeWatcher((RuntimeSocket(SOCK, ContainerType.PODMAN),)).start()
    try:
        docs = {d["id"]: d for d in watcher.take()}
    finally:
        watcher.stop()
    doc = docs[cid[:12]]
    assert doc["name"] == NAME
    assert doc["type"] == 11
    assert doc["image"] == f"localhost/{IMAGE}"
    assert (doc["imagerepo"], doc["imagetag"]) == (f"localhost/{IMAGE.split(':')[0]}", "1")


def test_podman_cgroupfs_layout_is_host_as_in_sysdig(podman_container: tuple[str, int]) -> None:
    cid, pid = podman_container
    text = Path(f"/proc/{pid}/cgroup").read_text()
    if f"/libpod-{cid}.scope" in text:
        # systemd cgroup manager: sysdig's podman layout.
        assert container_of_pid(pid) is not None
        assert container_of_pid(pid).type == ContainerType.PODMAN  # type: ignore[union-attr]
    else:
        assert f"/libpod-{cid}" in text
        assert container_of_pid(pid) is None
    assert match_cgroup_path(f"/machine.slice/libpod-{cid}.scope/container") is not None
