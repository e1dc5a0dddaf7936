"""Shared helpers of the monitor tests: real dockerd, a busybox image, the agent process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support import busybox_image, docker_unavailable_reason, sysdive_env

PREFIX = "sysdive-mon-test"
IMAGE = f"{PREFIX}:busybox"
# A steady leak: a shell variable grows by 1 MiB of anonymous memory every second.
LEAK_SCRIPT = ('c=$(head -c 1048576 /dev/zero | tr "\\0" a); x=; '
               'while true; do x="$x$c"; sleep 1; done')
FLAT_SCRIPT = "while true; do sleep 1; done"


def docker_ready() -> str | None:
    """Why dockerd cannot be used here, or None."""
    if os.geteuid() != 0:
        return "the monitor tests need root (cgroups, /dev/kmsg, dockerd)"
    return docker_unavailable_reason()


def build_image(workdir: Path) -> str:
    """``docker import`` a rootfs holding only busybox-static and its applet links."""
    return busybox_image(IMAGE, workdir, ("sh", "sleep", "head", "tr", "cat", "dd", "ps"))


def docker_run(name: str, script: str, *, memory: str = "64m", rm: bool = False) -> str:
    """Start a detached container running ``sh -c script``; its full id."""
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
    args = ["docker", "run", "-d", "--name", name, "--memory", memory,
            "--memory-swap", memory]
    if rm:
        args.append("--rm")
    out = subprocess.run([*args, IMAGE, "/bin/sh", "-c", script], check=True,
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


def docker_rm(*names: str) -> None:
    """Remove containers, present or not."""
    subprocess.run(["docker", "rm", "-f", *names], capture_output=True, timeout=60)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, headers: dict[str, str] | None = None,
             timeout: float = 10) -> tuple[int, bytes]:
    """GET a URL; (status, body) also for 4xx/5xx."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class AgentProcess:
    """``sysdive-monitor`` from this tree, as a real process."""

    def __init__(self, db: Path, *args: str, port: int | None = None,
                 log: Path | None = None) -> None:
        self.port = port or free_port()
        self.db = db
        self.log = log or db.with_suffix(".log")
        self.args = ["--db", str(db), "--port", str(self.port), *args]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AgentProcess:
        logf = open(self.log, "ab")   # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen([sys.executable, "-m", "sysdive.cli.monitor", *self.args],
                                     env=sysdive_env(), stdout=logf, stderr=logf)
        logf.close()
        wait_for("the agent's first sample", self._sampled, 60)
        return self

    def _sampled(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"agent exited {self.proc.returncode}: "
                                 f"{self.log.read_text()[-2000:]}")
        try:
            status, body = http_get(self.url + "/api/status", timeout=2)
        except OSError:
            return False
        return status == 200 and json.loads(body)["last_sample"] is not None

    def get(self, path: str) -> Any:
        status, body = http_get(self.url + path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
