"""The chisel example of the README runs, and prints what sysdig's table_generator prints
for the same grouping."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from chisel_tables import normalize

from support import ROOT, find_sysdig, sample_capture, sysdive_env


def _example() -> tuple[str, str]:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- chisel-example: (\S+) -->\n```python\n(.*?)```", text, re.S)
    assert m, "README has no chisel example"
    return m.group(1), m.group(2)


@pytest.mark.parametrize("capture", ["curl_google", "run_as_user_0_container"])
def test_readme_chisel_matches_table_generator(capture: str, tmp_path: Path) -> None:
    sysdig = find_sysdig()
    cap = sample_capture(capture)
    rel, code = _example()
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text(code)
    env = sysdive_env(own_chisels=True)
    ours = subprocess.run([sys.executable, "-m", "sysdive", "-r", str(cap), "-c", "topopens",
                           "7"], capture_output=True, cwd=tmp_path, env=env, check=False,
                          timeout=300)
    assert ours.returncode == 0, ours.stderr.decode()
    flt = "evt.type in (open, openat) and evt.dir=< and evt.failed=false"
    theirs = subprocess.run([sysdig, "-r", str(cap), "-c", "table_generator",
                             f"fd.name Filename evt.count Opens '{flt}' 7 none"],
                            capture_output=True, cwd=tmp_path, check=False, timeout=300)
    assert theirs.returncode == 0, theirs.stderr.decode()
    assert theirs.stdout.count(b"\n") > 3
    assert normalize(ours.stdout, 7) == normalize(theirs.stdout, 7)
