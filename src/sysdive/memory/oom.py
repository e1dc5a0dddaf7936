"""OOM kills as events: what the live probe records and how to read it back.

sysdig 0.29.3 has no OOM event type, so the probe (``capture/ebpf/fill_oom.h``, on the
kernel's ``oom:mark_victim`` tracepoint) writes each kill as a **notification** event
(``PPME_NOTIFICATION_E``, an event 0.29.3 knows and prints), with ``id=oomkill`` and a
``desc`` of space-separated ``key=value`` pairs::

    victim_pid victim_tid victim_comm   the process the kernel killed (host pid/tid, comm)
    trigger_pid trigger_tid trigger_comm the task whose allocation ran out of memory
    uid oom_score_adj                   the victim's
    total_vm_kb anon_rss_kb file_rss_kb shmem_rss_kb   the victim's memory when it was chosen
    constraint                          memcg (a cgroup limit fired) or global
    memcg_limit_kb memcg_usage_kb memcg the memory cgroup whose limit fired (path in its
                                        hierarchy; empty for a global OOM)
    victim_cgroup                       the victim's memory cgroup path

The event's thread is the victim, so ``proc.*`` describes the killed process. Filter with
``evt.type=notification and evt.arg.id=oomkill`` (sysdig and sysdive alike); values that
contain no spaces (comm may) are parsed back by :func:`parse_oom_desc`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sysdive.containers.cgroups import match_cgroups
from sysdive.event import Event
from sysdive.inspector import Inspector
from sysdive.schema.events import EVENTS

__all__ = ["OOM_FILTER", "OOM_ID", "OomKill", "container_id_of_cgroup", "oom_kills",
           "parse_oom_desc"]

OOM_ID = "oomkill"
OOM_FILTER = "evt.type=notification and evt.arg.id=oomkill"
_NOTIFICATION = next(e.id for e in EVENTS if e.name == "notification" and e.id % 2 == 0)
_KEYS = ("victim_pid", "victim_tid", "victim_comm", "trigger_pid", "trigger_tid",
         "trigger_comm", "uid", "oom_score_adj", "total_vm_kb", "anon_rss_kb", "file_rss_kb",
         "shmem_rss_kb", "constraint", "memcg_limit_kb", "memcg_usage_kb", "memcg",
         "victim_cgroup")
# comm may hold spaces, so values run up to the next known key
_PAIR = re.compile(r"(?:^| )(" + "|".join(_KEYS) + r")=(.*?)(?= (?:" + "|".join(_KEYS)
                   + r")=|$)")


@dataclass(frozen=True, slots=True)
class OomKill:
    """One OOM kill, as the probe recorded it."""

    ts: int                 # epoch nanoseconds
    victim_pid: int
    victim_tid: int
    victim_comm: str
    trigger_pid: int
    trigger_tid: int
    trigger_comm: str
    uid: int
    oom_score_adj: int
    total_vm_kb: int
    anon_rss_kb: int
    file_rss_kb: int
    shmem_rss_kb: int
    constraint: str          # "memcg" or "global"
    memcg: str               # path of the memory cgroup whose limit fired ("" if global)
    memcg_limit_kb: int
    memcg_usage_kb: int
    victim_cgroup: str
    container_id: str        # 12-digit short id of the victim's container, "" for the host

    @property
    def rss_kb(self) -> int:
        """The victim's resident memory when it was chosen."""
        return self.anon_rss_kb + self.file_rss_kb + self.shmem_rss_kb


def container_id_of_cgroup(path: str) -> str:
    """The short (12-digit) container id in a memory cgroup path, "" for a host cgroup; the
    same decision sysdig 0.29.3 makes from a thread's cgroups (sysdive.containers.cgroups)."""
    found = match_cgroups([("memory", path)])
    return found.id if found is not None else ""


def parse_oom_desc(desc: str, ts: int = 0) -> OomKill:
    """Parse the ``desc`` of an ``oomkill`` notification; ValueError if it is not one."""
    values = {m.group(1): m.group(2) for m in _PAIR.finditer(desc)}
    missing = [k for k in _KEYS if k not in values]
    if missing:
        raise ValueError(f"not an oomkill description (missing {', '.join(missing)})")

    def num(key: str) -> int:
        return int(values[key])

    return OomKill(
        ts=ts, victim_pid=num("victim_pid"), victim_tid=num("victim_tid"),
        victim_comm=values["victim_comm"], trigger_pid=num("trigger_pid"),
        trigger_tid=num("trigger_tid"), trigger_comm=values["trigger_comm"], uid=num("uid"),
        oom_score_adj=num("oom_score_adj"), total_vm_kb=num("total_vm_kb"),
        anon_rss_kb=num("anon_rss_kb"), file_rss_kb=num("file_rss_kb"),
        shmem_rss_kb=num("shmem_rss_kb"), constraint=values["constraint"],
        memcg=values["memcg"], memcg_limit_kb=num("memcg_limit_kb"),
        memcg_usage_kb=num("memcg_usage_kb"), victim_cgroup=values["victim_cgroup"],
        container_id=container_id_of_cgroup(values["victim_cgroup"]),
    )


def oom_kill_of_event(evt: Event) -> OomKill | None:
    """The OOM kill an event records, or None for any other event."""
    if evt.type != _NOTIFICATION:
        return None
    params = evt.params()
    if len(params) < 2 or params[0].rstrip(b"\0") != OOM_ID.encode():
        return None
    try:
        return parse_oom_desc(params[1].rstrip(b"\0").decode("utf-8", "replace"), evt.ts)
    except ValueError:
        return None


def oom_kills(paths: Iterable[str]) -> Iterator[OomKill]:
    """Every OOM kill recorded in the given capture files, in order."""
    found: list[OomKill] = []

    def take(evt: Event) -> None:
        kill = oom_kill_of_event(evt)
        if kill is not None:
            found.append(kill)

    inspector = Inspector(capture_filter=lambda evt: evt.type == _NOTIFICATION,
                          filter_types=frozenset({_NOTIFICATION}))
    inspector.run(list(paths), take)
    yield from found
