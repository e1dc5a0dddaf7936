"""A private containerd with its CRI plugin, for the CRI tests: its own config, root, state and
socket under a temporary directory (the machine's other containerd instances are untouched),
an image imported from a tarball made here (the static busybox in a one-layer docker archive,
no registry), and a pod driven through CRI v1 from Python.

The pod sandbox uses the host network, so no CNI plugin is needed; the snapshotter is
``native`` (plain copies), which works on any filesystem.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc

from sysdive.containers.cri_api import runtime_v1_pb2 as pb

RUNTIME = "/runtime.v1.RuntimeService/"

CONFIG = """\
version = 2
root = "{root}"
state = "{state}"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs",
                    "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                    "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "{sock}"

[ttrpc]
  address = "{sock}.ttrpc"

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{image}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{cni}"
    conf_dir = "{cni}"
"""


def busybox_archive(path: Path, tag: str, applets: tuple[str, ...] = ("sh", "echo", "sleep",
                                                                        "cat")) -> str:
    """A ``docker save``-format archive of a one-layer image holding /bin/busybox; its
    default command sleeps, so the image also serves as the pod's sandbox ("pause") image.
    Returns the image id (``sha256:`` + digest of its config)."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        for d, mode in (("bin", 0o755), ("tmp", 0o1777), ("etc", 0o755)):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, mode
            tar.addfile(info)
        tar.add("/bin/busybox", "bin/busybox")
        for applet in applets:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(link)
    blob = layer.getvalue()
    diff_id = hashlib.sha256(blob).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/bin/sleep", "100000"], "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]},
    }).encode()
    config_id = hashlib.sha256(config).hexdigest()
    manifest = json.dumps([{"Config": f"{config_id}.json", "RepoTags": [tag],
                            "Layers": [f"{diff_id}/layer.tar"]}]).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in ((f"{diff_id}/layer.tar", blob), (f"{config_id}.json", config),
                           ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return f"sha256:{config_id}"


@dataclass
class Containerd:
    """A running private containerd; ``sock`` is its CRI (and containerd API) socket."""

    sock: str
    image: str
    image_id: str
    proc: subprocess.Popen[bytes]
    log: Path
    channel: grpc.Channel

    def call(self, method: str, request: object, response: type, timeout: float = 60) -> object:
        fn = self.channel.unary_unary(RUNTIME + method,
                                      request_serializer=lambda m: m.SerializeToString(),
                                      response_deserializer=response.FromString)
        return fn(request, timeout=timeout)


def containerd_unavailable() -> str | None:
    """Why this machine cannot run the private containerd, or None."""
    if os.geteuid() != 0:
        return "containerd needs root"
    for tool in ("containerd", "ctr", "runc", "containerd-shim-runc-v2"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not Path("/bin/busybox").exists():
        return "busybox-static is not installed"
    return None


@contextlib.contextmanager
def private_containerd(base: Path, image: str) -> Iterator[Containerd]:
    """Start containerd under ``base`` with ``image`` imported and set as sandbox image;
    stop it and remove its state afterwards. Raises RuntimeError when it does not come up."""
    base.mkdir(parents=True, exist_ok=True)
    sock = str(base / "containerd.sock")
    cni = base / "cni"
    cni.mkdir(exist_ok=True)
    cfg = base / "config.toml"
    cfg.write_text(CONFIG.format(root=base / "root", state=base / "state", sock=sock,
                                 image=image, cni=cni))
    log = base / "containerd.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["containerd", "--config", str(cfg)], stdout=out,
                                stderr=subprocess.STDOUT)
    channel = grpc.insecure_channel("unix://" + sock)
    archive = base / "image.tar"
    rig = Containerd(sock, image, busybox_archive(archive, image), proc, log, channel)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"containerd exited: {log.read_text()[-2000:]}")
            try:
                rig.call("Version", pb.VersionRequest(version="v1"), pb.VersionResponse,
                         timeout=2)
                break
            except grpc.RpcError as err:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"containerd's CRI did not answer: {err}") from err
                time.sleep(0.2)
        done = subprocess.run(["ctr", "--address", sock, "-n", "k8s.io", "images", "import",
                               "--snapshotter", "native", str(archive)],
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"ctr images import: {done.stderr}")
        yield rig
    finally:
        # Whatever a failed test left behind: a removed sandbox takes its containers along.
        with contextlib.suppress(grpc.RpcError):
            listed = rig.call("ListPodSandbox", pb.ListPodSandboxRequest(),
                              pb.ListPodSandboxResponse, timeout=10)
            for sandbox in listed.items:  # type: ignore[attr-defined]
                for method, req, resp in (
                        ("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=sandbox.id),
                         pb.StopPodSandboxResponse),
                        ("RemovePodSandbox",
                         pb.RemovePodSandboxRequest(pod_sandbox_id=sandbox.id),
                         pb.RemovePodSandboxResponse)):
                    with contextlib.suppress(grpc.RpcError):
                        rig.call(method, req, resp)
        channel.close()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        # Shims outlive containerd by design: end the ones serving our socket, by pid.
        for pid in _shims_of(sock):
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
        with contextlib.suppress(OSError):
            subprocess.run(["umount", "-R", str(base / "state")], capture_output=True,
                           check=False)
        shutil.rmtree(base, ignore_errors=True)


def _shims_of(sock: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"containerd-shim-runc-v2") and sock.encode() in argv:
            pids.append(int(d.name))
    return pids


@dataclass(frozen=True)
class Pod:
    """A pod sandbox and one app container, as created through CRI."""

    sandbox_id: str
    container_id: str
    config: pb.PodSandboxConfig


def run_pod(rig: Containerd, *, pod: str, namespace: str, uid: str, container: str,
            command: list[str], cgroup_parent: str,
            labels: dict[str, str] | None = None,
            mounts: tuple[pb.Mount, ...] = ()) -> Pod:
    """RunPodSandbox (host network) + CreateContainer + StartContainer, with the labels the
    kubelet puts on pods and containers (io.kubernetes.*)."""
    meta = pb.PodSandboxMetadata(name=pod, uid=uid, namespace=namespace, attempt=0)
    pod_labels = {"io.kubernetes.pod.name": pod, "io.kubernetes.pod.namespace": namespace,
                  "io.kubernetes.pod.uid": uid, **(labels or {})}
    config = pb.PodSandboxConfig(
        metadata=meta, labels=pod_labels,
        linux=pb.LinuxPodSandboxConfig(
            cgroup_parent=cgroup_parent,
            security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=pb.NamespaceOption(network=pb.NODE))))
    sandbox = rig.call("RunPodSandbox", pb.RunPodSandboxRequest(config=config),
                       pb.RunPodSandboxResponse)
    sandbox_id = sandbox.pod_sandbox_id  # type: ignore[attr-defined]
    ccfg = pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name=container, attempt=0),
        image=pb.ImageSpec(image=rig.image_id), command=command,
        envs=[pb.KeyValue(key="SYSDIVE_CRI", value="1")], mounts=list(mounts),
        labels={"io.kubernetes.pod.name": pod, "io.kubernetes.pod.namespace": namespace,
                "io.kubernetes.pod.uid": uid, "io.kubernetes.container.name": container,
                **(labels or {})})
    created = rig.call("CreateContainer",
                       pb.CreateContainerRequest(pod_sandbox_id=sandbox_id, config=ccfg,
                                                 sandbox_config=config),
                       pb.CreateContainerResponse)
    cid = created.container_id  # type: ignore[attr-defined]
    rig.call("StartContainer", pb.StartContainerRequest(container_id=cid),
             pb.StartContainerResponse)
    return Pod(sandbox_id, cid, config)


def remove_pod(rig: Containerd, pod: Pod) -> None:
    """Stop and remove the container and the sandbox (errors ignored: best effort)."""
    for method, req, resp in (
            ("StopContainer", pb.StopContainerRequest(container_id=pod.container_id, timeout=1),
             pb.StopContainerResponse),
            ("RemoveContainer", pb.RemoveContainerRequest(container_id=pod.container_id),
             pb.RemoveContainerResponse),
            ("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=pod.sandbox_id),
             pb.StopPodSandboxResponse),
            ("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=pod.sandbox_id),
             pb.RemovePodSandboxResponse)):
        with contextlib.suppress(grpc.RpcError):
            rig.call(method, req, resp)


def remove_cgroup(parent: str) -> None:
    """rmdir the pod's cgroup parent in every v1 hierarchy (runc leaves the parents)."""
    root = Path("/sys/fs/cgroup")
    for hier in root.iterdir():
        d = hier / parent.strip("/")
        if d.is_dir():
            for sub in sorted(d.rglob("*"), reverse=True):
                if sub.is_dir():
                    with contextlib.suppress(OSError):
                        sub.rmdir()
            with contextlib.suppress(OSError):
                d.rmdir()


def wait_exited(rig: Containerd, cid: str, timeout: float) -> bool:
    """Whether container ``cid`` has exited within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = rig.call("ContainerStatus", pb.ContainerStatusRequest(container_id=cid),
                      pb.ContainerStatusResponse)
        if st.status.state == pb.CONTAINER_EXITED:  # type: ignore[attr-defined]
            return True
        time.sleep(0.1)
    return False
