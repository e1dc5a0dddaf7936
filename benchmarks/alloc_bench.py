"""Slowdown of a leaking program under allocation-stack capture, against the untraced run.

Builds tests/memory/leakprog (the leaky server and its stripped library, without frame
pointers), then runs it serving REQUESTS requests that each leak LEAK bytes, and takes the
serving time the program reports itself (microseconds, from its first request to its last):

  untraced        no probe loaded
  other-pid       the probe attached, tracing another process: the cost of the brk/mmap
                  tracepoints on a program that is not a target
  probe-only      the probe records the target's stacks into a ring large enough for the
                  whole run, and nothing reads it until the end: the kernel-side cost alone
                  (no consumer competing for the CPUs)
  stacks          ``sysdive --alloc-stacks proc.pid=PID``: registers + up to 8 KiB of user
                  stack copied at every heap-growing brk and anonymous mmap, unwound and
                  symbolized in Python while the program runs

The program is pinned to CPU 0 and the consumer to CPU 1 (unless --no-pin), so the
comparison shows what the probe costs the program rather than how the two share a CPU.

    sudo python benchmarks/alloc_bench.py [--requests N] [--leak BYTES] [--repeat R] [--no-pin]

bcc's memleak cannot be the baseline here: bcc needs kernel headers, which this machine lacks
(see shared/reference/ebpf-notes.md §2), so the comparison is with the untraced run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from sysdive.capture.ebpf.allocprobe import AllocProbe  # noqa: E402
from sysdive.memory.stacks import AllocReport, capture_alloc_stacks  # noqa: E402

LEAKPROG = REPO / "tests" / "memory" / "leakprog"
PIN = False  # program on CPU 0, this process (the consumer) on CPU 1: see --no-pin


def serve(server: Path, requests: int, leak: int, traced: str) -> tuple[int, AllocReport | None]:
    """One run; returns (serving microseconds, report if traced)."""
    pin = ["taskset", "-c", "0"] if PIN else []
    proc = subprocess.Popen([*pin, str(server), str(requests), str(leak)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    report: dict[str, AllocReport] = {}
    stop, started = threading.Event(), threading.Event()
    worker = None
    if traced == "probe-only":
        with AllocProbe(os.getpid(), frozenset({proc.pid}), ring_bytes=128 << 20) as probe:
            out, _ = proc.communicate(b"x", timeout=600)
            lost, _failed = probe.counters()
        assert lost == 0, "the ring was too small for the run"
        return int(out.split()[1]), None
    if traced != "untraced":
        pid = proc.pid if traced == "stacks" else os.getpid()  # we are never traced

        def run() -> None:
            report["r"] = capture_alloc_stacks(frozenset({pid}), traced, stop=stop,
                                               on_start=started.set)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        started.wait(60)
    out, _ = proc.communicate(b"x", timeout=600)
    if worker is not None:
        stop.set()
        worker.join(600)
    return int(out.split()[1]), report.get("r")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--leak", type=int, default=16384)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-pin", action="store_true",
                    help="do not pin the program and the consumer to different CPUs")
    args = ap.parse_args()
    global PIN
    PIN = not args.no_pin and (os.cpu_count() or 1) >= 2
    if PIN:
        os.sched_setaffinity(0, {1})
    if os.geteuid() != 0:
        sys.exit("alloc_bench: needs root (it loads the BPF probe)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["sh", str(LEAKPROG / "build.sh"), tmp, "nofp"], check=True)
        server = Path(tmp) / "leakyserver"
        times: dict[str, list[int]] = {"untraced": [], "other-pid": [], "probe-only": [],
                                       "stacks": []}
        last: AllocReport | None = None
        for _ in range(args.repeat):
            for case in times:  # interleaved, so machine noise spreads over every case
                micros, rep = serve(server, args.requests, args.leak, case)
                times[case].append(micros)
                if case == "stacks":
                    last = rep
        base = statistics.median(times["untraced"])
        print(f"leaky server: {args.requests} requests leaking {args.leak} B each, "
              f"median of {args.repeat} runs (serving time)"
              + (", program on CPU 0, consumer on CPU 1" if PIN else ""))
        for case, values in times.items():
            med = statistics.median(values)
            print(f"  {case:10s} {med / 1000:9.1f} ms  x{med / base:5.2f}  "
                  f"(runs: {', '.join(f'{v / 1000:.1f}' for v in values)})")
        if last is not None:
            extra = statistics.median(times["stacks"]) - base
            print(f"  stacks: {last.total_count} heap-growing calls recorded per run, "
                  f"lost {last.lost}, stacks not copied {last.copy_failures}; "
                  f"{extra / max(last.total_count, 1):.1f} us of serving time added per "
                  "recorded call")
            top = last.stacks[0].site if last.stacks else None
            print(f"  top allocating code: {top}")


if __name__ == "__main__":
    main()
