"""Shared fixtures for the schema tests: the sysdig oracle and the sample captures.

Tests that need the oracle are skipped when sysdig is not installed, except in CI (``CI`` set
in the environment), where a missing oracle is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sysdig() -> str:
    """Path of the sysdig 0.29.3 binary used as the oracle."""
    path = shutil.which("sysdig")
    if path is None:
        _unavailable("sysdig is not installed")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def captures() -> list[Path]:
    """The sample ``.scap`` captures (``$SYSDIVE_CAPTURES``, default /work/shared/captures)."""
    found = sorted(CAPTURES_DIR.glob("*.scap"))
    if not found:
        _unavailable(f"no sample captures in {CAPTURES_DIR}")
    return found


@pytest.fixture(scope="session")
def run_sysdig(sysdig: str) -> Callable[..., str]:
    """A function running sysdig with the given args and returning its stdout.

    stdout is decoded as latin-1 so that every byte sysdig writes maps to one character.
    """

    def run(*args: str) -> str:
        done = subprocess.run([sysdig, *args], capture_output=True, check=True, timeout=120)
        return done.stdout.decode("latin-1")

    return run
