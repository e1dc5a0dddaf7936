"""Live capture fails with one clear LiveCaptureError when it cannot work (no root needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import SYSDIVE, run
from sysdive.capture import live
from sysdive.capture.ebpf.loader import LiveCaptureError, Probe, ProbeSettings
from sysdive.errors import CaptureError


def test_not_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(live.os, "geteuid", lambda: 1000)
    with pytest.raises(LiveCaptureError, match="needs root") as info:
        live.capture_to_file(str(tmp_path / "x.scap"), seconds=0.1)
    assert isinstance(info.value, CaptureError)
    assert not (tmp_path / "x.scap").exists()


def test_missing_object(tmp_path: Path) -> None:
    settings = ProbeSettings(self_tgid=1, boot_to_epoch_ns=0, sc_ppm={})
    with pytest.raises(LiveCaptureError, match="make bpf"):
        Probe(settings, tmp_path / "absent.bpf.o")


def test_bad_snaplen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(live, "check_live_support", lambda: None)
    with pytest.raises(LiveCaptureError, match="snaplen"):
        live.capture_to_file(str(tmp_path / "x.scap"), snaplen=70000)


@pytest.mark.parametrize(("args", "message"), [
    (["-W", "3", "-w", "x.scap"], "-W needs -C, -G or -e"),
    (["-C", "5"], "-C, -G and -e rotate the file written with -w"),
    (["-e", "5", "-w", "x.scap", "evt.type=open"], "capture everything and filter when reading"),
    (["--buffer-size", "lots"], "invalid buffer size"),
    (["-U", "a-process-name-too-long"], "at most 15 bytes"),
])
def test_bad_live_options(tmp_path: Path, args: list[str], message: str) -> None:
    done = run([*SYSDIVE, *args], cwd=tmp_path, timeout=60)
    assert done.returncode != 0
    assert done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sysdive: ") and message in lines[0], lines
    assert not list(tmp_path.iterdir())
