"""Containers with the real dockerd and real live capture (eBPF), checked against sysdig 0.29.3.

The image is built with ``docker import`` from a rootfs holding only the static busybox of the
``busybox-static`` package (no registry). Every name carries a random token so parallel runs
do not collide, and every container and the image are removed afterwards.

Needs root, BPF, dockerd and sysdig: skipped where missing, failed under ``CI``.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import sysdive_env, unavailable, wait_for_bytes

TOKEN = uuid.uuid4().hex[:6]
IMAGE = f"sysdive-c4-{TOKEN}:1"
PHP = f"c4{TOKEN}_s1_php_1"      # the s1_php_1, made unique
QUICK = f"c4{TOKEN}_quick"


def _unavailable(reason: str) -> None:
    unavailable(reason, in_ci=f"CI must run the container tests, but {reason}")


def _docker(*args: str, check: bool = True, timeout: float = 120) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          check=False)
    if check:
        assert done.returncode == 0, f"docker {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def _sysdive(*args: str, env: dict[str, str] | None = None,
             timeout: float = 180) -> subprocess.CompletedProcess[str]:
    full = sysdive_env(env)
    return subprocess.run([sys.executable, "-m", "sysdive", *args], capture_output=True,
                          text=True, env=full, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.geteuid() != 0:
        _unavailable("live capture needs root")
    if not Path("/sys/kernel/btf/vmlinux").exists():
        _unavailable("the kernel has no BTF")
    if shutil.which("docker") is None or subprocess.run(
            ["docker", "info"], capture_output=True, check=False).returncode != 0:
        _unavailable("dockerd is not running")
    if shutil.which("sysdig") is None:
        _unavailable("sysdig is not installed")
    busybox = Path("/bin/busybox")
    if not busybox.exists():
        _unavailable("busybox-static is not installed")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for d in ("bin", "tmp"):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755
            tar.addfile(info)
        tar.add(str(busybox), "bin/busybox")
        for applet in ("sh", "echo", "sleep", "cat"):
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(link)
    rootfs = tmp_path_factory.mktemp("rootfs") / "rootfs.tar"
    rootfs.write_bytes(buf.getvalue())
    _docker("import", str(rootfs), IMAGE)
    try:
        yield IMAGE
    finally:
        _docker("rm", "-f", PHP, QUICK, check=False)
        _docker("rmi", "-f", IMAGE, check=False)


@pytest.fixture(scope="module")
def php(image: str) -> Iterator[str]:
    """The long-running container: writes a file every 50 ms."""
    cid = _docker("run", "-d", "--name", PHP, "--memory", "64m", image, "/bin/sh", "-c",
                  "while true; do echo x > /tmp/php.out; sleep 0.05; done")
    try:
        yield cid
    finally:
        _docker("rm", "-f", PHP, check=False)


def _host_marker(tmp: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """A host process with a name of our own, making events during the capture."""
    name = f"c4h{TOKEN}"
    exe = tmp / name
    exe.symlink_to(shutil.which("sleep") or "/bin/sleep")   # comm is the name we exec
    proc = subprocess.Popen(["sh", "-c", f"while true; do {exe} 0.05; done"])
    return name, proc


def test_live_pc_names_the_container_and_host(php: str, tmp_path: Path) -> None:
    marker, host = _host_marker(tmp_path)
    try:
        done = _sysdive("-M", "4", "-pc", f"container.name={PHP} or proc.name={marker}")
    finally:
        host.kill()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    mine = [ln for ln in lines if f" {PHP} ({php[:12]}) " in ln]
    hosts = [ln for ln in lines if f" host (host) {marker} (" in ln]
    assert len(mine) > 20, done.stdout[-2000:]
    assert len(hosts) > 5, done.stdout[-2000:]
    assert any(" openat " in ln and "/tmp/php.out" in ln for ln in mine)
    # Nothing else: the filter held, and no event of ours is unnamed.
    assert len(mine) + len(hosts) == len(lines), [
        ln for ln in lines if ln not in mine and ln not in hosts][:5]


def test_live_fields_give_id_name_and_image(php: str) -> None:
    done = _sysdive("-M", "3", "-p", "%container.id|%container.name|%container.image|"
                    "%container.type|%proc.name", f"container.name={PHP}")
    assert done.returncode == 0, done.stderr
    rows = {tuple(ln.split("|")[:4]) for ln in done.stdout.splitlines()}
    assert rows == {(php[:12], PHP, IMAGE, "docker")}, rows


def test_live_chisel_on_a_container(php: str) -> None:
    # The story sysdive is built for, live: a chisel on one container's events.
    done = _sysdive("-M", "3", "-c", "echo_fds", f"container.name={PHP}")
    assert done.returncode == 0, done.stderr
    writes = [ln for ln in done.stdout.splitlines() if "------ Write 2B" in ln]
    assert len(writes) > 5, done.stdout[-1000:]
    assert all("(sh)" in ln for ln in writes)


def test_capture_names_containers_after_removal(image: str, php: str, tmp_path: Path) -> None:
    # Removes the php container: keep this test after the others that use it.
    # The capture is stopped (SIGINT, as Ctrl-C) once the quick container's metadata is in
    # the file, not after a fixed time: under load `docker run` and the watcher's inspect
    # can take seconds, and a fixed window then ended before the container ran or before
    # its description arrived (the test was flaky that way).
    cap = tmp_path / "c4.scap"
    writer = subprocess.Popen([sys.executable, "-m", "sysdive", "-M", "300", "-w", str(cap)],
                              env=sysdive_env(),
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while (not cap.exists() or cap.stat().st_size == 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wait_for_bytes(cap, f'"name":"{PHP}"'.encode(), 60), "no php metadata"
        # A container whose payload writes a file and exits at once.
        quick = _docker("run", "-d", "--name", QUICK, image, "/bin/sh", "-c",
                        "echo hi > /tmp/quick.out")
        _docker("wait", QUICK)
        assert wait_for_bytes(cap, f'"name":"{QUICK}"'.encode(), 90), "no quick metadata"
    finally:
        writer.send_signal(signal.SIGINT)
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "warning" not in err, err
    _docker("rm", "-f", QUICK, PHP)

    fmt = "%container.id %container.name %container.image"
    args = ["-r", str(cap), "-p", fmt, "container.id!=host"]
    sysdig = subprocess.run(["sysdig", *args], capture_output=True, text=True, timeout=600,
                            check=False)
    assert sysdig.returncode == 0, sysdig.stderr
    ours = _sysdive(*args, timeout=600)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == sysdig.stdout
    seen = set(sysdig.stdout.splitlines())
    assert f"{php[:12]} {PHP} {IMAGE}" in seen
    assert f"{quick[:12]} {QUICK} {IMAGE}" in seen

    # The quick container's payload: named, and short-lived.
    span = subprocess.run(
        ["sysdig", "-r", str(cap), "-p", "%evt.rawtime %evt.type %fd.name",
         f"container.name={QUICK} and proc.name=sh"],
        capture_output=True, text=True, timeout=600, check=False).stdout.splitlines()
    assert any("/tmp/quick.out" in ln for ln in span), span[-20:]
    times = [int(ln.split()[0]) for ln in span]
    assert max(times) - min(times) < 100_000_000, "the payload ran longer than 100 ms"


def test_unreachable_docker_warns_once_and_captures(tmp_path: Path, image: str) -> None:
    cap = tmp_path / "nodocker.scap"
    done = _sysdive("-M", "1", "-w", str(cap),
                    env={"DOCKER_HOST": f"unix://{tmp_path}/no-such.sock"})
    assert done.returncode == 0, done.stderr
    warnings = [ln for ln in done.stderr.splitlines() if "warning" in ln]
    assert len(warnings) == 1, done.stderr
    assert "containers will not be named" in warnings[0]
    assert cap.stat().st_size > 0
    read = _sysdive("-r", str(cap), "-q")
    assert read.returncode == 0, read.stderr



def test_containerd_without_cri_is_quiet_unless_named(image: str) -> None:
    # dockerd's containerd runs with its CRI plugin off: the default CRI socket may be such
    # a containerd, which is no reason for a warning; named with --cri, it is.
    from sysdive.containers.cgroups import ContainerType
    from sysdive.containers.runtime import RuntimeSocket, RuntimeWatcher
    paths = [p for p in ("/var/run/docker/containerd/containerd.sock",
                         "/run/containerd/containerd.sock") if Path(p).exists()]
    if not paths:
        _unavailable("dockerd's containerd socket was not found")
    for named, expected in ((False, 0), (True, 1)):
        warnings: list[str] = []
        sock = RuntimeSocket(paths[0], ContainerType.CRI, named)
        watcher = RuntimeWatcher((sock,), warn=warnings.append).start()
        watcher.stop()
        if watcher.reachable:
            pytest.skip(f"{paths[0]} serves CRI here")
        assert len(warnings) == expected, warnings
