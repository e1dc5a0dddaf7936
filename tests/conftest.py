"""Fixtures for every test package (helpers that are not fixtures live in support.py)."""

from __future__ import annotations

import pytest

from support import find_sysdig


@pytest.fixture(scope="session")
def sysdig() -> str:
    """Path of the sysdig 0.29.3 binary, the oracle (fails under CI when it is missing)."""
    return find_sysdig()
