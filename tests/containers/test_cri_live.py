"""containerd through CRI, with real live capture (eBPF), checked against sysdig 0.29.3.

A private containerd with its CRI plugin runs under a temporary directory (cri_rig.py); pods
are created through CRI v1 from Python with the labels the kubelet sets, in a cgroup parent of
their own (cgroupfs: ``/PARENT/<64-hex id>``, the layout of containerd without systemd).
sysdive is pointed at the socket with ``--cri``.

Needs root, BPF, containerd/runc, busybox-static and sysdig: skipped where missing, failed
under ``CI`` (where scripts/install.sh installs them).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cri_rig import (
    Containerd,
    Pod,
    containerd_unavailable,
    private_containerd,
    remove_cgroup,
    remove_pod,
    run_pod,
)

from live.livehelpers import require_live, run_reader
from support import find_sysdig, sysdive_env, unavailable

TOKEN = uuid.uuid4().hex[:6]
IMAGE = f"docker.io/library/sysdive-cri-{TOKEN}:1"
NS = f"c4ns{TOKEN}"
PARENT = f"/sysdive-cri-{TOKEN}"
FIELDS = ("%container.id|%container.name|%container.image|%container.type|%k8s.pod.name|"
          "%k8s.ns.name|%proc.name")


def _sysdive(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sysdive", *args], capture_output=True,
                          text=True, env=sysdive_env(), timeout=timeout, check=False)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Containerd]:
    require_live()
    find_sysdig()
    reason = containerd_unavailable()
    if reason:
        unavailable(reason, in_ci=f"CI must run the CRI tests, but {reason}")
    base = tmp_path_factory.mktemp("cri")
    try:
        with private_containerd(base / "containerd", IMAGE) as started:
            yield started
    except RuntimeError as err:
        unavailable(f"containerd with CRI did not start: {err}",
                    in_ci=f"CI must run the CRI tests, but containerd did not start: {err}")
    finally:
        remove_cgroup(PARENT)


@pytest.fixture(scope="module")
def web(rig: Containerd) -> Iterator[Pod]:
    """A pod running before the capture starts: its container writes a file every 50 ms."""
    pod = run_pod(rig, pod=f"web-{TOKEN}", namespace=NS, uid=f"uid-w{TOKEN}",
                  container=f"c4cri{TOKEN}_php", cgroup_parent=PARENT,
                  command=["/bin/sh", "-c", "while true; do echo x > /tmp/php.out; "
                                            "sleep 0.05; done"])
    try:
        yield pod
    finally:
        remove_pod(rig, pod)


def test_live_fields_name_the_cri_container(rig: Containerd, web: Pod) -> None:
    name = f"c4cri{TOKEN}_php"
    done = _sysdive("--cri", rig.sock, "-M", "3", "-p", FIELDS, f"container.name={name}")
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr
    rows = {tuple(ln.split("|")[:6]) for ln in done.stdout.splitlines()}
    assert rows == {(web.container_id[:12], name, IMAGE, "containerd", f"web-{TOKEN}", NS)}, rows
    procs = {ln.split("|")[6] for ln in done.stdout.splitlines()}
    assert "sh" in procs, procs


def test_live_new_cri_container_is_never_typed_docker(rig: Containerd, web: Pod,
                                                       tmp_path: Path) -> None:
    # A pod started during the capture: its first events (runc's, in the new cgroup) come
    # before its metadata. Live sysdig shows such a container with type <NA> (no table entry
    # until the runtime has answered); the cgroup layout /PARENT/<id> must not make it
    # "docker" meanwhile (it did: a file's stub rule was applied to the live stream).
    printer = subprocess.Popen(
        [sys.executable, "-m", "sysdive", "--cri", rig.sock, "-M", "6", "-p",
         "%container.id|%container.type|%container.name", "container.id!=host"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=sysdive_env())
    time.sleep(3)    # the probe is attached and the watcher connected
    late = run_pod(rig, pod=f"late-{TOKEN}", namespace=NS, uid=f"uid-l{TOKEN}",
                   container=f"c4cri{TOKEN}_late", cgroup_parent=PARENT,
                   command=["/bin/sh", "-c", "while true; do echo y > /tmp/late.out; "
                                             "sleep 0.05; done"])
    try:
        out, err = printer.communicate(timeout=180)
    finally:
        remove_pod(rig, late)
    assert printer.returncode == 0, err
    mine = [ln.split("|") for ln in out.splitlines() if ln.startswith(late.container_id[:12])]
    assert mine, out[-2000:]
    types = {row[1] for row in mine}
    assert "containerd" in types, types
    assert types <= {"containerd", "<NA>"}, types
    named = {row[2] for row in mine if row[1] == "containerd"}
    assert named == {f"c4cri{TOKEN}_late"}, named


def test_capture_names_cri_containers_after_removal(rig: Containerd, web: Pod,
                                                   tmp_path: Path) -> None:
    cap = tmp_path / "cri.scap"
    writer = subprocess.Popen(
        [sys.executable, "-m", "sysdive", "--cri", rig.sock, "-M", "8", "-w", str(cap)],
        env=sysdive_env(), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while (not cap.exists() or cap.stat().st_size == 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    # A pod whose container writes a file and exits at once, created during the capture.
    quick = run_pod(rig, pod=f"quick-{TOKEN}", namespace=NS, uid=f"uid-q{TOKEN}",
                    container=f"c4cri{TOKEN}_quick", cgroup_parent=PARENT,
                    command=["/bin/sh", "-c", "echo hi > /tmp/quick.out"])
    try:
        _, err = writer.communicate(timeout=180)
    finally:
        remove_pod(rig, quick)
    assert writer.returncode == 0, err
    assert "warning" not in err, err

    fmt = ("*%container.id %container.name %container.image %container.type %k8s.pod.name "
           "%k8s.ns.name")
    args = ["-r", str(cap), "-p", fmt, "container.id!=host"]
    sysdig = run_reader(args, sysdive=False)
    assert run_reader(args, sysdive=True) == sysdig
    seen = set(sysdig.splitlines())
    assert (f"{web.container_id[:12]} c4cri{TOKEN}_php {IMAGE} containerd web-{TOKEN} {NS}"
            in seen), sorted(seen)[:20]
    assert (f"{quick.container_id[:12]} c4cri{TOKEN}_quick {IMAGE} containerd "
            f"quick-{TOKEN} {NS}" in seen), sorted(seen)[:20]
    # The quick pod's sandbox ("pause", started during the capture) is a bare sandbox (the
    # line of its container event's stand-in thread, at least).
    assert f"{quick.sandbox_id[:12]} <NA> <NA> containerd <NA> <NA>" in seen, sorted(seen)[:20]

    payload = run_reader(["-r", str(cap), "-p", "%fd.name",
                          f"container.name=c4cri{TOKEN}_quick and evt.type in (open, openat)"],
                         sysdive=False)
    assert "/tmp/quick.out" in payload, payload[-2000:]
