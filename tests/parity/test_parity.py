"""CLI parity with sysdig 0.29.3: ``sysdive -r CAPTURE ARGS`` prints exactly what
``sysdig -r CAPTURE ARGS`` prints, for every argument set in :mod:`cases`.

* ``test_expected_is_sysdig_output`` runs sysdig itself and checks the stored expected file
  is still what sysdig prints (skipped when sysdig is not installed, unless ``CI`` is set).
  With ``SYSDIVE_REGEN=1`` it rewrites the stored files from sysdig instead.
* ``test_sysdive_matches_expected`` runs sysdive and compares its stdout with the stored file.
* ``test_every_event_type_is_printed`` checks the cases print every event type (and
  direction) that the sample captures hold.
"""

from __future__ import annotations

import difflib
import gzip
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases import CAPTURES, CASES, Case

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
EXPECTED = Path(__file__).resolve().parent / "expected"
CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))
REGEN = os.environ.get("SYSDIVE_REGEN") == "1"
GZIP_ABOVE = 4096  # bytes; smaller outputs are stored as plain text, easier to read in review
TIMEOUT = 600

# sysdig consumes container JSON events in its container manager; they are never printed.
NEVER_PRINTED = frozenset({"container"})


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _capture(case: Case) -> Path:
    path = CAPTURES_DIR / f"{case.capture}.scap"
    if not path.is_file():
        _unavailable(f"sample capture {path} is missing")
    return path


def _argv(case: Case) -> list[str]:
    """``-r CAPTURE`` then the case's args, with ``@NAME`` replaced by a capture's path."""
    args = [str(CAPTURES_DIR / f"{a[1:]}.scap") if a.startswith("@") else a for a in case.args]
    return ["-r", str(_capture(case)), *args]


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
        # mtime=0 keeps the stored bytes stable across regenerations.
        (EXPECTED / f"{case.name}.out.gz").write_bytes(gzip.compress(data, 9, mtime=0))
    else:
        (EXPECTED / f"{case.name}.out").write_bytes(data)


def _diff(expected: bytes, actual: bytes, what: str, limit: int = 40) -> str:
    """A unified diff of the first differing lines (bytes shown as latin-1)."""
    exp = expected.decode("latin-1").splitlines(keepends=True)
    act = actual.decode("latin-1").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, "sysdig (expected)", what, n=2))
    shown = "".join(line if line.endswith("\n") else line + "\\ no newline\n"
                    for line in lines[:limit])
    more = f"... {len(lines) - limit} more diff lines\n" if len(lines) > limit else ""
    return shown + more


def _run(argv: list[str], extra_env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env.update(extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return subprocess.run(argv, capture_output=True, timeout=TIMEOUT, cwd=ROOT, env=env,
                          check=False)


def _ids(case: Case) -> str:
    return case.name


@pytest.fixture(scope="module")
def sysdig() -> str:
    path = shutil.which("sysdig")
    if path is None:
        _unavailable("sysdig is not installed")
    assert path is not None
    return path


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_expected_is_sysdig_output(case: Case, sysdig: str) -> None:
    done = _run([sysdig, *_argv(case)])
    assert done.returncode == 0, f"sysdig failed on {case.name}: {done.stderr[-500:]!r}"
    if REGEN:
        _write_expected(case, done.stdout)
        return
    expected = _read_expected(case)
    if done.stdout != expected:
        pytest.fail(f"stored expected output of {case.name} is stale (sysdig {case.args}); "
                    f"rerun with SYSDIVE_REGEN=1\n" + _diff(expected, done.stdout, "sysdig now"))


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_sysdive_matches_expected(case: Case) -> None:
    expected = _read_expected(case)
    done = _run([sys.executable, "-m", "sysdive", *_argv(case)])
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 0 or case.xfail, done.stderr.decode(errors="replace")[-2000:]
    same = done.stdout == expected
    if case.xfail:
        if same:
            pytest.fail(f"{case.name} now matches sysdig: remove its xfail ({case.xfail})")
        pytest.xfail(case.xfail)
    if not same:
        pytest.fail(f"sysdive -r {case.capture}.scap {' '.join(case.args)}\n"
                    + _diff(expected, done.stdout, "sysdive"))


def _has_filter(case: Case) -> bool:
    """Whether the case ends with a positional filter (the fast path's prefilter matters)."""
    last = case.args[-1] if case.args else ""
    before = case.args[-2] if len(case.args) > 1 else ""
    return bool(last) and not last.startswith(("-", "@")) and before not in _VALUE_OPTIONS


_VALUE_OPTIONS = frozenset({"-p", "-n", "-s", "-t", "-M", "-w", "-r", "-d", "-c", "-S"})


@pytest.fixture(scope="module")
def v2_copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each sample capture rewritten by ``sysdive -w`` (EV v2 blocks, which the numpy scan
    frames; curl_google.scap itself holds v1 blocks, which it leaves to the Python walk)."""
    out = tmp_path_factory.mktemp("v2")
    for name in CAPTURES:
        done = _run([sys.executable, "-m", "sysdive", "-r", str(CAPTURES_DIR / f"{name}.scap"),
                     "-w", str(out / f"{name}.scap")])
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return out


@pytest.mark.parametrize("case", [c for c in CASES if _has_filter(c) and not c.xfail], ids=_ids)
def test_vectorised_path_matches_plain_loop(case: Case, v2_copies: Path) -> None:
    """The batch loop (fastloop.py: numpy scan, prefilter, skipped rows), which only large
    captures take otherwise, prints what the plain loop prints, on v2 copies of the captures.
    (The plain loop is the one compared with sysdig above. The copies are not an oracle for
    sysdig: curl_google's copy loses the parent names that sysdig shows for the original.)"""
    _capture(case)
    argv = [sys.executable, "-m", "sysdive", "-r", str(v2_copies / f"{case.capture}.scap"),
            *(str(v2_copies / f"{a[1:]}.scap") if a.startswith("@") else a for a in case.args)]
    plain = _run(argv, {"SYSDIVE_VECTORISE_MIN": str(1 << 40)})
    vectorised = _run(argv, {"SYSDIVE_VECTORISE_MIN": "0"})
    assert plain.returncode == vectorised.returncode, vectorised.stderr.decode(errors="replace")
    if vectorised.stdout != plain.stdout:
        pytest.fail(f"(vectorised) sysdive -r {case.capture}.scap {' '.join(case.args)}\n"
                    + _diff(plain.stdout, vectorised.stdout, "vectorised"))


# --- coverage of event types ---------------------------------------------------------------

# Default line: evt.num, time, cpu, proc.name, (tid), dir, type, info.
_DEFAULT_LINE = re.compile(r"^\d+ \S+ \d+ .*? \(\d+\) ([<>]) (\S+)")
_BUFFER_FLAGS = frozenset({"-A", "-x", "-X", "-b"})


def _printed_types(case: Case) -> Iterator[tuple[str, str]]:
    """(type, direction) of every default-format line stored for ``case``."""
    for line in _read_expected(case).decode("latin-1").splitlines():
        m = _DEFAULT_LINE.match(line)
        if m:
            yield m.group(2), m.group(1)


def _types_in_capture(path: Path) -> set[tuple[str, str]]:
    """(type, direction) of every event in a capture, generic events named by syscall."""
    from sysdive.event import Event
    from sysdive.scap.reader import CaptureReader, EventBatch
    from sysdive.schema.events import EVENTS
    from sysdive.schema.syscalls import SYSCALL_NAMES

    generic = {e.id for e in EVENTS if e.name == "syscall"}
    found: set[tuple[str, str]] = set()
    with CaptureReader(str(path)) as reader:
        for item in reader:
            if not isinstance(item, EventBatch):
                continue
            for etype, ts, tid, cpu, dflags, hdr, end, nparams in item.rows:
                if etype in generic:
                    evt = Event(0, etype, ts, tid, cpu, dflags, item.buf, hdr, end, nparams)
                    p0 = evt.param(0) or b"\0\0"
                    name = SYSCALL_NAMES[int.from_bytes(p0[:2], "little")]
                else:
                    name = EVENTS[etype].name
                found.add((name, ">" if etype % 2 == 0 else "<"))
    return found


@pytest.mark.parametrize("capture", CAPTURES)
def test_every_event_type_is_printed(capture: str) -> None:
    path = CAPTURES_DIR / f"{capture}.scap"
    if not path.is_file():
        _unavailable(f"sample capture {path} is missing")
    printed: set[tuple[str, str]] = set()
    for case in CASES:
        if (case.capture == capture and case.default_format and not case.xfail
                and not _BUFFER_FLAGS.intersection(case.args)
                and not any(a.startswith("@") for a in case.args)):
            printed.update(_printed_types(case))
    present = {t for t in _types_in_capture(path) if t[0] not in NEVER_PRINTED}
    missing = sorted(present - printed)
    assert not missing, f"event types of {capture} printed by no case: {missing}"
    assert printed <= present, f"parser of the default line is off: {sorted(printed - present)}"
