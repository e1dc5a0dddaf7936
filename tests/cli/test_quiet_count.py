"""``-q``: nothing reads the events that pass, so the compiled batch loop only counts the rows
it hands on (no Event is made). The ``-v`` counts must be the Python path's, with and
without a filter, on sysdive's v2 copies of the samples (the batch loop's input)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from support import compiled_module, v2_copy
from sysdive import compiledloop
from sysdive.cli.main import main
from sysdive.scap import reader

CAPTURES = ("curl_google", "single_ipv6_conn", "run_as_user_0_container")
FILTERS = (None, "proc.name=curl", "fd.name contains libc", "evt.type=brk",
           "evt.is_io=true and evt.dir=< and evt.rawres>0", "proc.name=nothing")


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("v2quiet")
    for name in CAPTURES:
        v2_copy(name, out)
    return out


def _counts(src: Path, flt: str | None, monkeypatch: pytest.MonkeyPatch, compiled: bool,
            extra: tuple[str, ...] = ()) -> tuple[str, list[bool]]:
    """sysdive's -v lines, and for each compiled loop whether it only counted."""
    if compiled:
        monkeypatch.delenv("SYSDIVE_NO_EXTENSION", raising=False)
    else:
        monkeypatch.setenv("SYSDIVE_NO_EXTENSION", "1")
    monkeypatch.setattr(reader, "VECTORISE_MIN", 0)
    modes: list[bool] = []
    real = compiledloop.CompiledPath.__init__

    def init(self: compiledloop.CompiledPath, *args: Any, **kw: Any) -> None:
        real(self, *args, **kw)
        modes.append(self.count_only)
    monkeypatch.setattr(compiledloop.CompiledPath, "__init__", init)
    out = io.BytesIO()
    out.close = lambda: None  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    argv = ["-r", str(src), "-q", "-v", *extra, *([flt] if flt else [])]
    assert main(argv) == 0, err.getvalue()
    assert "-S" in extra or out.getvalue() == b""   # (-S prints its table)
    return "".join(ln + "\n" for ln in err.getvalue().splitlines()
                   if ln.startswith("Events")), modes


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("capture", CAPTURES)
def test_counting_loop_counts_what_the_python_path_does(capture: str, flt: str | None,
                                                        copies: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    compiled_module("state._rowparse")
    src = copies / f"{capture}.scap"
    fast, modes = _counts(src, flt, monkeypatch, True)
    slow, none = _counts(src, flt, monkeypatch, False)
    assert modes and all(modes), "the compiled loop did not count"
    assert none == []
    assert "Events matching" in fast
    assert fast == slow


def test_limits_and_summaries_hand_events_on(copies: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """-n counts in Python (it stops the read), -S sums the events: no counting loop."""
    compiled_module("state._rowparse")
    src = copies / "curl_google.scap"
    for extra in (("-n", "100"), ("-S",)):
        fast, modes = _counts(src, "proc.name=curl", monkeypatch, True, extra)
        slow, _ = _counts(src, "proc.name=curl", monkeypatch, False, extra)
        assert modes and not any(modes)
        assert fast == slow
