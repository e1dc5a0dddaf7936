"""Chisel parity with sysdig 0.29.3: same arguments, same stdout (see :mod:`cases`).

* ``test_expected_is_sysdig_output`` runs sysdig and checks the stored output is still what
  it prints (``SYSDIVE_REGEN=1`` rewrites the stored files from sysdig instead);
* ``test_sysdive_matches_expected`` runs sysdive and compares with the stored output;
* ``test_chisel_list_matches_sysdig`` checks ``-cl`` prints sysdig's entries for the
  chisels sysdive has, in sysdig's layout.
"""

from __future__ import annotations

import difflib
import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chisel_cases import CASES, Case
from chisel_tables import normalize

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
EXPECTED = Path(__file__).resolve().parent / "expected"
CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))
REGEN = os.environ.get("SYSDIVE_REGEN") == "1"
GZIP_ABOVE = 4096
TIMEOUT = 600


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _argv(case: Case) -> list[str]:
    """``-r CAPTURE`` and the args; ``@NAME`` in the args stands for a capture's path."""
    args = [str(CAPTURES_DIR / f"{a[1:]}.scap") if a.startswith("@") else a for a in case.args]
    if case.capture is None:
        return args
    path = CAPTURES_DIR / f"{case.capture}.scap"
    if not path.is_file():
        _unavailable(f"sample capture {path} is missing")
    return ["-r", str(path), *args]


def _expected_path(case: Case) -> Path | None:
    for suffix in (".out", ".out.gz"):
        path = EXPECTED / f"{case.name}{suffix}"
        if path.exists():
            return path
    return None


def _read_expected(case: Case) -> bytes:
    path = _expected_path(case)
    if path is None:
        pytest.fail(f"no expected output for {case.name}: run with SYSDIVE_REGEN=1")
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _write_expected(case: Case, data: bytes) -> None:
    old = _expected_path(case)
    if old is not None:
        old.unlink()
    EXPECTED.mkdir(exist_ok=True)
    if len(data) > GZIP_ABOVE:
        (EXPECTED / f"{case.name}.out.gz").write_bytes(gzip.compress(data, 9, mtime=0))
    else:
        (EXPECTED / f"{case.name}.out").write_bytes(data)


def _diff(expected: bytes, actual: bytes, what: str, limit: int = 40) -> str:
    exp = expected.decode("latin-1").splitlines(keepends=True)
    act = actual.decode("latin-1").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, "sysdig (expected)", what, n=2))
    shown = "".join(line if line.endswith("\n") else line + "\\ no newline\n"
                    for line in lines[:limit])
    more = f"... {len(lines) - limit} more diff lines\n" if len(lines) > limit else ""
    return shown + more


def _run(argv: list[str], cwd: Path = ROOT,
         extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env.update(extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env.pop("SYSDIVE_CHISEL_DIR", None)
    env.pop("SYSDIG_CHISEL_DIR", None)
    return subprocess.run(argv, capture_output=True, timeout=TIMEOUT, cwd=cwd, env=env,
                          check=False)


@pytest.fixture(scope="module")
def sysdig() -> str:
    path = shutil.which("sysdig")
    if path is None:
        _unavailable("sysdig is not installed")
    assert path is not None
    return path


def _ids(case: Case) -> str:
    return case.name


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_expected_is_sysdig_output(case: Case, sysdig: str, tmp_path: Path) -> None:
    # An empty directory as cwd: sysdig would also pick up chisels from ./chisels.
    done = _run([sysdig, *_argv(case)], cwd=tmp_path)
    assert done.returncode == 0, f"sysdig failed on {case.name}: {done.stderr[-500:]!r}"
    if REGEN:
        _write_expected(case, done.stdout)
        return
    expected = _read_expected(case)
    if normalize(done.stdout, case.top) != normalize(expected, case.top):
        pytest.fail(f"stored output of {case.name} is stale; rerun with SYSDIVE_REGEN=1\n"
                    + _diff(expected, done.stdout, "sysdig now"))


@pytest.mark.parametrize("vectorised", [False, True], ids=["plain", "vectorised"])
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_sysdive_matches_expected(case: Case, vectorised: bool, tmp_path: Path) -> None:
    # The samples are small: the numpy batch path (and the chisels' bulk path, which only
    # runs on numpy batches) is forced on with SYSDIVE_VECTORISE_MIN=0.
    expected = _read_expected(case)
    env = {"SYSDIVE_VECTORISE_MIN": "0" if vectorised else str(1 << 40)}
    done = _run([sys.executable, "-m", "sysdive", *_argv(case)], cwd=tmp_path, extra_env=env)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 0 or case.xfail, done.stderr.decode(errors="replace")[-2000:]
    same = normalize(done.stdout, case.top) == normalize(expected, case.top)
    if case.xfail:
        if same:
            pytest.fail(f"{case.name} now matches sysdig: remove its xfail ({case.xfail})")
        pytest.xfail(case.xfail)
    if not same:
        pytest.fail(f"sysdive {' '.join(case.args)} on {case.capture}\n"
                    + _diff(normalize(expected, case.top), normalize(done.stdout, case.top),
                            "sysdive"))


def _cl_entries(text: str) -> list[tuple[str, str, str]]:
    """(category, name, entry text) of each chisel in ``-cl`` output."""
    entries: list[tuple[str, str, str]] = []
    text = text.split("\nUse the -i flag")[0]
    blocks = re.split(r"\n(?=Category: )", text)
    for block in blocks:
        m = re.match(r"Category: (.*)\n-+\n", block)
        if not m:
            continue
        category = m.group(1)
        body = block[m.end():].rstrip("\n").split("\n")
        current: list[str] = []
        for line in body:
            if line.startswith(" ") and current:
                current.append(line)
                continue
            if current:
                entries.append((category, current[0].split()[0], "\n".join(current) + "\n"))
            current = [line] if line.strip() else []
        if current:
            entries.append((category, current[0].split()[0], "\n".join(current) + "\n"))
    return entries


# Chisels sysdig 0.29.3 does not have, each in a category of its own that sysdig has none
# of (documented in the README's Chisels section).
SYSDIVE_ONLY = {"memgrowth": "Memory"}


def test_chisel_list_matches_sysdig(sysdig: str, tmp_path: Path) -> None:
    ours = _run([sys.executable, "-m", "sysdive", "-cl"], cwd=tmp_path)
    theirs = _run([sysdig, "-cl"], cwd=tmp_path)
    assert ours.returncode == 0 and theirs.returncode == 0
    our_entries = _cl_entries(ours.stdout.decode())
    their_entries = _cl_entries(theirs.stdout.decode())
    names = {name for _, name, _ in our_entries}
    their_names = {name for _, name, _ in their_entries}
    their_categories = [c for c, _, _ in their_entries]
    assert {"topscalls", "topprocs_cpu", "echo_fds", "topfiles_bytes", "spy_users"} <= names
    assert "table_generator" not in names  # hidden, as in sysdig
    # the only entries sysdig lacks are the documented sysdive-only chisels, in their own
    # categories
    extra = [(c, n, e) for c, n, e in our_entries if n not in their_names]
    assert {n: c for c, n, _ in extra} == SYSDIVE_ONLY
    assert not set(SYSDIVE_ONLY.values()) & set(their_categories)
    # sysdig's entries for the chisels sysdive has, plus those, rebuilt in sysdig's layout
    # (categories in order, as sysdig sorts them).
    assert their_categories == sorted(their_categories)
    entries = [e for e in their_entries if e[1] in names] + extra
    entries.sort(key=lambda e: e[0])  # stable: sysdig's order inside a category
    expected: list[str] = []
    last = None
    for category, _, entry in entries:
        if category != last:
            title = f"Category: {category}"
            expected.append(f"\n{title}\n{'-' * len(title)}\n")
            last = category
        expected.append(entry)
    expected.append("\nUse the -i flag to get detailed information about a specific chisel\n")
    assert ours.stdout.decode() == "".join(expected)


def test_info_of_a_sysdive_only_chisel(tmp_path: Path) -> None:
    """``-i memgrowth`` in the layout of sysdig's ``-i`` (see the info_* cases): its -cl
    entry, the description cut every 79 characters, then the arguments."""
    cl = _cl_entries(_run([sys.executable, "-m", "sysdive", "-cl"], cwd=tmp_path)
                     .stdout.decode())
    entry = next(e for c, n, e in cl if n == "memgrowth")
    done = _run([sys.executable, "-m", "sysdive", "-i", "memgrowth"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    head = f"\nCategory: Memory\n{'-' * 16}\n{entry}\n"
    assert text.startswith(head), text
    desc, args = text[len(head):].split("Args:\n")
    lines = desc.rstrip("\n").split("\n")
    assert all(len(line) == 79 for line in lines[:-1]) and 0 < len(lines[-1]) <= 79
    assert "".join(lines).startswith("Ranks processes and containers by how much their resident")
    assert args.startswith("[int] top - how many processes and containers to show")
    assert "[int] limit_mb - a memory limit in MiB" in args
