"""``--container`` with the real dockerd: the probe keeps the container's processes (by their
cgroup, cgroup v1 here) and nothing of the host, and sysdig 0.29.3 names the container.

Uses the busybox image of test_docker_live (``docker import`` of a static busybox).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_docker_live import _docker, image

from support import sysdive_env

__all__ = ["image"]  # the fixture, imported for use here

NAME = f"pf{uuid.uuid4().hex[:6]}_box"


@pytest.fixture(scope="module")
def box(image: str) -> Iterator[str]:
    """A container writing a file every 50 ms (through sh and short-lived children)."""
    cid = _docker("run", "-d", "--name", NAME, image, "/bin/sh", "-c",
                  "while true; do echo x > /tmp/pf.out; cat /tmp/pf.out > /dev/null; "
                  "sleep 0.05; done")
    try:
        yield cid
    finally:
        _docker("rm", "-f", NAME, check=False)


def test_container_prefilter_keeps_only_the_container(box: str, tmp_path: Path) -> None:
    host_file = tmp_path / f"host-{uuid.uuid4().hex[:6]}"
    host = subprocess.Popen(["sh", "-c", f"while :; do echo y > {host_file}; sleep 0.05; done"],
                            start_new_session=True)
    cap = tmp_path / "box.scap"
    try:
        proc = subprocess.Popen([sys.executable, "-m", "sysdive", "-w", str(cap),
                                 "--container", NAME], env=sysdive_env(),
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not (cap.exists() and cap.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=120)
    finally:
        host.kill()
        host.wait()
    assert proc.returncode == 0, err
    fmt = "*%container.id %container.name %proc.name %evt.type %fd.name %proc.ppid"
    sysdig = subprocess.run(["sysdig", "-r", str(cap), "-p", fmt], capture_output=True,
                            text=True, timeout=600, check=False)
    assert sysdig.returncode == 0, sysdig.stderr
    ours = subprocess.run([sys.executable, "-m", "sysdive", "-r", str(cap), "-p", fmt],
                          capture_output=True, text=True, timeout=600, env=sysdive_env(),
                          check=False)
    assert ours.stdout == sysdig.stdout
    rows = [ln.split(" ") for ln in sysdig.stdout.splitlines()]
    assert len(rows) > 100
    # A process that was started just before the probe was attached and exits during the
    # header's /proc scan is unknown to the file (no parent, no container): a few rows at
    # the start at most; the host's own file never appears (last assertion).
    unknown = [r for r in rows if r[-1] == "-1"]
    assert len(unknown) < len(rows) // 50, unknown[:5]
    rows = [r for r in rows if r[-1] != "-1"]
    # every event is the container's (by cgroup: the runtime's shim and the host are out)
    assert {r[0] for r in rows} == {box[:12]}, {r[0] for r in rows}
    assert {r[1] for r in rows} == {NAME}
    # the shell and its children (busybox runs its applets as /proc/self/exe: "exe")
    assert "sh" in {r[2] for r in rows} and len({r[2] for r in rows}) >= 2
    assert any(r[3] == "openat" and r[4] == "/tmp/pf.out" for r in rows)
    assert str(host_file) not in sysdig.stdout
