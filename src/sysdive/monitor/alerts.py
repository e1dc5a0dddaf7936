"""Alert rules and where alerts go.

Three rules, each firing once per episode and re-arming when the condition clears:

* **OOM kill**: from the kernel (``/dev/kmsg``: victim pid, name, cgroup, memory), and, when
  the kernel log is unreadable, from the cgroup's own ``oom_kill`` counter
  (``memory.oom_control`` on v1, ``memory.events`` on v2), which names the container but
  not the victim.
* **Near the limit**: the working set is above ``share`` of the container's limit.
* **Growth**: a least-squares line through the working set over the last ``window``
  seconds reaches the limit within ``horizon`` seconds. Noise is ignored by asking the line
  to rise by at least ``min_rise`` of the limit over the window.

Alerts become :class:`~sysdive.monitor.model.Event` records: stored (the dashboard shows
them), logged, and posted as JSON to a webhook if one is configured.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from sysdive.containers.cgroups import match_cgroup_path
from sysdive.monitor.kmsg import KernelLogOomKill
from sysdive.monitor.model import ContainerSample, Event, Snapshot

log = logging.getLogger("sysdive.monitor")

#: Maps a container's short id to (name, image), including containers already removed.
Names = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class AlertRules:
    """Thresholds of the three rules."""

    share: float = 0.9           # near-the-limit alert above this share of the limit
    horizon: float = 600.0       # growth alert when the limit is reached within this (s)
    window: float = 60.0         # seconds of history the growth line is fitted over
    min_points: int = 5
    min_rise: float = 0.02       # the fitted line must rise by this share of the limit


def fit_slope(points: deque[tuple[float, float]]) -> float:
    """Least-squares slope (bytes per second) of (ts, bytes) points, in one pass (times are
    taken relative to the first point so the sums stay exact)."""
    n = len(points)
    if n < 2:
        return 0.0
    t0 = points[0][0]
    st = sv = stt = stv = 0.0
    for t, v in points:
        t -= t0
        st += t
        sv += v
        stt += t * t
        stv += t * v
    den = n * stt - st * st
    if den <= 0:
        return 0.0
    return (n * stv - st * sv) / den


class AlertEngine:
    """Evaluates the rules on every snapshot and on every OOM kill."""

    def __init__(self, rules: AlertRules, emit: Callable[[Event], None], names: Names) -> None:
        self.rules = rules
        self._emit = emit
        self._names = names
        self._history: dict[str, deque[tuple[float, float]]] = {}
        self._armed_growth: dict[str, bool] = {}
        self._armed_share: dict[str, bool] = {}
        self._oom_counts: dict[str, int] = {}
        self._kernel_kills: dict[str, float] = {}   # cid -> ts of the last kmsg kill
        self._pending_counter: dict[str, tuple[float, int, str, str]] = {}
        self.kernel_log = True   # False when /dev/kmsg cannot be read

    def on_snapshot(self, snap: Snapshot) -> None:
        """Check the memory rules and the OOM counters."""
        live = set()
        # Counter-only OOM kills wait one round for the kernel's own record of the victim.
        for cid, (ts, delta, name, image) in list(self._pending_counter.items()):
            del self._pending_counter[cid]
            kernel = self._kernel_kills.get(cid)
            if kernel is None or kernel < ts - 30:
                self._emit(Event(ts=ts, kind="oom_kill", cid=cid, name=name, severity="critical",
                                 message=f"OOM kill in container {name} ({cid}): {delta} "
                                         "process(es) killed (victim unknown: kernel log "
                                         "unreadable)",
                                 data={"image": image, "count": delta, "source": "cgroup"}))
        for c in snap.containers:
            live.add(c.cid)
            self._check_counter(snap.ts, c)
            if c.stats.limit:
                self._check_share(snap.ts, c, c.stats.limit)
                self._check_growth(snap.ts, c, c.stats.limit)
        for gone in [cid for cid in self._history if cid not in live]:
            del self._history[gone]
            self._armed_growth.pop(gone, None)
            self._armed_share.pop(gone, None)

    def _check_counter(self, ts: float, c: ContainerSample) -> None:
        before = self._oom_counts.get(c.cid)
        self._oom_counts[c.cid] = c.stats.oom_kills
        if before is not None and c.stats.oom_kills > before and not self.kernel_log:
            c = self._named(c)
            self._pending_counter[c.cid] = (ts, c.stats.oom_kills - before, c.name, c.image)

    def _named(self, c: ContainerSample) -> ContainerSample:
        """The sample with the runtime's name if the sampler had none yet (a container a
        few seconds old may be measured before the runtime has described it)."""
        if c.name != c.cid:
            return c
        found = self._names(c.cid)
        return c if found is None else replace(c, name=found[0], image=found[1])

    def _check_share(self, ts: float, c: ContainerSample, limit: int) -> None:
        share = c.stats.working_set / limit
        armed = self._armed_share.get(c.cid, True)
        if armed and share >= self.rules.share:
            self._armed_share[c.cid] = False
            c = self._named(c)
            self._emit(Event(
                ts=ts, kind="alert_limit", cid=c.cid, name=c.name, severity="warning",
                message=f"container {c.name} ({c.cid}) uses {share:.0%} of its memory limit "
                        f"({_mib(c.stats.working_set)} of {_mib(limit)})",
                data={"image": c.image, "working_set": c.stats.working_set, "limit": limit,
                      "share": round(share, 4)}))
        elif not armed and share < self.rules.share - 0.05:
            self._armed_share[c.cid] = True

    def _check_growth(self, ts: float, c: ContainerSample, limit: int) -> None:
        hist = self._history.setdefault(c.cid, deque())
        hist.append((ts, float(c.stats.working_set)))
        while hist and hist[0][0] < ts - self.rules.window:
            hist.popleft()
        if len(hist) < self.rules.min_points:
            return
        slope = fit_slope(hist)
        span = hist[-1][0] - hist[0][0]
        firing = False
        eta = float("inf")
        if slope > 0 and slope * span >= self.rules.min_rise * limit:
            eta = max(limit - c.stats.working_set, 0) / slope
            firing = eta <= self.rules.horizon
        armed = self._armed_growth.get(c.cid, True)
        if armed and firing:
            self._armed_growth[c.cid] = False
            c = self._named(c)
            self._emit(Event(
                ts=ts, kind="alert_growth", cid=c.cid, name=c.name, severity="warning",
                message=f"container {c.name} ({c.cid}) grows {_mib(slope)}/s and will reach "
                        f"its {_mib(limit)} limit in {eta:.0f} s",
                data={"image": c.image, "slope_bytes_per_s": round(slope, 1),
                      "eta_s": round(eta, 1), "limit": limit,
                      "working_set": c.stats.working_set}))
        elif not armed and not firing and slope <= 0:
            self._armed_growth[c.cid] = True

    def on_oom_kill(self, kill: KernelLogOomKill) -> None:
        """An OOM kill read from the kernel log."""
        ident = match_cgroup_path(kill.memcg) if kill.memcg else None
        cid = ident.id if ident else ""
        if cid:
            self._kernel_kills[cid] = kill.ts
            self._pending_counter.pop(cid, None)
        named = self._names(cid) if cid else None
        name, image = named if named else (cid or "host", "")
        where = f"container {name} ({cid})" if cid else "the host"
        scope = "its memory limit" if kill.constraint == "CONSTRAINT_MEMCG" else "host memory"
        self._emit(Event(
            ts=kill.ts, kind="oom_kill", cid=cid, name=name, severity="critical",
            message=f"OOM kill in {where}: process {kill.comm} (pid {kill.pid}) killed at "
                    f"{_mib(kill.anon_rss + kill.file_rss + kill.shmem_rss)} RSS "
                    f"({scope})",
            data={"image": image, "pid": kill.pid, "comm": kill.comm, "memcg": kill.memcg,
                  "constraint": kill.constraint, "anon_rss": kill.anon_rss,
                  "file_rss": kill.file_rss, "shmem_rss": kill.shmem_rss,
                  "source": "kernel", "seq": kill.seq}))


def _mib(n: float) -> str:
    return f"{n / 1048576:.1f} MiB"


class Notifier:
    """Sends every alert to the log and, if configured, to a webhook (in the background,
    so a slow receiver never delays sampling). Start/stop markers are only logged."""

    def __init__(self, webhook: str | None = None, timeout: float = 5.0) -> None:
        self.webhook = webhook
        self.timeout = timeout

    def __call__(self, event: Event) -> None:
        if event.severity == "info":
            log.info("%s", event.message)
            return
        log.warning("ALERT %s: %s", event.kind, event.message)
        if self.webhook:
            threading.Thread(target=self._post, args=(event,), daemon=True).start()

    def _post(self, event: Event) -> None:
        body = json.dumps({"kind": event.kind, "ts": event.ts, "severity": event.severity,
                           "container": {"id": event.cid, "name": event.name,
                                         "image": event.data.get("image", "")},
                           "message": event.message, "data": event.data}).encode()
        req = urllib.request.Request(str(self.webhook), data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                resp.read()
        except OSError as err:
            log.error("webhook %s failed: %s", self.webhook, err)
