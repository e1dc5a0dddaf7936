"""topprocs_cpu's bulk path (``fold_rows`` over EventRows) against its ``on_event``.

The parity tests run the bulk path on real and synthetic captures and compare with sysdig
(``SYSDIVE_VECTORISE_MIN=0``); these check in process the two places where it gives up its
shortcuts, which no capture sysdig reads reaches: sums past 2**53, where only the Lua's
order of additions gives its figures, and procinfo params of an unusual layout. Each time
one chisel gets the events as EventRows, a twin gets them one by one through ``on_event``,
and their tables must be equal to the last bit.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

from sysdive.capture.synthetic import Raw, SyntheticCapture, proc
from sysdive.chisels.api import ChiselContext
from sysdive.chisels.builtin.topprocs_cpu import TopProcsCpu
from sysdive.event_rows import EventRows
from sysdive.fields.registry import FieldOptions, FieldRegistry
from sysdive.scap.reader import CaptureReader, Section
from sysdive.state.tables import State

APP, HELPER, OTHER = 100, 101, 200


def _capture(path: Path, *, odd_layout: bool = False) -> Path:
    cap = SyntheticCapture(procs=[proc(1, "systemd", ptid=0), proc(APP, "app"),
                                  proc(HELPER, "app", pid=APP, ptid=APP, flags=0x10000),
                                  proc(OTHER, "other")])
    totals = [(APP, 10), (HELPER, 3), (OTHER, 0), (APP, 70), (HELPER, 4), (APP, 500),
              (OTHER, 9), (555, 1), (APP, 501), (HELPER, 2)]
    for tid, total in totals:
        sys_ = Raw(total.to_bytes(4, "little")) if odd_layout and tid == HELPER else 0
        cap.event("procinfo", tid, cpu_usr=total, cpu_sys=sys_)
    cap.write(str(path))
    return path


def _rows(path: Path, state: State) -> EventRows:
    """Every event of the capture (all procinfo) as one EventRows, threads from ``state``."""
    header = None
    with CaptureReader(str(path), vectorise=True) as reader:
        for item in reader:
            if isinstance(item, Section):
                header = item.header  # complete once the first events come
                continue
            assert header is not None
            state.load_header(header)
            cols = item.cols
            assert cols is not None
            ts, tid, cpu, dflags, hdr, end, npar = cols.fields()
            tid = tid.astype(np.int64)
            u, first, inv = np.unique(tid, return_index=True, return_inverse=True)
            return EventRows(int(cols.type[0]), item.buf, np.arange(1, len(ts) + 1), ts, tid,
                             cpu, dflags, hdr, end, npar,
                             [state.threads.get(t) for t in u.tolist()], inv.reshape(-1),
                             first)
    raise AssertionError("no events")


def _chisel(state: State, table: dict[str, float]) -> TopProcsCpu:
    ctx = ChiselContext(FieldRegistry(state, FieldOptions()), io.StringIO(), state=state)
    ch = TopProcsCpu(ctx)
    ch.on_init()
    ch.on_capture_start()
    ch.table.update(table)
    return ch


def _both(path: Path, table: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """The table after fold_rows, and after on_event on each event in turn."""
    state = State()
    rows = _rows(path, state)
    assert all(t is not None for t in rows.threads[:3]) and rows.threads[3] is None
    bulk = _chisel(state, table)
    fold = bulk.fold_rows()
    assert fold is not None
    fold(rows)
    single = _chisel(state, table)
    for i in range(len(rows)):
        single.on_event(rows.event(i))
    return bulk.table, single.table


def test_usual_sums(tmp_path: Path) -> None:
    bulk, single = _both(_capture(tmp_path / "c.scap"), {})
    assert bulk == single
    # Process 100: its main thread counts 0 (first), 60, 100 (430, capped), 1; its helper 0,
    # 1, 100 (went back: a huge uint64 delta, capped). The unknown tid 555 counts nowhere.
    assert bulk["app\x01\x01100"] == (60 + 100 + 1 + 1 + 100) * 10_000_000
    assert set(bulk) == {"app\x01\x01100", "other\x01\x01200"}


@pytest.mark.parametrize("start", [2.0**53 - 3e8, 2.0**60, 2.0**60 + 768, 2.0**62 + 2048])
def test_sums_past_2_53_follow_event_order(tmp_path: Path, start: float) -> None:
    key = "app\x01\x01100"
    bulk, single = _both(_capture(tmp_path / "c.scap"), {key: start})
    assert bulk == single


def test_rounding_does_happen_there(tmp_path: Path) -> None:
    # The case above is not vacuous: from 2**60 on, adding the terms one by one (the Lua's
    # order) rounds, so a sum in another order could print other figures.
    key = "app\x01\x01100"
    bulk, single = _both(_capture(tmp_path / "c.scap"), {key: 2.0**60})
    assert bulk[key] == single[key] != 2.0**60 + 262 * 10_000_000


def test_unusual_param_layout_goes_event_by_event(tmp_path: Path) -> None:
    bulk, single = _both(_capture(tmp_path / "c.scap", odd_layout=True), {})
    assert bulk == single
    assert bulk["app\x01\x01100"] > 0


def test_the_batch_loop_hands_procinfo_rows_in_bulk(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """`-c topprocs_cpu` on a large capture: every procinfo event reaches the chisel through
    fold_rows, none one by one (its filter has a fast form, whose one-by-one rejection of
    procinfo must not take them from the bulk sink)."""
    from support import v2_copy
    from sysdive.cli.main import main
    from sysdive.scap import reader

    monkeypatch.setattr(reader, "VECTORISE_MIN", 0)
    bulk: list[int] = []
    single: list[int] = []
    real_fold, real_event = TopProcsCpu._fold_rows, TopProcsCpu.on_event

    def fold(self: TopProcsCpu, column: object, rows: EventRows) -> None:
        bulk.append(len(rows))
        real_fold(self, column, rows)  # type: ignore[arg-type]

    def one(self: TopProcsCpu, evt: object) -> bool | None:
        single.append(1)
        return real_event(self, evt)  # type: ignore[arg-type]
    monkeypatch.setattr(TopProcsCpu, "_fold_rows", fold)
    monkeypatch.setattr(TopProcsCpu, "on_event", one)

    class Kept(io.BytesIO):
        def close(self) -> None:   # main's stdout wrapper closes it at the end
            pass
    out = Kept()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    assert main(["-r", str(v2_copy("curl_google", tmp_path)), "-c", "topprocs_cpu"]) == 0
    assert b"CPU%" in out.getvalue()
    assert sum(bulk) > 100 and not single, (sum(bulk), len(single))
