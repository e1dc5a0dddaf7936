"""Helpers shared by the live-capture tests (imported by module name, like the other test
helpers of this repository)."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import sysdive_env, unavailable
from sysdive.capture.live import CaptureResult, capture_to_file

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
        env = sysdive_env()
        cmd = [sys.executable, "-m", "sysdive", *argv]
    else:
        env = dict(os.environ)
        cmd = [shutil.which("sysdig") or "sysdig", *argv]
    done = subprocess.run(cmd, capture_output=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8", "surrogateescape")


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


def require_live() -> None:
    """Live capture must work under CI; elsewhere its absence skips the test."""
    reason = live_unavailable_reason()
    if reason:
        unavailable(reason, in_ci=f"CI must run the live tests, but {reason}")


def capture_during(path: Path, action: Callable[[], None], *, timeout: float = 60,
                   **options: Any) -> CaptureResult:
    """Capture to ``path`` (``options`` go to capture_to_file) while ``action`` runs.

    The capture runs in a thread; ``action`` starts once the probe is attached, the capture
    stops when it returns. An error of the capture is raised here, in the test's thread."""
    started, stop = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = capture_to_file(str(path), stop=stop, on_start=started.set,
                                                **options)
        except BaseException as err:  # reported in the test thread
            outcome["error"] = err
            started.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    started.wait(60)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    action()
    stop.set()
    worker.join(timeout)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    result = outcome["result"]
    assert isinstance(result, CaptureResult)
    return result
