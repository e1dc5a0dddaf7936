"""How the live pre-filters are resolved before the probe sees them (no root needed): syscall
names and sets with the state set always added, process trees from /proc, cgroup paths on
cgroup v1, v2 and hybrid hosts (mount tables and directories of our own), and the options."""

from __future__ import annotations

from pathlib import Path

import pytest

from sysdive.capture.ebpf.loader import ProbeSettings
from sysdive.capture.prefilter import (
    NAMED_SETS,
    STATE_SYSCALLS,
    Prefilter,
    cgroup_of_pid,
    descendants,
    resolve_cgroups,
    resolve_syscalls,
    syscall_numbers,
)
from sysdive.cli.options import parse_args
from sysdive.errors import UsageError

PROC_CGROUPS = """#subsys_name\thierarchy\tnum_cgroups\tenabled
cpuset\t3\t4\t1
cpu\t1\t4\t1
cpuacct\t2\t4\t1
blkio\t7\t4\t1
memory\t4\t99\t1
pids\t8\t4\t1
"""


def test_every_named_syscall_exists() -> None:
    for name, names in NAMED_SETS.items():
        assert syscall_numbers(names), name


def test_syscall_set_always_keeps_the_state_syscalls() -> None:
    got = resolve_syscalls(["read"])
    assert syscall_numbers(["read"]) <= got
    assert syscall_numbers(STATE_SYSCALLS) <= got
    assert 59 in got and 3 in got and 257 in got   # execve, close, openat (x86_64)
    assert 9 not in got                            # mmap was not asked for
    assert syscall_numbers(NAMED_SETS["@mem"]) <= resolve_syscalls(["@mem"])


@pytest.mark.parametrize("bad", ["nosuchcall", "@nosuchset"])
def test_unknown_syscalls_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError, match="--syscalls"):
        resolve_syscalls([bad])


def _fake_proc(root: Path, tree: dict[int, int], comms: dict[int, str]) -> Path:
    for pid, ppid in tree.items():
        d = root / str(pid)
        d.mkdir(parents=True)
        # a comm with spaces and a parenthesis: fields are read after the last ')'
        (d / "stat").write_text(f"{pid} (a b) c) S {ppid} 1 1 0 -1\n")
        (d / "status").write_text(f"Name:\tx\nTgid:\t{pid}\nPPid:\t{ppid}\n")
        (d / "comm").write_text(comms.get(pid, "other") + "\n")
    (root / "self").mkdir()
    return root


def test_descendants_walk_the_process_tree(tmp_path: Path) -> None:
    proc = _fake_proc(tmp_path, {1: 0, 10: 1, 11: 10, 12: 11, 20: 1, 21: 20}, {})
    assert descendants([10], proc) == {10, 11, 12}
    assert descendants([20, 11], proc) == {20, 21, 11, 12}


def test_comm_selection_takes_running_processes_and_their_children(tmp_path: Path) -> None:
    proc = _fake_proc(tmp_path, {1: 0, 10: 1, 11: 10, 20: 1}, {10: "web", 20: "db"})
    pf = Prefilter(comms=("web",))
    assert pf.running(ProbeSettings(1, 0, {}), proc) == {10, 11}


def _hybrid(tmp: Path) -> str:
    """A mount table like this machine's: v1 controllers, a named v1, and v2 'unified'."""
    lines = []
    for k, (name, opts) in enumerate([("cpu", "cpu"), ("memory", "memory"),
                                      ("pids", "pids"), ("systemd", "name=systemd")]):
        (tmp / name).mkdir()
        lines.append(f"{40 + k} 31 0:{29 + k} / {tmp / name} rw,relatime - cgroup cgroup "
                     f"rw,{opts}")
    (tmp / "unified").mkdir()
    lines.append(f"50 31 0:38 / {tmp / 'unified'} rw,relatime - cgroup2 cgroup2 rw")
    return "\n".join(lines) + "\n"


def test_cgroup_v1_relative_path_prefers_memory(tmp_path: Path) -> None:
    mounts = _hybrid(tmp_path)
    for h in ("cpu", "memory"):
        (tmp_path / h / "docker" / "abc").mkdir(parents=True)
    target = resolve_cgroups(["/docker/abc"], mounts, PROC_CGROUPS)
    assert target.ssid == 4  # memory's line in /proc/cgroups
    assert target.directories == (str(tmp_path / "memory" / "docker" / "abc"),)
    assert target.ids == ((tmp_path / "memory" / "docker" / "abc").stat().st_ino,)


def test_cgroup_directory_names_its_hierarchy(tmp_path: Path) -> None:
    mounts = _hybrid(tmp_path)
    (tmp_path / "pids" / "x").mkdir()
    (tmp_path / "unified" / "y").mkdir()
    assert resolve_cgroups([str(tmp_path / "pids" / "x")], mounts, PROC_CGROUPS).ssid == 5
    v2 = resolve_cgroups([str(tmp_path / "unified" / "y")], mounts, PROC_CGROUPS)
    assert v2.ssid == -1 and v2.ids == ((tmp_path / "unified" / "y").stat().st_ino,)


def test_cgroup_v2_only_host(tmp_path: Path) -> None:
    (tmp_path / "system.slice" / "docker-abc.scope").mkdir(parents=True)
    mounts = f"30 23 0:26 / {tmp_path} rw - cgroup2 cgroup2 rw\n"
    target = resolve_cgroups(["/system.slice/docker-abc.scope", "/system.slice"], mounts)
    assert target.ssid == -1 and len(target.ids) == 2


def test_cgroup_errors(tmp_path: Path) -> None:
    mounts = _hybrid(tmp_path)
    (tmp_path / "memory" / "a").mkdir()
    (tmp_path / "unified" / "b").mkdir()
    with pytest.raises(UsageError, match="no cgroup of that path"):
        resolve_cgroups(["/nowhere"], mounts, PROC_CGROUPS)
    with pytest.raises(UsageError, match="one hierarchy"):
        resolve_cgroups([str(tmp_path / "memory" / "a"), str(tmp_path / "unified" / "b")],
                        mounts, PROC_CGROUPS)
    with pytest.raises(UsageError, match="no controller"):
        resolve_cgroups([str(tmp_path / "systemd")], mounts, PROC_CGROUPS)


def test_cgroup_of_pid_reads_the_preferred_hierarchy(tmp_path: Path) -> None:
    cg = tmp_path / "cg"
    cg.mkdir()
    mounts = _hybrid(cg)
    (cg / "memory" / "docker" / "abc").mkdir(parents=True)
    proc = tmp_path / "proc"
    (proc / "7").mkdir(parents=True)
    (proc / "7" / "cgroup").write_text("5:pids:/docker/abc\n4:memory:/docker/abc\n"
                                       "1:name=systemd:/docker/abc\n0::/\n")
    assert cgroup_of_pid(7, proc, mounts) == str(cg / "memory" / "docker" / "abc")


def test_prefilter_options_parse() -> None:
    o = parse_args(["--pid", "12,13", "--pid", "14", "--comm", "nginx", "--cgroup", "/docker",
                    "--container", "web", "--syscalls", "open,@net", "-U", "cron", "-w", "f"])
    assert o.pids == [12, 13, 14] and o.comms == ["nginx"] and o.cgroups == ["/docker"]
    assert o.containers == ["web"] and o.syscalls == ["open", "@net"]
    assert o.suppress_comms == ["cron"] and o.write_file == "f" and o.prefilters
    assert not parse_args(["-w", "f"]).prefilters


@pytest.mark.parametrize("argv", [["--pid", "x"], ["--pid", "1,,2"], ["--pid", "0"],
                                  ["--comm", "a" * 16], ["--syscalls", ","]])
def test_bad_prefilter_options(argv: list[str]) -> None:
    with pytest.raises(UsageError):
        parse_args(argv)


def test_option_table_keeps_sysdig_letters() -> None:
    o = parse_args(["-C", "5", "-G", "60", "-W", "3", "-e", "100", "--buffer-size", "4M",
                    "-s", "200x", "-pc", "-S", "-S", "evt.type=open"])
    assert (o.file_size_mb, o.rotate_seconds, o.file_limit, o.events_per_file) == (5, 60, 3, 100)
    assert o.buffer_size == 4 << 20 and o.snaplen == 200 and o.container_preset
    assert o.summary_copies == 2 and o.filter == "evt.type=open"
    with pytest.raises(UsageError, match="-B is not supported"):
        parse_args(["--bpf", "x"])
