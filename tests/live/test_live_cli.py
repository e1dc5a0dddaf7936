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

from support import interrupt, require_live, run_reader, sysdive_env


@pytest.fixture(autouse=True)
def _live_only() -> None:
    require_live()


def _sysdive(args: list[str]) -> subprocess.Popen[bytes]:
    # SIGINT as a terminal's foreground job gets it, whatever this test runner inherited (a
    # background job of a script starts with it ignored, until sysdive's entry point).
    env = sysdive_env()
    return subprocess.Popen([sys.executable, "-m", "sysdive", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_default_sigint)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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


@pytest.mark.parametrize("delay", [round(0.2 * k, 1) for k in range(1, 11)])
def test_ctrl_c_at_any_moment_of_start_up(tmp_path: Path, delay: float) -> None:
    """Ctrl-C from the first imports to the running loop (the probe is loaded about 1 s in):
    sysdive stops at once, never with a traceback, and any file it leaves reads cleanly. A
    signal during the probe's load used to be swallowed by a libbpf callback, and the
    capture ran on."""
    path = tmp_path / "int.scap"
    proc = _sysdive(["-w", str(path)])
    time.sleep(delay)
    text = interrupt(proc, f"sysdive did not stop after Ctrl-C at {delay:.1f} s").decode()
    assert "Traceback" not in text and "Exception ignored" not in text, text
    # -SIGINT: the signal came before the interpreter had set up its own handler (nothing
    # started yet, nothing to lose)
    assert proc.returncode in (0, 130, -signal.SIGINT), text
    if proc.returncode == 0:
        written = int(text.strip().splitlines()[-1].split(" events ")[0])
        ours = run_reader(["-r", str(path), "-p", "%evt.num"], True)
        assert len(ours.splitlines()) == written


def test_ctrl_c_during_start_up_when_started_with_sigint_ignored(tmp_path: Path) -> None:
    """A script's background job inherits SIGINT ignored: sysdive honours it from its entry
    point on, not only once the capture runs (it used to ignore one sent earlier and then
    capture on). SIGINT is sent every 50 ms from 0.3 s, so some land in the imports, well
    before the capture's own handler (the probe loads about 1 s in)."""
    path = tmp_path / "int.scap"
    proc = subprocess.Popen([sys.executable, "-m", "sysdive", "-w", str(path)],
                            env=sysdive_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    time.sleep(0.3)
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    _out, err = proc.communicate()
    assert proc.returncode == 130, err.decode()   # stopped in the start-up, quietly
    assert b"Traceback" not in err, err.decode()


def test_two_captures_at_once(tmp_path: Path) -> None:
    """Two sysdive captures run side by side, each with its own probe and buffers: both see
    the same file opened, both stop cleanly and read the same events for it."""
    target = tmp_path / f"both-{uuid.uuid4().hex[:8]}.txt"
    paths = [tmp_path / "one.scap", tmp_path / "two.scap"]
    procs = [_sysdive(["-w", str(p)]) for p in paths]
    deadline = time.monotonic() + 60
    while not all(p.exists() and p.stat().st_size > 0 for p in paths):
        assert time.monotonic() < deadline, "the captures did not start"
        time.sleep(0.1)
    time.sleep(0.5)
    for _ in range(5):
        target.write_text("x")
    time.sleep(0.5)
    for proc in procs:
        proc.send_signal(signal.SIGINT)
    seen = []
    for proc, path in zip(procs, paths, strict=True):
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        assert b"; dropped 0," in err, err.decode()
        seen.append(run_reader(["-r", str(path), "-p", "%evt.dir %evt.type %fd.name %proc.pid",
                                f"evt.type=openat and fd.name={target}"], True))
    assert seen[0] == seen[1]
    assert len(seen[0].splitlines()) == 5, seen[0]   # the exits name the file
    assert all(line.startswith("< openat ") for line in seen[0].splitlines())
    assert all(line.endswith(f" {os.getpid()}") for line in seen[0].splitlines())


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
