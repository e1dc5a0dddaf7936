"""Reading speed of sysdive against sysdig 0.29.3, measured in the same run.

Builds a capture of at least 1,000,000 events by repeating the event blocks of a shared
capture after its header (one section, written by sysdive's writer), then times both tools on
the same file with output to a file, and prints the ratio sysdive/sysdig for each case.

    python benchmarks/read_bench.py [--events N] [--repeat R] [--capture PATH] [--only NAME]
                                    [--src OTHER_CHECKOUT/src]

Goals (issue "Read sysdig captures"): every ratio at or below 1.0; the issue is done at 3.0
or below for the two filter cases and 2.0 or below for the two full-output cases. Issue
"Chisels in Python": ``-c topscalls``, ``-c topprocs_cpu``, ``-c echo_fds`` at 2.0 or below.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from sysdive.event import Event  # noqa: E402
from sysdive.scap.reader import CaptureReader, Section  # noqa: E402
from sysdive.scap.writer import CaptureWriter  # noqa: E402

sys.path.insert(0, str(REPO / "tests" / "chisels"))
from chisel_tables import normalize  # noqa: E402

DEFAULT_CAPTURE = REPO.parent / "shared" / "captures" / "curl_google.scap"

CASES: list[tuple[str, list[str], float | None]] = [
    ("filter-fd-name", ["-q", "fd.name contains libc"], 3.0),
    ("vmrss-brk", ["-p", "%proc.vmrss", "evt.type=brk and proc.name contains cur"], 3.0),
    ("default-line", [], 2.0),
    ("json", ["-j"], 2.0),
    # Issue "Chisels in Python": goal 1.0, done at 2.0.
    ("c-topscalls", ["-c", "topscalls"], 2.0),
    ("c-topprocs_cpu", ["-c", "topprocs_cpu"], 2.0),
    ("c-echo_fds", ["-c", "echo_fds"], 2.0),
    # No issue bar: filters that may match any event type (the common `proc.name=X`), one
    # passing most events, one passing none.
    ("filter-proc-name", ["-q", "proc.name=curl"], None),
    ("filter-proc-none", ["-q", "proc.name=nothing"], None),
    # No issue bar: -w copies, whole and filtered ({copy}: each tool's own file).
    ("copy", ["-w", "{copy}"], None),
    ("copy-proc-name", ["-w", "{copy}", "proc.name=curl"], None),
]
# What a copy holds, as sysdig reads it (a filtered copy lacks the state its skipped events
# built, so only what each event carries itself is compared).
COPY_CHECK = ["-p", "%evt.rawtime %thread.tid %evt.type %evt.dir %evt.rawres"]
# Top-N tables: sysdig orders tied rows at random, so outputs are compared without tie order
# (tests/chisels/chisel_tables.py).
TABLE_TOPS = {"c-topscalls": 30, "c-topprocs_cpu": 10}


def build_capture(src: Path, dst: Path, min_events: int) -> int:
    """Write ``src``'s header once, then its events again and again until ``min_events``."""
    header = None
    events: list[tuple[bytes, int, int]] = []
    for item in CaptureReader(str(src)):
        if isinstance(item, Section):
            header = item.header
            continue
        for etype, ts, tid, cpu, dflags, hdr, end, npar in item.rows:
            e = Event(0, etype, ts, tid, cpu, dflags, item.buf, hdr, end, npar)
            events.append((e.raw(), cpu, dflags))
    assert header is not None and events
    n = 0
    with CaptureWriter(str(dst)) as w:
        w.write_header(header)
        while n < min_events:
            for raw, cpu, dflags in events:
                w.write_event(raw, cpu, dflags)
            n += len(events)
    return n


def timed(cmd: list[str], out_path: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run."""
    with open(out_path, "wb") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode()[:300]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and case (median)")
    ap.add_argument("--capture", type=Path, default=DEFAULT_CAPTURE)
    ap.add_argument("--only", help="run only the case with this name")
    ap.add_argument("--workdir", type=Path, default=HERE / "out")
    ap.add_argument("--src", type=Path, default=REPO / "src",
                    help="the sysdive source tree to time (e.g. an older checkout's src)")
    args = ap.parse_args()
    sysdig = shutil.which("sysdig")
    if sysdig is None:
        raise SystemExit("sysdig is not installed (apt-get install sysdig)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    cap = args.workdir / f"bench-{args.events}.scap"
    if not cap.exists():
        n = build_capture(args.capture, cap, args.events)
        print(f"built {cap} with {n} events ({cap.stat().st_size / 1e6:.1f} MB)")
    env_py = [sys.executable, "-m", "sysdive"]
    os.environ["PYTHONPATH"] = str(args.src) + os.pathsep + os.environ.get("PYTHONPATH", "")
    # Measure sysdive as installed (bytecode compiled once), not recompiled every start.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.src)], check=True)
    # The two tools alternate, so that load from elsewhere on a shared machine hits both
    # alike; the CPU ratio (user + system time) is less sensitive to such load still.
    print(f"{'case':16} {'sysdig s':>9} {'sysdive s':>10} {'ratio':>6} {'done at':>8}"
          f" {'cpu ratio':>10}")
    for name, extra, done_at in CASES:
        if args.only and name != args.only:
            continue
        runs_sd: list[tuple[float, float]] = []
        runs_us: list[tuple[float, float]] = []
        copies = {tool: args.workdir / f"{name}.{tool}.scap" for tool in ("sysdig", "sysdive")}
        argv = {tool: [a.replace("{copy}", str(path)) for a in extra]
                for tool, path in copies.items()}
        for _ in range(args.repeat):
            runs_sd.append(timed([sysdig, "-r", str(cap), *argv["sysdig"]],
                                 args.workdir / f"{name}.sysdig.out"))
            runs_us.append(timed([*env_py, "-r", str(cap), *argv["sysdive"]],
                                 args.workdir / f"{name}.sysdive.out"))
        if "{copy}" in extra:
            for tool, path in copies.items():
                timed([sysdig, "-r", str(path), *COPY_CHECK], args.workdir / f"{name}.{tool}.out")
        t_sd = statistics.median(w for w, _ in runs_sd)
        t_us = statistics.median(w for w, _ in runs_us)
        c_sd = statistics.median(c for _, c in runs_sd)
        c_us = statistics.median(c for _, c in runs_us)
        top = TABLE_TOPS.get(name, 0)
        same = (normalize((args.workdir / f"{name}.sysdig.out").read_bytes(), top)
                == normalize((args.workdir / f"{name}.sysdive.out").read_bytes(), top))
        ratio = t_us / t_sd
        bar = "-" if done_at is None else f"{done_at:.1f}"
        print(f"{name:16} {t_sd:9.2f} {t_us:10.2f} {ratio:6.2f} {bar:>8}"
              f" {c_us / c_sd:10.2f}{'' if same else '  OUTPUT DIFFERS'}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
