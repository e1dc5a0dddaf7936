"""What the sampler measures and the agent records: frozen samples, events and alerts.

Units: bytes for memory, seconds for CPU time, bytes for block and network I/O. Counters
(``*_total`` in Prometheus terms) are cumulative since the cgroup was created; gauges are the
value at the sample's time. ``None`` means the kernel does not expose the value on this
layout (swap without swap accounting, for instance).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HostSample:
    """Host memory (``/proc/meminfo``) and CPU (``/proc/stat``) at one time."""

    mem_total: int
    mem_used: int          # MemTotal - MemAvailable: what the kernel cannot hand out cheaply
    mem_available: int
    mem_free: int
    buffers: int
    cached: int
    swap_total: int
    swap_used: int
    cpu_seconds: float     # busy CPU time of all CPUs since boot (counter)
    cpu_count: int


@dataclass(frozen=True, slots=True)
class ProcessSample:
    """One process (thread group) as ``/proc/PID/stat`` shows it."""

    pid: int
    comm: str
    rss: int               # resident set size in bytes (anon + file + shmem pages mapped)
    cpu_seconds: float     # utime + stime since the process started (counter)


@dataclass(frozen=True, slots=True)
class CgroupStats:
    """One cgroup's memory, CPU and block-I/O accounting (v1 or v2, same meaning)."""

    usage: int                 # the cgroup's memory charge (v1 usage_in_bytes, v2 current)
    working_set: int           # usage - inactive file pages (cAdvisor's definition)
    rss: int                   # anonymous memory (v1 total_rss, v2 anon)
    cache: int                 # page cache charged to the cgroup (v1 total_cache, v2 file)
    mapped_file: int           # file pages mapped into processes
    swap: int | None           # swap used by the cgroup; None without swap accounting
    limit: int | None          # memory limit; None when unlimited
    failcnt: int               # times the charge hit the limit (v1 failcnt, v2 events "max")
    oom_events: int            # times the cgroup was out of memory (v1 under_oom edges
                               # are not counted by the kernel: v1 uses oom_kill here too)
    oom_kills: int             # processes killed by the OOM killer in this cgroup
    cpu_seconds: float         # CPU time of the cgroup (counter)
    blk_read: int              # bytes read from block devices (counter)
    blk_write: int             # bytes written to block devices (counter)


@dataclass(frozen=True, slots=True)
class ContainerSample:
    """A container at one time: its cgroup's charge plus the processes inside it."""

    cid: str                   # short (12 digit) id as sysdig prints it
    name: str
    image: str
    runtime: str               # docker, podman, cri, containerd, lxc, ...
    cgroup: str                # memory cgroup path relative to the hierarchy root
    stats: CgroupStats
    net_rx: int | None         # bytes received on the container's interfaces (counter)
    net_tx: int | None         # bytes sent (counter); None when it shares the host netns
    proc_rss: int              # sum of the RSS of its processes (not the cgroup charge)
    nprocs: int
    top: tuple[ProcessSample, ...]   # the largest processes by RSS


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything one sampling round saw."""

    ts: float
    host: HostSample
    containers: tuple[ContainerSample, ...]
    host_top: tuple[ProcessSample, ...]   # largest processes outside every container
    host_proc_rss: int                    # sum of RSS of processes outside containers
    duration: float = 0.0                 # seconds the round took (self-monitoring)


@dataclass(frozen=True, slots=True)
class Event:
    """A point in time worth a marker: a container started or stopped, an OOM kill, an alert.

    ``kind`` is one of ``start``, ``stop``, ``oom_kill``, ``alert_limit``, ``alert_growth``.
    """

    ts: float
    kind: str
    cid: str
    name: str
    severity: str
    message: str
    data: dict[str, object] = field(default_factory=dict)
