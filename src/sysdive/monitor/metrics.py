"""``/metrics``: the latest snapshot in Prometheus' text format.

Two families of names, so existing dashboards work unchanged:

* cAdvisor's (``container_memory_working_set_bytes``, ``container_memory_rss``, ...), with
  cAdvisor's meaning of each value;
* sysdig's metric names (``memory.bytes.used`` becomes ``sysdig_container_memory_used_bytes``).

Every container series carries ``id`` (the short id, as ``container.id`` in sysdig),
``name`` and ``image``. Values are read from the snapshot at scrape time (a collector, not
gauges updated every round), so sampling costs nothing extra when nobody scrapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from sysdive.monitor.model import ContainerSample, Snapshot

_LABELS = ["id", "name", "image"]

# (name, help, value of a container sample); None values are left out.
_CADVISOR_GAUGES: list[tuple[str, str, Callable[[ContainerSample], float | None]]] = [
    ("container_memory_usage_bytes", "Memory charged to the cgroup, page cache included.",
     lambda c: c.stats.usage),
    ("container_memory_working_set_bytes",
     "Charged memory minus inactive file pages (cAdvisor's working set).",
     lambda c: c.stats.working_set),
    ("container_memory_rss", "Anonymous memory of the cgroup (total_rss / anon).",
     lambda c: c.stats.rss),
    ("container_memory_cache", "Page cache charged to the cgroup.", lambda c: c.stats.cache),
    ("container_memory_mapped_file", "File pages mapped by the cgroup's processes.",
     lambda c: c.stats.mapped_file),
    ("container_memory_swap", "Swap used by the cgroup.", lambda c: c.stats.swap),
    ("container_spec_memory_limit_bytes", "Memory limit of the cgroup (0: unlimited).",
     lambda c: c.stats.limit or 0),
]
_CADVISOR_COUNTERS: list[tuple[str, str, Callable[[ContainerSample], float | None]]] = [
    ("container_memory_failcnt", "Times the cgroup's charge hit its limit.",
     lambda c: c.stats.failcnt),
    ("container_oom_events", "OOM kills in the cgroup (kernel oom_kill counter).",
     lambda c: c.stats.oom_kills),
    ("container_cpu_usage_seconds", "CPU time consumed by the cgroup.",
     lambda c: c.stats.cpu_seconds),
    ("container_fs_reads_bytes", "Bytes read from block devices.", lambda c: c.stats.blk_read),
    ("container_fs_writes_bytes", "Bytes written to block devices.",
     lambda c: c.stats.blk_write),
    ("container_network_receive_bytes", "Bytes received (all interfaces but lo).",
     lambda c: c.net_rx),
    ("container_network_transmit_bytes", "Bytes sent (all interfaces but lo).",
     lambda c: c.net_tx),
]
_SYSDIG_GAUGES: list[tuple[str, str, Callable[[ContainerSample], float | None]]] = [
    ("sysdig_container_memory_used_bytes",
     "sysdig memory.bytes.used: the container's working set.", lambda c: c.stats.working_set),
    ("sysdig_container_memory_limit_bytes", "sysdig memory.limit.bytes (0: unlimited).",
     lambda c: c.stats.limit or 0),
    ("sysdig_container_memory_limit_used_percent",
     "sysdig memory.limit.used.percent: working set as a share of the limit.",
     lambda c: 100.0 * c.stats.working_set / c.stats.limit if c.stats.limit else None),
    ("sysdig_container_memory_swap_used_bytes", "sysdig memory.swap.bytes.used.",
     lambda c: c.stats.swap),
    ("sysdig_container_memory_rss_bytes",
     "Sum of the RSS of the container's processes (not the cgroup charge).",
     lambda c: c.proc_rss),
    ("sysdig_container_proc_count", "sysdig proc.count: processes in the container.",
     lambda c: c.nprocs),
]


class SnapshotCollector(Collector):
    """Turns the agent's latest snapshot into metric families."""

    def __init__(self, latest: Callable[[], Snapshot | None],
                 oom_kills: Callable[[], dict[str, tuple[str, str, int]]]) -> None:
        self._latest = latest
        self._oom_kills = oom_kills

    def collect(self) -> Iterator[Metric]:
        snap = self._latest()
        if snap is None:
            return
        for name, doc, get in _CADVISOR_GAUGES + _SYSDIG_GAUGES:
            fam = GaugeMetricFamily(name, doc, labels=_LABELS)
            for c in snap.containers:
                value = get(c)
                if value is not None:
                    fam.add_metric([c.cid, c.name, c.image], value)
            yield fam
        for name, doc, get in _CADVISOR_COUNTERS:
            cfam = CounterMetricFamily(name, doc, labels=_LABELS)
            for c in snap.containers:
                value = get(c)
                if value is not None:
                    cfam.add_metric([c.cid, c.name, c.image], value)
            yield cfam
        kills = CounterMetricFamily(
            "sysdive_oom_kills", "OOM kills read from the kernel log since the agent started, "
            "by container (kept after the container is removed).", labels=_LABELS)
        for cid, (cname, image, count) in sorted(self._oom_kills().items()):
            kills.add_metric([cid, cname, image], count)
        yield kills
        h = snap.host
        yield GaugeMetricFamily("machine_memory_bytes", "Host memory (MemTotal).",
                                value=h.mem_total)
        yield GaugeMetricFamily("sysdig_host_memory_used_bytes",
                                "sysdig memory.bytes.used of the host: MemTotal - "
                                "MemAvailable.", value=h.mem_used)
        yield GaugeMetricFamily("sysdig_host_memory_available_bytes", "MemAvailable.",
                                value=h.mem_available)
        yield GaugeMetricFamily("sysdig_host_memory_swap_used_bytes", "Swap in use.",
                                value=h.swap_used)
        yield CounterMetricFamily("sysdig_host_cpu_used_seconds",
                                  "Busy CPU time of all CPUs since boot.",
                                  value=h.cpu_seconds)
        yield GaugeMetricFamily("sysdive_monitor_sample_duration_seconds",
                                "Time the last sampling round took.", value=snap.duration)


def make_registry(collector: SnapshotCollector) -> CollectorRegistry:
    """A registry with only our collector (no process/platform default collectors)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry
