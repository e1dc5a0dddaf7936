"""Helpers shared by the live-capture tests (imported by module name, like the other test
helpers of this repository); the root/BPF checks, the capture thread and the reader runs
are in tests/support.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sysdive.capture.live import CaptureResult


@dataclass(frozen=True)
class LiveRun:
    """A capture file, what the capture reported, and what the workload says it did."""

    path: Path
    result: CaptureResult
    report: dict[str, object]
    token: str
