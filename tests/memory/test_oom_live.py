"""A real OOM kill in a real container, captured live and read back by sysdive and sysdig."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from support import capture_during, run_reader, sysdive_env
from sysdive.memory.oom import OOM_FILTER, oom_kills, parse_oom_desc


@pytest.mark.usefixtures("live")
def test_oom_kill_in_container(docker_image: str, tmp_path: Path) -> None:
    name = f"sysdive_memtest_oom_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "oom.scap"
    info: dict[str, object] = {}

    def oom() -> None:
        # dd's 100 MiB block buffer cannot fit under a 64 MiB limit without swap
        subprocess.run(["docker", "run", "--name", name, "--memory", "64m",
                        "--memory-swap", "64m", docker_image, "dd", "if=/dev/zero",
                        "of=/dev/null", "bs=100M", "count=1"], capture_output=True, timeout=120)
        done = subprocess.run(["docker", "inspect", name], capture_output=True, text=True)
        info.update(json.loads(done.stdout)[0])
        time.sleep(0.3)  # let the last events reach the ring

    try:
        capture_during(path, oom)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
    assert info["State"]["OOMKilled"] is True  # type: ignore[index]
    cid = str(info["Id"])
    kills = [k for k in oom_kills([str(path)]) if k.container_id == cid[:12]]
    assert len(kills) == 1, kills
    kill = kills[0]
    assert kill.victim_comm == "dd"
    assert kill.constraint == "memcg"
    assert kill.memcg_limit_kb == 64 * 1024
    assert kill.memcg.endswith(cid) and kill.victim_cgroup.endswith(cid)
    assert kill.anon_rss_kb > 32 * 1024  # the victim held most of the limit
    assert kill.victim_pid > 1 and kill.victim_tid == kill.victim_pid

    # The same line from sysdig 0.29.3 and from sysdive, for the kill and with -j.
    argv = ["-r", str(path), f"{OOM_FILTER} and proc.pid={kill.victim_pid}"]
    ours = run_reader(argv, sysdive=True)
    assert ours == run_reader(argv, sysdive=False)
    assert "notification id=oomkill desc=victim_pid=" in ours and cid in ours
    jargv = ["-j", *argv]
    assert run_reader(jargv, sysdive=True) == run_reader(jargv, sysdive=False)


@pytest.mark.usefixtures("live")
def test_oom_kills_in_the_live_stream(docker_image: str) -> None:
    # a container that keeps running into its limit: its shell survives, each dd is killed
    name = f"sysdive_memtest_oomloop_{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "run", "-d", "--name", name, "--memory", "64m",
                    "--memory-swap", "64m", docker_image, "sh", "-c",
                    "while :; do dd if=/dev/zero of=/dev/null bs=100M count=1; sleep 0.3; "
                    "done"], check=True, capture_output=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sysdive", "-M", "8", "-p",
             "%container.name %evt.arg.desc", OOM_FILTER],
            capture_output=True, text=True, env=sysdive_env(), timeout=120)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines, done.stderr
    for line in lines:
        container, desc = line.split(" ", 1)
        kill = parse_oom_desc(desc)
        # busybox's sh runs dd without exec (so proc.name stays sh); the kernel's comm is dd
        assert (container, kill.victim_comm, kill.memcg_limit_kb) == (name, "dd", 65536)
