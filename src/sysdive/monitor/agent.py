"""The agent: sample every interval, store, raise alerts, fold old data, serve the web.

One thread samples and writes (the only writer of the store); the kernel-log reader and the
web server run in their own threads and hand work to the sampling thread through a queue
or read the store through their own connections.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from sysdive.containers.cgroups import match_cgroup_path
from sysdive.monitor.alerts import AlertEngine, AlertRules, Notifier
from sysdive.monitor.kmsg import KernelLogOomKill, KmsgWatcher, boot_id
from sysdive.monitor.model import Event, Snapshot
from sysdive.monitor.sampler import Describer, Sampler
from sysdive.monitor.store import Retention, Store

log = logging.getLogger("sysdive.monitor")


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """Everything ``sysdive-monitor`` can be told."""

    db: str
    interval: float = 5.0
    top_n: int = 5
    retention: Retention = field(default_factory=Retention)
    rules: AlertRules = field(default_factory=AlertRules)
    webhook: str | None = None
    kmsg: str = "/dev/kmsg"
    maintain_every: float = 60.0


class RuntimeNames:
    """Container names and images from the runtimes (docker, podman), followed in the
    background by :class:`sysdive.containers.runtime.RuntimeWatcher`, so a container that
    lived for a moment is still named when its OOM kill is reported."""

    def __init__(self) -> None:
        from sysdive.containers.runtime import RuntimeWatcher

        self._known: dict[str, tuple[str, str]] = {}
        self._watcher = RuntimeWatcher(warn=lambda msg: log.warning("%s", msg)).start()

    def __call__(self, runtime: str, cid: str) -> tuple[str, str] | None:
        for doc in self._watcher.take():
            if doc.get("lookup_state") == 1 and doc.get("name"):
                self._known[str(doc["id"])] = (str(doc["name"]), str(doc.get("image", "")))
        return self._known.get(cid[:12])

    def stop(self) -> None:
        """End the watcher's thread."""
        self._watcher.stop()


class Agent:
    """Runs the sampling loop (:meth:`run`) until :meth:`stop`."""

    def __init__(self, config: AgentConfig, describe: Describer | None = None) -> None:
        self.config = config
        self.store = Store(config.db, config.retention)
        self.sampler = Sampler(describe, top_n=config.top_n)
        self._describe = describe
        self._notify = Notifier(config.webhook)
        self.alerts = AlertEngine(config.rules, self._emit, self._name_of)
        self._kills: queue.Queue[KernelLogOomKill] = queue.Queue()
        self._stop = threading.Event()
        self._latest: Snapshot | None = None
        self._lock = threading.Lock()
        self._oom_counts: dict[str, tuple[str, str, int]] = {}
        self._names: dict[str, tuple[str, str]] = {
            str(c["cid"]): (str(c["name"]), str(c["image"])) for c in self.store.containers()}
        self._running: set[str] = {str(c["cid"]) for c in self.store.containers()
                                   if c["stopped"] is None}
        self._first_round = True
        self._starts: dict[str, float] = {}   # cid -> first seen, marker not yet written
        self._names_at_start = set(self._names)
        self.kmsg_error: str | None = None

    # ---- shared with the web threads -------------------------------------------------
    def latest(self) -> Snapshot | None:
        """The last snapshot taken."""
        with self._lock:
            return self._latest

    def oom_kill_counts(self) -> dict[str, tuple[str, str, int]]:
        """OOM kills seen in the kernel log since start, by container id."""
        with self._lock:
            return dict(self._oom_counts)

    def _name_of(self, cid: str) -> tuple[str, str] | None:
        found = self._names.get(cid)
        if found is None and self._describe is not None:
            # Killed before its first sample: the runtime may still know it.
            found = self._describe("", cid)
            if found is not None:
                self._names[cid] = found
        return found

    def _emit(self, event: Event) -> None:
        self.store.add_event(event)
        self._notify(event)

    # ---- the loop ----------------------------------------------------------------------
    def start_kmsg(self) -> None:
        """Follow the kernel log, resuming after the last record handled on this boot."""
        boot = boot_id()
        after: int | None = None
        if boot and self.store.get_meta("kmsg_boot") == boot:
            seq = self.store.get_meta("kmsg_seq")
            after = int(seq) if seq else None
        watcher = KmsgWatcher(self._kills.put, after_seq=after, path=self.config.kmsg)
        if not watcher.start():
            self.kmsg_error = watcher.error
            self.alerts.kernel_log = False
            log.warning("%s: OOM kills are taken from cgroup counters (no victim names)",
                        watcher.error)
        elif boot:
            self.store.set_meta("kmsg_boot", boot)

    def run(self) -> None:
        """Sample every interval until stopped."""
        self.start_kmsg()
        next_tick = time.monotonic()
        next_maintain = next_tick
        while not self._stop.is_set():
            self.tick()
            now = time.monotonic()
            if now >= next_maintain:
                self.store.maintain()
                next_maintain = now + self.config.maintain_every
            next_tick += self.config.interval
            if next_tick < now:   # fell behind (suspended, overloaded): do not burst
                next_tick = now + self.config.interval
            self._stop.wait(next_tick - now)

    def stop(self) -> None:
        """Ask :meth:`run` to return after the current round."""
        self._stop.set()

    def tick(self) -> Snapshot:
        """One round: sample, store, container start/stop markers, alerts."""
        snap = self.sampler.sample()
        for c in snap.containers:
            if c.name != c.cid:   # described by the runtime
                self._names[c.cid] = (c.name, c.image)
        self._handle_kills()
        self.store.write_snapshot(snap)
        with self._lock:
            self._latest = snap
        present = {c.cid for c in snap.containers}
        for c in snap.containers:
            # Containers already running when the agent first looks were not seen starting.
            if c.cid not in self._running and not (self._first_round
                                                   and c.cid not in self._names_at_start):
                self._starts[c.cid] = snap.ts
        # A start marker waits (up to 10 s) for the runtime to name the container, so the
        # marker carries its name rather than its id.
        for cid, ts in list(self._starts.items()):
            found = self._name_of(cid)
            if found is None and cid in present and snap.ts - ts < 10:
                continue
            del self._starts[cid]
            name, image = found or (cid, "")
            self._emit(Event(ts=ts, kind="start", cid=cid, name=name, severity="info",
                             message=f"container {name} ({cid}) started",
                             data={"image": image}))
        for cid in self._running - present:
            name, image = self._name_of(cid) or (cid, "")
            self.store.mark_stopped(cid, snap.ts)
            self._emit(Event(ts=snap.ts, kind="stop", cid=cid, name=name, severity="info",
                             message=f"container {name} ({cid}) stopped",
                             data={"image": image}))
        self._running = present
        self._first_round = False
        self.alerts.on_snapshot(snap)
        self._handle_kills()
        return snap

    def _handle_kills(self) -> None:
        last_seq = None
        while True:
            try:
                kill = self._kills.get_nowait()
            except queue.Empty:
                break
            self.alerts.on_oom_kill(kill)
            ident = match_cgroup_path(kill.memcg) if kill.memcg else None
            cid = ident.id if ident else ""
            name, image = (self._name_of(cid) if cid else None) or (cid or "host", "")
            with self._lock:
                count = self._oom_counts.get(cid, ("", "", 0))[2] + 1
                self._oom_counts[cid] = (name, image, count)
            last_seq = kill.seq
        if last_seq is not None:
            self.store.set_meta("kmsg_seq", str(last_seq))
