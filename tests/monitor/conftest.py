"""Fixtures of the monitor tests: a real dockerd, a busybox image made with ``docker import``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from monhelpers import IMAGE, build_image, docker_ready

from support import unavailable


@pytest.fixture(scope="session")
def docker_image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test image (removed at the end of the session)."""
    reason = docker_ready()
    if reason:
        unavailable(reason)
    yield build_image(tmp_path_factory.mktemp("rootfs"))
    import subprocess
    subprocess.run(["docker", "rmi", "-f", IMAGE], capture_output=True, timeout=120)


@pytest.fixture
def artifacts() -> Path:
    """Where tests leave files for people to look at (ignored by git)."""
    path = Path(__file__).resolve().parents[1] / "artifacts"
    path.mkdir(exist_ok=True)
    return path
