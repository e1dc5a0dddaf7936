"""Container metadata from the runtimes (Docker Engine API, podman's Docker-compatible API and
CRI runtimes such as containerd, see :mod:`sysdive.containers.cri`), as the ``container``
objects of sysdig's container JSON events.

:class:`RuntimeWatcher` never blocks a capture: it lists the running containers once, then a
background thread follows the runtime's event stream and inspects every container as it is
created, so even a container that lives for a few milliseconds is described. The capture
loop collects the documents with :meth:`RuntimeWatcher.take` and writes them into the event
stream as PPME_CONTAINER_JSON_2_E events, exactly where sysdig 0.29.3 puts its own, so
``sysdig -r`` and ``sysdive -r`` name the containers from the file alone.

An unreachable or unreadable socket is reported once through ``warn``; capture goes on and
the containers stay unnamed (``<NA>``), as in sysdig when dockerd is down. A default podman
socket that nobody listens on is a stopped API service, not worth a warning.

:func:`container_from_inspect` is the pure part: Docker's ``GET /containers/ID/json`` (and
``/images/ID/json``) → the fields libsinsp's docker engine fills (``docker/async_source.cpp``).
"""

from __future__ import annotations

import calendar
import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sysdive.containers.cgroups import ContainerType

__all__ = ["ImageName", "RuntimeSocket", "RuntimeWatcher", "container_from_inspect",
           "container_json", "default_sockets", "failed_container", "split_image"]

Doc = dict[str, Any]
# How long the events of a capture may wait for a container's description (seconds):
# docker answers an inspect in tens of milliseconds, a few hundred under load.
HOLD_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class RuntimeSocket:
    """A runtime's API socket and the container type its containers get (``CRI``: a CRI
    socket, whose runtime decides the type). ``named``: the user asked for this socket, so
    its absence is worth a warning."""

    path: str
    type: ContainerType
    named: bool = False


DEFAULT_CRI_SOCKET = "/run/containerd/containerd.sock"


def default_sockets(cri: tuple[str, ...] = ()) -> tuple[RuntimeSocket, ...]:
    """Docker, root podman, then CRI (libsinsp's default paths); ``DOCKER_HOST`` of the form
    ``unix://PATH`` replaces docker's, ``cri`` (sysdig's ``--cri``) the CRI socket."""
    docker = "/var/run/docker.sock"
    host = os.environ.get("DOCKER_HOST", "")
    if host.startswith("unix://"):
        docker = host[len("unix://"):]
    cris = (tuple(RuntimeSocket(p, ContainerType.CRI, named=True) for p in cri) if cri
            else (RuntimeSocket(DEFAULT_CRI_SOCKET, ContainerType.CRI),))
    return (RuntimeSocket(docker, ContainerType.DOCKER),
            RuntimeSocket("/run/podman/podman.sock", ContainerType.PODMAN), *cris)


# -- inspect → container object ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ImageName:
    """``sinsp_utils::split_container_image`` with the registry kept in the repository."""

    repo: str
    tag: str
    digest: str


def split_image(image: str) -> ImageName:
    """``[host[:port]/]name[:tag][@digest]`` → repository (with host), tag, digest."""
    prefix = ""
    rest = image
    if "/" in image:
        hostport, _, rest = image.partition("/")
        prefix = hostport + "/"
    digest = ""
    if "@" in rest:
        rest, _, digest = rest.partition("@")
    name, _, tag = rest.partition(":")
    return ImageName(prefix + name, tag, digest)


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""


def _i(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _epoch_seconds(text: str) -> int:
    # "2024-01-02T03:04:05.123456789Z": libsinsp parses the seconds part as UTC.
    try:
        parsed = time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return 0
    return calendar.timegm(parsed)


def _cpuset_count(spec: str) -> int:
    count = 0
    for part in spec.split(","):
        lo, _, hi = part.strip().partition("-")
        if lo.isdigit() and (not hi or hi.isdigit()):
            count += (int(hi) - int(lo) + 1) if hi else 1
    return count


def _ipv4(text: str) -> str:
    parts = text.split(".")
    ok = len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)
    return text if ok else "0.0.0.0"


def _healthcheck(config: Mapping[str, Any]) -> Doc:
    test = (config.get("Healthcheck") or {}).get("Test")
    if not isinstance(test, list) or len(test) < 2:
        return {}
    kind = _s(test[0])
    if kind == "CMD":
        return {"Healthcheck": {"exe": _s(test[1]).strip("\"'"),
                                "args": [_s(a) for a in test[2:]]}}
    if kind == "CMD-SHELL":
        return {"Healthcheck": {"exe": "/bin/sh", "args": ["-c", _s(test[1])]}}
    return {}


def _image_fields(inspect: Mapping[str, Any], image_info: Mapping[str, Any] | None) -> Doc:
    config = inspect.get("Config") or {}
    image = _s(config.get("Image"))
    imgstr = _s(inspect.get("Image"))
    repo = tag = digest = imageid = ""
    if "/" not in imgstr:
        imageid = imgstr.partition(":")[2] if ":" in imgstr else ""
        no_name = imageid.startswith(image) or imgstr.startswith(image)
        if not no_name:
            parts = split_image(image)
            repo, tag, digest = parts.repo, parts.tag, parts.digest
    else:
        parts = split_image(imgstr)     # podman: the image name, not its id
        repo, tag, digest = parts.repo, parts.tag or "latest", parts.digest
    if image_info is not None:
        if isinstance(image_info.get("Digest"), str):
            digest = image_info["Digest"]
        else:
            digests = [d for d in image_info.get("RepoDigests") or [] if isinstance(d, str)]
            for d in digests:
                if not repo:
                    repo = d.partition("@")[0]
                if repo in d:
                    digest = d.partition("@")[2]
                    break
            distinct = {d.partition("@")[2] for d in digests}
            if not digest and len(distinct) == 1:
                digest = distinct.pop()
        for t in image_info.get("RepoTags") or []:
            if isinstance(t, str):
                if not repo:
                    repo = t.rpartition(":")[0]
                if repo in t:
                    tag = t.rpartition(":")[2]
                    break
    return {"image": image, "imageid": imageid, "imagerepo": repo,
            "imagetag": tag or "latest", "imagedigest": digest}


def container_from_inspect(inspect: Mapping[str, Any], ctype: ContainerType,
                           image_info: Mapping[str, Any] | None = None) -> Doc:
    """The ``container`` object sysdig writes for a container, from the runtime's inspect
    document (and the image's, for repository, tag and digest)."""
    full_id = _s(inspect.get("Id"))
    name = _s(inspect.get("Name"))
    name = name[1:] if name.startswith("/") else name
    config = inspect.get("Config") or {}
    host = inspect.get("HostConfig") or {}
    net = inspect.get("NetworkSettings") or {}
    labels = {k: _s(v) for k, v in (config.get("Labels") or {}).items()
              if isinstance(v, str) and len(v) <= 100}
    if ctype == ContainerType.PODMAN:
        labels.pop("podman_owner_uid", None)    # root containers: libsinsp drops it
    ports = []
    for spec, bindings in sorted((net.get("Ports") or {}).items()):
        if "/tcp" not in spec or not isinstance(bindings, list):
            continue
        cport = int(spec.partition("/")[0] or 0)
        for b in bindings:
            hip = _ipv4(_s((b or {}).get("HostIp")))
            packed = int.from_bytes(bytes(int(x) for x in hip.split(".")), "big")
            hport = _s((b or {}).get("HostPort"))
            ports.append({"HostIp": packed, "HostPort": int(hport) if hport.isdigit() else 0,
                          "ContainerPort": cport})
    mounts = [{"Source": _s(m.get("Source")), "Destination": _s(m.get("Destination")),
               "Mode": _s(m.get("Mode")), "RW": bool(m.get("RW")),
               "Propagation": _s(m.get("Propagation"))}
              for m in inspect.get("Mounts") or [] if isinstance(m, dict)]
    env = [e for e in config.get("Env") or []
           if isinstance(e, str) and ("MESOS" in e or "MARATHON" in e or "mesos" in e)]
    cpu_shares = _i(host.get("CpuShares"))
    cpu_period = _i(host.get("CpuPeriod"))
    doc: Doc = {
        "id": full_id[:12], "full_id": full_id, "type": int(ctype), "name": name,
        **_image_fields(inspect, image_info),
        "privileged": bool(host.get("Privileged")),
        "is_pod_sandbox": name.startswith("k8s_POD"),
        "lookup_state": 1,
        "created_time": _epoch_seconds(_s(inspect.get("Created"))),
        "Mounts": mounts,
        **_healthcheck(config),
        "ip": _ipv4(_s(net.get("IPAddress"))) if net.get("IPAddress") else "0.0.0.0",
        "port_mappings": ports,
        "labels": labels or None,
        "env": env,
        "memory_limit": _i(host.get("Memory")),
        "swap_limit": _i(host.get("MemorySwap")),
        "cpu_shares": cpu_shares if cpu_shares > 0 else 1024,
        "cpu_quota": max(_i(host.get("CpuQuota")), _i(host.get("NanoCpus")) // 10000),
        "cpu_period": cpu_period if cpu_period > 0 else 100000,
        "cpuset_cpu_count": _cpuset_count(_s(host.get("CpusetCpus"))),
        "metadata_deadline": 0,
    }
    return doc


def container_json(doc: Mapping[str, Any]) -> str:
    """The event's JSON text: ``{"container": {...}}``, keys sorted as jsoncpp writes them."""
    return json.dumps({"container": doc}, sort_keys=True, separators=(",", ":")) + "\n"


def failed_container(cid: str, ctype: ContainerType) -> Doc:
    """What sysdig records for a lookup that failed (the event is hidden when read)."""
    return {"id": cid, "type": int(ctype), "name": "", "image": "", "lookup_state": 2}


# -- the watcher ------------------------------------------------------------------------------

class RuntimeWatcher:
    """Follows the container runtimes in the background; see the module docstring.

    ``start()`` lists what runs now (bounded by ``timeout`` seconds per docker/podman call,
    ``cri_timeout`` per CRI call) and returns at once if a runtime does not answer;
    ``take()`` hands over the documents gathered since the last call; ``request()`` asks the
    CRI runtimes about an id first seen in the capture; ``stop()`` ends the threads. ``warn``
    gets one message per socket that exists (or was named) but cannot be used, but none for
    a default podman socket nobody listens on (see :func:`_stale`).
    """

    def __init__(self, sockets: tuple[RuntimeSocket, ...] | None = None,
                 warn: Callable[[str], None] | None = None, timeout: float = 3.0,
                 cri_timeout: float = 1.0) -> None:
        self.sockets = default_sockets() if sockets is None else sockets
        self.warn = warn or (lambda msg: None)
        self.timeout = timeout
        self.cri_timeout = cri_timeout
        self._lock = threading.Lock()
        self._pending: list[Doc] = []
        self._seen: set[str] = set()
        self._describing: dict[str, float] = {}  # id -> when its lookup began (monotonic)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._streams: list[Any] = []
        self._cri: list[Any] = []       # CriSource, imported only when a CRI socket exists
        self.reachable: list[RuntimeSocket] = []

    def start(self) -> RuntimeWatcher:
        """Connect, list the running containers (their documents are ready for the first
        :meth:`take`), and follow each runtime's events in a background thread."""
        for sock in self.sockets:
            if sock.type == ContainerType.CRI:
                self._start_cri(sock)
                continue
            if not os.path.exists(sock.path):
                if sock.type == ContainerType.DOCKER:
                    self.warn(f"no docker socket at {sock.path}: containers will not be "
                              "named (capture goes on)")
                continue
            try:
                client = self._client(sock)
                client.ping()
                # Subscribe before listing, so a container created in between is not missed.
                stream = client.api.events(decode=True, filters={"type": "container"})
                running = client.api.containers(all=False, quiet=True)
            except Exception as err:    # docker raises many kinds; all mean "not usable"
                if _stale(sock, err):
                    continue
                self.warn(f"cannot use the container runtime at {sock.path} ({_why(err)}): "
                          "containers will not be named (capture goes on)")
                continue
            self.reachable.append(sock)
            self._streams.append(stream)
            for c in running:
                self._describe(client, sock, _s(c.get("Id")))
            t = threading.Thread(target=self._follow, args=(sock, client, stream),
                                 name=f"sysdive-containers-{sock.type.name.lower()}",
                                 daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _start_cri(self, sock: RuntimeSocket) -> None:
        if not os.path.exists(sock.path):
            if sock.named:
                self.warn(f"no CRI socket at {sock.path}: its containers will not be named "
                          "(capture goes on)")
            return
        try:
            import grpc

            from sysdive.containers.cri import CriSource
        except ImportError as err:
            self.warn(f"cannot talk CRI to {sock.path} ({_why(err)}): its containers will not "
                      "be named (capture goes on)")
            return
        source = CriSource(sock.path, self._emit, timeout=self.cri_timeout)
        try:
            source.connect()
        except grpc.RpcError as err:
            source.client.close()
            # A containerd without its CRI plugin (as docker hosts run it) is no error.
            quiet = not sock.named and err.code() == grpc.StatusCode.UNIMPLEMENTED
            if not quiet:
                self.warn(f"cannot use the CRI runtime at {sock.path} ({_rpc_why(err)}): its "
                          "containers will not be named (capture goes on)")
            return
        self.reachable.append(RuntimeSocket(sock.path, source.type, sock.named))
        source.start()
        self._cri.append(source)

    def request(self, cid: str) -> None:
        """First sight of container ``cid`` in a CRI-style cgroup: ask the CRI runtimes
        about it in the background (never blocks)."""
        for source in self._cri:
            source.request(cid)

    def _emit(self, doc: Doc) -> None:
        with self._lock:
            self._pending.append(doc)

    def _client(self, sock: RuntimeSocket) -> Any:
        import docker  # type: ignore[import-untyped]
        return docker.DockerClient(base_url="unix://" + sock.path, timeout=self.timeout)

    def _follow(self, sock: RuntimeSocket, client: Any, stream: Any) -> None:
        try:
            for ev in stream:
                if self._stop.is_set():
                    break
                action = _s(ev.get("Action") or ev.get("status"))
                if action in ("create", "start", "rename"):
                    actor = ev.get("Actor") or {}
                    self._describe(client, sock, _s(ev.get("id") or actor.get("ID")),
                                   again=action == "rename")
        except Exception as err:
            if not self._stop.is_set():
                self.warn(f"lost the container event stream of {sock.path} ({_why(err)})")

    def _describe(self, client: Any, sock: RuntimeSocket, full_id: str,
                  again: bool = False) -> None:
        if not full_id or (full_id in self._seen and not again):
            return
        self._seen.add(full_id)
        with self._lock:
            self._describing[full_id] = time.monotonic()
        try:
            self._emit(self._document(client, sock, full_id))
        finally:
            with self._lock:
                self._describing.pop(full_id, None)

    def _document(self, client: Any, sock: RuntimeSocket, full_id: str) -> Doc:
        inspect = self._inspect(client, full_id)
        if inspect is None:
            doc = failed_container(full_id[:12], sock.type)
        else:
            image_info = None
            imgstr = _s(inspect.get("Image"))
            if imgstr:
                try:
                    image_info = client.api.inspect_image(imgstr)
                except Exception:
                    image_info = None
            doc = container_from_inspect(inspect, sock.type, image_info)
        return doc

    def _inspect(self, client: Any, full_id: str, attempts: int = 3) -> Any:
        # A busy dockerd may answer after the client's timeout: ask again before recording
        # a failed lookup (which hides the container's name for good); "no such container"
        # is final at once.
        for attempt in range(attempts):
            try:
                return client.api.inspect_container(full_id)
            except Exception as err:
                if (getattr(err, "status_code", None) == 404 or attempt == attempts - 1
                        or self._stop.is_set()):
                    return None
                time.sleep(0.2)
        return None

    def describing(self, within: float = HOLD_SECONDS) -> bool:
        """Whether a container is being looked up, begun less than ``within`` seconds ago.

        A container's first process often runs while its lookup is still under way; the
        capture loop keeps the events back meanwhile (``capture_to_file(hold=...)``) so the
        description lands in the file before them and ``container.name`` matches them. A
        lookup older than ``within`` (a dockerd that stalls) no longer holds anything back.
        """
        now = time.monotonic()
        with self._lock:
            return any(now - began < within for began in self._describing.values())

    def take(self) -> list[Doc]:
        """The container documents resolved since the last call (never blocks)."""
        with self._lock:
            out, self._pending = self._pending, []
        return out

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            streams = list(self._streams)
        for s in streams:
            with contextlib.suppress(Exception):
                s.close()
        for t in self._threads:
            t.join(timeout=1.0)
        for source in self._cri:
            source.stop()


def _stale(sock: RuntimeSocket, err: BaseException) -> bool:
    """Whether ``err`` says nobody listens on a default podman socket: the file a stopped
    ``podman system service`` leaves behind. That runtime is simply not running (libsinsp is
    silent then too); docker's socket and sockets the user named still get their warning."""
    if sock.named or sock.type != ContainerType.PODMAN:
        return False
    seen: set[int] = set()
    todo: list[object] = [err]
    while todo:     # docker wraps the OSError in requests' and urllib3's errors
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ConnectionRefusedError):
            return True
        todo.extend((e.__cause__, e.__context__, *e.args))
    return False


def _rpc_why(err: Any) -> str:
    details = err.details() if hasattr(err, "details") else ""
    return _why(RuntimeError(details)) if details else _why(err)


def _why(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text.splitlines()[0][:200]
