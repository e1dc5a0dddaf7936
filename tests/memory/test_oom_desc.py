"""Parsing the oomkill notification back (the live test checks the probe writes it)."""

from __future__ import annotations

import pytest

from sysdive.memory.oom import container_id_of_cgroup, parse_oom_desc

CID = "8c385f36153ef9bd90a20727e5e9369fc99f87ab261b1adfe98822abc9051c81"
DESC = (f"victim_pid=30201 victim_tid=30202 victim_comm=php fpm trigger_pid=7 trigger_tid=8 "
        f"trigger_comm=dd uid=33 oom_score_adj=-5 total_vm_kb=104668 anon_rss_kb=65024 "
        f"file_rss_kb=1296 shmem_rss_kb=4 constraint=memcg memcg_limit_kb=65536 "
        f"memcg_usage_kb=65532 memcg=/docker/{CID} victim_cgroup=/docker/{CID}")


def test_parse_all_fields_and_comm_with_space() -> None:
    k = parse_oom_desc(DESC, ts=5)
    assert (k.victim_pid, k.victim_tid, k.victim_comm) == (30201, 30202, "php fpm")
    assert (k.trigger_pid, k.trigger_tid, k.trigger_comm) == (7, 8, "dd")
    assert (k.uid, k.oom_score_adj, k.ts) == (33, -5, 5)
    assert k.rss_kb == 65024 + 1296 + 4
    assert (k.constraint, k.memcg_limit_kb, k.memcg_usage_kb) == ("memcg", 65536, 65532)
    assert k.memcg == f"/docker/{CID}"
    assert k.container_id == CID[:12]


def test_global_oom_has_empty_memcg() -> None:
    desc = DESC.replace(f"memcg=/docker/{CID}", "memcg=").replace("constraint=memcg",
                                                                   "constraint=global")
    k = parse_oom_desc(desc.replace(f"victim_cgroup=/docker/{CID}", "victim_cgroup=/user.slice"))
    assert (k.memcg, k.constraint, k.container_id) == ("", "global", "")


def test_not_an_oom_description() -> None:
    with pytest.raises(ValueError, match="missing"):
        parse_oom_desc("hello world")


@pytest.mark.parametrize(("path", "cid"), [
    (f"/docker/{CID}", CID[:12]),
    (f"/system.slice/docker-{CID}.scope", CID[:12]),
    ("/user.slice/user-0.slice", ""),
    ("/", ""),
])
def test_container_id_of_cgroup(path: str, cid: str) -> None:
    assert container_id_of_cgroup(path) == cid
