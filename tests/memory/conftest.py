"""Fixtures for the memory tests: live capture (root, BPF), dockerd and a busybox image.

As in tests/live, a missing capability skips the test outside CI and fails it in CI (``CI`` set),
where the OOM and allocation-stack tests must run for real.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

BUSYBOX = Path("/bin/busybox")


def unavailable(reason: str) -> None:
    """Skip, or fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the memory tests, but {reason}")
    pytest.skip(reason)


def live_reason() -> str | None:
    if os.geteuid() != 0:
        return "live capture needs root"
    if not Path("/sys/kernel/btf/vmlinux").exists():
        return "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
    try:
        ctypes.CDLL("libbpf.so.1")
    except OSError:
        return "libbpf.so.1 is not installed"
    return None


@pytest.fixture(scope="session")
def live() -> None:
    """Root, BTF and libbpf are there."""
    reason = live_reason()
    if reason:
        unavailable(reason)


@pytest.fixture(scope="session")
def gcc() -> str:
    path = shutil.which("gcc")
    if path is None:
        unavailable("gcc is not installed")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def docker_image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway image holding only a static busybox, made with ``docker import``."""
    if shutil.which("docker") is None:
        unavailable("docker is not installed")
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        unavailable("dockerd is not running")
    if not BUSYBOX.exists():
        unavailable("busybox-static is not installed (/bin/busybox)")
    tar = tmp_path_factory.mktemp("rootfs") / "rootfs.tar"
    with tarfile.open(tar, "w") as out:
        out.add(BUSYBOX, "bin/busybox")
        for name in ("sh", "dd", "sleep", "cat"):
            link = tarfile.TarInfo(f"bin/{name}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            out.addfile(link)
    tag = f"sysdive-memtest-{uuid.uuid4().hex[:8]}:latest"
    subprocess.run(["docker", "import", str(tar), tag], check=True, capture_output=True)
    yield tag
    subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)


LEAKPROG = Path(__file__).with_name("leakprog")


@pytest.fixture(scope="session")
def leaky_builds(gcc: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The leaky server and its stripped library, built with and without frame pointers."""
    out = {}
    for variant in ("fp", "nofp"):
        target = tmp_path_factory.mktemp(f"leaky-{variant}")
        subprocess.run(["sh", str(LEAKPROG / "build.sh"), str(target), variant], check=True,
                       capture_output=True)
        out[variant] = target
    return out


@pytest.fixture(scope="session")
def sysdig_path() -> str:
    """sysdig 0.29.3, the oracle for capture files."""
    path = shutil.which("sysdig")
    if path is None:
        unavailable("sysdig is not installed")
    assert path is not None
    return path
