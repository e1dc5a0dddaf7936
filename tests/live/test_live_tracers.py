"""Tracers captured live: a small program writes sysdig tracer texts to /dev/null from two
threads while sysdive's eBPF capture writes a file; sysdig 0.29.3 and sysdive must read the
same tracer events (and the same span fields) from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from livehelpers import capture_during, require_live, run_reader

PROGRAM = r"""
import os, sys, threading, time
fd = os.open("/dev/null", os.O_WRONLY)
def spans(tag, n):
    for i in range(n):
        os.write(fd, f">:t:{tag}:i={i}:".encode())
        os.write(fd, f">:t:{tag}.inner::".encode())
        time.sleep(0.002)
        os.write(fd, f"<:t:{tag}.inner:ok=1:".encode())
        os.write(fd, f"<:t:{tag}::".encode())
t = threading.Thread(target=spans, args=("worker", 3))
t.start()
spans("main", 3)
t.join()
print(os.getpid())
"""


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    require_live()
    path = tmp_path_factory.mktemp("live_tracers") / "tracers.scap"
    out: list[bytes] = []

    def workload() -> None:
        done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, timeout=60,
                              check=True)
        out.append(done.stdout)

    capture_during(path, workload)
    return path, int(out[0])


@pytest.mark.parametrize("args", [
    ("evt.type=tracer",),
    ("-p", "%evt.type %evt.dir %thread.tid %span.id %span.tags %span.args %span.enterargs "
           "%span.nargs", "evt.type=tracer"),
    ("-p", "%evt.type %span.tags %span.duration", "evt.type=tracer and evt.dir=<"),
], ids=["default", "span_fields", "durations"])
def test_readers_agree_on_live_tracers(capture: tuple[Path, int], args: tuple[str, ...]) -> None:
    path, pid = capture
    argv = ["-r", str(path), *args[:-1], f"({args[-1]}) and proc.pid={pid}"]
    ours = run_reader(argv, sysdive=True)
    theirs = run_reader(argv, sysdive=False)
    assert ours == theirs
    assert ours.count("tracer") >= 24 // (1 if args == ("evt.type=tracer",) else 2)


def test_live_spans_pair_up(capture: tuple[Path, int]) -> None:
    path, pid = capture
    text = run_reader(["-r", str(path), "-p", "%span.tags %span.duration",
                       f"evt.type=tracer and evt.dir=< and proc.pid={pid}"], sysdive=True)
    rows = [line.split() for line in text.splitlines()]
    assert sorted(r[0] for r in rows) == sorted(["main", "main.inner", "worker",
                                                 "worker.inner"] * 3)
    # every inner span slept 2 ms, and its outer span lasted longer
    assert all(int(r[1]) >= 2_000_000 for r in rows)
