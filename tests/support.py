"""Helpers shared by the test packages: the sysdig oracle, sysdive run from this tree, the
sample captures, and the stored expected outputs of the parity tests.

A test that needs something the machine lacks (sysdig, a capture, root) calls
:func:`unavailable`: it fails when ``CI`` is set, where everything must be present, and is
skipped elsewhere.
"""

from __future__ import annotations

import difflib
import fcntl
import gzip
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))
REGEN = os.environ.get("SYSDIVE_REGEN") == "1"
# sysdive run from this tree (the installed console script may point at another checkout).
SYSDIVE = (sys.executable, "-m", "sysdive")
TIMEOUT = 600


def unavailable(reason: str, *, in_ci: str | None = None) -> NoReturn:
    """Fail under CI (with ``in_ci`` as the message if given), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(in_ci or reason)
    pytest.skip(reason)


def find_sysdig() -> str:
    """Path of the sysdig 0.29.3 binary, the oracle."""
    path = shutil.which("sysdig")
    if path is None:
        unavailable("sysdig is not installed")
    return path


def sample_capture(name: str) -> Path:
    """``CAPTURES_DIR/NAME.scap``, which must exist."""
    path = CAPTURES_DIR / f"{name}.scap"
    if not path.is_file():
        unavailable(f"sample capture {path} is missing")
    return path


def sysdive_env(extra: dict[str, str] | None = None, *,
                own_chisels: bool = False) -> dict[str, str]:
    """This process's environment with ``src`` first on PYTHONPATH, then ``extra``.

    ``own_chisels`` drops the chisel directory variables so both tools see only the chisels
    they ship (sysdig also reads ./chisels: run it in an empty directory)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    if own_chisels:
        env.pop("SYSDIVE_CHISEL_DIR", None)
        env.pop("SYSDIG_CHISEL_DIR", None)
    env.update(extra or {})
    return env


def run(argv: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None,
        timeout: float = TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` (sysdig or sysdive) capturing bytes; ``env`` defaults to
    :func:`sysdive_env`."""
    return subprocess.run(argv, capture_output=True, timeout=timeout, cwd=cwd,
                          env=sysdive_env() if env is None else env, check=False)


def run_on_pty(argv: list[str], cwd: Path, env: dict[str, str] | None = None,
               size: tuple[int, int] | None = None) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with stdout on a new pseudo-terminal (chisels colour and draw by
    ``is_tty``), of ``size`` (columns, rows) if given: (exit code, pty bytes, stderr)."""
    master, slave = pty.openpty()
    if size is not None:
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    try:
        proc = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, cwd=cwd,
                                env=sysdive_env() if env is None else env)
    finally:
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
    return proc.wait(timeout=TIMEOUT), b"".join(chunks), err


def diff(expected: bytes, actual: bytes, what: str, limit: int = 40) -> str:
    """A unified diff of the first differing lines (bytes shown as latin-1)."""
    exp = expected.decode("latin-1").splitlines(keepends=True)
    act = actual.decode("latin-1").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, "sysdig (expected)", what, n=2))
    shown = "".join(line if line.endswith("\n") else line + "\\ no newline\n"
                    for line in lines[:limit])
    more = f"... {len(lines) - limit} more diff lines\n" if len(lines) > limit else ""
    return shown + more


@dataclass(frozen=True, slots=True)
class ExpectedStore:
    """sysdig's stored outputs in one directory: ``NAME.out``, or ``NAME.out.gz`` above
    ``gzip_above`` bytes (small ones stay plain text, easier to read in review)."""

    directory: Path
    gzip_above: int = 4096

    def path(self, name: str) -> Path | None:
        for suffix in (".out", ".out.gz"):
            path = self.directory / f"{name}{suffix}"
            if path.exists():
                return path
        return None

    def read(self, name: str) -> bytes:
        path = self.path(name)
        if path is None:
            pytest.fail(f"no expected output for {name}: run with SYSDIVE_REGEN=1")
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix == ".gz" else data

    def write(self, name: str, data: bytes) -> None:
        old = self.path(name)
        if old is not None:
            old.unlink()
        self.directory.mkdir(exist_ok=True)
        if len(data) > self.gzip_above:
            # mtime=0 keeps the stored bytes stable across regenerations.
            (self.directory / f"{name}.out.gz").write_bytes(gzip.compress(data, 9, mtime=0))
        else:
            (self.directory / f"{name}.out").write_bytes(data)


def wait_for_bytes(path: Path, needle: bytes, timeout: float) -> bool:
    """Whether ``needle`` shows up in the growing file ``path`` within ``timeout`` seconds
    (e.g. a container's metadata in a capture being written; reads only what was added)."""
    deadline = time.monotonic() + timeout
    start = 0
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            f.seek(start)
            chunk = f.read()
        if needle in chunk:
            return True
        start = max(start, start + len(chunk) - len(needle))   # keep a cut needle whole
        time.sleep(0.2)
    return False
