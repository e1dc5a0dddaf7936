"""The CRI part without a runtime: the answers → container object mapping (on messages built
here; test_cri_live.py runs the same code against a real containerd), the runtime types, the
``--cri`` options, and the committed protoc output against its .proto."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sysdive.cli.options import parse_args
from sysdive.containers.cgroups import ContainerType
from sysdive.containers.cri import container_from_status, cri_type, pod_ip, sandbox_container
from sysdive.containers.cri_api import runtime_v1_pb2 as pb
from sysdive.containers.runtime import RuntimeSocket, default_sockets

CID = "ab" * 32
API = Path(__file__).resolve().parents[2] / "src/sysdive/containers/cri_api"


def _status(info: dict[str, object] | None = None,
            image_ref: str = "registry.local:5000/team/web@sha256:" + "cd" * 32
            ) -> pb.ContainerStatusResponse:
    st = pb.ContainerStatus(
        id=CID, metadata=pb.ContainerMetadata(name="app"), created_at=1_700_000_123_999_999_999,
        image=pb.ImageSpec(image="registry.local:5000/team/web:2.1"),
        image_ref=image_ref,
        labels={"io.kubernetes.pod.name": "web-0", "io.kubernetes.pod.namespace": "shop",
                "long": "x" * 101},
        mounts=[pb.Mount(container_path="/data", host_path="/srv/data", readonly=True,
                         propagation=pb.PROPAGATION_HOST_TO_CONTAINER)])
    return pb.ContainerStatusResponse(status=st, info={"info": json.dumps(info)} if info else {})


def test_container_from_status_maps_what_libsinsp_reads() -> None:
    info = {"sandboxID": "ef" * 32,
            "config": {"image": {"image": "sha256:" + "12" * 32},
                       "envs": [{"key": "MESOS_TASK_ID", "value": "t.1"},
                                {"key": "HOME", "value": "/root"}],
                       "linux": {"security_context": {"privileged": True}}},
            "runtimeSpec": {"linux": {"resources": {
                "memory": {"limit": 67108864},
                "cpu": {"shares": 512, "quota": 50000, "period": 100000}}}}}
    doc, sandbox = container_from_status(_status(info), ContainerType.CONTAINERD, CID[:12])
    assert sandbox == "ef" * 32
    assert doc["id"] == CID[:12] and doc["full_id"] == CID and doc["type"] == 7
    assert doc["name"] == "app" and doc["created_time"] == 1_700_000_123
    assert doc["image"] == "registry.local:5000/team/web:2.1"
    assert (doc["imagerepo"], doc["imagetag"]) == ("registry.local:5000/team/web", "2.1")
    assert doc["imagedigest"] == "sha256:" + "cd" * 32
    assert doc["imageid"] == "12" * 32
    assert doc["labels"] == {"io.kubernetes.pod.name": "web-0",
                             "io.kubernetes.pod.namespace": "shop"}
    assert doc["Mounts"] == [{"Source": "/srv/data", "Destination": "/data", "Mode": "",
                              "RW": False, "Propagation": "rslave"}]
    assert doc["env"] == ["MESOS_TASK_ID=t.1"]
    assert (doc["memory_limit"], doc["swap_limit"]) == (67108864, 67108864)
    assert (doc["cpu_shares"], doc["cpu_quota"], doc["cpu_period"]) == (512, 50000, 100000)
    assert doc["privileged"] is True and doc["is_pod_sandbox"] is False
    assert doc["lookup_state"] == 1


def test_container_from_status_without_info_keeps_defaults() -> None:
    resp = _status(image_ref="sha256:" + "99" * 32)
    doc, sandbox = container_from_status(resp, ContainerType.CRIO, CID[:12])
    assert sandbox == "" and doc["type"] == 8
    assert doc["imagedigest"] == "sha256:" + "99" * 32   # an image id counts as digest
    assert (doc["imageid"], doc["memory_limit"], doc["cpu_shares"]) == ("", 0, 1024)
    assert doc["privileged"] is False


def test_sandbox_and_pod_ip() -> None:
    doc = sandbox_container(CID[:12], ContainerType.CONTAINERD)
    assert (doc["is_pod_sandbox"], doc["name"], doc["type"]) == (True, "", 7)
    host = pb.PodSandboxStatusResponse(status=pb.PodSandboxStatus(
        network=pb.PodSandboxNetworkStatus(ip="10.0.0.7"),
        linux=pb.LinuxPodSandboxStatus(namespaces=pb.Namespace(
            options=pb.NamespaceOption(network=pb.NODE)))))
    assert pod_ip(host) == "0.0.0.0"
    own = pb.PodSandboxStatusResponse(status=pb.PodSandboxStatus(
        network=pb.PodSandboxNetworkStatus(ip="10.0.0.7")))
    assert pod_ip(own) == "10.0.0.7"


def test_runtime_types() -> None:
    assert cri_type("containerd") == ContainerType.CONTAINERD
    assert cri_type("cri-o") == ContainerType.CRIO
    assert cri_type("kata") == ContainerType.CRI


def test_cri_options_and_sockets() -> None:
    o = parse_args(["--cri", "/a.sock", "--cri", "/b.sock", "--cri-timeout", "250"])
    assert (o.cri_sockets, o.cri_timeout_ms) == (["/a.sock", "/b.sock"], 250)
    socks = default_sockets(tuple(o.cri_sockets))
    assert socks[2:] == (RuntimeSocket("/a.sock", ContainerType.CRI, named=True),
                         RuntimeSocket("/b.sock", ContainerType.CRI, named=True))
    assert default_sockets()[2] == RuntimeSocket("/run/containerd/containerd.sock",
                                                 ContainerType.CRI)


def test_missing_named_cri_socket_warns_once(tmp_path: Path) -> None:
    from sysdive.containers.runtime import RuntimeWatcher
    warnings: list[str] = []
    watcher = RuntimeWatcher((RuntimeSocket(str(tmp_path / "none.sock"), ContainerType.CRI,
                                            named=True),
                              RuntimeSocket(str(tmp_path / "quiet.sock"), ContainerType.CRI)),
                             warn=warnings.append).start()
    watcher.stop()
    assert len(warnings) == 1 and "none.sock" in warnings[0], warnings


def test_committed_gencode_matches_the_proto(tmp_path: Path) -> None:
    src = API.parents[2]
    protos = ("runtime_v1", "containerd_events")
    done = subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{src}",
                           f"--python_out={tmp_path}", f"--pyi_out={tmp_path}",
                           *(str(API / f"{p}.proto") for p in protos)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for name in (f"{p}_pb2{ext}" for p in protos for ext in (".py", ".pyi")):
        fresh = (tmp_path / "sysdive/containers/cri_api" / name).read_text()
        assert fresh == (API / name).read_text(), f"{name} is stale: run make cri-api"


def test_containerd_creations_are_queued_with_retries(tmp_path: Path) -> None:
    from sysdive.containers.cri import CriSource
    from sysdive.containers.cri_api import containerd_events_pb2 as ev

    def envelope(topic: str, cid: str) -> ev.Envelope:
        payload = ev.ContainerCreate(id=cid).SerializeToString()
        return ev.Envelope(namespace="k8s.io", topic=topic,
                           event=ev.EventPayload(type_url="containerd.events.ContainerCreate",
                                                 value=payload))

    source = CriSource(str(tmp_path / "none.sock"), lambda doc: None)
    try:
        source._follow(iter([envelope("/containers/create", CID),
                             envelope("/tasks/start", "x" * 64)]))
        assert source._asked.get_nowait() == (CID, CriSource._CREATE_TRIES)
        assert source._asked.empty()
    finally:
        source.client.close()
