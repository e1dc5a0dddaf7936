"""capture_to_file(hold=...): while a container's description is on its way, the events wait
in memory and the description is written before them (the real docker path is
tests/containers/test_docker_live.py::test_capture_names_containers_after_removal)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from support import capture_during, require_live, run_reader
from sysdive.containers.events import container_event_block, full_record
from sysdive.scap.reader import EventBatch, read_all
from sysdive.schema.events import EVENT_BY_ENUM


def test_held_events_follow_the_description(tmp_path: Path) -> None:
    require_live()
    token = uuid.uuid4().hex[:8]
    target = tmp_path / f"held-{token}"
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.stdin.read(1); open({str(target)!r}, 'w')"],
        stdin=subprocess.PIPE)
    described = threading.Event()
    doc = full_record({"id": (token * 2)[:12], "full_id": token * 8, "name": f"held_{token}",
                       "image": "held:1"})
    side_calls: list[float] = []

    def side() -> bytes:
        if described.is_set() and not side_calls:
            side_calls.append(time.monotonic())
            return container_event_block(doc, time.time_ns())
        return b""

    def action() -> None:
        assert proc.stdin is not None
        proc.stdin.write(b"x")
        proc.stdin.close()
        assert proc.wait(60) == 0
        time.sleep(0.3)  # the workload's events are drained (and held) by now
        described.set()
        time.sleep(0.2)

    result = capture_during(tmp_path / "held.scap", action, filter_pid=proc.pid,
                            side_events=side, hold=lambda: not described.is_set())
    assert result.events > 0
    items, damage = read_all(str(tmp_path / "held.scap"))
    assert damage is None
    rows = [row for item in items if isinstance(item, EventBatch) for row in item.rows]
    json_2 = EVENT_BY_ENUM["PPME_CONTAINER_JSON_2_E"].id
    (at,) = [k for k, row in enumerate(rows) if row[0] == json_2]
    ours = [k for k, row in enumerate(rows) if row[2] == proc.pid]
    assert ours, "the workload's events are missing"
    # written after the description although they happened before it
    assert at < min(ours) and all(rows[k][1] < rows[at][1] for k in ours)
    shown = run_reader(["-r", str(tmp_path / "held.scap"), "-p", "%fd.name",
                        f"fd.name={target}"], True)
    assert shown.split() and set(shown.split()) == {str(target)}
