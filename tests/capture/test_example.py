"""The bundled example capture: it is what ``examples/make_sample.py`` generates, it tells the
leak story the README promises, and sysdig 0.29.3 and sysdive print it identically."""

from __future__ import annotations

import gzip
import importlib.util
import io
import itertools
import subprocess
import sys
import zlib
from pathlib import Path
from types import ModuleType

import pytest

from support import SYSDIG, needs_sysdig
from sysdive.cli.main import run
from sysdive.cli.options import parse_args

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAMPLE = EXAMPLES / "php-leak.scap"
# The committed file was compressed by this zlib; another build may pick other (equally
# valid) deflate blocks, so byte equality is only asserted where the same zlib runs.
ZLIB_USED = "1.2.13"
FILTER = "evt.type in (brk,mmap) and proc.name contains php"
README_FMT = "%evt.num %proc.name %evt.type %proc.vmrss"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample", EXAMPLES / "make_sample.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_sample", mod)
    spec.loader.exec_module(mod)
    return mod


def sysdive_out(*argv: str) -> str:
    out = io.StringIO()
    assert run(parse_args(list(argv)), out) == 0
    return out.getvalue()


def test_committed_file_is_what_the_generator_makes(tmp_path: Path) -> None:
    gen = load_generator()
    a, b = tmp_path / "a.scap", tmp_path / "b.scap"
    assert gen.main([str(a)]) == 0
    assert gen.main([str(b)]) == 0
    assert a.read_bytes() == b.read_bytes(), "the generator is not deterministic"
    committed = SAMPLE.read_bytes()
    assert committed[:2] == b"\x1f\x8b" and committed[4:8] == b"\0\0\0\0"  # gzip, mtime 0
    assert len(committed) < 200_000
    assert gzip.decompress(committed) == gzip.decompress(a.read_bytes()), \
        "examples/php-leak.scap is stale: run python3 examples/make_sample.py"
    if zlib.ZLIB_RUNTIME_VERSION == ZLIB_USED:
        assert committed == a.read_bytes()


def test_the_story() -> None:
    """rss rises on every brk of the leaking worker, is flat across mmap, nginx never grows."""
    lines = sysdive_out("-r", str(SAMPLE), "-p", "%proc.name %thread.tid %evt.dir %evt.type "
                        "%proc.vmrss %proc.vmsize",
                        "evt.type in (brk,mmap,munmap,read,write,writev,recvfrom)").splitlines()
    rows = [ln.split() for ln in lines]
    brk_rss = [int(r[4]) for r in rows if r[:4] == ["php-fpm", "1431", "<", "brk"]]
    assert len(brk_rss) == 15
    assert all(b > a for a, b in itertools.pairwise(brk_rss))
    for i, r in enumerate(rows):
        if r[2] == "<" and r[3] in ("mmap", "munmap"):
            before = next(p for p in reversed(rows[:i]) if p[1] == r[1])
            assert r[4] == before[4]  # anonymous maps leave rss flat
    nginx = {(r[4], r[5]) for r in rows if r[0] == "nginx"}
    assert nginx == {("6208", "55960")}
    fresh = [int(r[4]) for r in rows if r[:4] == ["php-fpm", "1472", "<", "brk"]]
    assert fresh and fresh[-1] < brk_rss[0] + 1000


def test_readme_command() -> None:
    out = sysdive_out("-r", str(SAMPLE), "-p", README_FMT, FILTER).splitlines()
    assert out[:4] == ["31 php-fpm brk 19432", "32 php-fpm brk 19560",
                       "33 php-fpm mmap 19560", "34 php-fpm mmap 19560"]
    assert len(out) == 52


CASES = [
    [],
    ["-p", README_FMT, FILTER],
    [FILTER],
    ["-pc"],
    ["-pc", FILTER],
    ["-j"],
    ["-j", FILTER],
    ["-x", "proc.name=uptime"],
    ["-A", "fd.type=ipv4"],
    ["-p", "*%evt.num %fd.name %fd.type %proc.args %proc.exe %proc.pname %proc.cmdline "
           "%user.name %evt.latency %fd.sip %fd.cport %proc.vmsize %thread.vmrss %proc.cwd"],
]


@needs_sysdig
@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a)[:40] or "default")
def test_sysdig_agrees(args: list[str]) -> None:
    assert SYSDIG is not None, "sysdig must be installed when CI is set"
    res = subprocess.run([SYSDIG, "-r", str(SAMPLE), *args], capture_output=True, timeout=60,
                         check=False)
    assert res.returncode == 0, res.stderr
    expected = res.stdout.decode("utf-8", "surrogateescape")
    assert expected.count("\n") >= 10
    assert sysdive_out("-r", str(SAMPLE), *args) == expected
