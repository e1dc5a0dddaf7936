"""Growth ranking against a reference computed in the test from sysdig 0.29.3's own
``-p "%proc.pid %evt.type %proc.vmrss %evt.dir"`` output on the shared captures."""

from __future__ import annotations

import pytest
from memhelpers import growth_reference

from support import CAPTURES_DIR
from sysdive.memory.growth import ProcessGrowth, growth_of_captures

NAMES = ["curl_google.scap", "run_as_user_0_container.scap", "single_ipv6_conn.scap"]


def _ours(g: ProcessGrowth) -> tuple[int, int, dict[str, tuple[int, int]]]:
    return g.pid, g.growth_kb, {k: (kb, n) for k, kb, n in g.by_event}


@pytest.mark.parametrize("name", NAMES)
def test_ranking_matches_the_sysdig_reference(name: str) -> None:
    path = CAPTURES_DIR / name
    expected = growth_reference(path)
    got = [_ours(g) for g in growth_of_captures([str(path)]).processes()]
    assert got == expected
    # single_ipv6_conn carries no vm_rss at all (both sides are empty); the others must
    assert bool(expected) == (name != "single_ipv6_conn.scap")


def test_rate_projection_and_containers() -> None:
    tracker = growth_of_captures([str(CAPTURES_DIR / "curl_google.scap")])
    top = tracker.processes()[0]
    assert top.growth_kb > 0 and top.by_event  # curl's heap grows during the capture and top.peak_kb >= top.last_kb
    assert top.rate_kb_s == pytest.approx(top.growth_kb / ((top.last_ts - top.first_ts) / 1e9))
    eta = top.seconds_to(top.last_kb + 1000)
    assert eta == pytest.approx(1000 / top.rate_kb_s)
    assert top.seconds_to(0) == 0.0
    groups = tracker.containers()
    assert sum(len(c.processes) for c in groups) == len(tracker.processes())
    # curl is the only process that grows, and it exits at the end: the host's growth peaks at
    # curl's and is back to 0 when curl is gone
    assert groups[0].container_id == "host"
    assert groups[0].growth_kb == top.growth_kb and groups[0].final_growth_kb == 0
