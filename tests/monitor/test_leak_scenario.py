"""The story end to end on a real dockerd: a 64 MiB container that leaks and a flat sibling.

One agent (``sysdive-monitor`` as a real process, sampling every second) watches both while
a real Prometheus scrapes it and a webhook receiver collects its alerts; the leaker runs with
``--rm`` so docker forgets it the moment the kernel's OOM killer ends it. The tests then
read the agent's store through its API, Prometheus through PromQL, and the dashboard through
a real headless Chromium.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from monhelpers import (
    FLAT_SCRIPT,
    LEAK_SCRIPT,
    PREFIX,
    AgentProcess,
    docker_rm,
    docker_run,
    free_port,
    http_get,
    wait_for,
)

from support import unavailable

MIB = 1 << 20


@dataclass
class Scenario:
    agent: AgentProcess
    leak: str
    flat: str
    leak_id: str
    flat_id: str
    started: float
    oom_seen: float
    prometheus: str
    hooks: list[dict[str, Any]] = field(default_factory=list)


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _start_prometheus(workdir: Path, target: str) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("prometheus")
    if binary is None:
        unavailable("Debian's prometheus is not installed")
    assert binary is not None
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                      "scrape_configs:\n  - job_name: sysdive\n    static_configs:\n"
                      f"      - targets: ['{target}']\n")
    log = open(workdir / "prometheus.log", "wb")  # noqa: SIM115 - the child keeps it
    proc = subprocess.Popen([binary, f"--config.file={config}",
                             f"--storage.tsdb.path={workdir / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=log)
    log.close()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return http_get(url + "/-/ready", timeout=2)[0] == 200
        except OSError:
            return False

    wait_for("prometheus to be ready", ready, 60)
    return proc, url


@pytest.fixture(scope="module")
def scenario(docker_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    work = tmp_path_factory.mktemp("monitor")
    received: list[dict[str, Any]] = []
    handler = type("Hook", (_Hook,), {"received": received})
    hook_server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=hook_server.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{hook_server.server_address[1]}/alerts"
    tag = uuid.uuid4().hex[:6]
    leak, flat = f"{PREFIX}-leak-{tag}", f"{PREFIX}-flat-{tag}"
    agent = AgentProcess(work / "monitor.db", "--interval", "1", "--webhook", hook_url,
                         "--growth-horizon", "600")
    prom: subprocess.Popen[bytes] | None = None
    try:
        agent.start()
        prom, prom_url = _start_prometheus(work, f"127.0.0.1:{agent.port}")
        started = time.time()
        flat_id = docker_run(flat, FLAT_SCRIPT)
        leak_id = docker_run(leak, LEAK_SCRIPT, rm=True)

        def oom() -> bool:
            events = agent.get(f"/api/events?from={started - 5}&to={time.time() + 5}")
            return any(e["kind"] == "oom_kill" and e["cid"] == leak_id[:12]
                       for e in events["events"])

        wait_for("the leaker's OOM kill", oom, 180, every=1)
        oom_seen = time.time()

        def removed() -> bool:
            out = subprocess.run(["docker", "ps", "-aq", "--no-trunc", "--filter",
                                  f"id={leak_id}"], capture_output=True, text=True)
            return out.stdout.strip() == ""

        wait_for("docker to remove the leaker (--rm)", removed, 60)
        time.sleep(3)   # a few samples after the kill, and Prometheus scrapes
        yield Scenario(agent=agent, leak=leak, flat=flat, leak_id=leak_id, flat_id=flat_id,
                       started=started, oom_seen=oom_seen, prometheus=prom_url, hooks=received)
    finally:
        docker_rm(leak, flat)
        agent.stop()
        if prom is not None:
            prom.terminate()
            prom.wait(30)
        hook_server.shutdown()


def _series(s: Scenario) -> dict[str, Any]:
    q = f"from={s.started - 5}&to={time.time() + 1}&points=5000"
    return {c["name"]: c for c in s.agent.get(f"/api/overview?{q}")["containers"]}


def test_leaker_rises_and_sibling_stays_flat(scenario: Scenario) -> None:
    series = _series(scenario)
    leak = [v for v in series[scenario.leak]["working_set"] if v is not None]
    anon = [v for v in series[scenario.leak]["rss"] if v is not None]
    flat = [v for v in series[scenario.flat]["working_set"] if v is not None]
    assert len(leak) >= 10 and len(flat) >= 10
    # The leaker's charge and its anonymous memory climb by tens of MiB ...
    assert max(leak) - leak[0] > 20 * MIB, leak
    assert max(anon) - anon[0] > 20 * MIB, anon
    rises = sum(1 for a, b in itertools.pairwise(leak) if b > a)
    assert rises >= len(leak) // 2, leak
    # ... while the sibling's stays within a MiB or two.
    assert max(flat) - min(flat) < 3 * MIB, flat
    assert series[scenario.leak]["mem_limit"][-1] in (64 * MIB, None)
    assert any(v == 64 * MIB for v in series[scenario.leak]["mem_limit"])
    assert series[scenario.leak]["stopped"] is not None
    assert series[scenario.flat]["stopped"] is None


def test_leaker_processes_recorded(scenario: Scenario) -> None:
    procs = scenario.agent.get(f"/api/processes?cid={scenario.leak_id[:12]}"
                               f"&from={scenario.started - 5}&to={time.time()}&points=5000")
    assert procs["name"] == scenario.leak
    shells = [p for p in procs["series"] if p["name"].startswith("sh (")]
    assert shells, procs["series"]
    rss = [v for v in shells[0]["rss"] if v]
    assert max(rss) - min(rss) > 20 * MIB


def test_growth_alert_fires_before_the_oom_kill(scenario: Scenario) -> None:
    events = scenario.agent.get(f"/api/events?from={scenario.started - 5}&to={time.time()}")
    mine = [e for e in events["events"] if e["cid"] == scenario.leak_id[:12]]
    kinds = [e["kind"] for e in mine]
    assert "alert_growth" in kinds and "oom_kill" in kinds, kinds
    growth = next(e for e in mine if e["kind"] == "alert_growth")
    oom = next(e for e in mine if e["kind"] == "oom_kill")
    assert growth["ts"] < oom["ts"]
    assert growth["name"] == scenario.leak
    assert 0 < growth["data"]["eta_s"] <= 600
    # Nothing about the sibling but its start.
    sibling = [e["kind"] for e in events["events"] if e["cid"] == scenario.flat_id[:12]]
    assert sibling == ["start"], sibling


def test_oom_alert_names_the_removed_container(scenario: Scenario) -> None:
    events = scenario.agent.get(f"/api/events?from={scenario.started - 5}&to={time.time()}")
    oom = [e for e in events["events"] if e["kind"] == "oom_kill"
           and e["cid"] == scenario.leak_id[:12]]
    assert len(oom) == 1, oom
    kill = oom[0]
    assert kill["name"] == scenario.leak
    assert scenario.leak in kill["message"]
    assert kill["data"]["source"] == "kernel"
    assert kill["data"]["constraint"] == "CONSTRAINT_MEMCG"
    assert kill["data"]["comm"] == "sh"
    assert kill["data"]["anon_rss"] > 20 * MIB
    assert scenario.leak_id in kill["data"]["memcg"]
    # docker has forgotten the container; the agent has not.
    out = subprocess.run(["docker", "inspect", scenario.leak], capture_output=True)
    assert out.returncode != 0
    stop = [e for e in events["events"] if e["kind"] == "stop"
            and e["cid"] == scenario.leak_id[:12]]
    assert stop and stop[0]["ts"] >= kill["ts"] - 2


def test_alerts_reach_the_webhook(scenario: Scenario) -> None:
    wait_for("webhook posts", lambda: len(scenario.hooks) >= 2, 10)
    mine = [h for h in scenario.hooks if h["container"]["name"] == scenario.leak]
    kinds = [h["kind"] for h in mine]
    assert "alert_growth" in kinds and "oom_kill" in kinds, scenario.hooks
    assert all(h["container"]["id"] == scenario.leak_id[:12] for h in mine)
    assert not [h for h in scenario.hooks if h["kind"] in ("start", "stop")]


def test_metrics_have_cadvisor_and_sysdig_names(scenario: Scenario) -> None:
    status, body = http_get(scenario.agent.url + "/metrics")
    assert status == 200
    text = body.decode()
    labels = (f'id="{scenario.flat_id[:12]}",image="{PREFIX}:busybox",'
              f'name="{scenario.flat}"')
    for name in ("container_memory_working_set_bytes", "container_memory_rss",
                 "container_memory_usage_bytes", "container_spec_memory_limit_bytes",
                 "container_oom_events_total", "container_memory_failcnt_total",
                 "container_cpu_usage_seconds_total", "sysdig_container_memory_used_bytes",
                 "sysdig_container_memory_limit_bytes"):
        assert f"{name}{{{labels}}}" in text, name
    assert f'container_spec_memory_limit_bytes{{{labels}}} 6.7108864e+07' in text
    # The OOM kill outlives the container in the agent's own counter.
    assert (f'sysdive_oom_kills_total{{id="{scenario.leak_id[:12]}",image="{PREFIX}:busybox",'
            f'name="{scenario.leak}"}} 1.0') in text


def test_prometheus_scrapes_the_leaker(scenario: Scenario) -> None:
    query = (f'max_over_time(container_memory_working_set_bytes{{name="{scenario.leak}"}}'
             "[10m])")

    def result() -> list[Any]:
        status, body = http_get(scenario.prometheus + "/api/v1/query?query="
                                + urllib.parse.quote(query))
        assert status == 200, body
        data = json.loads(body)
        assert data["status"] == "success"
        return list(data["data"]["result"])

    found = wait_for("the leaker in Prometheus", result, 30)
    assert len(found) == 1
    assert found[0]["metric"]["id"] == scenario.leak_id[:12]
    assert found[0]["metric"]["image"] == f"{PREFIX}:busybox"
    assert float(found[0]["value"][1]) > 20 * MIB


def _chromium() -> Any:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("selenium is not installed (pip install selenium)")
    for path in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.path.exists(path):
            unavailable(f"{path} is missing (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,1900",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='sysdive-chromium-')}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def test_dashboard_in_headless_chromium(scenario: Scenario, artifacts: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = _chromium()

    def loaded() -> Any:
        return driver.execute_script("return document.body.dataset.loaded")

    def attrs(selector: str, name: str) -> list[str]:
        # One script call per query: the page redraws every second, so elements found in
        # one call may be gone by the next.
        return list(driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])]"
            ".map((e) => e.getAttribute(arguments[1]))", selector, name))

    def redraw(action: Any, what: str) -> None:
        before = loaded()
        action()
        wait_for(what, lambda: loaded() != before, 20)

    try:
        driver.get(scenario.agent.url + "/")
        wait_for("the dashboard to draw", loaded, 30)
        leak = f'[data-series="{scenario.leak}"]'
        # Both charts hold the leaker's series, by name, and the host chart stacks it.
        for chart in ("chart-host", "chart-containers"):
            paths = attrs(f"#{chart} path{leak}", "d")
            assert paths and len(paths[0]) > 50, chart
        assert attrs(f"#chart-containers path.limit{leak}", "d")
        for kind in ("oom_kill", "start", "stop", "alert_growth"):
            assert attrs(f"#chart-containers line.marker-{kind}{leak}", "x1"), kind
        # A click on the leaker shows its processes.
        # (clicked from a script: the legend is rebuilt on every refresh, and a found element
        # may be replaced before a WebDriver click reaches it on a loaded machine)
        driver.execute_script("document.querySelector(arguments[0]).click()",
                              f"#legend-containers span{leak}")
        wait_for("the leaker's processes", lambda: attrs(
            '#chart-processes path.area[data-series^="sh ("]', "d"), 20)
        assert scenario.leak in driver.execute_script(
            "return document.getElementById('proc-title').textContent")
        events = driver.execute_script("return document.getElementById('events').textContent")
        assert "OOM kill" in events and scenario.leak in events
        # A from/to range that ends before the leaker started shows none of it.
        redraw(lambda: driver.execute_script(
            "const f = (t) => new Date(t * 1000 - new Date().getTimezoneOffset() * 60000)"
            "  .toISOString().slice(0, 19);"
            "document.getElementById('from').value = f(arguments[0]);"
            "document.getElementById('to').value = f(arguments[1]);"
            "document.getElementById('apply').click();",
            scenario.started - 600, scenario.started - 300), "the from/to range")
        assert not attrs(f"#chart-containers path{leak}", "d")
        # The range picker's last 5 minutes, where the leak fills the charts.
        redraw(lambda: driver.find_element(
            By.CSS_SELECTOR, '#ranges button[data-seconds="300"]').click(), "5 minutes")
        assert attrs(f"#chart-containers path{leak}", "d")
        driver.execute_script("window.scrollTo(0, 0)")
        shot = artifacts / "monitor-dashboard.png"
        driver.save_screenshot(str(shot))
        print(f"dashboard screenshot: {shot}")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
    finally:
        driver.quit()


def test_restarted_agent_keeps_history_and_names(scenario: Scenario) -> None:
    scenario.agent.stop()
    scenario.agent.start()
    events = scenario.agent.get(f"/api/events?from={scenario.started - 5}&to={time.time()}")
    oom = [e for e in events["events"] if e["kind"] == "oom_kill"]
    # The kernel log is resumed after the last record handled: no second report.
    assert [e["name"] for e in oom if e["cid"] == scenario.leak_id[:12]] == [scenario.leak]
    assert scenario.leak in _series(scenario)
    # The sibling still runs: no new start marker after the restart.
    starts = [e for e in events["events"] if e["kind"] == "start"
              and e["cid"] == scenario.flat_id[:12]]
    assert len(starts) == 1
