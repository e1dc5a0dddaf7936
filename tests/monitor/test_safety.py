"""Safety of the agent's HTTP side: loopback by default, a token beyond it, read-only."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from monhelpers import AgentProcess, free_port, http_get

from support import SRC, sysdive_env


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sysdive.cli.monitor", *args],
                          capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})


def test_non_loopback_bind_needs_a_token(tmp_path: Path) -> None:
    out = _cli("--bind", "0.0.0.0", "--db", str(tmp_path / "m.db"), "--port", "0")
    assert out.returncode == 1
    assert out.stderr.startswith("sysdive-monitor: binding to 0.0.0.0 ")
    assert "--token" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.splitlines()) == 1


def test_bad_options_are_one_line(tmp_path: Path) -> None:
    for args in (["--interval", "0.5"], ["--interval", "x"], ["--limit-share", "2"],
                 ["--db", "/proc/nope/m.db"]):
        out = _cli(*args, "--port", "0")
        assert out.returncode != 0, args
        assert out.stderr.startswith("sysdive-monitor: "), (args, out.stderr)
        assert "Traceback" not in out.stderr, out.stderr


def test_listening_port_in_use_is_one_line(tmp_path: Path) -> None:
    agent = AgentProcess(tmp_path / "a.db", "--interval", "1", "--no-docker").start()
    try:
        out = _cli("--db", str(tmp_path / "b.db"), "--port", str(agent.port), "--no-docker")
        assert out.returncode == 1
        assert out.stderr.startswith(f"sysdive-monitor: cannot listen on 127.0.0.1:{agent.port}")
    finally:
        agent.stop()


def test_token_required_beyond_loopback_and_nothing_writes(tmp_path: Path) -> None:
    port = free_port()
    agent = AgentProcess(tmp_path / "t.db", "--bind", "0.0.0.0", "--token", "s3cret",
                         "--interval", "1", "--no-docker", port=port)
    # AgentProcess's readiness probe sends no token: start and probe by hand.
    proc_env_token = {"Authorization": "Bearer s3cret"}
    proc = subprocess.Popen([sys.executable, "-m", "sysdive.cli.monitor", *agent.args],
                            env=sysdive_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if http_get(base + "/healthz", proc_env_token, timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        for path in ("/", "/metrics", "/api/status", "/api/overview"):
            assert http_get(base + path)[0] == 401, path
            assert http_get(base + path, {"Authorization": "Bearer wrong"})[0] == 401, path
            assert http_get(base + path, proc_env_token)[0] == 200, path
        assert http_get(base + "/api/status?token=s3cret")[0] == 200
        # Opening the dashboard with the token sets a cookie its own requests then carry.
        with urllib.request.urlopen(base + "/?token=s3cret", timeout=5) as resp:
            cookie = resp.headers["Set-Cookie"].split(";")[0]
        assert "HttpOnly" in resp.headers["Set-Cookie"]
        assert http_get(base + "/static/dashboard.js", {"Cookie": cookie})[0] == 200
        assert http_get(base + "/static/dashboard.js")[0] == 401
        assert http_get(base + "/api/overview", {"Cookie": cookie + "x"})[0] == 401
        # No endpoint takes a write, with or without the token.
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            req = urllib.request.Request(base + "/api/status", data=b"{}", method=method,
                                         headers=proc_env_token)
            try:
                urllib.request.urlopen(req, timeout=5)
                raise AssertionError(f"{method} accepted")
            except urllib.error.HTTPError as err:
                assert err.code == 405, (method, err.code)
        assert http_get(base + "/api/overview?from=10&to=5", proc_env_token)[0] == 400
        assert http_get(base + "/api/nope", proc_env_token)[0] == 404
    finally:
        proc.terminate()
        proc.wait(20)


def test_loopback_is_the_default(tmp_path: Path) -> None:
    agent = AgentProcess(tmp_path / "l.db", "--interval", "1", "--no-docker").start()
    try:
        out = subprocess.run(["ss", "-Htln", f"sport = :{agent.port}"], capture_output=True,
                             text=True, timeout=10)
        assert out.returncode == 0
        listeners = [line.split()[3] for line in out.stdout.splitlines() if line.strip()]
        assert listeners == [f"127.0.0.1:{agent.port}"], listeners
    finally:
        agent.stop()
