"""Helpers shared by the live-capture tests (imported by module name, like the other test
helpers of this repository)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sysdive.capture.live import CaptureResult

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class LiveRun:
    """A capture file, what the capture reported, and what the workload says it did."""

    path: Path
    result: CaptureResult
    report: dict[str, object]
    token: str


def run_reader(argv: list[str], sysdive: bool) -> str:
    """stdout of ``sysdive -r ...`` (from this checkout) or ``sysdig -r ...``."""
    if sysdive:
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
        cmd = [sys.executable, "-m", "sysdive", *argv]
    else:
        env = dict(os.environ)
        cmd = [shutil.which("sysdig") or "sysdig", *argv]
    done = subprocess.run(cmd, capture_output=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8", "surrogateescape")
