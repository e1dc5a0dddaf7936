"""The tracer chisels, against sysdig 0.29.3: ``flame`` (an HTML page with the span trees as
JSON) and ``tracers_2_statsd`` (statsd timers sent over UDP), on every sample capture (no
tracers: empty trees, no datagram) and on the synthetic tracer capture of
:func:`synthetic_captures.tracers`.

* flame: sysdig's stdout is stored in ``expected/`` (``SYSDIVE_REGEN=1`` rewrites it) and
  checked against sysdig itself. sysdig writes the JSON objects' members in LuaJIT's hash
  order, seeded anew on every run, so two sysdig runs differ: outputs are compared as the
  exact page around the JSON, the same parsed JSON, and the same multiset of lines (every
  member and value written exactly alike, wherever its object puts it).
* tracers_2_statsd: both tools send to 127.0.0.1:8125 whatever they are told (as in the
  Lua); the test listens there (one test at a time, under a lock) and compares the
  datagrams, in order, with the stored ones and with sysdig's.
"""

from __future__ import annotations

import fcntl
import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from synthetic_captures import tracers
from test_chisel_parity import STORE

from support import CAPTURES_DIR, REGEN, SYSDIVE, diff, sysdive_env, unavailable
from support import run as run_tool

SAMPLES = ("curl_google", "single_ipv6_conn", "run_as_user_0_container")
TRACERS = "syn_tracers"
LOCK = Path("/tmp/sysdive-test-statsd-8125.lock")


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in SAMPLES:
        path = CAPTURES_DIR / f"{name}.scap"
        if not path.is_file():
            unavailable(f"sample capture {path} is missing")
        out[name] = path
    path = tmp_path_factory.mktemp("tracers") / f"{TRACERS}.scap"
    tracers().write(str(path))
    out[TRACERS] = path
    return out


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return run_tool(argv, cwd=cwd, env=sysdive_env(own_chisels=True))


# -- flame ----------------------------------------------------------------------------------

FLAME_RUNS = {name: (name,) for name in (*SAMPLES, TRACERS)}
FLAME_RUNS["syn_tracers_twice"] = (TRACERS, TRACERS)   # the trees carry over, as in the Lua


def _split_page(text: bytes) -> tuple[bytes, object, bytes, list[bytes]]:
    """(page before the JSON, the parsed JSON, page after it, its sorted lines)."""
    start = text.index(b"window.transactions = {\n") + len(b"window.transactions = {\n")
    end = text.rindex(b"            };\n")
    body = text[start:end]
    # '"avg": {...},' '"min": {...},' '"max": {...},' : the members of one object
    parsed = json.loads(b"{" + body.rstrip().rstrip(b",") + b"}")
    lines = sorted(line.rstrip(b",") for line in body.split(b"\n"))
    return text[:start], parsed, text[end:], lines


def _pages(text: bytes) -> list[bytes]:
    marker = b"<!DOCTYPE html>"
    return [marker + p for p in text.split(marker)[1:]]


def _same_flame(expected: bytes, actual: bytes) -> bool:
    a, b = _pages(expected), _pages(actual)
    return len(a) == len(b) and all(_split_page(x) == _split_page(y) for x, y in zip(a, b,
                                                                                  strict=True))


def _flame_argv(runs: tuple[str, ...], captures: dict[str, Path]) -> list[str]:
    return [a for name in runs for a in ("-r", str(captures[name]))] + ["-c", "flame"]


@pytest.mark.parametrize("name", FLAME_RUNS)
def test_flame_expected_is_sysdig_output(name: str, sysdig: str, captures: dict[str, Path],
                                         tmp_path: Path) -> None:
    done = _run([sysdig, *_flame_argv(FLAME_RUNS[name], captures)], tmp_path)
    assert done.returncode == 0, done.stderr
    if REGEN:
        STORE.write(f"flame_{name}", done.stdout)
        return
    expected = STORE.read(f"flame_{name}")
    assert _same_flame(expected, done.stdout), diff(expected, done.stdout, "sysdig now")


@pytest.mark.parametrize("name", FLAME_RUNS)
def test_flame_matches_sysdig(name: str, captures: dict[str, Path], tmp_path: Path) -> None:
    expected = STORE.read(f"flame_{name}")
    done = _run([*SYSDIVE, *_flame_argv(FLAME_RUNS[name], captures)], tmp_path)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert _same_flame(expected, done.stdout), diff(expected, done.stdout, "sysdive")


def test_flame_trees_hold_the_story() -> None:
    page = _pages(STORE.read(f"flame_{TRACERS}"))[0]
    _, parsed, _, _ = _split_page(page)
    assert isinstance(parsed, dict)
    avg = parsed["avg"][""]["ch"]
    assert set(avg) == {"req", "job", "neg", "sp"}     # the completed root spans
    assert avg["req"]["n"] == 2 and set(avg["req"]["ch"]) == {"auth", "db"}
    assert avg["req"]["ch"]["auth"]["logs"][0]["b"] == "auth ok for alice."
    # one tree per span id: both requests (6.022 and 12.022 ms) add up in one root node,
    # which the average divides by its two roots, and min and max both pick
    assert avg["req"]["tt"] == 9022000
    assert parsed["min"][""]["ch"]["req"]["tt"] == parsed["max"][""]["ch"]["req"]["tt"] == 18044000


def test_flame_is_hidden_as_in_sysdig(sysdig: str, tmp_path: Path) -> None:
    ours = _run([*SYSDIVE, "-i", "flame"], tmp_path)
    theirs = _run([sysdig, "-i", "flame"], tmp_path)
    assert ours.returncode == theirs.returncode == 1
    assert theirs.stderr == b"chisel flame not found - use -cl to list them.\n"
    assert ours.stderr == b"sysdive: " + theirs.stderr
    assert b"flame" not in _run([*SYSDIVE, "-cl"], tmp_path).stdout


# -- tracers_2_statsd -----------------------------------------------------------------------

@pytest.fixture
def statsd_port() -> Iterator[socket.socket]:
    """127.0.0.1:8125, where the chisel always sends, held by this test alone."""
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind(("127.0.0.1", 8125))
        except OSError as err:
            sock.close()
            pytest.fail(f"cannot listen on 127.0.0.1:8125 for the statsd datagrams: {err}")
        sock.settimeout(0.2)
        try:
            yield sock
        finally:
            sock.close()


def _datagrams(sock: socket.socket, argv: list[str], cwd: Path) -> bytes:
    done = _run(argv, cwd)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout == b""          # the chisel prints nothing
    got = []
    while True:
        try:
            got.append(sock.recv(65536))
        except TimeoutError:
            break
    return b"".join(d + b"\n" for d in got)


STATSD_RUNS = {**{name: (name, ()) for name in (*SAMPLES, TRACERS)},
               "syn_tracers_args": (TRACERS, ("10.1.2.3 9999",)),
               "syn_tracers_filter": (TRACERS, ("proc.name=web",))}


def _statsd_argv(name: str, captures: dict[str, Path]) -> list[str]:
    capture, extra = STATSD_RUNS[name]
    return ["-r", str(captures[capture]), "-c", "tracers_2_statsd", *extra]


@pytest.mark.parametrize("name", STATSD_RUNS)
def test_statsd_expected_is_sysdig_output(name: str, sysdig: str, captures: dict[str, Path],
                                          statsd_port: socket.socket, tmp_path: Path) -> None:
    got = _datagrams(statsd_port, [sysdig, *_statsd_argv(name, captures)], tmp_path)
    if REGEN:
        STORE.write(f"statsd_{name}", got)
        return
    expected = STORE.read(f"statsd_{name}")
    assert got == expected, diff(expected, got, "sysdig now")


@pytest.mark.parametrize("name", STATSD_RUNS)
def test_statsd_matches_sysdig(name: str, captures: dict[str, Path],
                               statsd_port: socket.socket, tmp_path: Path) -> None:
    expected = STORE.read(f"statsd_{name}")
    if name.startswith(TRACERS):
        assert expected.count(b"|ms\n") >= 5
    got = _datagrams(statsd_port, [*SYSDIVE, *_statsd_argv(name, captures)], tmp_path)
    assert got == expected, diff(expected, got, "sysdive")
