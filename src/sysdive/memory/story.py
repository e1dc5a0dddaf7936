"""The memory story on one screen: who grows, which system calls grew them, which code
allocates, and whom the OOM killer took (``sysdive --memory-story``).

This module only gathers and renders what the rest of :mod:`sysdive.memory` computes:
:class:`~sysdive.memory.growth.GrowthTracker` for growth, :func:`~sysdive.memory.oom.
oom_kill_of_event` for kills, an :class:`~sysdive.memory.stacks.AllocReport` (live only) for
stacks. Limits come from the containers' metadata in the capture (``memory_limit``, which the
runtime watcher records) and, failing that, from the limit an OOM kill reports for the
container's memory cgroup.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sysdive.event import Event
from sysdive.fields.registry import FieldRegistry
from sysdive.memory.growth import ContainerGrowth, GrowthTracker, ProcessGrowth
from sysdive.memory.oom import OomKill, oom_kill_of_event
from sysdive.memory.report import human_bytes, report_dict
from sysdive.memory.stacks import AllocReport, AllocStack, SymFrame

__all__ = [
    "MOVERS",
    "StackGroups",
    "StoryCollector",
    "StoryReport",
    "group_stacks",
    "story_json",
    "story_text",
]

MOVERS = ("brk", "mmap", "munmap")  # the system calls whose vm_rss the story breaks down
_TOP_CONTAINERS = 3
_TOP_PROCESSES = 5
_TOP_STACKS = 3
_FRAMES = 3
_KILLS = 3
MIN_SPAN_S = 1.0  # a rate needs at least this much time between first and last sample
_LONG_ID = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class StoryReport:
    """Everything one story run found; render with :func:`story_text` / :func:`story_json`."""

    scope: str                                   # the filter, or "all processes"
    seconds: float                               # span of the events seen
    containers: tuple[ContainerGrowth, ...]      # ranked, host processes under "host"
    processes: tuple[ProcessGrowth, ...]         # ranked
    limits_kb: Mapping[str, int]                 # container id -> memory limit (KiB)
    kills: tuple[tuple[OomKill, str], ...]       # each kill and its container's name
    stacks: AllocReport | None                   # None when reading a file
    stacks_note: str                             # why there are no stacks, or ""

    def limit_of(self, container_id: str) -> int | None:
        return self.limits_kb.get(container_id)

    def killed(self, pid: int) -> bool:
        return any(k.victim_pid == pid for k, _ in self.kills)


class StoryCollector:
    """Feed it the (filtered) events in order; :meth:`report` puts the story together. The
    registry must be bound to the state the events update, whose container table supplies the
    limits."""

    def __init__(self, registry: FieldRegistry, containers: Mapping[str, Mapping[str, object]],
                 exclude: frozenset[int] = frozenset()) -> None:
        self.growth = GrowthTracker(registry)
        self._exclude = exclude  # the tool's own processes, live
        self._pid = registry.resolve("proc.pid").extract
        self._containers = containers
        self._container_name = registry.resolve("container.name").extract
        self._kills: list[tuple[OomKill, str]] = []
        self._first_ts = 0
        self._last_ts = 0

    def on_event(self, evt: Event) -> None:
        if self._exclude and self._pid(evt) in self._exclude:
            return
        if not self._first_ts:
            self._first_ts = evt.ts
        self._last_ts = evt.ts
        self.growth.on_event(evt)
        kill = oom_kill_of_event(evt)
        if kill is not None:
            name = self._container_name(evt) if kill.container_id else "host"
            self._kills.append((kill, str(name or "<NA>")))

    def _limits(self) -> dict[str, int]:
        limits: dict[str, int] = {}
        for cid, info in self._containers.items():
            limit = info.get("memory_limit")
            if isinstance(limit, int) and limit > 0:
                limits[cid] = limit // 1024
        for kill, _ in self._kills:
            # the limit that fired is the container's own when its cgroup is the one at 99 %
            if (kill.container_id and kill.container_id not in limits
                    and kill.constraint == "memcg" and kill.memcg == kill.victim_cgroup):
                limits[kill.container_id] = kill.memcg_limit_kb
        return limits

    def report(self, scope: str, stacks: AllocReport | None, stacks_note: str) -> StoryReport:
        return StoryReport(scope or "all processes", (self._last_ts - self._first_ts) / 1e9,
                           tuple(self.growth.containers()), tuple(self.growth.processes()),
                           self._limits(), tuple(self._kills), stacks, stacks_note)


_GONE = (SymFrame("??", "[process gone]"),)


@dataclass(frozen=True, slots=True)
class StackGroups:
    """A report's stacks as the story shows them."""

    named: tuple[AllocStack, ...]    # at least one frame with a function name, most bytes first
    unnamed: tuple[AllocStack, ...]  # every frame "??" (stripped static binaries, memfd code)
    gone: AllocStack | None          # processes that exited before their code was read


def group_stacks(report: AllocReport) -> StackGroups:
    """Split the stacks: the ones that name code a person can act on come first; the gone
    bucket (one "stack" made of many unrelated processes) is not a stack at all."""
    gone = next((s for s in report.stacks if s.frames == _GONE), None)
    rest = [s for s in report.stacks if s.frames != _GONE]
    named = tuple(s for s in rest if any(f.function != "??" for f in s.frames))
    unnamed = tuple(s for s in rest if all(f.function == "??" for f in s.frames))
    return StackGroups(named, unnamed, gone)


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.0f} h"


def _kib(kb: int) -> str:
    return human_bytes(kb * 1024) if kb >= 0 else "-" + human_bytes(-kb * 1024)


def _movers(g: ProcessGrowth) -> dict[str, tuple[int, int]]:
    """brk/mmap/munmap: (net KiB, changes); everything else adds up under "other"."""
    out = {name: (0, 0) for name in MOVERS}
    other = [0, 0]
    for etype, kb, n in g.by_event:
        if etype in out:
            out[etype] = (kb, n)
        else:
            other[0] += kb
            other[1] += n
    out["other"] = (other[0], other[1])
    return out


def _span(first_ts: int, last_ts: int) -> float:
    return (last_ts - first_ts) / 1e9


def container_rate(c: ContainerGrowth) -> float | None:
    """KiB/s: the container's growth over the time its processes were seen; None over less
    than :data:`MIN_SPAN_S`."""
    if not c.processes:
        return None
    span = _span(min(g.first_ts for g in c.processes), max(g.last_ts for g in c.processes))
    return c.growth_kb / span if span >= MIN_SPAN_S else None


def process_rate(g: ProcessGrowth) -> float | None:
    """KiB/s, or None for a process seen over less than :data:`MIN_SPAN_S` (a short-lived
    process's "rate" says nothing about where it is going)."""
    return g.rate_kb_s if _span(g.first_ts, g.last_ts) >= MIN_SPAN_S else None


def seconds_to_limit(story: StoryReport, g: ProcessGrowth) -> float | None:
    limit = story.limit_of(g.container_id)
    if limit is None or process_rate(g) is None:
        return None
    return g.seconds_to(limit)


def _rate(rate: float | None) -> str:
    return _kib(int(rate)) if rate is not None else "-"


def _process_eta(story: StoryReport, g: ProcessGrowth) -> str:
    if story.killed(g.pid):
        return "OOM-killed"
    return _eta(seconds_to_limit(story, g))


def _short_ids(path: str) -> str:
    return _LONG_ID.sub(lambda m: m.group(0)[:12], path)


def _stack_lines(k: int, s: AllocStack, total: int) -> list[str]:
    share = 100.0 * s.bytes / total if total else 0.0
    calls = ", ".join(f"{name} {human_bytes(b)}" for name, b, _ in s.by_syscall)
    lines = [f" #{k} {human_bytes(s.bytes)} in {s.count} calls ({share:.0f} %, {calls}) "
             f"at {s.site if s.site else '??'}"]
    # the allocator's own frames are the same for every stack: show the site's callers
    at = s.frames.index(s.site) + 1 if s.site is not None else 0
    callers = s.frames[at:]
    lines.extend(f"      {'<- ' if at else ''}{f}" for f in callers[:_FRAMES])
    if len(callers) > _FRAMES:
        lines.append(f"      ... {len(callers) - _FRAMES} more frames")
    return lines


def story_text(story: StoryReport) -> str:
    """The story in about forty lines."""
    w: list[str] = [f"Memory story of {story.scope}, {story.seconds:.1f} s of events"]
    w.append("")
    growing_c = [c for c in story.containers if c.growth_kb > 0]
    growing = [g for g in story.processes if g.growth_kb > 0]
    w.append(f"Growing containers {'':<8} {'Growth':>10} {'Rate/s':>10}   {'Limit':<10} "
             "Top process")
    for c in growing_c[:_TOP_CONTAINERS]:
        limit = story.limit_of(c.container_id)
        top = c.processes[0] if c.processes else None
        w.append(f"  {c.name[:25]:<25} {_kib(c.growth_kb):>10} {_rate(container_rate(c)):>10}"
                 f"   {(_kib(limit) if limit is not None else '-'):<10} "
                 f"{f'{top.name} ({top.pid})' if top is not None else '-'}")
    if not growing_c:
        w.append(f"  none ({len(story.processes)} processes with a known resident memory)")
    w.append("")
    w.append(f"Growing processes {'PID':>8}  {'Growth':<10} {'Rss now':<10} {'Rate/s':<10} "
             f"{'To limit':<11} Container")
    for g in growing[:_TOP_PROCESSES]:
        w.append(f"  {g.name[:15]:<15} {g.pid:>8}  {_kib(g.growth_kb):<10} {_kib(g.last_kb):<10} "
                 f"{_rate(process_rate(g)):<10} {_process_eta(story, g):<11} {g.container_name}")
    w.append("")
    w.append("What moved their RSS (net, in changes)")
    for g in growing[:_TOP_CONTAINERS]:
        moved = _movers(g)
        w.append(f"  {g.name[:15]:<15} {g.pid:>8}  " + "  ".join(
            f"{name} {_kib(kb)} ({n})" for name, (kb, n) in moved.items()))
    w.append("")
    if story.stacks is None:
        w.append(f"Top allocating stacks: {story.stacks_note}")
    else:
        r = story.stacks
        groups = group_stacks(r)
        w.append(f"Top allocating stacks ({r.total_count} heap-growing calls, "
                 f"{human_bytes(r.total_bytes)} in {r.seconds:.1f} s; lost {r.lost})")
        for k, s in enumerate(groups.named[:_TOP_STACKS], 1):
            w.extend(_stack_lines(k, s, r.total_bytes))
        if not groups.named:
            w.append("  no heap-growing brk or anonymous mmap call was symbolized")
        if groups.unnamed:
            modules = sorted({f.module for s in groups.unnamed for f in s.frames})
            w.append(f"  no function names: {human_bytes(sum(s.bytes for s in groups.unnamed))}"
                     f" in {sum(s.count for s in groups.unnamed)} calls, "
                     f"{len(groups.unnamed)} stacks in {', '.join(modules[:4])}"
                     + (" ..." if len(modules) > 4 else ""))
        if groups.gone is not None:
            gone = groups.gone
            w.append(f"  not symbolized: {human_bytes(gone.bytes)} in {gone.count} calls of "
                     f"{len(gone.pids)} processes gone before their code was read")
    w.append("")
    w.append(f"OOM kills: {len(story.kills)}")
    for kill, name in story.kills[:_KILLS]:
        fired = (f"limit {_kib(kill.memcg_limit_kb)} of {_short_ids(kill.memcg)} "
                 f"(usage {_kib(kill.memcg_usage_kb)})" if kill.constraint == "memcg"
                 else "global (no cgroup limit)")
        w.append(f"  {kill.victim_comm} ({kill.victim_pid}) in {name} "
                 f"[{kill.container_id or 'host'}], rss {_kib(kill.rss_kb)}; {fired}")
    if len(story.kills) > _KILLS:
        w.append(f"  ... {len(story.kills) - _KILLS} more")
    return "\n".join(w) + "\n"


def _stacks_json(report: AllocReport) -> dict[str, object]:
    groups = group_stacks(report)
    data = report_dict(dataclasses.replace(report, stacks=groups.named))
    data["unnamed_stacks"] = report_dict(
        dataclasses.replace(report, stacks=groups.unnamed))["stacks"]
    gone = groups.gone
    data["gone"] = ({"bytes": gone.bytes, "count": gone.count, "pids": list(gone.pids)}
                    if gone is not None else None)
    return data


def story_json(story: StoryReport) -> str:
    """The story as one JSON object (keys sorted) on one line: everything, not just the top."""
    data = {
        "scope": story.scope,
        "seconds": round(story.seconds, 3),
        "containers": [{
            "container.id": c.container_id, "container.name": c.name,
            "growth_kb": c.growth_kb, "final_growth_kb": c.final_growth_kb,
            "rate_kb_s": round(r, 1) if (r := container_rate(c)) is not None else None,
            "limit_kb": story.limit_of(c.container_id),
            "pids": [g.pid for g in c.processes],
        } for c in story.containers],
        "processes": [{
            "pid": g.pid, "name": g.name, "container.id": g.container_id,
            "container.name": g.container_name, "growth_kb": g.growth_kb,
            "first_kb": g.first_kb, "last_kb": g.last_kb, "peak_kb": g.peak_kb,
            "rate_kb_s": round(r, 1) if (r := process_rate(g)) is not None else None,
            "seconds_to_limit": seconds_to_limit(story, g),
            "oom_killed": story.killed(g.pid),
            "grew_at": [{"evt.type": t, "kb": kb, "changes": n} for t, kb, n in g.by_event],
        } for g in story.processes],
        "stacks": _stacks_json(story.stacks) if story.stacks is not None else None,
        "stacks_note": story.stacks_note or None,
        "oom_kills": [{
            "ts": k.ts, "victim_pid": k.victim_pid, "victim_tid": k.victim_tid,
            "victim_comm": k.victim_comm, "trigger_pid": k.trigger_pid,
            "trigger_comm": k.trigger_comm, "container.id": k.container_id,
            "container.name": name, "constraint": k.constraint, "memcg": k.memcg,
            "memcg_limit_kb": k.memcg_limit_kb, "memcg_usage_kb": k.memcg_usage_kb,
            "rss_kb": k.rss_kb,
        } for k, name in story.kills],
    }
    return json.dumps(data, sort_keys=True) + "\n"
