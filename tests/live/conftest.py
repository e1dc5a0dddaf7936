"""Fixtures for the live-capture tests: one real capture of a known workload, shared by the
tests that inspect it.

Live capture needs root, BPF with BTF and the system libbpf; the comparisons need sysdig
0.29.3. Where those are missing the tests are skipped, except in CI (``CI`` set in the
environment), where a missing capability is a failure: CI is where live capture must work.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from livehelpers import LiveRun

from support import capture_during, require_live

WORKLOAD = Path(__file__).with_name("workload.py")


@pytest.fixture(scope="session")
def live_run(tmp_path_factory: pytest.TempPathFactory) -> LiveRun:
    """Capture the whole host while tests/live/workload.py runs once."""
    require_live()
    tmp = tmp_path_factory.mktemp("live")
    path = tmp / "workload.scap"
    token = uuid.uuid4().hex[:12]
    done: list[subprocess.CompletedProcess[str]] = []

    def workload() -> None:
        done.append(subprocess.run([sys.executable, str(WORKLOAD), token, str(tmp)],
                                   capture_output=True, text=True, timeout=60))
        time.sleep(0.2)  # let the last events reach the ring

    result = capture_during(path, workload)
    assert done[0].returncode == 3, done[0].stderr
    return LiveRun(path, result, json.loads(done[0].stdout), token)
