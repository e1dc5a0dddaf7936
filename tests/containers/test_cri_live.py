"""containerd through CRI, with real live capture (eBPF), checked against sysdig 0.29.3.

A private containerd with its CRI plugin runs under a temporary directory (cri_rig.py); pods
are created through CRI v1 from Python with the labels the kubelet sets, in a cgroup parent of
their own (cgroupfs: ``/PARENT/<64-hex id>``, the layout of containerd without systemd).
sysdive is pointed at the socket with ``--cri``.

Needs root, BPF, containerd/runc, busybox-static and sysdig: skipped where missing, failed
under ``CI`` (where scripts/install.sh installs them).
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
from cri_rig import (
    Containerd,
    Pod,
    containerd_unavailable,
    private_containerd,
    remove_cgroup,
    remove_pod,
    run_pod,
    wait_exited,
)

from support import find_sysdig, require_live, run_reader, sysdive_env, unavailable, wait_for_bytes
from sysdive.containers.cri_api import runtime_v1_pb2 as pb

TOKEN = uuid.uuid4().hex[:6]
IMAGE = f"docker.io/library/sysdive-cri-{TOKEN}:1"
NS = f"c4ns{TOKEN}"
PARENT = f"/sysdive-cri-{TOKEN}"
DATA = Path(f"/tmp/sysdive-cri-data-{TOKEN}")
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
    """A pod running before the capture starts: its container writes a file every 50 ms and
    has a read-only bind mount."""
    data = DATA
    data.mkdir()
    pod = run_pod(rig, pod=f"web-{TOKEN}", namespace=NS, uid=f"uid-w{TOKEN}",
                  container=f"c4cri{TOKEN}_php", cgroup_parent=PARENT,
                  command=["/bin/sh", "-c", "while true; do echo x > /tmp/php.out; "
                                            "sleep 0.05; done"],
                  mounts=(pb.Mount(container_path="/data", host_path=str(data),
                                   readonly=True),))
    try:
        yield pod
    finally:
        remove_pod(rig, pod)
        data.rmdir()


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
    # Stopped (SIGINT) once the quick container has exited and its metadata is in the file:
    # a fixed capture window can end first on a loaded machine.
    writer = subprocess.Popen(
        [sys.executable, "-m", "sysdive", "--cri", rig.sock, "-M", "300", "-w", str(cap)],
        env=sysdive_env(), stderr=subprocess.PIPE, text=True)
    quick: Pod | None = None
    try:
        deadline = time.monotonic() + 60
        while (not cap.exists() or cap.stat().st_size == 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wait_for_bytes(cap, f'"name":"c4cri{TOKEN}_php"'.encode(), 60)
        # A pod whose container writes a file and exits at once, created during the capture.
        quick = run_pod(rig, pod=f"quick-{TOKEN}", namespace=NS, uid=f"uid-q{TOKEN}",
                        container=f"c4cri{TOKEN}_quick", cgroup_parent=PARENT,
                        command=["/bin/sh", "-c", "echo hi > /tmp/quick.out"])
        assert wait_exited(rig, quick.container_id, 60)
        assert wait_for_bytes(cap, f'"name":"c4cri{TOKEN}_quick"'.encode(), 60)
    finally:
        writer.send_signal(signal.SIGINT)
        _, err = writer.communicate(timeout=180)
        if quick is not None:
            remove_pod(rig, quick)
    assert quick is not None
    assert writer.returncode == 0, err
    assert "warning" not in err, err

    fmt = ("*%container.id %container.name %container.image %container.type %k8s.pod.name "
           "%k8s.ns.name")
    args = ["-r", str(cap), "-p", fmt, "container.id!=host"]
    sysdig = run_reader(args, sysdive=False)
    assert run_reader(args, sysdive=True) == sysdig
    seen = set(sysdig.splitlines())

    # What else libsinsp takes from containerd's answers, for the running container.
    more = ["-r", str(cap), "-p", "%container.image.repository|%container.image.tag|"
            "%container.image.id|%container.image.digest|%container.privileged|"
            "%container.mounts|%k8s.pod.id", f"container.name=c4cri{TOKEN}_php"]
    detail = run_reader(more, sysdive=False)
    assert run_reader(more, sysdive=True) == detail
    image_id = rig.image_id.partition(":")[2]
    mount = f"{DATA}:/data::false:private"
    assert set(detail.splitlines()) == {
        f"docker.io/library/sysdive-cri-{TOKEN}|1|{image_id}|{rig.image_id}|false|{mount}|"
        f"uid-w{TOKEN}"}
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
    assert "/tmp/quick.out" in payload, (err, sorted(seen)[:20])
