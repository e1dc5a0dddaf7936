"""``-w`` through the compiled batch loop: the rows it hands on (and the procinfo events a
copy keeps) are framed into the file by state/_rowparse.c, not by the writer. The file must
be the one the Python path writes, byte for byte, with the same ``-v`` counts, and sysdig
must read it as it reads the original.

The sample captures hold v1 blocks, which the batch loop does not take: they are read here
as sysdive's own v2 copies, with the scan on for small files (VECTORISE_MIN 0).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import compiled_module, counters, find_sysdig, main_in_process, run
from sysdive.cli import copying

CAPTURES = ("curl_google", "single_ipv6_conn", "run_as_user_0_container")
FILTERS = (
    None,                                       # a plain copy: every event
    "proc.name=curl",                           # any type, procinfo asked
    "evt.type=brk",                             # memory exits handed on with their counters
    "fd.name contains libc",
    "evt.type=procinfo",                        # procinfo passes: the full path
    "evt.is_io=true and evt.dir=< and evt.rawres>0",   # no fast form: asked on the Event
    "proc.name=nothing",                        # nothing passes: procinfo still kept
)


def _copy(src: Path, dst: Path, flt: str | None, monkeypatch: pytest.MonkeyPatch,
          compiled: bool, extra: tuple[str, ...] = ()) -> tuple[bytes, str, int]:
    """The copy's bytes, sysdive's -v lines and the blocks the compiled code wrote."""
    framed: list[int] = []
    real = copying.CaptureCopy.wrote

    def wrote(self: copying.CaptureCopy, events: int) -> None:
        framed.append(events)
        real(self, events)
    monkeypatch.setattr(copying.CaptureCopy, "wrote", wrote)
    argv = ["-r", str(src), "-w", str(dst), "-v", *extra, *([flt] if flt else [])]
    status, _, err = main_in_process(argv, monkeypatch, compiled=compiled)
    assert status == 0, err
    return dst.read_bytes(), counters(err), sum(framed)


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("capture", CAPTURES)
def test_compiled_copy_is_the_python_copy(capture: str, flt: str | None, v2_samples: Path,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    compiled_module("state._rowparse")
    src = v2_samples / f"{capture}.scap"
    fast, fast_counts, framed = _copy(src, tmp_path / "c.scap", flt, monkeypatch, True)
    slow, slow_counts, none = _copy(src, tmp_path / "p.scap", flt, monkeypatch, False)
    assert none == 0
    assert "Events matching" in fast_counts
    assert (fast_counts, len(fast)) == (slow_counts, len(slow))
    assert fast == slow
    if flt != "evt.type=procinfo":
        # (procinfo passing goes down the full path, and nothing else passes)
        assert framed > 0, "the compiled loop wrote nothing itself"


@pytest.mark.parametrize("extra", [("-F", "proc.name=curl"), ("-n", "500"),
                                   ("-S", "proc.name=curl")])
def test_copies_the_compiled_loop_leaves_alone(extra: tuple[str, ...], v2_samples: Path,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """-F (rejected state events kept), -n (a count) and -S (a summary of what passes) are
    written event by event: the same file either way."""
    compiled_module("state._rowparse")
    src = v2_samples / "curl_google.scap"
    fast, fast_counts, framed = _copy(src, tmp_path / "c.scap", None, monkeypatch, True, extra)
    slow, slow_counts, _ = _copy(src, tmp_path / "p.scap", None, monkeypatch, False, extra)
    assert framed == 0
    assert (fast, fast_counts) == (slow, slow_counts)


def test_sysdig_reads_the_compiled_copy_as_the_original(v2_samples: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sysdig = find_sysdig()
    compiled_module("state._rowparse")
    for capture in ("curl_google", "single_ipv6_conn"):
        src = v2_samples / f"{capture}.scap"
        dst = tmp_path / f"{capture}.scap"
        _, _, framed = _copy(src, dst, None, monkeypatch, True)
        assert framed > 0
        want = run([sysdig, "-r", str(src)])
        got = run([sysdig, "-r", str(dst)])
        assert want.returncode == got.returncode == 0
        assert want.stdout and got.stdout == want.stdout
