"""Fixtures for the memory tests: live capture (root, BPF), dockerd and a busybox image.

As everywhere (tests/support.py), a missing capability skips the test outside CI and fails it
in CI (``CI`` set), where the OOM and allocation-stack tests must run for real.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import busybox_image, docker_unavailable_reason, require_live, unavailable


@pytest.fixture(scope="session")
def live() -> None:
    """Root, BTF and libbpf are there."""
    require_live()


@pytest.fixture(scope="session")
def gcc() -> str:
    path = shutil.which("gcc")
    if path is None:
        unavailable("gcc is not installed")
    return path


@pytest.fixture(scope="session")
def docker_image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway image holding only a static busybox, made with ``docker import``."""
    reason = docker_unavailable_reason()
    if reason:
        unavailable(reason)
    tag = busybox_image(f"sysdive-memtest-{uuid.uuid4().hex[:8]}:latest",
                        tmp_path_factory.mktemp("rootfs"), ("sh", "dd", "sleep", "cat"))
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
