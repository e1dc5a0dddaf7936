"""A real capture of a known workload, read back by sysdive and by sysdig 0.29.3.

The workload (workload.py) opens and writes a unique file, grows its heap with brk, maps
memory, talks to itself over a loopback connection, forks a child that execs ``sh -c 'exit 7'``
and exits with status 3. Both readers must see each of those events with the right
arguments, fd names and process names, print the same text for them, and print the same
text for every other event in the file too.
"""

from __future__ import annotations

import pytest
from livehelpers import LiveRun

from support import run_reader

FORMAT = "*%evt.num|%proc.pid|%proc.name|%evt.dir|%evt.type|%fd.name|%thread.vmrss|%evt.info"


def _lines(run: LiveRun, sysdive: bool) -> list[list[str]]:
    pid, child = run.report["pid"], run.report["child"]
    flt = f"proc.pid={pid} or proc.pid={child}"
    out = run_reader(["-r", str(run.path), "-p", FORMAT, flt], sysdive)
    return [line.split("|", 7) for line in out.splitlines()]


@pytest.fixture(scope="module")
def both(live_run: LiveRun, sysdig: str) -> tuple[list[list[str]], list[list[str]]]:
    return _lines(live_run, True), _lines(live_run, False)


def _find(lines: list[list[str]], etype: str, direction: str, *needles: str) -> list[list[str]]:
    return [ln for ln in lines if ln[4] == etype and ln[3] == direction
            and all(n in "|".join(ln) for n in needles)]


def test_capture_lost_nothing(live_run: LiveRun) -> None:
    assert live_run.result.events > 0
    assert live_run.result.drops == 0


def test_readers_agree_on_the_workload(both: tuple[list[list[str]], list[list[str]]]) -> None:
    ours, oracle = both
    assert ours == oracle


@pytest.mark.parametrize("sysdive", [True, False], ids=["sysdive", "sysdig"])
def test_workload_events(live_run: LiveRun, both: tuple[list[list[str]], list[list[str]]],
                         sysdive: bool) -> None:
    lines = both[0] if sysdive else both[1]
    rep = live_run.report
    pid, child, path, port = (str(rep["pid"]), str(rep["child"]), str(rep["path"]),
                              int(str(rep["port"])))
    # open: the exit names the new fd after the file
    opened = _find(lines, "openat", "<", path)
    assert opened and opened[0][5] == path and opened[0][2] == rep["comm"]
    # os.open adds O_CLOEXEC; PPM bits: TRUNC 256 | CREAT 4 | WRONLY 2 | CLOEXEC 4096
    assert "flags=4358(O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC)" in opened[0][7]
    assert "mode=0640" in opened[0][7]
    # write: the data of the exit and the fd name (taken from the enter)
    written = _find(lines, "write", "<", f"payload-{live_run.token}")
    assert written and written[0][5] == path
    # mmap of 1 MiB, anonymous and shared
    assert _find(lines, "mmap", ">", "length=1048576", "MAP_SHARED|MAP_ANONYMOUS", "fd=-1(EPERM)")
    # loopback connection: connect, accept and the data both ways
    tuple_ = f"->127.0.0.1:{port}"
    assert _find(lines, "connect", "<", "res=0", tuple_)
    accepted = _find(lines, "accept", "<", tuple_)
    assert accepted and accepted[0][5].endswith(tuple_)
    assert _find(lines, "sendto", "<", f"data=ping-{live_run.token}")
    assert _find(lines, "recvfrom", "<", f"data=ping-{live_run.token}")
    # fork: clone exit in the parent (res = child) and in the child (res = 0)
    assert _find(lines, "clone", "<", f"res={child}({rep['comm']})")
    assert [ln for ln in _find(lines, "clone", "<", "res=0 ") if ln[1] == child]
    # exec in the child: new name and args
    execs = [ln for ln in _find(lines, "execve", "<", "res=0") if ln[1] == child]
    assert execs and execs[0][2] == "sh" and "args=-c.exit 7." in execs[0][7]
    # exit statuses: the child's 7 and the workload's 3
    assert [ln for ln in _find(lines, "procexit", ">", "status=1792 ret=7") if ln[1] == child]
    assert [ln for ln in _find(lines, "procexit", ">", "status=768 ret=3") if ln[1] == pid]


def test_brk_reports_the_rss_proc_sees(live_run: LiveRun,
                                       both: tuple[list[list[str]], list[list[str]]]) -> None:
    brk = live_run.report["brk"]
    assert isinstance(brk, list)
    res = f"res={int(brk[1]):X} "
    exits = [ln for ln in _find(both[0], "brk", "<", res) if ln[1] == str(live_run.report["pid"])]
    assert len(exits) >= 2  # the growth and the brk(0) after touching the pages
    vm_rss = int(exits[-1][7].split("vm_rss=")[1].split()[0])
    before = int(str(live_run.report["rss_before_brk"]))
    after = int(str(live_run.report["rss_after_brk"]))
    assert vm_rss >= 8 << 10  # the 8 MiB the workload touched
    # The kernel's RSS counters are per-CPU and folded lazily, so /proc itself can move between
    # two reads; the probe's value must lie within 5% of the range the two readings span.
    low, high = min(before, after), max(before, after)
    assert 0.95 * low <= vm_rss <= 1.05 * high, (vm_rss, before, after)
    assert exits[-1][6] == str(vm_rss)  # thread.vmrss follows the event


def test_every_event_prints_the_same(live_run: LiveRun, sysdig: str) -> None:
    ours = run_reader(["-r", str(live_run.path)], True)
    oracle = run_reader(["-r", str(live_run.path)], False)
    assert ours.count("\n") == oracle.count("\n") >= live_run.result.events
    assert ours == oracle
