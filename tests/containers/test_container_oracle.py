"""Container fields on a synthetic capture with every engine and every container event form,
against sysdig 0.29.3: the stored outputs in ``expected/`` always, sysdig itself when
installed (``SYSDIVE_REGEN_EXPECTED=1`` rewrites the stored files from it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from container_scenario import build

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).parent / "expected"

FIELDS = ("*%evt.num %proc.name %container.id %container.name %container.image "
          "%container.image.id %container.type %container.privileged %container.mounts "
          "%container.mount[1] %container.mount.dest[/var/lib/*] %container.image.repository "
          "%container.image.tag %container.image.digest %container.healthcheck "
          "%container.liveness_probe")
K8S = ("*%evt.num %proc.name %k8s.pod.name %k8s.pod.id %k8s.ns.name %k8s.pod.labels "
       "%k8s.pod.label.app %k8s.pod.label.empty %k8s.pod.label.io.kubernetes.pod.name "
       "%k8s.rc.name")

CASES: dict[str, list[str]] = {
    "pc": ["-pc"],
    "pk": ["-pk"],
    "fields": ["-p", FIELDS],
    "k8s": ["-p", K8S],
    "json": ["-j", "-p", FIELDS + " " + K8S[1:]],
    "debug": ["-D", "-p", "*%evt.num %evt.type %container.id %container.name"],
    "filter_name": ["-pc", "container.name in (old_form, s1_pod_1, web1)"],
    "filter_type": ["-p", "%evt.num %container.type", "container.type in (lxc, bpm, docker)"],
    "filter_k8s": ["-pk", "k8s.ns.name=shop or k8s.pod.label.tier=front"],
    "filter_privileged": ["-pc", "container.privileged=true"],
}


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("containers") / "containers.scap"
    build().write(str(path))
    return path


def _run(argv: list[str]) -> bytes:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(argv, capture_output=True, check=False, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def _stored(case: str) -> bytes:
    return (EXPECTED / f"synthetic_{case}.out").read_bytes()


@pytest.mark.parametrize("case", sorted(CASES))
def test_sysdive_matches_stored_sysdig(case: str, capture: Path) -> None:
    got = _run([sys.executable, "-m", "sysdive", "-r", str(capture), *CASES[case]])
    if os.environ.get("SYSDIVE_REGEN_EXPECTED"):
        sysdig = shutil.which("sysdig")
        assert sysdig is not None
        (EXPECTED / f"synthetic_{case}.out").write_bytes(
            _run([sysdig, "-r", str(capture), *CASES[case]]))
    want = _stored(case)
    assert want.strip(), "the stored output must not be empty"
    assert got.decode(errors="replace").splitlines() == want.decode(errors="replace").splitlines()


@pytest.mark.parametrize("case", sorted(CASES))
def test_stored_is_what_sysdig_prints(case: str, capture: Path) -> None:
    sysdig = shutil.which("sysdig")
    if sysdig is None:
        if os.environ.get("CI"):
            pytest.fail("sysdig is not installed")
        pytest.skip("sysdig is not installed")
    assert _run([sysdig, "-r", str(capture), *CASES[case]]) == _stored(case)
