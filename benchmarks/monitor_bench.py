"""Cost of the monitoring agent while it samples 50 real containers every second.

Starts N containers (default 50) on the local dockerd from a busybox image made with
``docker import`` (each runs a shell loop: two processes, one of them replaced every few
seconds), runs ``sysdive-monitor --interval 1`` from this tree as its own process, and
after a warm-up reads the agent's CPU time and memory from ``/proc/PID``:

    python benchmarks/monitor_bench.py [--containers 50] [--seconds 60] [--warmup 15]

Goal (issue "Monitor"): under 2% of one core and under 100 MB RSS. The agent's own
``sysdive_monitor_sample_duration_seconds`` (time of one sampling round) is printed too.
Needs root and a running dockerd; removes its containers and image at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PREFIX = "sysdive-mon-bench"
IMAGE = f"{PREFIX}:busybox"
TICK = os.sysconf("SC_CLK_TCK")


def _image(tmp: Path) -> None:
    tar_path = tmp / "rootfs.tar"
    with tarfile.open(tar_path, "w") as tar:
        tar.add("/bin/busybox", arcname="bin/busybox")
        for applet in ("sh", "sleep"):
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type = tarfile.SYMTYPE
            info.linkname = "busybox"
            tar.addfile(info)
    subprocess.run(["docker", "import", str(tar_path), IMAGE], check=True, capture_output=True)


def _cpu_seconds(pid: int) -> float:
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _status_kb(pid: int, key: str) -> int:
    m = re.search(rf"^{key}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(m.group(1)) if m else 0


def _sample_duration(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    m = re.search(r"^sysdive_monitor_sample_duration_seconds (\S+)", text, re.M)
    return float(m.group(1)) if m else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--containers", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=15.0)
    ap.add_argument("--port", type=int, default=18971)
    args = ap.parse_args()
    names = [f"{PREFIX}-{i}" for i in range(args.containers)]
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        _image(tmp)
        agent = None
        try:
            for name in names:
                subprocess.run(["docker", "run", "-d", "--name", name, "--memory", "32m",
                                IMAGE, "/bin/sh", "-c", "while true; do sleep 5; done"],
                               check=True, capture_output=True)
            env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
            agent = subprocess.Popen(
                [sys.executable, "-m", "sysdive.cli.monitor", "--interval", "1",
                 "--db", str(tmp / "bench.db"), "--port", str(args.port)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(args.warmup)
            seen = json.loads(urllib.request.urlopen(
                f"http://127.0.0.1:{args.port}/api/containers", timeout=5).read())
            running = [c for c in seen["containers"] if str(c["name"]).startswith(PREFIX)
                       and c["stopped"] is None]
            cpu0, t0 = _cpu_seconds(agent.pid), time.monotonic()
            rss = []
            end = t0 + args.seconds
            while time.monotonic() < end:   # nothing scrapes the agent while it is measured
                time.sleep(5)
                rss.append(_status_kb(agent.pid, "VmRSS"))
            cpu1, t1 = _cpu_seconds(agent.pid), time.monotonic()
            hwm = _status_kb(agent.pid, "VmHWM")
            durations = []
            for _ in range(5):
                durations.append(_sample_duration(args.port))
                time.sleep(1)
        finally:
            if agent is not None:
                agent.terminate()
                agent.wait(30)
            subprocess.run(["docker", "rm", "-f", *names], capture_output=True)
            subprocess.run(["docker", "rmi", "-f", IMAGE], capture_output=True)
    share = 100.0 * (cpu1 - cpu0) / (t1 - t0)
    print(f"containers sampled        {len(running)} of {args.containers}")
    print(f"agent CPU                 {share:.2f} % of one core over {t1 - t0:.0f} s "
          f"(goal < 2 %)  {'MET' if share < 2 else 'NOT MET'}")
    print(f"agent RSS                 {max(rss) / 1024:.1f} MB now, {hwm / 1024:.1f} MB peak "
          f"(goal < 100 MB)  {'MET' if hwm / 1024 < 100 else 'NOT MET'}")
    print(f"sampling round            median {statistics.median(durations) * 1000:.1f} ms, "
          f"max {max(durations) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
