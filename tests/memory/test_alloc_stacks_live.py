"""Allocation stacks of a real process, captured live with the BPF probe, for a build with
frame pointers and one without: the leaking function of the stripped library must be what the
top stack names."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from support import SYSDIVE, run, run_during
from sysdive.memory.stacks import AllocReport, SymFrame, capture_alloc_stacks

LEAK_SITE = SymFrame("leakylib_pattern_study", "libleaky.so")
REQUESTS, LEAK = 300, 48 << 10


def _run_traced(proc: subprocess.Popen[bytes], target: str, stdin: bytes
                ) -> tuple[AllocReport, str]:
    """The allocation stacks of ``proc`` (and its children) while it reads ``stdin``, runs
    and exits (the probe attached first); and what it printed."""
    out: list[bytes] = []

    def probe(stop: threading.Event, on_start: Callable[[], None]) -> AllocReport:
        return capture_alloc_stacks(frozenset({proc.pid}), target, stop=stop,
                                    on_start=on_start)

    def feed() -> None:
        out.append(proc.communicate(stdin, timeout=60)[0])
        time.sleep(0.2)  # let the last events reach the ring

    report = run_during(probe, feed)
    assert isinstance(report, AllocReport)
    return report, out[0].decode()


def test_library_is_stripped(leaky_builds: dict[str, Path]) -> None:
    # the premise: only dynamic symbols are left to name the leaking function
    for build in leaky_builds.values():
        with open(build / "libleaky.so", "rb") as f:
            elf = ELFFile(f)
            assert elf.get_section_by_name(".symtab") is None
            assert elf.get_section_by_name(".debug_info") is None


@pytest.mark.usefixtures("live")
@pytest.mark.parametrize("variant", ["fp", "nofp"])
def test_leaking_function_tops_the_stacks(leaky_builds: dict[str, Path], variant: str) -> None:
    server = subprocess.Popen([str(leaky_builds[variant] / "leakyserver"), str(REQUESTS),
                               str(LEAK)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    report, out = _run_traced(server, f"pid {server.pid}", b"x")
    checksum, micros = out.split()
    assert checksum.isdigit() and int(micros) > 0
    assert report.lost == 0 and report.copy_failures == 0 and report.unresolved == 0
    top = report.stacks[0]
    assert top.site == LEAK_SITE, [str(f) for f in top.frames]
    # the whole chain, from the system call to the program's entry
    names = [f.function for f in top.frames]
    assert names[0] == "brk" and top.frames[0].module == "libc.so.6"
    assert "malloc" in names
    k = names.index("leakylib_pattern_study")
    assert names[k + 1:k + 4] == ["compile_pattern", "handle_request", "main"]
    assert all(f.module == "leakyserver" for f in top.frames[k + 1:k + 4])
    # the leak is what grew the heap: its bytes match what the program leaked
    assert top.by_syscall[0][0] == "brk"
    assert 0.9 * REQUESTS * LEAK <= top.bytes <= REQUESTS * LEAK + (1 << 20)
    assert top.bytes >= 0.9 * report.total_bytes


@pytest.mark.usefixtures("live")
def test_cli_json_and_flamegraph(leaky_builds: dict[str, Path], tmp_path: Path) -> None:
    server = subprocess.Popen([str(leaky_builds["nofp"] / "leakyserver"), "0", str(LEAK),
                               "2000", "nowait"], stdout=subprocess.DEVNULL)
    svg = tmp_path / "flame.svg"
    try:
        time.sleep(0.2)  # let it map its libraries
        done = run([*SYSDIVE, "--alloc-stacks", "-M", "3", "-j",
                    "--top", "3", "--flamegraph", str(svg), f"proc.pid={server.pid}"],
                   timeout=120)
    finally:
        server.kill()
        server.wait()
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    data = json.loads(done.stdout)
    assert data["target"] == f"pid {server.pid}"
    assert data["total_count"] > 10 and 1 <= len(data["stacks"]) <= 3
    top = data["stacks"][0]
    assert top["site"] == {"function": "leakylib_pattern_study", "module": "libleaky.so"}
    assert top["pids"] == [server.pid]
    assert top["by_syscall"]["brk"]["count"] == top["count"]
    tree = ET.parse(svg)
    titles = [t.text or "" for t in tree.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("leakylib_pattern_study [libleaky.so]") for t in titles)
    assert any(t.startswith("main [leakyserver]") for t in titles)


def test_cli_rejects_a_bad_target() -> None:
    done = run([*SYSDIVE, "--alloc-stacks", "proc.name=foo"])
    assert done.returncode == 1
    assert done.stderr.startswith(b"sysdive: --alloc-stacks takes proc.pid=PID")
    assert b"Traceback" not in done.stderr


@pytest.mark.usefixtures("live")
def test_children_started_later_are_followed_and_symbolized(
        leaky_builds: dict[str, Path]) -> None:
    # the traced process is a shell; the server is its child, exec'd after the probe started,
    # living about a tenth of a second: found through fork-following, symbolized from the
    # mappings snapshot taken when the probe reported its exec
    server = leaky_builds["fp"] / "leakyserver"
    shell = subprocess.Popen(["/bin/sh", "-c", f"read x; {server} 100 {LEAK} 1000 nowait"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    report, out = _run_traced(shell, "shell", b"go\n")
    assert out.split()[0].isdigit()
    leak = [s for s in report.stacks if s.site == LEAK_SITE]
    assert leak, [str(s.site) for s in report.stacks]
    assert shell.pid not in leak[0].pids  # the child's, not the shell's
    assert report.unresolved == 0
