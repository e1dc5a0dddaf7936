"""Unit tests of the parsers and rules, on kernel-format inputs. The real-kernel paths are
covered by test_leak_scenario.py; these cover layouts this machine does not have (cgroup v2)
and edge cases."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import replace
from pathlib import Path

from sysdive.monitor.alerts import AlertEngine, AlertRules, fit_slope
from sysdive.monitor.cgroup_stats import CgroupLayout, read_cgroup, read_netdev
from sysdive.monitor.kmsg import OomParser, parse_record
from sysdive.monitor.model import (
    CgroupStats,
    ContainerSample,
    Event,
    HostSample,
    Snapshot,
)
from sysdive.monitor.procfs import parse_meminfo, parse_stat
from sysdive.monitor.store import Retention, Store

MIB = 1 << 20
CID = "0123456789ab"
FULL = CID + "cdef" * 13


def test_parse_stat_with_awkward_name() -> None:
    text = ("42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 777 "
            "12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0")
    st = parse_stat(42, text)
    assert st is not None
    assert st.comm == "a) b (c)"
    assert st.start_ticks == 777
    assert st.rss == 300 * 4096
    assert parse_stat(1, "garbage") is None


def test_meminfo_units() -> None:
    info = parse_meminfo("MemTotal:       1000 kB\nHugePages_Total:       3\n")
    assert info == {"MemTotal": 1024000, "HugePages_Total": 3}


def test_kmsg_memcg_kill_joins_both_records() -> None:
    parser = OomParser()
    first = parse_record(
        "6,900,1000000,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x,"
        f"mems_allowed=0,oom_memcg=/docker/{FULL},task_memcg=/docker/{FULL},task=sh,"
        "pid=4242,uid=0\n")
    second = parse_record(
        "3,901,1000100,-;Memory cgroup out of memory: Killed process 4242 (sh) "
        "total-vm:70000kB, anon-rss:65024kB, file-rss:1296kB, shmem-rss:0kB, UID:0 "
        "pgtables:168kB oom_score_adj:0\n SUBSYSTEM=x\n")
    assert first is not None and second is not None
    assert parser.feed(first, 100.0) is None
    kill = parser.feed(second, 100.0)
    assert kill is not None
    assert (kill.pid, kill.comm, kill.seq) == (4242, "sh", 901)
    assert kill.memcg == f"/docker/{FULL}"
    assert kill.constraint == "CONSTRAINT_MEMCG"
    assert kill.anon_rss == 65024 * 1024 and kill.file_rss == 1296 * 1024
    assert abs(kill.ts - 101.0001) < 1e-6


def test_kmsg_global_kill_without_cgroup_line() -> None:
    rec = parse_record("3,5,2000000,-;Out of memory: Killed process 7 (big) total-vm:1kB, "
                       "anon-rss:2kB, file-rss:0kB, shmem-rss:0kB")
    assert rec is not None
    kill = OomParser().feed(rec, 0.0)
    assert kill is not None and kill.memcg == "" and kill.constraint == ""
    assert parse_record("no header") is None


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).write_text(text)


def test_cgroup_v2_layout_and_stats(tmp_path: Path) -> None:
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"30 1 0:26 / {tmp_path}/cg rw,nosuid - cgroup2 cgroup2 rw\n")
    layout = CgroupLayout.detect(str(mountinfo))
    assert layout.v2 == f"{tmp_path}/cg" and layout.memory_version == 2
    d = tmp_path / "cg" / "system.slice" / f"docker-{FULL}.scope"
    d.mkdir(parents=True)
    _write(d, {
        "memory.current": "50000000\n",
        "memory.stat": "anon 40000000\nfile 9000000\nfile_mapped 100\ninactive_file 3000000\n",
        "memory.max": "67108864\n", "memory.swap.current": "0\n",
        "memory.events": "low 0\nhigh 0\nmax 17\noom 2\noom_kill 1\n",
        "cpu.stat": "usage_usec 2500000\nuser_usec 1\n",
        "io.stat": "8:0 rbytes=100 wbytes=200 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n"})
    dirs = layout.dirs([("", f"/system.slice/docker-{FULL}.scope")])
    st = read_cgroup(dirs)
    assert st == CgroupStats(usage=50000000, working_set=47000000, rss=40000000,
                             cache=9000000, mapped_file=100, swap=0, limit=64 * MIB,
                             failcnt=17, oom_events=2, oom_kills=1, cpu_seconds=2.5,
                             blk_read=101, blk_write=202)
    (d / "memory.max").write_text("max\n")
    st = read_cgroup(dirs)
    assert st is not None and st.limit is None
    (d / "memory.current").unlink()
    assert read_cgroup(dirs) is None   # the cgroup went away between reads


def test_cgroup_v1_hybrid_layout(tmp_path: Path) -> None:
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        f"31 1 0:27 / {tmp_path}/memory rw - cgroup cgroup rw,memory\n"
        f"32 1 0:28 / {tmp_path}/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        f"33 1 0:29 / {tmp_path}/unified rw - cgroup2 cgroup2 rw\n")
    layout = CgroupLayout.detect(str(mountinfo))
    assert layout.memory_version == 1
    assert layout.v1["cpuacct"] == f"{tmp_path}/cpu,cpuacct"
    d = tmp_path / "memory" / "docker" / FULL
    d.mkdir(parents=True)
    _write(d, {"memory.usage_in_bytes": "1000\n", "memory.limit_in_bytes":
               "9223372036854771712\n", "memory.failcnt": "0\n",
               "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n",
               "memory.stat": "rss 1\ntotal_rss 600\ntotal_cache 400\n"
                              "total_inactive_file 300\ntotal_mapped_file 5\n"})
    st = read_cgroup(layout.dirs([("memory", f"/docker/{FULL}")]))
    assert st is not None
    assert (st.usage, st.working_set, st.rss, st.cache, st.limit, st.oom_kills, st.swap) == \
        (1000, 700, 600, 400, None, 3, None)


def test_netdev_skips_loopback(tmp_path: Path) -> None:
    (tmp_path / "9" / "net").mkdir(parents=True)
    (tmp_path / "9" / "net" / "dev").write_text(
        "Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n"
        "    lo: 500 5 0 0 0 0 0 0 500 5 0 0 0 0 0 0\n"
        "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n")
    assert read_netdev(9, str(tmp_path)) == (1000, 2000)
    assert read_netdev(10, str(tmp_path)) is None


def _stats(ws: int, limit: int | None = 64 * MIB) -> CgroupStats:
    return CgroupStats(usage=ws, working_set=ws, rss=ws, cache=0, mapped_file=0, swap=0,
                       limit=limit, failcnt=0, oom_events=0, oom_kills=0, cpu_seconds=0.0,
                       blk_read=0, blk_write=0)


def _snap(ts: float, ws: dict[str, int]) -> Snapshot:
    host = HostSample(mem_total=8 << 30, mem_used=1 << 30, mem_available=7 << 30,
                      mem_free=6 << 30, buffers=0, cached=0, swap_total=0, swap_used=0,
                      cpu_seconds=1.0, cpu_count=2)
    return Snapshot(ts=ts, host=host, host_top=(), host_proc_rss=0, containers=tuple(
        ContainerSample(cid=cid, name=f"n-{cid}", image="img", runtime="docker", cgroup="/",
                        stats=_stats(v), net_rx=None, net_tx=None, proc_rss=v, nprocs=1,
                        top=()) for cid, v in ws.items()))


def test_fit_slope() -> None:
    assert abs(fit_slope(deque((t, 3.0 * t + 1) for t in range(10))) - 3.0) < 1e-9
    assert fit_slope(deque([(1.0, 5.0), (1.0, 6.0)])) == 0.0


def test_growth_and_share_rules_fire_once() -> None:
    events: list[Event] = []
    engine = AlertEngine(AlertRules(share=0.9, horizon=60, window=30), events.append,
                         lambda cid: None)
    for i in range(40):   # leak: 1 MiB/s from 10 MiB; flat: 5 MiB
        engine.on_snapshot(_snap(1000.0 + i, {"leak": (10 + i) * MIB, "flat": 5 * MIB}))
    growth = [e for e in events if e.kind == "alert_growth"]
    assert len(growth) == 1 and growth[0].cid == "leak"
    # It fires once the limit is within the 60 s horizon: 64-10-i <= 60 at i >= 4 (plus the
    # 5 points the fit needs).
    assert growth[0].ts <= 1006.0
    assert not [e for e in events if e.cid == "flat"]
    for i in range(40, 60):
        engine.on_snapshot(_snap(1000.0 + i, {"leak": min(10 + i, 63) * MIB}))
    share = [e for e in events if e.kind == "alert_limit"]
    assert len(share) == 1 and share[0].data["share"] >= 0.9
    assert len([e for e in events if e.kind == "alert_growth"]) == 1


def test_store_folds_and_prunes(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.db"), Retention(raw=600, m1=7200, h1=86400 * 30))
    now = time.time()
    start = now - 3 * 3600
    for i in range(0, 3 * 3600, 30):
        store.write_snapshot(_snap(start + i, {"c1": (i // 30) * 1000}))
    store.maintain(now)
    with store._conn() as conn:
        raw = conn.execute("SELECT MIN(ts) FROM ctr_raw").fetchone()[0]
        m1 = conn.execute("SELECT COUNT(*), MIN(ts) FROM ctr_m1").fetchone()
        h1 = conn.execute("SELECT COUNT(*) FROM ctr_h1").fetchone()[0]
    assert raw >= now - 600            # raw pruned to its retention
    assert m1[1] >= now - 7200 - 60    # minutes pruned to theirs
    assert m1[0] >= 100                # ...but the last two hours are there, per minute
    assert h1 >= 2                     # and every completed hour is kept
    # A query over three hours reads the hour tier and sees the peak of each hour.
    series = store.container_series(start, now, ("working_set",), points=10)["c1"]
    assert series.ts and all(v is not None for v in series.columns["working_set"])
    # Folding again is a no-op (watermarks in the same transaction).
    store.maintain(now)
    with store._conn() as conn:
        assert conn.execute("SELECT COUNT(*) FROM ctr_h1").fetchone()[0] == h1
    assert store.integrity() == "ok"


def _fake_proc(root: Path, pid: int, comm: str, cgroup_path: str, memory_path: str) -> None:
    d = root / "proc" / str(pid)
    d.mkdir(parents=True, exist_ok=True)
    (d / "stat").write_text(f"{pid} ({comm}) S 1 1 1 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 999 "
                            "1000 2560 0 0 0\n")
    (d / "cgroup").write_text(f"4:memory:{memory_path}\n1:cpu,cpuacct:{cgroup_path}\n")


def test_runc_init_half_moved_is_not_read_as_the_root_cgroup(tmp_path: Path) -> None:
    from sysdive.monitor.sampler import Sampler

    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "meminfo").write_text("MemTotal: 1000 kB\nMemAvailable: 500 kB\n")
    (proc / "stat").write_text("cpu  1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0 0 0\n")
    for name in ("memory", "cpuacct"):
        d = tmp_path / name
        d.mkdir()
        _write(d, {"memory.usage_in_bytes": "999999999\n", "memory.stat": "total_rss 1\n",
                   "cpuacct.usage": "0\n"})
        c = d / "docker" / FULL
        c.mkdir(parents=True)
        _write(c, {"memory.usage_in_bytes": "4096\n", "memory.stat":
                   "total_rss 4096\nhierarchical_memory_limit 67108864\n",
                   "memory.failcnt": "0\n", "memory.oom_control": "oom_kill 0\n",
                   "cpuacct.usage": "1000000000\n"})
    layout = CgroupLayout(v1={"memory": str(tmp_path / "memory"),
                              "cpuacct": str(tmp_path / "cpuacct")}, v2=None)
    sampler = Sampler(None, proc=str(proc), layout=layout)
    # runc's init is in the container's cpu cgroup but still in the root memory cgroup.
    _fake_proc(tmp_path, 50, "runc:[2:INIT]", f"/docker/{FULL}", "/")
    snap = sampler.sample()
    assert [c.stats.usage for c in snap.containers] == []   # never the root's 999999999
    # It joins the memory cgroup and execs the entrypoint, same pid.
    _fake_proc(tmp_path, 50, "sh", f"/docker/{FULL}", f"/docker/{FULL}")
    snap = sampler.sample()
    assert [(c.cid, c.stats.usage, c.stats.limit, c.nprocs) for c in snap.containers] == \
        [(CID, 4096, 64 * MIB, 1)]
    assert snap.containers[0].top[0].comm == "sh"
    assert [p.pid for p in snap.host_top] == []


def test_parse_stat_kernel_thread_flag() -> None:
    kthread = ("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 2 0 0 "
               "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 0 0")
    st = parse_stat(2, kthread)
    assert st is not None and st.kernel and st.rss == 0
    user = parse_stat(42, kthread.replace("2129984", "4194560", 1))
    assert user is not None and not user.kernel


def test_store_keeps_a_known_name_over_an_unresolved_one(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "n.db"))
    named = _snap(100.0, {CID: MIB})
    store.write_snapshot(named)
    assert store.container(CID)["name"] == f"n-{CID}"
    unresolved = replace(named, ts=101.0, containers=tuple(
        replace(c, name=c.cid, image="") for c in named.containers))
    store.write_snapshot(unresolved)
    row = store.container(CID)
    assert row is not None and (row["name"], row["image"], row["last_seen"]) == \
        (f"n-{CID}", "img", 101.0)


def test_alerts_use_the_runtime_name_when_the_sample_has_none() -> None:
    events: list[Event] = []
    engine = AlertEngine(AlertRules(horizon=60, window=30), events.append,
                         lambda cid: ("web-1", "nginx") if cid == CID else None)
    for i in range(8):
        snap = _snap(1000.0 + i, {CID: (40 + 2 * i) * MIB})
        engine.on_snapshot(replace(snap, containers=tuple(
            replace(c, name=c.cid) for c in snap.containers)))
    assert [(e.kind, e.name, e.data["image"]) for e in events] == \
        [("alert_growth", "web-1", "nginx")]


def test_oom_from_the_cgroup_counter_when_the_kernel_log_is_unreadable() -> None:
    events: list[Event] = []
    engine = AlertEngine(AlertRules(), events.append, lambda cid: None)
    engine.kernel_log = False

    def with_kills(ts: float, kills: int) -> Snapshot:
        snap = _snap(ts, {CID: MIB})
        return replace(snap, containers=tuple(
            replace(c, stats=replace(c.stats, oom_kills=kills)) for c in snap.containers))

    engine.on_snapshot(with_kills(1.0, 0))
    engine.on_snapshot(with_kills(2.0, 2))
    assert events == []          # waits one round for the kernel's record
    engine.on_snapshot(with_kills(3.0, 2))
    assert [(e.kind, e.cid, e.name, e.data["count"], e.data["source"]) for e in events] == \
        [("oom_kill", CID, f"n-{CID}", 2, "cgroup")]
