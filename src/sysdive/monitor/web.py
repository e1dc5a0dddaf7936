"""The agent's HTTP server: dashboard, JSON API and ``/metrics``. Read-only by design.

Only ``GET`` and ``HEAD`` exist; no endpoint changes the host or the agent. When a token is
set (required for any address but loopback), every request must carry it, as
``Authorization: Bearer TOKEN``, ``?token=TOKEN`` or the cookie that opening the dashboard
with ``/?token=TOKEN`` sets (so the page's own requests carry it).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import math
import time
from dataclasses import asdict
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sysdive.errors import UsageError
from sysdive.monitor.agent import Agent
from sysdive.monitor.metrics import SnapshotCollector, make_registry

_COOKIE = "sysdive_monitor_token"
_STATIC = {"/": ("index.html", "text/html; charset=utf-8"),
           "/static/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
           "/static/dashboard.css": ("dashboard.css", "text/css; charset=utf-8")}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond loopback without a token."""
    if not is_loopback(host) and not token:
        raise UsageError(f"binding to {host} exposes the dashboard beyond this host: "
                         "give a token with --token (or SYSDIVE_MONITOR_TOKEN)")


class MonitorServer(ThreadingHTTPServer):
    """Serves one agent."""

    daemon_threads = True

    def __init__(self, agent: Agent, host: str, port: int, token: str | None) -> None:
        check_bind(host, token)
        self.agent = agent
        self.token = token
        self.registry = make_registry(SnapshotCollector(agent.latest, agent.oom_kill_counts))
        super().__init__((host, port), _Handler)


def _num(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


class _Handler(BaseHTTPRequestHandler):
    server: MonitorServer
    server_version = "sysdive-monitor"

    def log_message(self, format: str, *args: Any) -> None:
        pass   # access logs would drown the alert log

    def _authorized(self, query: dict[str, list[str]]) -> bool:
        token = self.server.token
        if not token:
            return True
        header = self.headers.get("Authorization", "")
        candidates = [header[7:] if header.startswith("Bearer ") else "",
                      query.get("token", [""])[0]]
        cookies = SimpleCookie(self.headers.get("Cookie", ""))
        if _COOKIE in cookies:
            candidates.append(cookies[_COOKIE].value)
        return any(hmac.compare_digest(c.encode(), token.encode()) for c in candidates if c)

    def do_HEAD(self) -> None:
        self.do_GET()

    def _refuse(self) -> None:
        self._send(405, b"read-only: only GET and HEAD\n", "text/plain", {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if not self._authorized(query):
            self._send(401, b"token required\n", "text/plain",
                       {"WWW-Authenticate": "Bearer"})
            return
        try:
            if url.path in _STATIC:
                name, ctype = _STATIC[url.path]
                body = resources.files("sysdive.monitor").joinpath("static", name).read_bytes()
                extra = {}
                if self.server.token and url.path == "/":
                    # The page's own requests (scripts, styles, API) then carry the token
                    # without it showing in every URL.
                    extra["Set-Cookie"] = (f"{_COOKIE}={self.server.token}; Path=/; HttpOnly; "
                                           "SameSite=Strict")
                self._send(200, body, ctype, extra)
            elif url.path == "/metrics":
                self._send(200, generate_latest(self.server.registry), CONTENT_TYPE_LATEST)
            elif url.path == "/healthz":
                self._send(200, b"ok\n", "text/plain")
            elif url.path.startswith("/api/"):
                payload = self._api(url.path[5:], query)
                if payload is None:
                    self._send(404, b"not found\n", "text/plain")
                else:
                    self._send(200, json.dumps(payload).encode(), "application/json")
            else:
                self._send(404, b"not found\n", "text/plain")
        except ValueError as err:
            self._send(400, f"bad request: {err}\n".encode(), "text/plain")

    def _send(self, code: int, body: bytes, ctype: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _range(self, query: dict[str, list[str]]) -> tuple[float, float, int]:
        now = time.time()
        t1 = float(query.get("to", [now])[0])
        t0 = float(query.get("from", [t1 - 900])[0])
        points = int(query.get("points", ["600"])[0])
        if not (t0 < t1) or not 10 <= points <= 5000:
            raise ValueError("need from < to and 10 <= points <= 5000")
        return t0, t1, points

    def _api(self, name: str, query: dict[str, list[str]]) -> dict[str, Any] | None:
        store = self.server.agent.store
        if name == "status":
            snap = self.server.agent.latest()
            return {"interval": self.server.agent.config.interval,
                    "kmsg_error": self.server.agent.kmsg_error,
                    "last_sample": snap.ts if snap else None,
                    "sample_duration": snap.duration if snap else None,
                    "cgroup_memory_version": self.server.agent.sampler.layout.memory_version,
                    "now": time.time()}
        if name == "containers":
            return {"containers": store.containers()}
        t0, t1, points = self._range(query)
        if name == "events":
            return {"events": [asdict(e) for e in store.events(t0, t1)]}
        if name == "overview":
            return self._overview(t0, t1, points)
        if name == "processes":
            cid = query.get("cid", [""])[0]
            series = store.process_series(cid, t0, t1, points)
            meta = store.container(cid) if cid else None
            return {"cid": cid, "name": meta["name"] if meta else "host",
                    "limit": meta["mem_limit"] if meta else None,
                    "series": [{"name": key, "ts": s.ts, "rss": s.columns["rss"]}
                               for key, s in sorted(series.items())]}
        return None

    def _overview(self, t0: float, t1: float, points: int) -> dict[str, Any]:
        store = self.server.agent.store
        host = store.host_series(t0, t1, ("mem_used", "mem_total", "proc_rss"), points)
        ctrs = store.container_series(t0, t1, ("working_set", "usage", "rss", "mem_limit"),
                                      points)
        meta = {str(c["cid"]): c for c in store.containers()}
        index = {ts: i for i, ts in enumerate(host.ts)}
        containers = []
        for cid, s in sorted(ctrs.items(), key=lambda kv: str(meta.get(kv[0], {})
                                                               .get("name", kv[0]))):
            aligned: dict[str, list[float | None]] = {
                k: [None] * len(host.ts) for k in ("working_set", "usage", "rss", "mem_limit")}
            for j, ts in enumerate(s.ts):
                i = index.get(ts)
                if i is not None:
                    for k in aligned:
                        aligned[k][i] = _num(s.columns[k][j])
            m = meta.get(cid, {})
            containers.append({"cid": cid, "name": m.get("name", cid),
                               "image": m.get("image", ""), "stopped": m.get("stopped"),
                               **aligned})
        return {"from": t0, "to": t1, "ts": host.ts,
                "host": {k: [_num(v) for v in vs] for k, vs in host.columns.items()},
                "containers": containers,
                "events": [asdict(e) for e in store.events(t0, t1)]}
