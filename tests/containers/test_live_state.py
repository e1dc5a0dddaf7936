"""Containers whose metadata has not arrived yet: live, sysdig 0.29.3 has no table entry for
them until the runtime lookup ends, so ``container.type``, ``.name`` and ``.image`` are
``<NA>``; reading a file it makes a stub of the claiming engine's type (``docker``). sysdive's
live printer reads the capture stream with the file reader, so the state is told it is live.

Also: live, the first sight of a CRI-style cgroup is reported once per id (the CRI runtime is
asked at once instead of at the next listing).
"""

from __future__ import annotations

import io
from pathlib import Path

from container_scenario import NOTID, container_json, hexid

from sysdive.capture.synthetic import SyntheticCapture, proc
from sysdive.cli.main import _inspect
from sysdive.cli.options import parse_args
from sysdive.inspector import Inspector

DOCKER = hexid(0x3A)
K8S = hexid(0x4B)          # containerd without systemd: /PARENT/<id>, claimed by docker first
SCOPE = hexid(0x5C)        # containerd with systemd: only the CRI engine claims it
FMT = "*%evt.num|%proc.name|%container.id|%container.type|%container.name|%container.image"


def _capture(path: Path) -> None:
    cap = SyntheticCapture(procs=[
        proc(1, "init", cgroups=["cpu=/"], ptid=0),
        proc(10, "app", cgroups=[f"cpu=/docker/{DOCKER}"]),
        proc(20, "pod", cgroups=[f"cpu=/kubepods/besteffort/poduid/{K8S}"]),
        proc(30, "scoped", cgroups=[f"cpu=/kubepods.slice/cri-containerd-{SCOPE}.scope"]),
    ])
    for tid in (10, 20, 30):
        cap.syscall("close", tid, fd=9, res=-9)
    cap.event("CONTAINER_JSON_2_E", NOTID, json=container_json(DOCKER, 0, "app1", "busybox:1"))
    cap.event("CONTAINER_JSON_2_E", NOTID, json=container_json(K8S, 7, "web", "nginx:1"))
    for tid in (10, 20):
        cap.syscall("close", tid, fd=9, res=-9)
    cap.write(str(path))


def _run(path: Path, live: bool) -> tuple[list[list[str]], list[str]]:
    asked: list[str] = []

    def setup(inspector: Inspector) -> None:
        inspector.state.live = live
        inspector.state.on_new_container = asked.append

    out = io.StringIO()
    assert _inspect(parse_args(["-r", str(path), "-p", FMT, "evt.type=close"]), out,
                    setup) == 0
    rows = [ln.split("|")[1:] for ln in out.getvalue().splitlines()]
    assert rows[::2] == rows[1::2]      # each close: its enter and exit events
    return rows[::2], asked


def test_live_unresolved_containers_have_no_type(tmp_path: Path) -> None:
    path = tmp_path / "live.scap"
    _capture(path)
    rows, asked = _run(path, live=True)
    assert rows == [
        ["app", DOCKER[:12], "<NA>", "<NA>", "<NA>"],
        ["pod", K8S[:12], "<NA>", "<NA>", "<NA>"],
        ["scoped", SCOPE[:12], "<NA>", "<NA>", "<NA>"],
        ["app", DOCKER[:12], "docker", "app1", "busybox:1"],
        ["pod", K8S[:12], "containerd", "web", "nginx:1"],
    ]
    # Every id in a CRI-style cgroup, once (the "/<id>" layout is CRI's as well as docker's).
    assert sorted(asked) == sorted([DOCKER[:12], K8S[:12], SCOPE[:12]])


def test_file_unresolved_runtime_containers_are_stubs(tmp_path: Path) -> None:
    path = tmp_path / "file.scap"
    _capture(path)
    rows, asked = _run(path, live=False)
    # As sysdig -r: the docker engine's stub until the container event; a CRI-only claim
    # without a CRI runtime leaves the id without a record.
    assert rows[:3] == [
        ["app", DOCKER[:12], "docker", "<NA>", "<NA>"],
        ["pod", K8S[:12], "docker", "<NA>", "<NA>"],
        ["scoped", SCOPE[:12], "<NA>", "<NA>", "<NA>"],
    ]
    assert rows[3:] == [["app", DOCKER[:12], "docker", "app1", "busybox:1"],
                        ["pod", K8S[:12], "containerd", "web", "nginx:1"]]
    assert asked == []
