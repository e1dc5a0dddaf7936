"""Container metadata from a CRI runtime (containerd, CRI-O) over gRPC, as the ``container``
objects of sysdig's container JSON events.

libsinsp (libs e5c53d64, ``container_engine/cri.cpp`` and ``cri.cpp``) asks the runtime's
``Version`` once: the runtime name makes the container type (``containerd``, ``cri-o``, any
other ``cri``). For each container id it then asks ``ContainerStatus`` (verbose); an id that
is no container but a pod sandbox (the "pause" process) is recorded as a bare sandbox; a
containerd answer carries a JSON ``info`` document with the sandbox id, the container's config
and its OCI spec, from which come the image id, limits and the privileged flag; two more
questions fill the pod IP (``PodSandboxStatus``, none with the host network) and the image id
when the config had none (``ListImages``). :func:`container_from_status` is that mapping, pure;
:func:`describe` asks the questions; :class:`CriSource` is the background part of the live
watcher (:class:`sysdive.containers.runtime.RuntimeWatcher`), which also follows containerd's
own event stream (``containerd_events.proto``) to learn of containers as they are created.

sysdive speaks CRI v1 (sysdig 0.29.3 speaks v1alpha2, which containerd 2 no longer serves; the
messages are the same). Limits of a CRI-O container (no ``info`` document) are not read from
its cgroups as libsinsp does: they keep their defaults.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import grpc
from google.protobuf.message import DecodeError, Message

from sysdive.containers.cgroups import ContainerType
from sysdive.containers.cri_api import containerd_events_pb2 as ev
from sysdive.containers.cri_api import runtime_v1_pb2 as pb
from sysdive.containers.events import full_record
from sysdive.containers.runtime import Doc, split_image

__all__ = ["CriClient", "CriSource", "container_from_status", "cri_type", "describe",
           "pod_ip", "sandbox_container"]

_M = TypeVar("_M", bound=Message)
_LABEL_MAX = 100            # sinsp_container_info::m_container_label_max_length
_PROPAGATION = {pb.PROPAGATION_PRIVATE: "private", pb.PROPAGATION_HOST_TO_CONTAINER: "rslave",
                pb.PROPAGATION_BIDIRECTIONAL: "rshared"}


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def cri_type(runtime_name: str) -> ContainerType:
    """The container type of a CRI runtime, by the name its ``Version`` answer gives."""
    return {"containerd": ContainerType.CONTAINERD,
            "cri-o": ContainerType.CRIO}.get(runtime_name, ContainerType.CRI)


class CriClient:
    """A CRI v1 client on a unix socket; every call ends after ``timeout`` seconds and raises
    :class:`grpc.RpcError` when the runtime says no."""

    def __init__(self, path: str, timeout: float = 1.0) -> None:
        self.path = path
        self.timeout = timeout
        self._channel = grpc.insecure_channel("unix://" + path)

    def call(self, service: str, method: str, request: Message, response: type[_M]) -> _M:
        """One unary call, its path taken from the .proto's service descriptor."""
        svc = pb.DESCRIPTOR.services_by_name[service]
        rpc = self._channel.unary_unary(f"/{svc.full_name}/{svc.methods_by_name[method].name}",
                                        request_serializer=_serialize,
                                        response_deserializer=response.FromString)
        return rpc(request, timeout=self.timeout)

    def version(self) -> pb.VersionResponse:
        return self.call("RuntimeService", "Version", pb.VersionRequest(version="v1"),
                         pb.VersionResponse)

    def container_status(self, cid: str) -> pb.ContainerStatusResponse:
        return self.call("RuntimeService", "ContainerStatus",
                         pb.ContainerStatusRequest(container_id=cid, verbose=True),
                         pb.ContainerStatusResponse)

    def pod_sandbox_status(self, sid: str) -> pb.PodSandboxStatusResponse:
        return self.call("RuntimeService", "PodSandboxStatus",
                         pb.PodSandboxStatusRequest(pod_sandbox_id=sid, verbose=True),
                         pb.PodSandboxStatusResponse)

    def list_containers(self, cid: str = "") -> list[pb.Container]:
        req = pb.ListContainersRequest(filter=pb.ContainerFilter(id=cid)) if cid else \
            pb.ListContainersRequest()
        return list(self.call("RuntimeService", "ListContainers", req,
                              pb.ListContainersResponse).containers)

    def list_pod_sandboxes(self) -> list[pb.PodSandbox]:
        return list(self.call("RuntimeService", "ListPodSandbox", pb.ListPodSandboxRequest(),
                              pb.ListPodSandboxResponse).items)

    def list_images(self, ref: str) -> list[pb.Image]:
        req = pb.ListImagesRequest(filter=pb.ImageFilter(image=pb.ImageSpec(image=ref)))
        return list(self.call("ImageService", "ListImages", req, pb.ListImagesResponse).images)

    def container_creations(self) -> Any:
        """containerd's event stream, reduced to container creations (``/containers/create``):
        an iterator of envelopes that is also a call (``cancel()`` ends it). Raises
        :class:`grpc.RpcError` while iterating when the runtime has no such service."""
        svc = ev.DESCRIPTOR.services_by_name["Events"]
        rpc = self._channel.unary_stream(f"/{svc.full_name}/Subscribe",
                                         request_serializer=_serialize,
                                         response_deserializer=ev.Envelope.FromString)
        return rpc(ev.SubscribeRequest(filters=['topic=="/containers/create"']))

    def close(self) -> None:
        self._channel.close()


# -- answers → container object ---------------------------------------------------------------

def _walk(doc: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _number(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def pod_ip(resp: pb.PodSandboxStatusResponse) -> str:
    """The pod's IPv4 address; ``0.0.0.0`` with the host network or none known."""
    if resp.status.linux.namespaces.options.network == pb.NODE:
        return "0.0.0.0"
    ip = resp.status.network.ip
    parts = ip.split(".")
    ok = len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)
    return ip if ok else "0.0.0.0"


def sandbox_container(short_id: str, ctype: ContainerType) -> Doc:
    """A pod sandbox as libsinsp records it: id, type and the sandbox flag, nothing more."""
    return full_record({"id": short_id, "type": int(ctype), "is_pod_sandbox": True})


def _apply_info(info: Mapping[str, Any], doc: Doc) -> bool:
    """containerd's verbose ``info`` document → env, image id, limits, privileged; False
    when it has no OCI ``linux`` section (libsinsp then reads the cgroups)."""
    envs = _walk(info, "config", "envs")
    if isinstance(envs, list):
        for kv in envs:
            key, value = _walk(kv, "key"), _walk(kv, "value")
            if isinstance(key, str) and isinstance(value, str):
                var = f"{key}={value}"
                # the JSON event keeps only these (container_to_json)
                if "MESOS" in var or "MARATHON" in var or "mesos" in var:
                    doc["env"].append(var)
    image = _walk(info, "config", "image", "image")
    if isinstance(image, str):
        doc["imageid"] = image.partition(":")[2] if ":" in image else image
    linux = _walk(info, "runtimeSpec", "linux")
    if not isinstance(linux, dict):
        return False
    memory = _walk(linux, "resources", "memory")
    if memory is not None:
        limit = _number(_walk(memory, "limit"))
        if limit is not None:
            doc["memory_limit"] = limit
        doc["swap_limit"] = doc["memory_limit"]
    cpu = _walk(linux, "resources", "cpu")
    if isinstance(cpu, dict):
        for key, out in (("shares", "cpu_shares"), ("quota", "cpu_quota"),
                         ("period", "cpu_period"), ("cpuset_cpu_count", "cpuset_cpu_count")):
            value = _number(cpu.get(key))
            if value is not None:
                doc[out] = value
    # Old containerd, then containerd, then CRI-O keep the flag in different places.
    for path in (("runtimeSpec", "linux", "security_context", "privileged"),
                 ("config", "linux", "security_context", "privileged"), ("privileged",)):
        flag = _walk(info, *path)
        if isinstance(flag, bool):
            doc["privileged"] = flag
            break
    return True


def container_from_status(resp: pb.ContainerStatusResponse, ctype: ContainerType,
                          short_id: str) -> tuple[Doc, str]:
    """The container object for a ``ContainerStatus`` answer, and the pod sandbox id its
    ``info`` names ("" if none). The pod IP and a missing image id are asked separately."""
    st = resp.status
    parts = split_image(st.image.image)
    ref = st.image_ref
    pos = ref.find("sha256:")
    have_digest = pos == 0 or (pos > 0 and ref[pos - 1] == "@")
    labels = {k: v for k, v in st.labels.items() if len(v) <= _LABEL_MAX}
    doc = full_record({
        "id": short_id, "full_id": st.id, "type": int(ctype), "name": st.metadata.name,
        "image": st.image.image, "imagerepo": parts.repo, "imagetag": parts.tag,
        "imagedigest": ref[pos:] if have_digest else parts.digest,
        "created_time": st.created_at // 1_000_000_000,
        "labels": labels or None,
        "Mounts": [{"Source": m.host_path, "Destination": m.container_path, "Mode": "",
                    "RW": not m.readonly,
                    "Propagation": _PROPAGATION.get(m.propagation, "unknown")}
                   for m in st.mounts],
    })
    doc["env"] = []
    sandbox = ""
    text = resp.info.get("info")
    if text:
        try:
            info = json.loads(text)
        except ValueError:
            info = None
        if isinstance(info, dict):
            _apply_info(info, doc)
            sid = info.get("sandboxID")
            sandbox = sid if isinstance(sid, str) else ""
    return doc, sandbox


def describe(client: CriClient, cid: str, ctype: ContainerType) -> Doc | None:
    """Everything libsinsp asks the runtime about container ``cid`` (full or 12-digit id);
    None when the runtime knows neither a container nor a pod sandbox of that id."""
    short_id = cid[:12]
    try:
        resp = client.container_status(cid)
    except grpc.RpcError:
        try:
            client.pod_sandbox_status(cid)
        except grpc.RpcError:
            return None
        return sandbox_container(short_id, ctype)
    doc, sandbox = container_from_status(resp, ctype, short_id)
    try:
        if not sandbox:
            listed = client.list_containers(cid)
            sandbox = listed[0].pod_sandbox_id if len(listed) == 1 else ""
        if sandbox:
            doc["ip"] = pod_ip(client.pod_sandbox_status(sandbox))
        if not doc["imageid"]:
            images = client.list_images(resp.status.image_ref)
            if len(images) == 1:
                doc["imageid"] = images[0].id
    except grpc.RpcError:
        pass    # the container's own answer stands; only the extras are missing
    return doc


# -- the live part ----------------------------------------------------------------------------

class CriSource:
    """One CRI socket followed for a :class:`~sysdive.containers.runtime.RuntimeWatcher`.

    :meth:`connect` asks ``Version`` and describes what runs now; then a thread describes
    (a) every container containerd announces on its event stream as it is *created*, before
    its process starts (so even a container that exits at once is described before its
    first event, as docker's are), (b) every id the capture saw first in a CRI cgroup
    (:meth:`request`, non-blocking) and (c) every container or sandbox that a periodic
    listing shows for the first time (CRI-O has no event stream, and a capture written
    straight to disk has no state engine to see cgroups).
    """

    # An announced container reaches the CRI store a moment after containerd's own record:
    # ask again for up to this many times, this far apart.
    _CREATE_TRIES = 25
    _CREATE_PAUSE = 0.02

    def __init__(self, path: str, emit: Callable[[Doc], None], timeout: float = 1.0,
                 poll: float = 0.5) -> None:
        self.path = path
        self.emit = emit
        self.poll = poll
        self.client = CriClient(path, timeout)
        self.type = ContainerType.CRI
        self._seen: set[str] = set()
        self._asked: queue.SimpleQueue[tuple[str, int] | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._events: Any = None

    def connect(self) -> None:
        """Identify the runtime and describe its containers and sandboxes; raises
        :class:`grpc.RpcError` when the socket does not answer CRI v1."""
        self.type = cri_type(self.client.version().runtime_name)
        if self.type == ContainerType.CONTAINERD:
            # Subscribed before listing, so a container created in between is not missed.
            self._events = self.client.container_creations()
        self._sweep()

    def start(self) -> None:
        self._threads.append(threading.Thread(target=self._run, daemon=True,
                                              name="sysdive-containers-cri"))
        if self._events is not None:
            self._threads.append(threading.Thread(target=self._follow, args=(self._events,),
                                                  name="sysdive-containers-cri-events",
                                                  daemon=True))
        for t in self._threads:
            t.start()

    def request(self, cid: str) -> None:
        """Look ``cid`` up soon (first sight of its cgroup); never blocks."""
        self._asked.put((cid, 1))

    def stop(self) -> None:
        self._stop.set()
        self._asked.put(None)
        if self._events is not None:
            self._events.cancel()
        for t in self._threads:
            t.join(timeout=2.0)
        self.client.close()

    def _follow(self, envelopes: Iterator[ev.Envelope]) -> None:
        try:
            for envelope in envelopes:
                if envelope.topic == "/containers/create":
                    cid = ev.ContainerCreate.FromString(envelope.event.value).id
                    if cid:
                        self._asked.put((cid, self._CREATE_TRIES))
        except (grpc.RpcError, DecodeError):
            pass    # cancelled by stop(), or no event service: the listing remains

    def _describe(self, cid: str, tries: int = 1) -> None:
        short = cid[:12]
        for attempt in range(tries):
            if short in self._seen or self._stop.is_set():
                return
            if attempt:
                time.sleep(self._CREATE_PAUSE)
            doc = describe(self.client, cid, self.type)
            if doc is not None:     # ids of other runtimes' containers are not ours to record
                self._seen.add(short)
                self.emit(doc)
                return

    def _sweep(self) -> None:
        ids = [s.id for s in self.client.list_pod_sandboxes()]
        ids += [c.id for c in self.client.list_containers()]
        for cid in ids:
            self._describe(cid)

    def _run(self) -> None:
        next_sweep = time.monotonic() + self.poll
        while not self._stop.is_set():
            try:
                item = self._asked.get(timeout=max(0.0, next_sweep - time.monotonic()))
            except queue.Empty:
                item = None
            if self._stop.is_set():
                break
            try:
                if item is not None:
                    self._describe(*item)
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self.poll
                    self._sweep()
            except grpc.RpcError:
                continue    # the runtime may come back; the next sweep tries again
