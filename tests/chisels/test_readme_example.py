"""The chisel example of the README runs, and prints what sysdig's table_generator prints
for the same grouping."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chisel_tables import normalize

ROOT = Path(__file__).resolve().parents[2]
CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))


def _example() -> tuple[str, str]:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- chisel-example: (\S+) -->\n```python\n(.*?)```", text, re.S)
    assert m, "README has no chisel example"
    return m.group(1), m.group(2)


@pytest.mark.parametrize("capture", ["curl_google", "run_as_user_0_container"])
def test_readme_chisel_matches_table_generator(capture: str, tmp_path: Path) -> None:
    sysdig = shutil.which("sysdig")
    cap = CAPTURES_DIR / f"{capture}.scap"
    if sysdig is None or not cap.is_file():
        if os.environ.get("CI"):
            pytest.fail("sysdig or the sample captures are missing")
        pytest.skip("sysdig or the sample captures are missing")
    assert sysdig is not None
    rel, code = _example()
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text(code)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("SYSDIVE_CHISEL_DIR", None)
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
