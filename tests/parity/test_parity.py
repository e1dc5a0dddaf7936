"""CLI parity with sysdig 0.29.3: ``sysdive -r CAPTURE ARGS`` prints exactly what
``sysdig -r CAPTURE ARGS`` prints, for every argument set in :mod:`cases`.

* ``test_expected_is_sysdig_output`` runs sysdig itself and checks the stored expected file
  is still what sysdig prints (skipped when sysdig is not installed, unless ``CI`` is set).
  With ``SYSDIVE_REGEN=1`` it rewrites the stored files from sysdig instead.
* ``test_sysdive_matches_expected`` runs sysdive and compares its stdout with the stored file.
* ``test_every_event_type_is_printed`` checks the cases print every event type (and
  direction) that the sample captures hold.
* ``test_copy_prints_like_original``: sysdig and sysdive print for a whole ``sysdive -w``
  copy of each sample capture (plain and ``-z``) exactly what sysdig prints for the original;
  ``test_filtered_copy_prints_like_filtered_original`` does the same for ``-F -w FILTER``
  copies of the filter cases, event numbers aside.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases import CAPTURES, CASES

from support import (
    IPV6,
    SYSDIVE,
    USER0,
    Case,
    ExpectedStore,
    diff,
    sample_capture,
    sysdive_env,
)
from support import run as run_tool

STORE = ExpectedStore(Path(__file__).resolve().parent / "expected")

# sysdig consumes container JSON events in its container manager; they are never printed.
NEVER_PRINTED = frozenset({"container"})


def _read_expected(case: Case) -> bytes:
    return STORE.read(case.name)


def _run(argv: list[str], extra_env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[bytes]:
    return run_tool(argv, env=sysdive_env(extra_env))


def _ids(case: Case) -> str:
    return case.name


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_expected_is_sysdig_output(case: Case, sysdig: str) -> None:
    STORE.check_sysdig(case, _run([sysdig, *case.argv()]))


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_sysdive_matches_expected(case: Case) -> None:
    STORE.check_sysdive(case, _run([*SYSDIVE, *case.argv()]))


def _has_filter(case: Case) -> bool:
    """Whether the case ends with a positional filter (the fast path's prefilter matters)."""
    last = case.args[-1] if case.args else ""
    before = case.args[-2] if len(case.args) > 1 else ""
    return bool(last) and not last.startswith(("-", "@")) and before not in _VALUE_OPTIONS


_VALUE_OPTIONS = frozenset({"-p", "-n", "-s", "-t", "-M", "-w", "-r", "-d", "-c", "-S"})


def _copy(src: Path, dest: Path, *args: str) -> Path:
    """``sysdive -r SRC -w DEST ARGS``."""
    done = _run([*SYSDIVE, "-r", str(src), "-w", str(dest), *args])
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return dest


# --- -w copies print what the original prints ----------------------------------------------

_DEFAULT_CASE = {c.capture: c for c in CASES if not c.args}  # plain ``sysdig -r X``


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "z"])
@pytest.mark.parametrize("capture", CAPTURES)
def test_copy_prints_like_original(capture: str, gzipped: bool, sysdig: str,
                                   v2_samples: Path, tmp_path: Path) -> None:
    """sysdig (and sysdive) read a whole ``sysdive -w`` copy, plain or ``-z``, and print every
    line sysdig prints for the original, event numbers included: the header is copied once
    complete and the leading container events as they were. (sysdig's own copies fall short:
    it cannot read its copy of curl_google, and renumbers run_as_user_0_container's.)"""
    src = sample_capture(capture)
    copy = (_copy(src, tmp_path / "copy.scap.gz", "-z") if gzipped
            else v2_samples / f"{capture}.scap")
    expected = _read_expected(_DEFAULT_CASE[capture])
    for tool in ([sysdig], [*SYSDIVE]):
        done = _run([*tool, "-r", str(copy)])
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        if done.stdout != expected:
            pytest.fail(f"{tool[-1]} -r (sysdive -w copy of {capture}.scap)\n"
                        + diff(expected, done.stdout, "copy"))


def test_copy_of_concatenated_sections_prints_like_original(sysdig: str,
                                                            tmp_path: Path) -> None:
    """A capture of several sections (files written one after the other): the copy keeps
    each section's header and leading container events, so sysdig prints it as the
    original (its own copy of this file shifts every event number)."""
    joined = tmp_path / "joined.scap"
    joined.write_bytes(b"".join(sample_capture(n).read_bytes() for n in (USER0, IPV6, USER0)))
    copy = _copy(joined, tmp_path / "copy.scap")
    expected = _run([sysdig, "-r", str(joined)])
    assert expected.returncode == 0 and expected.stdout, expected.stderr[-500:]
    got = _run([sysdig, "-r", str(copy)])
    if got.stdout != expected.stdout:
        pytest.fail("sysdig -r (sysdive -w copy of three joined captures)\n"
                    + diff(expected.stdout, got.stdout, "copy"))


_EVT_NUM = re.compile(rb"^\d+ ", re.MULTILINE)
_FILTER_CASES = [c for c in CASES if len(c.args) == 1 and _has_filter(c) and not c.xfail
                 and not c.name.startswith("u0_")]


@pytest.mark.parametrize("case", _FILTER_CASES, ids=_ids)
def test_filtered_copy_prints_like_filtered_original(case: Case, sysdig: str,
                                                     tmp_path: Path) -> None:
    """``sysdive -r X -F -w Y FILTER`` (the state-changing events kept, flagged state-only):
    ``sysdig -r Y`` prints the lines of ``sysdig -r X FILTER`` (renumbered from 1)."""
    copy = _copy(sample_capture(case.capture), tmp_path / "copy.scap", "-F", *case.args)
    done = _run([sysdig, "-r", str(copy)])
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    expected = _EVT_NUM.sub(b"", _read_expected(case))
    assert expected, f"{case.name} prints nothing: it checks nothing"
    got = _EVT_NUM.sub(b"", done.stdout)
    if got != expected:
        pytest.fail(f"sysdig -r (sysdive -F -w copy of {case.capture}.scap {case.args[0]!r})\n"
                    + diff(expected, got, "copy"))


@pytest.mark.parametrize("case", [c for c in CASES if _has_filter(c) and not c.xfail], ids=_ids)
def test_vectorised_path_matches_plain_loop(case: Case, v2_samples: Path) -> None:
    """The batch loop (fastloop.py: numpy scan, prefilter, skipped rows), which only large
    captures take otherwise, prints what the plain loop prints, on v2 copies of the captures
    (the plain loop is the one compared with sysdig above)."""
    argv = [*SYSDIVE, *case.argv({name: v2_samples / f"{name}.scap" for name in CAPTURES})]
    plain = _run(argv, {"SYSDIVE_VECTORISE_MIN": str(1 << 40)})
    # The batch loop's rejections twice: compiled (state/_rowparse.c) and in Python.
    for label, env in (("vectorised", {"SYSDIVE_VECTORISE_MIN": "0"}),
                       ("vectorised, no extension", {"SYSDIVE_VECTORISE_MIN": "0",
                                                     "SYSDIVE_NO_EXTENSION": "1"})):
        vectorised = _run(argv, env)
        assert plain.returncode == vectorised.returncode, vectorised.stderr.decode(errors="replace")
        if vectorised.stdout != plain.stdout:
            pytest.fail(f"({label}) sysdive -r {case.capture}.scap {' '.join(case.args)}\n"
                        + diff(plain.stdout, vectorised.stdout, label))


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
    path = sample_capture(capture)
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
