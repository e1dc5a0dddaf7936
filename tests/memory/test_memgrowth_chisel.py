"""The memgrowth chisel on a shared capture: what it prints is the growth library's ranking."""

from __future__ import annotations

import json

from support import CAPTURES_DIR, run_reader
from sysdive.memory.growth import growth_of_captures

CURL = CAPTURES_DIR / "curl_google.scap"


def _sysdive(*argv: str) -> str:
    return run_reader(list(argv), sysdive=True)


def test_text_ranks_like_the_library() -> None:
    out = _sysdive("-r", str(CURL), "-c", "memgrowth", "5 10")  # sysdig: args in one word
    top = growth_of_captures([str(CURL)]).processes()[0]
    rows = out.split("\n\n")[0].splitlines()[2:]
    assert rows, out
    fields = rows[0].split()
    assert int(fields[0]) == top.pid and int(fields[1]) == top.growth_kb
    assert f"{top.by_event[0][0]} {top.by_event[0][1]:+d} ({top.by_event[0][2]})" in rows[0]
    # 10 MiB limit: the projection at curl's rate
    expected = top.seconds_to(10 * 1024)
    assert expected is not None and f"{expected:.0f} s" in rows[0]
    assert "Containers by resident memory growth" in out


def test_json() -> None:
    data = json.loads(_sysdive("-r", str(CURL), "-j", "-c", "memgrowth"))
    tracker = growth_of_captures([str(CURL)])
    assert [p["pid"] for p in data["processes"]] == [g.pid for g in tracker.processes()][:10]
    assert data["processes"][0]["grew_at"][0]["evt.type"] == tracker.processes()[0].by_event[0][0]
    assert data["containers"][0]["growth_kb"] == tracker.containers()[0].growth_kb
