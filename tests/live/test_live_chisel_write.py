"""Chisels while capturing live to a file (``sysdive -w FILE -c NAME``): the chisel sees the
events written, so its output equals sysdig 0.29.3's chisel run on the file afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chisels.chisel_tables import normalize
from support import require_live, sysdive_env


def test_chisel_output_matches_sysdig_on_the_written_file(tmp_path: Path, sysdig: str) -> None:
    require_live()
    path = tmp_path / "chisel.scap"
    # a pre-filter keeps the capture small; the filter keeps what is written and counted
    ours = subprocess.run([sys.executable, "-m", "sysdive", "-M", "2", "-w", str(path),
                           "--syscalls", "@file", "-c", "topscalls", "evt.type!=close"],
                          capture_output=True, text=True, env=sysdive_env(), timeout=120,
                          cwd=tmp_path, check=False)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([sysdig, "-r", str(path), "-c", "topscalls"], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path, check=False)
    assert theirs.returncode == 0, theirs.stderr
    rows = ours.stdout.splitlines()
    assert len(rows) > 3 and "openat" in ours.stdout and " close" not in ours.stdout
    # sysdig orders tied rows of its top-30 table at random: compare them as a set
    assert normalize(ours.stdout.encode(), 30) == normalize(theirs.stdout.encode(), 30)
