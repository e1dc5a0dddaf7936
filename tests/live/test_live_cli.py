"""The live command line as users run it (``sudo sysdive ...``): printing with filters through
the same inspector as ``-r``, SIGTERM leaving a readable file, rotation, ``-U``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from support import require_live, run_reader, sysdive_env


@pytest.fixture(autouse=True)
def _live_only() -> None:
    require_live()


def _sysdive(args: list[str]) -> subprocess.Popen[bytes]:
    env = sysdive_env()
    return subprocess.Popen([sys.executable, "-m", "sysdive", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _touch_until(proc: subprocess.Popen[bytes], path: Path, seconds: float = 60) -> None:
    """Open ``path`` again and again until ``proc`` ends (it stops at -n)."""
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        with open(path, "w") as f:
            f.write("x")
        time.sleep(0.1)


def test_live_print_with_filter(tmp_path: Path) -> None:
    target = tmp_path / f"live-{uuid.uuid4().hex[:8]}.txt"
    proc = _sysdive(["-n", "2", "-p", "%evt.dir %evt.type %fd.name %proc.pid",
                     f"evt.type=openat and fd.name={target}"])
    _touch_until(proc, target)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    # both openat of one call pass (enter names the file through the exit's fd): at least the
    # exits carry the name and the pid of this test process
    assert len(lines) == 2, lines
    assert all(line.split()[1] == "openat" and str(target) in line for line in lines)
    assert all(line.split()[-1] == str(os.getpid()) for line in lines)
    assert b"dropped" in err


def test_sigterm_leaves_a_readable_file(tmp_path: Path, sysdig: str) -> None:
    path = tmp_path / "term.scap"
    proc = _sysdive(["-w", str(path)])
    deadline = time.monotonic() + 60
    while not (path.exists() and path.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    ours = run_reader(["-r", str(path), "-p", "%evt.num %evt.type %proc.name"], True)
    assert ours == run_reader(["-r", str(path), "-p", "%evt.num %evt.type %proc.name"], False)
    written = int(err.decode().split(" events ")[0])
    assert written > 0 and len(ours.splitlines()) == written


def test_rotation_by_event_count_ring(tmp_path: Path) -> None:
    base = tmp_path / "ring.scap"
    proc = _sysdive(["-w", str(base), "-e", "200", "-W", "3", "-n", "1000"])
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert "(5 files)" in err.decode()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ring.scap0", "ring.scap1", "ring.scap2"]  # 5 files in a ring of 3
    for name in names:
        text = run_reader(["-r", str(tmp_path / name), "-p", "%evt.num"], True)
        assert len(text.splitlines()) == 200


def test_suppress_comm(tmp_path: Path) -> None:
    path = tmp_path / "supp.scap"
    proc = _sysdive(["-v", "-w", str(path), "-U", "sleep"])
    deadline = time.monotonic() + 60
    while not (path.exists() and path.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    subprocess.run(["sleep", "0.2"], check=True)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert "Suppressed by Comm:" in err.decode()
    suppressed = int(err.decode().split("Suppressed by Comm:")[1].split()[0])
    assert suppressed > 0
    names = run_reader(["-r", str(path), "-p", "%proc.name", "proc.name=sleep"], True)
    assert names == ""
