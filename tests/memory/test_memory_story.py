"""``sysdive --memory-story``: the whole story from one command.

Live (root, BPF, dockerd): a container with a 64 MiB limit runs the leaky server (stripped
library, no frame pointers) next to a sibling doing steady work; one ``--memory-story`` run
over both ranks the leaker first with brk as what grew it, names the leaking function and
library at the top of the stacks, and reports the OOM kill with its container and limit. On
files (the live run's capture and the shared captures) the growth section equals a reference
computed from sysdig 0.29.3's ``-p "%proc.pid %evt.type %proc.vmrss"``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from memhelpers import growth_reference, story_image

from support import CAPTURES_DIR, sysdive_env

ENV = sysdive_env()
SHARED = ["curl_google.scap", "run_as_user_0_container.scap", "single_ipv6_conn.scap"]


def _story(*argv: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sysdive", "--memory-story", *argv],
                          capture_output=True, text=True, env=ENV, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _growth_section(data: dict[str, Any]) -> list[tuple[int, int, dict[str, tuple[int, int]]]]:
    return [(p["pid"], p["growth_kb"],
             {g["evt.type"]: (g["kb"], g["changes"]) for g in p["grew_at"]})
            for p in data["processes"]]


@pytest.mark.parametrize("name", SHARED)
def test_file_growth_matches_the_sysdig_reference(name: str) -> None:
    path = CAPTURES_DIR / name
    data = json.loads(_story("-r", str(path), "-j"))
    assert _growth_section(data) == growth_reference(path)
    assert data["stacks"] is None and "live" in data["stacks_note"]
    assert data["oom_kills"] == []
    text = _story("-r", str(path))
    assert len(text.splitlines()) <= 40
    assert "allocation stacks need live capture" in text
    growing = [p for p in data["processes"] if p["growth_kb"] > 0]
    if growing:  # the first growing process heads the text's process table
        rows = text.split("Growing processes")[1].splitlines()
        assert rows[1].split()[:2] == [growing[0]["name"], str(growing[0]["pid"])]
    else:
        assert name == "single_ipv6_conn.scap"  # carries no vm_rss at all


def test_file_filter_and_container() -> None:
    path = CAPTURES_DIR / "run_as_user_0_container.scap"
    data = json.loads(_story("-r", str(path), "-j", "container.id!=host"))
    assert data["scope"] == "container.id!=host"
    assert data["containers"] and {c["container.id"] for c in data["containers"]} != {"host"}
    assert all(p["container.id"] != "host" for p in data["processes"])
    assert _growth_section(data) == growth_reference(path, "container.id!=host")


def test_bad_input() -> None:
    done = subprocess.run([sys.executable, "-m", "sysdive", "--memory-story", "-r",
                           str(CAPTURES_DIR / "curl_google.scap"), "proc.nam=curl"],
                          capture_output=True, text=True, env=ENV, timeout=120)
    assert done.returncode != 0 and done.stderr.startswith("sysdive: ")
    assert "Traceback" not in done.stderr


@pytest.mark.usefixtures("live", "docker_image")
def test_live_story(leaky_builds: dict[str, Path], tmp_path: Path, sysdig: str) -> None:
    image = story_image(leaky_builds["nofp"], tmp_path)
    token = uuid.uuid4().hex[:8]
    php, web = f"sdstory_{token}_php_1", f"sdstory_{token}_web1_1"
    flt = f"container.name contains sdstory_{token}"
    scap = tmp_path / "story.scap"
    story = subprocess.Popen([sys.executable, "-m", "sysdive", "--memory-story", "-M", "25",
                              "-w", str(scap), "-j", flt], env=ENV, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert story.stderr is not None
        line = story.stderr.readline()  # both probes are attached
        assert "capturing for 25 s" in line, line + story.stderr.read()
        subprocess.run(["docker", "run", "-d", "--name", web, "--memory", "64m", image,
                        "/bin/busybox", "sh", "-c",
                        "while :; do /bin/busybox cat /bin/busybox > /dev/null; "
                        "/bin/busybox sleep 0.05; done"], check=True, capture_output=True)
        time.sleep(1)
        # 64 KiB per request, 200 requests a second: the 64 MiB limit is hit in ~5 s. The
        # server starts after 5 s, as a long-running one would be: the filter matches a
        # container's events once the runtime has named it (seconds, on a loaded machine)
        subprocess.run(["docker", "run", "-d", "--name", php, "--memory", "64m",
                        "--memory-swap", "64m", image, "/bin/busybox", "sh", "-c",
                        "/bin/busybox sleep 5; exec /app/leakyserver 0 65536 5000 nowait"],
                       check=True, capture_output=True)
        subprocess.run(["docker", "wait", php], capture_output=True, timeout=120)
        info = json.loads(subprocess.run(["docker", "inspect", php], capture_output=True,
                                         text=True).stdout)[0]
        out, err = story.communicate(timeout=600)
    finally:
        if story.poll() is None:
            story.kill()
            story.communicate()
        subprocess.run(["docker", "rm", "-f", php, web], capture_output=True)
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True)
    assert story.returncode == 0, err
    assert info["State"]["OOMKilled"] is True
    data = json.loads(out)
    php_id = info["Id"][:12]

    # growth: the leaking container and its server first, grown by brk, limit known
    top_c = data["containers"][0]
    assert top_c["container.name"] == php and top_c["container.id"] == php_id
    assert top_c["growth_kb"] > 16 * 1024 and top_c["limit_kb"] == 65536
    assert all(c["growth_kb"] < top_c["growth_kb"] / 2 for c in data["containers"][1:])
    top_p = data["processes"][0]
    assert top_p["name"] == "leakyserver" and top_p["container.name"] == php
    assert top_p["growth_kb"] > 16 * 1024 and top_p["oom_killed"] is True
    assert top_p["grew_at"][0]["evt.type"] == "brk" and top_p["grew_at"][0]["kb"] > 16 * 1024
    assert all(p["growth_kb"] < 8 * 1024 for p in data["processes"][1:])

    # stacks: the leaking function of the stripped library, at brk, from the leaker (the
    # sibling's short-lived cats exit before their mappings are read: kept apart as "gone")
    stacks = data["stacks"]
    assert stacks is not None and stacks["stacks"], data
    # (the leaker's own top brk stack: the container's runc init, a Go program that then
    # execs the payload under the same pid, may be caught reserving its heap arenas with
    # mmap first, 64 MB and more of them, symbolized as x_cgo_mmap of no module since its
    # image is gone)
    first = next(s for s in stacks["stacks"]
                 if top_p["pid"] in s["pids"] and "brk" in s["by_syscall"])
    assert first["site"] == {"function": "leakylib_pattern_study", "module": "libleaky.so"}, \
        [(s["site"], s["bytes"], s["pids"][:5]) for s in stacks["stacks"][:5]]
    assert "brk" in first["by_syscall"] and top_p["pid"] in first["pids"]
    assert first["bytes"] > 32 << 20 and "unnamed_stacks" in stacks and "gone" in stacks

    # the OOM kill: victim, container and the limit that fired
    assert len(data["oom_kills"]) == 1
    kill = data["oom_kills"][0]
    assert kill["victim_pid"] == top_p["pid"] and kill["victim_comm"] == "leakyserver"
    assert kill["container.name"] == php and kill["container.id"] == php_id
    assert kill["constraint"] == "memcg" and kill["memcg_limit_kb"] == 65536
    assert info["Id"] in kill["memcg"]

    # the saved capture: sysdig 0.29.3 reads it; the file-mode story gives the same growth
    # and kill, and its growth equals the reference from sysdig's own output
    done = subprocess.run([sysdig, "-r", str(scap), "evt.type=notification"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "id=oomkill" in done.stdout, done.stderr
    again = json.loads(_story("-r", str(scap), "-j", flt))
    assert _growth_section(again) == _growth_section(data)
    assert again["oom_kills"] == data["oom_kills"] and again["stacks"] is None
    assert _growth_section(again) == growth_reference(scap, flt)
    text = _story("-r", str(scap), flt)
    assert len(text.splitlines()) <= 40
    assert f"leakyserver ({top_p['pid']}) in {php} [{php_id}]" in text
    assert "limit 64.0 MiB" in text


def test_stack_groups_and_one_screen() -> None:
    """Unit check of the stacks section (the live test above runs it for real): named stacks
    first, stacks without any function name and processes gone before symbolization apart,
    and the text stays one screen however much there is."""
    from sysdive.memory.oom import parse_oom_desc
    from sysdive.memory.stacks import AllocReport, AllocStack, SymFrame
    from sysdive.memory.story import StoryReport, group_stacks, story_text

    leak = AllocStack((SymFrame("brk", "libc.so.6"), SymFrame("leak_here", "libx.so"),
                       SymFrame("main", "app")), 100, 10, (("brk", 100, 10),), (7,))
    unnamed = AllocStack((SymFrame("??", "[unknown]"), SymFrame("??", "busybox")), 500, 2,
                         (("mmap", 500, 2),), (8,))
    gone = AllocStack((SymFrame("??", "[process gone]"),), 900, 30, (("brk", 900, 30),),
                      (9, 10))
    report = AllocReport("all processes", 1.0, (gone, unnamed, leak), 1500, 42, 0, 0, 30)
    groups = group_stacks(report)
    assert groups.named == (leak,) and groups.unnamed == (unnamed,) and groups.gone == gone
    desc = ("victim_pid=7 victim_tid=7 victim_comm=app trigger_pid=7 trigger_tid=7 "
            "trigger_comm=app uid=0 oom_score_adj=0 total_vm_kb=1 anon_rss_kb=1 file_rss_kb=0 "
            "shmem_rss_kb=0 constraint=memcg memcg_limit_kb=65536 memcg_usage_kb=65536 "
            "memcg=/docker/" + "a" * 64 + " victim_cgroup=/docker/" + "a" * 64)
    kill = parse_oom_desc(desc)
    many = (leak,) * 20
    story = StoryReport("x", 1.0, (), (), {}, ((kill, "c"),) * 9,
                        AllocReport("x", 1.0, many, 1, 1, 0, 0, 0), "")
    text = story_text(story)
    assert len(text.splitlines()) <= 40, text
    assert "#1 100 B in 10 calls" in text and "<- main [app]" in text
    assert "limit 64.0 MiB of /docker/aaaaaaaaaaaa (usage" in text and "... 6 more" in text


@pytest.mark.usefixtures("live")
def test_live_bad_filter_fails_before_capturing() -> None:
    done = subprocess.run([sys.executable, "-m", "sysdive", "--memory-story", "-M", "30",
                           "proc.nam=x"], capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr == "sysdive: filter error at column 1: unknown field 'proc.nam'\n"
