"""Fixtures for every test package (helpers that are not fixtures live in support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import SAMPLES, find_sysdig, v2_copy


@pytest.fixture(scope="session")
def sysdig() -> str:
    """Path of the sysdig 0.29.3 binary, the oracle (fails under CI when it is missing)."""
    return find_sysdig()


@pytest.fixture(scope="session")
def v2_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample captures rewritten by ``sysdive -w``, ``DIR/NAME.scap``: EV v2 blocks, the
    batch loop's input (the samples hold v1 blocks, which it leaves to the plain walk)."""
    out = tmp_path_factory.mktemp("v2samples")
    for name in SAMPLES:
        v2_copy(name, out)
    return out
