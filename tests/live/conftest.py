"""Fixtures for the live-capture tests: one real capture of a known workload, shared by the
tests that inspect it.

Live capture needs root, BPF with BTF and the system libbpf; the comparisons need sysdig
0.29.3. Where those are missing the tests are skipped, except in CI (``CI`` set in the
environment), where a missing capability is a failure: CI is where live capture must work.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from livehelpers import LiveRun

from sysdive.capture.live import CaptureResult, capture_to_file

WORKLOAD = Path(__file__).with_name("workload.py")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the live tests, but {reason}")
    pytest.skip(reason)


def live_unavailable_reason() -> str | None:
    """Why live capture cannot run here, or None."""
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
def sysdig() -> str:
    """The sysdig 0.29.3 binary, the oracle for files we write."""
    path = shutil.which("sysdig")
    if path is None:
        _unavailable("sysdig is not installed")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def live_run(tmp_path_factory: pytest.TempPathFactory) -> LiveRun:
    """Capture the whole host while tests/live/workload.py runs once."""
    reason = live_unavailable_reason()
    if reason:
        _unavailable(reason)
    tmp = tmp_path_factory.mktemp("live")
    path = tmp / "workload.scap"
    token = uuid.uuid4().hex[:12]
    started, stop = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = capture_to_file(str(path), stop=stop, on_start=started.set)
        except BaseException as err:  # reported in the test thread
            outcome["error"] = err
            started.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    started.wait(60)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    proc = subprocess.run([sys.executable, str(WORKLOAD), token, str(tmp)],
                          capture_output=True, text=True, timeout=60)
    time.sleep(0.2)  # let the last events reach the ring
    stop.set()
    worker.join(60)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    assert proc.returncode == 3, proc.stderr
    result = outcome["result"]
    assert isinstance(result, CaptureResult)
    return LiveRun(path, result, json.loads(proc.stdout), token)
