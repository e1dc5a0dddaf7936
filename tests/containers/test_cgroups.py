"""cgroup paths -> (engine, id) as sysdig 0.29.3 decides (libsinsp container_engine/*)."""

from __future__ import annotations

import os

import pytest

from sysdive.containers.cgroups import (
    ContainerMatch,
    ContainerType,
    container_of_pid,
    match_cgroup_path,
    match_cgroups,
    parse_proc_cgroup,
)

ID = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
T = ContainerType


@pytest.mark.parametrize(("path", "expected"), [
    (f"/docker/{ID}", (T.DOCKER, ID[:12])),
    (f"/system.slice/docker-{ID}.scope", (T.DOCKER, ID[:12])),
    (f"/kubepods/besteffort/pod1234/{ID}", (T.DOCKER, ID[:12])),       # claimed by docker
    (f"/machine.slice/libpod-{ID}.scope/container", (T.PODMAN, ID[:12])),
    (f"/machine.slice/libpod-{ID}.scope", (T.PODMAN, ID[:12])),
    (f"/kubepods.slice/crio-{ID}", (T.CRI, ID[:12])),
    (f"/kubepods.slice/crio-{ID}.scope", (T.CRI, ID[:12])),
    (f"/kubepods.slice/cri-containerd-{ID}.scope", (T.CRI, ID[:12])),
    (f"/system.slice/containerd.service/kubepods-pod1.slice:cri-containerd:{ID}", (T.CRI, ID[:12])),
    ("/lxc/web1", (T.LXC, "web1")),
    ("/lxc/web1/init.scope", (T.LXC, "web1")),
    ("/lxc.payload/web2/sub", (T.LXC, "web2")),
    ("/machine/vm1.libvirt-lxc", (T.LIBVIRT_LXC, "vm1")),
    ("/machine.slice/machine-lxc\\x2dvm2.scope", (T.LIBVIRT_LXC, "vm2")),
    ("/libvirt/lxc/vm3", (T.LXC, "vm3")),   # lxc is asked first: legacy libvirt is dead code
    ("/system.slice/bpm-job_1.scope", (T.BPM, "job_1")),
    ("/", None),
    ("/user.slice/user-1000.slice/session-2.scope", None),
    (f"/docker/{ID[:-1]}", None),                                     # 63 digits
    (f"/docker/{ID}x", None),                                         # 65 characters
    ("/docker/" + "z" * 64, None),                                    # not hex
])
def test_layouts(path: str, expected: tuple[ContainerType, str] | None) -> None:
    got = match_cgroup_path(path)
    assert (None if got is None else (got.type, got.id)) == expected


def test_hex_check_quirk_of_libsinsp() -> None:
    # The first non-hex character's absolute position is compared with 64: deep paths pass.
    deep = "/kubepods/besteffort/pod0123456789012345678901234567890123456789/" + "z" * 64
    assert match_cgroup_path(deep) == ContainerMatch(T.DOCKER, "z" * 12)


def test_engine_order_beats_cgroup_order() -> None:
    # lxc in the first cgroup, docker in the second: the docker engine is asked first.
    got = match_cgroups([("cpu", "/lxc/web1"), ("memory", f"/docker/{ID}")])
    assert got == ContainerMatch(T.DOCKER, ID[:12])
    got = match_cgroups([("cpu", f"/docker/{ID}"), ("memory", f"/a/libpod-{ID[::-1]}.scope")])
    assert got == ContainerMatch(T.PODMAN, ID[::-1][:12])


def test_rootless_podman_from_systemd_hierarchy() -> None:
    path = f"/user.slice/user-1000.slice/user@1000.service/podman-4242.scope/{ID}"
    assert match_cgroups([("name=systemd", path)]) == ContainerMatch(T.PODMAN, ID[:12])
    assert match_cgroups([("cpu", path)]) == ContainerMatch(T.DOCKER, ID[:12])


def test_mesos_needs_a_task_id() -> None:
    path = "/mesos/a9f41620-b165-4d24-abe0-af0af92e7b20"
    assert match_cgroups([("cpu", path)]) is None
    assert match_cgroups([("cpu", path)], mesos_task_id="app.1") == ContainerMatch(
        T.MESOS, "a9f41620-b165-4d24-abe0-af0af92e7b20")


def test_nspawn_is_an_opt_in_extension() -> None:
    path = "/machine.slice/machine-deb\\x2dbox.scope/payload"
    assert match_cgroup_path(path) is None
    assert match_cgroup_path(path, nspawn=True) == ContainerMatch(T.CUSTOM, "deb-box")


def test_parse_proc_cgroup_v1_and_v2() -> None:
    text = f"4:cpu,cpuacct:/docker/{ID}\n1:name=systemd:/docker/{ID}\n0::/\n"
    assert parse_proc_cgroup(text) == [
        ("cpu", f"/docker/{ID}"), ("cpuacct", f"/docker/{ID}"),
        ("name=systemd", f"/docker/{ID}"), ("", "/")]


def test_own_process_is_on_the_host_or_in_a_container() -> None:
    # Whatever this test runs in, the answer must agree with our own /proc/self/cgroup.
    with open("/proc/self/cgroup") as f:
        expected = match_cgroups(parse_proc_cgroup(f.read()))
    assert container_of_pid(os.getpid()) == expected
    assert container_of_pid(2 ** 22 + 12345) is None
