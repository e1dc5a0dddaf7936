"""A synthetic capture with threads of every container engine sysdig 0.29.3 knows and the
three forms of container events (old CONTAINER_E, CONTAINER_JSON_E, CONTAINER_JSON_2_E)."""

from __future__ import annotations

import json
from typing import Any

from sysdive.capture.synthetic import SyntheticCapture, proc

NOTID = 2 ** 64 - 1   # container events carry tid -1


def hexid(n: int) -> str:
    return (f"{n:x}" * 64)[:64]


DOCKER_OLD = hexid(0xA1)      # named by the old-form event
DOCKER_K8S = hexid(0xB2)      # a k8s app container, JSON labels point at its sandbox
SANDBOX = hexid(0xC3)         # the pod sandbox, holds the pod labels
PODMAN = hexid(0xD4)
CRIO = hexid(0xE5)
UNNAMED = hexid(0xF6)         # docker cgroup, no event: a stub
FAILED = hexid(0x17)          # only a failed lookup event


def container_json(cid: str, ctype: int, name: str, image: str, **extra: Any) -> str:
    body: dict[str, Any] = {
        "id": cid[:12], "full_id": cid, "type": ctype, "name": name, "image": image,
        "imageid": "0123456789ab" * 2, "imagerepo": image.partition(":")[0],
        "imagetag": image.partition(":")[2] or "latest", "imagedigest": "sha256:ab12",
        "privileged": False, "is_pod_sandbox": False, "lookup_state": 1, "created_time": 7,
        "Mounts": [], "ip": "172.17.0.9", "port_mappings": [], "labels": {}, "env": [],
        "memory_limit": 67108864, "swap_limit": 0, "cpu_shares": 1024, "cpu_quota": 0,
        "cpu_period": 100000, "cpuset_cpu_count": 0, "metadata_deadline": 0,
    }
    body.update(extra)
    return json.dumps({"container": body})


PROCS = [
    (1, "systemd", ["cpu=/"]),
    (100, "oldform", [f"cpu=/docker/{DOCKER_OLD}", f"memory=/docker/{DOCKER_OLD}"]),
    (200, "k8sapp", [f"cpu=/kubepods/besteffort/podabc/{DOCKER_K8S}"]),
    (250, "pause", [f"cpu=/kubepods/besteffort/podabc/{SANDBOX}"]),
    (300, "podapp", [f"cpu=/machine.slice/libpod-{PODMAN}.scope/container"]),
    (400, "crioapp", [f"cpu=/kubepods.slice/crio-{CRIO}.scope"]),
    (500, "lxcapp", ["cpu=/lxc/web1/init.scope"]),
    (600, "virtapp", ["cpu=/machine.slice/machine-lxc\\x2dvm7.scope"]),
    (700, "bpmapp", ["cpu=/system.slice/bpm-job_2.scope"]),
    (800, "stub", [f"cpu=/docker/{UNNAMED}"]),
    (900, "failed", [f"cpu=/system.slice/docker-{FAILED}.scope"]),
]


def build() -> SyntheticCapture:
    cap = SyntheticCapture(procs=[proc(tid, comm, cgroups=cg, ptid=1 if tid != 1 else 0)
                                  for tid, comm, cg in PROCS])
    cap.event("CONTAINER_E", NOTID, id=DOCKER_OLD[:12], type=0, name="old_form",
              image="busybox:1.36")
    cap.event("CONTAINER_JSON_2_E", NOTID, json=container_json(
        SANDBOX, 0, "k8s_POD_web-0_shop_uid1_0", "k8s.gcr.io/pause:3.9", is_pod_sandbox=True,
        labels={"app": "web", "tier": "front", "io.kubernetes.pod.name": "web-0",
                "annotation.x": "y", "empty": ""}))
    cap.event("CONTAINER_JSON_E", NOTID, json=container_json(
        DOCKER_K8S, 0, "k8s_web_web-0_shop_uid1_0", "nginx:1.25", privileged=True,
        labels={"io.kubernetes.pod.name": "web-0", "io.kubernetes.pod.namespace": "shop",
                "io.kubernetes.pod.uid": "uid-1", "io.kubernetes.sandbox.id": SANDBOX},
        Mounts=[{"Source": "/var/lib/x", "Destination": "/data", "Mode": "z", "RW": True,
                 "Propagation": "rprivate"},
                {"Source": "/etc/hosts", "Destination": "/etc/hosts", "Mode": "", "RW": False,
                 "Propagation": ""}],
        Healthcheck={"exe": "/bin/check", "args": ["-q", "1"]}))
    cap.event("CONTAINER_JSON_2_E", NOTID, json=container_json(
        PODMAN, 11, "s1_pod_1", "docker.io/library/alpine:3.18"))
    cap.event("CONTAINER_JSON_2_E", NOTID, json=container_json(
        FAILED, 0, "", "", lookup_state=2))
    for tid, _, _ in PROCS:
        cap.syscall("close", tid, fd=9, res=-9)
    # A child cloned inside the docker container keeps its cgroups (and so its container);
    # then it execs into the sandbox's cgroup, and the container follows.
    cg_old = f"cpu=/docker/{DOCKER_OLD}\0".encode()
    clone = dict(exe="sh", args=b"", tid=101, pid=101, ptid=100, cwd="/", fdlimit=1024,
                 pgft_maj=0, pgft_min=0, vm_size=0, vm_rss=0, vm_swap=0, comm="sh",
                 cgroups=cg_old, flags=0, uid=0, gid=0, vtid=101, vpid=101)
    cap.event("clone_x", 100, clone, res=101)
    cap.event("clone_x", 101, clone, res=0)
    cap.syscall("close", 101, fd=9, res=-9)
    cap.enter("execve", 101, filename="/bin/pause")
    cap.exit("execve", 101, res=0, exe="/bin/pause", args=b"", tid=101, pid=101, ptid=100,
             cwd="", fdlimit=1024, pgft_maj=0, pgft_min=0, vm_size=0, vm_rss=0, vm_swap=0,
             comm="pause", cgroups=f"cpu=/kubepods/besteffort/podabc/{SANDBOX}\0".encode(),
             env=b"", tty=0, pgid=101, loginuid=0, flags=0)
    cap.syscall("close", 101, fd=9, res=-9)
    return cap
