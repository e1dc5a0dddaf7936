"""Drops are counted exactly: under a syscall storm that overflows deliberately small buffers,
the events written plus the events reported lost equal the events the workload generated, and
the file still reads cleanly, with drop markers where events were lost.

The workload is a Python process whose system calls are known one by one: it is captured
alone (the probe's pid filter) from the moment it blocks in one read(2); then it makes that
read return, calls getppid(2) N times and leaves with _exit(2). The probe sees the read's
exit, 2N getppid events, exit_group's enter (it has no exit) and procexit: 2N + 3 events.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from support import capture_during, require_live, run_reader
from sysdive.capture.live import CaptureResult
from sysdive.scap.reader import CaptureReader, EventBatch

CALLS = 1_500_000
STORM = (
    "import os\n"
    "os.read(0, 1)\n"
    f"for _ in range({CALLS}):\n"
    "    os.getppid()\n"
    "os._exit(0)\n"
)


def _capture_storm(path: Path, buffer_size: int, poll: float) -> tuple[CaptureResult, int]:
    proc = subprocess.Popen([sys.executable, "-c", STORM], stdin=subprocess.PIPE)

    def release() -> None:
        assert proc.stdin is not None
        proc.stdin.write(b"x")
        proc.stdin.flush()
        assert proc.wait(120) == 0

    result = capture_during(path, release, timeout=120, filter_pid=proc.pid,
                            buffer_size=buffer_size, poll_seconds=poll)
    return result, proc.pid


def _event_types(path: Path) -> Counter[int]:
    types: Counter[int] = Counter()
    for item in CaptureReader(str(path)):
        if isinstance(item, EventBatch):
            types.update(row[0] for row in item.rows)
    return types


@pytest.fixture(scope="module")
def storm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CaptureResult, int]:
    require_live()
    path = tmp_path_factory.mktemp("drops") / "storm.scap"
    # 4 MiB per CPU, drained every half second: a storm of ~2M events/s must overflow it
    result, pid = _capture_storm(path, 4 << 20, 0.5)
    return path, result, pid


def test_written_plus_dropped_is_generated(storm: tuple[Path, CaptureResult, int]) -> None:
    _path, result, _pid = storm
    assert result.drops > 0, "the storm did not overflow the buffers: nothing was tested"
    assert result.events + result.drops == 2 * CALLS + 3
    assert sum(c[0] for c in result.per_cpu) == result.drops


def test_file_reads_cleanly_with_markers(storm: tuple[Path, CaptureResult, int]) -> None:
    path, result, _pid = storm
    types = _event_types(path)
    markers = types.pop(148, 0)
    assert markers == types.pop(149, 0) >= 1
    assert sum(types.values()) == result.events
    # getppid is a generic event (0/1) carrying its id; the rest is the read and the exit
    assert types[0] + types[1] <= 2 * CALLS + 1


def test_sysdig_reads_the_markers(storm: tuple[Path, CaptureResult, int]) -> None:
    path, result, _pid = storm
    flt = "evt.type=drop"
    ours = run_reader(["-r", str(path), "-D", "-p", "%evt.dir %evt.cpu %evt.args", flt], True)
    oracle = run_reader(["-r", str(path), "-D", "-p", "%evt.dir %evt.cpu %evt.args", flt], False)
    assert ours == oracle
    lost = sum(int(line.split("ratio=")[1]) for line in ours.splitlines() if line[0] == ">")
    assert lost == result.drops
