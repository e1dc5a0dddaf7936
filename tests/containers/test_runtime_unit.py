"""The inspect → container-object mapping (libsinsp docker/async_source.cpp rules), on
hand-written inspect documents; tests/containers/test_docker_live.py runs it on real ones."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

from sysdive.containers.cgroups import ContainerType
from sysdive.containers.events import container_event_block
from sysdive.containers.runtime import (
    RuntimeSocket,
    RuntimeWatcher,
    container_from_inspect,
    split_image,
)

FULL = "f" * 12 + "0" * 52


def test_split_image() -> None:
    def parts(image: str) -> tuple[str, str, str]:
        got = split_image(image)
        return got.repo, got.tag, got.digest
    assert parts("nginx") == ("nginx", "", "")
    assert parts("nginx:1.25") == ("nginx", "1.25", "")
    assert parts("reg:5000/team/app:2@sha256:ab") == ("reg:5000/team/app", "2", "sha256:ab")
    assert parts("docker.io/library/redis@sha256:cd") == ("docker.io/library/redis", "",
                                                         "sha256:cd")


def _inspect(**over: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "Id": FULL, "Name": "/web", "Created": "2024-01-02T03:04:05.123456789Z",
        "Image": "sha256:" + "a" * 64,
        "Config": {"Image": "nginx:1.25", "Labels": {"app": "web", "long": "x" * 101},
                   "Env": ["PATH=/bin", "MESOS_TASK_ID=t.1"],
                   "Healthcheck": {"Test": ["CMD-SHELL", "curl -f localhost"]}},
        "HostConfig": {"Memory": 64 << 20, "MemorySwap": 128 << 20, "CpuShares": 0,
                       "CpuQuota": 0, "NanoCpus": 500_000_000, "CpuPeriod": 0,
                       "CpusetCpus": "0-2,5", "Privileged": True},
        "NetworkSettings": {"IPAddress": "172.17.0.3",
                            "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}],
                                      "53/udp": None}},
        "Mounts": [{"Source": "/data", "Destination": "/var/www", "Mode": "z", "RW": True,
                    "Propagation": "rprivate"}],
    }
    doc.update(over)
    return doc


def test_container_from_inspect() -> None:
    image_info = {"RepoDigests": ["nginx@sha256:" + "d" * 64], "RepoTags": ["nginx:1.25"]}
    doc = container_from_inspect(_inspect(), ContainerType.DOCKER, image_info)
    assert doc["id"] == FULL[:12] and doc["full_id"] == FULL
    assert doc["name"] == "web" and doc["type"] == 0
    assert (doc["image"], doc["imagerepo"], doc["imagetag"]) == ("nginx:1.25", "nginx", "1.25")
    assert doc["imageid"] == "a" * 64
    assert doc["imagedigest"] == "sha256:" + "d" * 64
    assert doc["privileged"] is True
    assert doc["created_time"] == 1704164645
    assert doc["labels"] == {"app": "web"}          # labels over 100 characters are dropped
    assert doc["env"] == ["MESOS_TASK_ID=t.1"]
    assert doc["memory_limit"] == 64 << 20 and doc["cpu_quota"] == 50000
    assert doc["cpu_shares"] == 1024 and doc["cpu_period"] == 100000
    assert doc["cpuset_cpu_count"] == 4
    assert doc["ip"] == "172.17.0.3"
    assert doc["port_mappings"] == [{"HostIp": 0, "HostPort": 8080, "ContainerPort": 80}]
    assert doc["Healthcheck"] == {"exe": "/bin/sh", "args": ["-c", "curl -f localhost"]}
    assert doc["Mounts"][0]["Destination"] == "/var/www"


def test_image_run_by_id_takes_names_from_the_image() -> None:
    doc = container_from_inspect(
        _inspect(Config={"Image": "aaaa"}), ContainerType.DOCKER,
        {"RepoTags": ["team/app:7"], "RepoDigests": []})
    assert (doc["imagerepo"], doc["imagetag"], doc["imagedigest"]) == ("team/app", "7", "")


def test_event_block_is_read_back_as_the_container(tmp_path: Path) -> None:
    # The block sysdive writes parses as sysdig's container event (see test_container_oracle
    # for sysdig itself reading such events).
    from sysdive.scap import blocks as B
    block = container_event_block({"id": "abc", "name": "n"}, 5)
    btype, blen = int.from_bytes(block[:4], "little"), int.from_bytes(block[4:8], "little")
    assert btype == B.EV_V2_LARGE and blen == len(block)
    plen = int.from_bytes(block[10 + 26:10 + 30], "little")
    payload = block[10 + 30:10 + 30 + plen]
    assert payload.endswith(b"\n\0")
    assert json.loads(payload[:-1]) == {"container": {"id": "abc", "name": "n"}}


def test_missing_socket_warns_once(tmp_path: Path) -> None:
    warnings: list[str] = []
    not_a_socket = tmp_path / "docker.sock"
    not_a_socket.write_text("")
    w = RuntimeWatcher((RuntimeSocket(str(not_a_socket), ContainerType.DOCKER),),
                       warn=warnings.append, timeout=1).start()
    assert w.take() == [] and w.reachable == []
    w.stop()
    assert len(warnings) == 1 and "containers will not be named" in warnings[0]


def _stale_socket(path: Path) -> str:
    """A unix socket file nobody listens on (what a killed API service leaves behind)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()
    return str(path)


def test_stale_default_podman_socket_is_quiet_but_not_docker_or_named(tmp_path: Path) -> None:
    # The real docker SDK connecting to a real socket file: ECONNREFUSED wrapped by requests.
    sockets = (RuntimeSocket(_stale_socket(tmp_path / "podman.sock"), ContainerType.PODMAN),
               RuntimeSocket(_stale_socket(tmp_path / "named.sock"), ContainerType.PODMAN,
                             named=True),
               RuntimeSocket(_stale_socket(tmp_path / "docker.sock"), ContainerType.DOCKER))
    warnings: list[str] = []
    w = RuntimeWatcher(sockets, warn=warnings.append, timeout=1).start()
    w.stop()
    assert w.reachable == []
    assert [m.split(" (")[0] for m in warnings] == [
        f"cannot use the container runtime at {tmp_path / 'named.sock'}",
        f"cannot use the container runtime at {tmp_path / 'docker.sock'}"]


class _SlowThenReady:
    """A docker client whose inspect times out ``slow`` times (or says 404) before answering."""

    class NotFound(Exception):
        status_code = 404

    def __init__(self, slow: int, missing: bool = False) -> None:
        self.api = self
        self.slow, self.missing, self.calls = slow, missing, 0

    def inspect_container(self, cid: str) -> dict[str, object]:
        self.calls += 1
        if self.missing:
            raise self.NotFound("no such container")
        if self.calls <= self.slow:
            raise TimeoutError("read timed out")
        return _inspect()

    def inspect_image(self, ref: str) -> dict[str, object]:
        return {}


def test_watcher_asks_again_after_a_timeout_but_not_after_404() -> None:
    sock = RuntimeSocket("/nonexistent.sock", ContainerType.DOCKER)
    slow = _SlowThenReady(slow=2)
    watcher = RuntimeWatcher((sock,))
    watcher._describe(slow, sock, FULL)
    (doc,) = watcher.take()
    assert (slow.calls, doc["name"], doc["lookup_state"]) == (3, "web", 1)
    gone = _SlowThenReady(slow=0, missing=True)
    watcher._describe(gone, sock, "e" * 64)
    (doc,) = watcher.take()
    assert (gone.calls, doc["lookup_state"]) == (1, 2)


class _Blocking(_SlowThenReady):
    """A docker client whose inspect waits until released."""

    def __init__(self) -> None:
        super().__init__(slow=0)
        self.entered, self.release = threading.Event(), threading.Event()

    def inspect_container(self, cid: str) -> dict[str, object]:
        self.entered.set()
        assert self.release.wait(10)
        return super().inspect_container(cid)


def test_watcher_says_when_a_lookup_is_under_way() -> None:
    sock = RuntimeSocket("/nonexistent.sock", ContainerType.DOCKER)
    client = _Blocking()
    watcher = RuntimeWatcher((sock,))
    assert not watcher.describing()
    t = threading.Thread(target=watcher._describe, args=(client, sock, FULL))
    t.start()
    assert client.entered.wait(10)
    assert watcher.describing() and not watcher.describing(within=0.0)
    assert watcher.take() == []
    client.release.set()
    t.join(10)
    assert not watcher.describing()
    (doc,) = watcher.take()
    assert doc["name"] == "web"
