"""``-q``: nothing reads the events that pass, so the compiled batch loop only counts the rows
it hands on (no Event is made). The ``-v`` counts must be the Python path's, with and
without a filter, on sysdive's v2 copies of the samples (the batch loop's input)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support import compiled_module, counters, main_in_process
from sysdive import compiledloop

CAPTURES = ("curl_google", "single_ipv6_conn", "run_as_user_0_container")
FILTERS = (None, "proc.name=curl", "fd.name contains libc", "evt.type=brk",
           "evt.is_io=true and evt.dir=< and evt.rawres>0", "proc.name=nothing")


def _counts(src: Path, flt: str | None, monkeypatch: pytest.MonkeyPatch, compiled: bool,
            extra: tuple[str, ...] = ()) -> tuple[str, list[bool]]:
    """sysdive's -v lines, and for each compiled loop whether it only counted."""
    modes: list[bool] = []
    real = compiledloop.CompiledPath.__init__

    def init(self: compiledloop.CompiledPath, *args: Any, **kw: Any) -> None:
        real(self, *args, **kw)
        modes.append(self.count_only)
    monkeypatch.setattr(compiledloop.CompiledPath, "__init__", init)
    argv = ["-r", str(src), "-q", "-v", *extra, *([flt] if flt else [])]
    status, out, err = main_in_process(argv, monkeypatch, compiled=compiled)
    assert status == 0, err
    assert "-S" in extra or out == b""   # (-S prints its table)
    return counters(err), modes


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("capture", CAPTURES)
def test_counting_loop_counts_what_the_python_path_does(capture: str, flt: str | None,
                                                        v2_samples: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    compiled_module("state._rowparse")
    src = v2_samples / f"{capture}.scap"
    fast, modes = _counts(src, flt, monkeypatch, True)
    slow, none = _counts(src, flt, monkeypatch, False)
    assert modes and all(modes), "the compiled loop did not count"
    assert none == []
    assert "Events matching" in fast
    assert fast == slow


def test_limits_and_summaries_hand_events_on(v2_samples: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """-n counts in Python (it stops the read), -S sums the events: no counting loop."""
    compiled_module("state._rowparse")
    src = v2_samples / "curl_google.scap"
    for extra in (("-n", "100"), ("-S",)):
        fast, modes = _counts(src, "proc.name=curl", monkeypatch, True, extra)
        slow, _ = _counts(src, "proc.name=curl", monkeypatch, False, extra)
        assert modes and not any(modes)
        assert fast == slow
