"""Chisels that draw on an ANSI terminal (spectrogram, subsecoffset): parity with sysdig
0.29.3 on a pseudo-terminal of a fixed size.

Both refuse to run when stdout is not a terminal; on a terminal they size their rows from
the terminal's width. Each case runs sysdig and sysdive with stdout on a fresh pty of
``COLS`` x ``ROWS`` and compares every byte read from it (escape codes, ``\\r\\n`` from the
tty's line discipline, sysdig's colour reset before the chisels' end). Intervals are
capture time, so the output is deterministic. The stored outputs live next to the other
chisel outputs (``tty_*.out``); ``SYSDIVE_REGEN=1`` rewrites them from sysdig.
"""

from __future__ import annotations

import fcntl
import gzip
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).resolve().parent / "expected"
CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))
REGEN = os.environ.get("SYSDIVE_REGEN") == "1"
COLS, ROWS = 100, 30

CAPS = {"curl": "curl_google", "ipv6": "single_ipv6_conn", "user0": "run_as_user_0_container"}
CASES = [
    *[(f"tty_spectrogram_{k}", cap, ("-c", "spectrogram")) for k, cap in CAPS.items()],
    *[(f"tty_subsecoffset_{k}", cap, ("-c", "subsecoffset")) for k, cap in CAPS.items()],
    ("tty_spectrogram_100ms_curl", CAPS["curl"], ("-c", "spectrogram", "100")),
    ("tty_spectrogram_user0_filter", CAPS["user0"], ("-c", "spectrogram", "proc.name=ls")),
    ("tty_subsecoffset_100ms_user0", CAPS["user0"], ("-c", "subsecoffset", "100")),
    ("tty_subsecoffset_curl_filter", CAPS["curl"], ("-c", "subsecoffset", "proc.name=curl")),
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH"))
                                        if p)
    return env


def run_on_pty(argv: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with stdout on a new pty of COLS x ROWS; (exit code, pty bytes, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    proc = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, cwd=cwd, env=_env())
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the last writer closed the pty
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.stderr is not None
    err = proc.stderr.read()
    return proc.wait(timeout=600), b"".join(chunks), err


def _path(name: str) -> Path:
    return EXPECTED / f"{name}.out.gz"


def _argv(cap: str, args: tuple[str, ...]) -> list[str]:
    path = CAPTURES_DIR / f"{cap}.scap"
    if not path.is_file():
        _unavailable(f"sample capture {path} is missing")
    return ["-r", str(path), *args]


@pytest.mark.parametrize(("name", "cap", "args"), CASES, ids=[c[0] for c in CASES])
def test_expected_is_sysdig_output(name: str, cap: str, args: tuple[str, ...],
                                   tmp_path: Path) -> None:
    sysdig = shutil.which("sysdig")
    if sysdig is None:
        _unavailable("sysdig is not installed")
    assert sysdig is not None
    rc, out, err = run_on_pty([sysdig, *_argv(cap, args)], tmp_path)
    assert rc == 0, err
    if REGEN:
        _path(name).write_bytes(gzip.compress(out, 9, mtime=0))
        return
    assert out == gzip.decompress(_path(name).read_bytes()), f"stored {name} is stale"


@pytest.mark.parametrize(("name", "cap", "args"), CASES, ids=[c[0] for c in CASES])
def test_sysdive_matches_expected(name: str, cap: str, args: tuple[str, ...],
                                  tmp_path: Path) -> None:
    expected = gzip.decompress(_path(name).read_bytes())
    rc, out, err = run_on_pty([sys.executable, "-m", "sysdive", *_argv(cap, args)], tmp_path)
    assert rc == 0, err.decode(errors="replace")
    # A first difference is easier to read than two 20 KB blobs.
    if out != expected:
        i = next((i for i, (a, b) in enumerate(zip(out, expected, strict=False)) if a != b),
                 min(len(out), len(expected)))
        pytest.fail(f"first difference at byte {i} (lengths {len(out)} vs {len(expected)}):\n"
                    f"sysdig:  {expected[max(0, i - 60):i + 60]!r}\n"
                    f"sysdive: {out[max(0, i - 60):i + 60]!r}")


@pytest.mark.parametrize("chisel", ["spectrogram", "subsecoffset"])
def test_refuses_without_terminal(chisel: str, tmp_path: Path) -> None:
    """Stdout on a pipe: sysdig prints why and fails; sysdive prints the same line and
    fails with one error line, no traceback."""
    argv = _argv(CAPS["curl"], ("-c", chisel))
    ours = subprocess.run([sys.executable, "-m", "sysdive", *argv], capture_output=True,
                          cwd=tmp_path, env=_env(), check=False, timeout=600)
    assert ours.stdout == b"This chisel only works on ANSI terminals. Aborting.\n"
    assert ours.returncode != 0
    assert ours.stderr.decode().strip().splitlines() == [
        f"sysdive: chisel {chisel}: init() for chisel {chisel} failed."]
    sysdig = shutil.which("sysdig")
    if sysdig is None:
        _unavailable("sysdig is not installed")
    assert sysdig is not None
    theirs = subprocess.run([sysdig, *argv], capture_output=True, cwd=tmp_path, check=False,
                            timeout=600)
    assert theirs.stdout == ours.stdout
    assert theirs.returncode != 0
