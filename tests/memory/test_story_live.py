"""The story in one test: a container with a 64 MiB limit runs a server whose stripped library
leaks on every request. sysdive, capturing live, names the leaking function and library (by
container name), and records the OOM kill with the container and its limit; the capture file
stays readable by sysdig 0.29.3."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from memhelpers import story_image

from support import run_reader, sysdive_env
from sysdive.memory.growth import growth_of_captures
from sysdive.memory.oom import OOM_FILTER, oom_kills
from sysdive.memory.stacks import AllocReport, SymFrame, capture_alloc_stacks
from sysdive.memory.targets import docker_container_id, resolve_target


@pytest.mark.usefixtures("live", "docker_image")
def test_leak_to_oom_in_a_container(leaky_builds: dict[str, Path], tmp_path: Path,
                                    sysdig: str) -> None:
    image = story_image(leaky_builds["nofp"], tmp_path)
    token = uuid.uuid4().hex[:8]
    name = f"sysdive_memtest_php_{token}"
    sibling = f"sysdive_memtest_web_{token}"
    scap = tmp_path / "story.scap"
    # the capture is sysdive's own command line, which also names the containers
    env = sysdive_env()
    capture = subprocess.Popen([sys.executable, "-m", "sysdive", "-w", str(scap)], env=env,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (scap.exists() and scap.stat().st_size > 0) and time.monotonic() < deadline:
        assert capture.poll() is None, capture.stderr.read() if capture.stderr else ""
        time.sleep(0.1)
    time.sleep(0.5)  # header written: events are flowing
    try:
        # the sibling does steady work that allocates and frees, and does not grow
        subprocess.run(["docker", "run", "-d", "--name", sibling, "--memory", "64m", image,
                        "/bin/busybox", "sh", "-c",
                        "while :; do /bin/busybox cat /bin/busybox > /dev/null; "
                        "/bin/busybox sleep 0.05; done"], check=True, capture_output=True)
        web = resolve_target(f"container.name={sibling}")
        web_id = docker_container_id(sibling)
        # 64 KiB per request, 200 requests a second: the 64 MiB limit is hit in ~5 s
        subprocess.run(["docker", "run", "-d", "--name", name, "--memory", "64m",
                        "--memory-swap", "64m", image, "/app/leakyserver", "0", "65536",
                        "5000", "nowait"], check=True, capture_output=True)
        target = resolve_target(f"container.name={name}")
        report = capture_alloc_stacks(target.pids, target.label, seconds=3)
        subprocess.run(["docker", "wait", name], capture_output=True, timeout=120)
        info = json.loads(subprocess.run(["docker", "inspect", name], capture_output=True,
                                         text=True).stdout)[0]
        time.sleep(0.3)
    finally:
        capture.send_signal(signal.SIGINT)
        _, err = capture.communicate(timeout=120)
        subprocess.run(["docker", "rm", "-f", name, sibling], capture_output=True)
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True)
    assert capture.returncode == 0, err

    # allocation stacks, by container name
    assert isinstance(report, AllocReport)
    assert report.target == f"container {name}"
    assert report.stacks, "no allocation seen"
    assert report.stacks[0].site == SymFrame("leakylib_pattern_study", "libleaky.so")
    assert report.stacks[0].by_syscall[0][0] == "brk"
    assert set(report.stacks[0].pids) <= target.pids

    # the OOM kill, with the container and its limit
    assert info["State"]["OOMKilled"] is True
    kills = [k for k in oom_kills([str(scap)]) if k.container_id == info["Id"][:12]]
    assert len(kills) == 1
    kill = kills[0]
    assert kill.victim_comm == "leakyserver"
    assert kill.victim_pid in target.pids
    assert kill.memcg_limit_kb == 65536 and kill.constraint == "memcg"

    # growth from the saved capture: among the two containers' processes the leaking server
    # grew most, and brk is what grew it
    growth = growth_of_captures([str(scap)])
    ranked = [g for g in growth.processes() if g.pid in target.pids | web.pids]
    assert ranked[0].pid in target.pids and ranked[0].name == "leakyserver"
    assert ranked[0].growth_kb > 32 * 1024
    assert ranked[0].by_event[0][0] == "brk" and ranked[0].by_event[0][1] > 32 * 1024
    assert all(g.growth_kb < 8 * 1024 for g in ranked[1:])
    containers = [c for c in growth.containers()
                  if c.container_id in (info["Id"][:12], web_id[:12])]
    assert containers[0].name == name and containers[0].growth_kb > 32 * 1024
    # the sibling's growth is its runtime's setup (runc's own process, before the exec)
    assert all(c.name == sibling and c.growth_kb < containers[0].growth_kb / 2
               for c in containers[1:])

    # sysdig 0.29.3 still reads the capture and prints the kill as sysdive does
    argv = ["-r", str(scap), OOM_FILTER]
    ours = run_reader(argv, sysdive=True)
    assert ours == run_reader(argv, sysdive=False)
    assert "victim_comm=leakyserver" in ours and info["Id"] in ours
