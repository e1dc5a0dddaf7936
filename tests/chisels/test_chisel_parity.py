"""Chisel parity with sysdig 0.29.3: same arguments, same stdout (see :mod:`cases`).

* ``test_expected_is_sysdig_output`` runs sysdig and checks the stored output is still what
  it prints (``SYSDIVE_REGEN=1`` rewrites the stored files from sysdig instead);
* ``test_sysdive_matches_expected`` runs sysdive and compares with the stored output;
* ``test_chisel_list_matches_sysdig`` checks ``-cl`` prints sysdig's entries for the
  chisels sysdive has, in sysdig's layout.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Protocol

import pytest
from chisel_cases import CASES, Case
from chisel_tables import normalize

from support import CAPTURES_DIR, REGEN, SYSDIVE, ExpectedStore, diff, sample_capture, sysdive_env
from support import run as run_tool

STORE = ExpectedStore(Path(__file__).resolve().parent / "expected")


def _argv(case: Case) -> list[str]:
    """``-r CAPTURE`` and the args; ``@NAME`` in the args stands for a capture's path."""
    args = [str(CAPTURES_DIR / f"{a[1:]}.scap") if a.startswith("@") else a for a in case.args]
    if case.capture is None:
        return args
    return ["-r", str(sample_capture(case.capture)), *args]


def _run(argv: list[str], cwd: Path,
         extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_tool(argv, cwd=cwd, env=sysdive_env(extra_env, own_chisels=True))


def _ids(case: Case) -> str:
    return case.name


class _Run(Protocol):
    """What the checks read of a case (the parity cases and the synthetic ones)."""

    @property
    def name(self) -> str: ...
    @property
    def capture(self) -> str | None: ...
    @property
    def args(self) -> tuple[str, ...]: ...
    @property
    def top(self) -> int | tuple[int, ...]: ...
    @property
    def xfail(self) -> str: ...


def check_sysdig_output(case: _Run, done: subprocess.CompletedProcess[bytes]) -> None:
    """sysdig's run still prints the stored output (``SYSDIVE_REGEN=1``: store it)."""
    assert done.returncode == 0, f"sysdig failed on {case.name}: {done.stderr[-500:]!r}"
    if REGEN:
        STORE.write(case.name, done.stdout)
        return
    expected = STORE.read(case.name)
    if normalize(done.stdout, case.top) != normalize(expected, case.top):
        pytest.fail(f"stored output of {case.name} is stale; rerun with SYSDIVE_REGEN=1\n"
                    + diff(expected, done.stdout, "sysdig now"))


def check_sysdive_output(case: _Run, expected: bytes,
                         done: subprocess.CompletedProcess[bytes]) -> None:
    """sysdive's run printed ``expected`` (or, for an xfail case, still does not)."""
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 0 or case.xfail, done.stderr.decode(errors="replace")[-2000:]
    same = normalize(done.stdout, case.top) == normalize(expected, case.top)
    if case.xfail:
        if same:
            pytest.fail(f"{case.name} now matches sysdig: remove its xfail ({case.xfail})")
        pytest.xfail(case.xfail)
    if not same:
        pytest.fail(f"sysdive {' '.join(case.args)} on {case.capture}\n"
                    + diff(normalize(expected, case.top), normalize(done.stdout, case.top),
                           "sysdive"))


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_expected_is_sysdig_output(case: Case, sysdig: str, tmp_path: Path) -> None:
    # An empty directory as cwd: sysdig would also pick up chisels from ./chisels.
    check_sysdig_output(case, _run([sysdig, *_argv(case)], cwd=tmp_path))


@pytest.mark.parametrize("vectorised", [False, True], ids=["plain", "vectorised"])
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_sysdive_matches_expected(case: Case, vectorised: bool, tmp_path: Path) -> None:
    # The samples are small: the numpy batch path (and the chisels' bulk path, which only
    # runs on numpy batches) is forced on with SYSDIVE_VECTORISE_MIN=0.
    expected = STORE.read(case.name)
    env = {"SYSDIVE_VECTORISE_MIN": "0" if vectorised else str(1 << 40)}
    check_sysdive_output(case, expected,
                         _run([*SYSDIVE, *_argv(case)], cwd=tmp_path, extra_env=env))


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
    ours = _run([*SYSDIVE, "-cl"], cwd=tmp_path)
    theirs = _run([sysdig, "-cl"], cwd=tmp_path)
    assert ours.returncode == 0 and theirs.returncode == 0
    our_entries = _cl_entries(ours.stdout.decode())
    their_entries = _cl_entries(theirs.stdout.decode())
    names = {name for _, name, _ in our_entries}
    their_names = {name for _, name, _ in their_entries}
    their_categories = [c for c, _, _ in their_entries]
    assert {"topscalls", "topprocs_cpu", "echo_fds", "topfiles_bytes", "spy_users"} <= names
    assert "table_generator" not in names  # hidden, as in sysdig
    assert "flame" not in names            # hidden too (flame.lua has no description)
    assert their_names <= names, f"sysdig lists chisels sysdive lacks: {their_names - names}"
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
    cl = _cl_entries(_run([*SYSDIVE, "-cl"], cwd=tmp_path)
                     .stdout.decode())
    entry = next(e for c, n, e in cl if n == "memgrowth")
    done = _run([*SYSDIVE, "-i", "memgrowth"], cwd=tmp_path)
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
