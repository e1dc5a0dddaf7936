"""Parity of the state engine with sysdig 0.29.3 on the sample captures.

For each case the thread/fd/process fields of every printed event (``statehelpers.FIELDS``)
are rendered from the state and compared line by line with sysdig's ``-p`` output: stored
in ``expected/`` (gzip) and, when sysdig is installed, produced live. Filter cases run once
as a capture filter (which drops non-state events before parsing and so breaks their
enter/exit pairing) and once as a display filter (``-d``, applied after parsing).
"""

from __future__ import annotations

import difflib
import gzip
import os
import subprocess
from pathlib import Path

import pytest
import statehelpers as H

from support import CAPTURES_DIR, find_sysdig
from sysdive.event import Event
from sysdive.schema.types import Category
from sysdive.state.parser import Filter, Parser
from sysdive.state.tables import State

CAPTURES = CAPTURES_DIR
EXPECTED = Path(__file__).parent / "expected"

# (capture, mode, filter): mode "all" = no filter, "f" = capture filter, "d" = display filter,
# "D"/"Df" = sysdig -D (internal events shown, and returned even when the filter fails).
CASES = [
    ("curl_google", "all", ""),
    ("single_ipv6_conn", "all", ""),
    ("run_as_user_0_container", "all", ""),
    ("curl_google", "D", ""),
    ("run_as_user_0_container", "Df", "proc.name=curl"),
]
for _mode in ("f", "d"):
    CASES += [
        ("curl_google", _mode, "proc.name=curl"),
        ("curl_google", _mode, "fd.type=ipv6"),
        ("curl_google", _mode, "fd.type=file"),
        ("single_ipv6_conn", _mode, "fd.type=ipv6"),
        ("run_as_user_0_container", _mode, "proc.name=nginx"),
        ("run_as_user_0_container", _mode, "fd.type=file"),
    ]


def _case_id(case: tuple[str, str, str]) -> str:
    return "__".join(part for part in case if part)


def _make_filter(state: State, text: str) -> Filter:
    field, value = text.split("=")
    if field == "proc.name":
        return H.proc_name_is(state, value)
    return H.fd_type_is(state, value)


def _render(capture: Path, mode: str, filt_text: str) -> list[str]:
    state = State()
    debug = mode.startswith("D")
    parser = Parser(state, internal_events=debug)
    filt = _make_filter(state, filt_text) if filt_text else None
    out: list[str] = []
    events = H.events(capture, parser, filt if mode in ("f", "Df") else None)
    for evt in events:
        if evt.info.category & Category.INTERNAL and not debug:
            continue
        if mode == "d" and filt is not None and not filt(evt):
            continue
        out.append(H.render(state, evt))
    return out


def _compare(mine: list[str], ref: list[str]) -> None:
    if mine != ref:
        diff = "\n".join(list(difflib.unified_diff(ref, mine, "sysdig", "sysdive",
                                                   lineterm=""))[:60])
        pytest.fail(f"{sum(a != b for a, b in zip(mine, ref, strict=False))} differing lines, "
                    f"{len(mine)} vs {len(ref)} lines:\n{diff}")


def _sysdig_lines(capture: Path, mode: str, filt_text: str) -> list[str]:
    cmd = [find_sysdig(), "-r", str(capture), "-p", H.FIELDS]
    if mode == "d":
        cmd.append("-d")
    elif mode.startswith("D"):
        cmd.append("-D")
    if filt_text:
        cmd.append(filt_text)
    res = subprocess.run(cmd, capture_output=True, check=True)
    lines = res.stdout.decode("utf-8", "surrogateescape").splitlines()
    if os.environ.get("SYSDIVE_REGEN") and (capture, mode, filt_text) in _PATHS:
        with gzip.open(EXPECTED / f"{_PATHS[(capture, mode, filt_text)]}.txt.gz", "wt") as fh:
            fh.write("".join(line + "\n" for line in lines))
    return lines


_PATHS = {(CAPTURES / f"{c}.scap", m, t): _case_id((c, m, t)) for c, m, t in CASES}


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_matches_stored_sysdig_output(case: tuple[str, str, str]) -> None:
    capture, mode, filt_text = case
    path = CAPTURES / f"{capture}.scap"
    if not path.exists():
        pytest.skip(f"{path} missing")
    with gzip.open(EXPECTED / f"{_case_id(case)}.txt.gz", "rt") as fh:
        ref = fh.read().splitlines()
    _compare(_render(path, mode, filt_text), ref)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_matches_live_sysdig(case: tuple[str, str, str]) -> None:
    capture, mode, filt_text = case
    path = CAPTURES / f"{capture}.scap"
    if not path.exists():
        pytest.skip(f"{path} missing")
    _compare(_render(path, mode, filt_text), _sysdig_lines(path, mode, filt_text))


@pytest.mark.parametrize("names", [("single_ipv6_conn", "curl_google"),
                                   ("single_ipv6_conn", "run_as_user_0_container")])
def test_concatenated_captures_restart_state(tmp_path: Path, names: tuple[str, str]) -> None:
    """A second capture appended to the first: state starts over, numbering goes on (the
    second section's leading container events take no numbers)."""
    paths = [CAPTURES / f"{n}.scap" for n in names]
    if not all(p.exists() for p in paths):
        pytest.skip("sample captures missing")
    both = tmp_path / "both.scap"
    both.write_bytes(b"".join(p.read_bytes() for p in paths))
    _compare(_render(both, "all", ""), _sysdig_lines(both, "all", ""))


def test_leading_container_events_are_consumed_but_hidden() -> None:
    path = CAPTURES / "run_as_user_0_container.scap"
    if not path.exists():
        pytest.skip(f"{path} missing")
    state = State()
    seen: list[Event] = list(H.events(path, Parser(state)))
    assert seen[0].num == 3
    assert state.containers["697956520d89"]["name"] == "hopeful_taussig"
