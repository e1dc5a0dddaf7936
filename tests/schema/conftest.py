"""Shared fixtures for the schema tests: the sample captures and sysdig run on them (the
``sysdig`` fixture itself is in tests/conftest.py: missing, it fails under CI, skips elsewhere).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from support import CAPTURES_DIR, unavailable


@pytest.fixture(scope="session")
def captures() -> list[Path]:
    """The sample ``.scap`` captures (``$SYSDIVE_CAPTURES``, default /work/shared/captures)."""
    found = sorted(CAPTURES_DIR.glob("*.scap"))
    if not found:
        unavailable(f"no sample captures in {CAPTURES_DIR}")
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
