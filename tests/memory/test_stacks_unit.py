"""Unit tests of the allocation-stack pieces that need no BPF: record parsing, ELF symbols and
unwind rows of a real built library, the unwinder on a hand-made stack, and the renderers."""

from __future__ import annotations

import hashlib
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sysdive.errors import UsageError
from sysdive.memory.elfmodule import ElfModule
from sysdive.memory.flamegraph import flamegraph_svg
from sysdive.memory.procmaps import Mapping, ProcessMaps
from sysdive.memory.records import AllocRecord, MapsRecord, parse_records
from sysdive.memory.report import human_bytes, report_json, report_text
from sysdive.memory.stacks import AllocReport, AllocStack, SymFrame
from sysdive.memory.targets import resolve_target
from sysdive.memory.unwind import unwind

_ALLOC = struct.Struct("<IHHIIQQQ8QII")


def _alloc_bytes(stack: bytes, regs: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8)) -> bytes:
    size = _ALLOC.size + 64
    head = _ALLOC.pack(size, 1, 12, 100, 101, 5, 4096, 0, *regs, len(stack), 0)
    return head + stack + b"\0" * (64 - len(stack))


def test_shipped_probe_matches_its_source() -> None:
    # the object carries the sha256 of the source it was built from (make bpf)
    from sysdive.capture.ebpf.allocprobe import ALLOC_OBJECT
    source = ALLOC_OBJECT.with_name("allocstack.bpf.c").read_bytes()
    mark = b"sysdive-src-sha256:" + hashlib.sha256(source).hexdigest().encode()
    assert mark in ALLOC_OBJECT.read_bytes(), "allocstack.bpf.o is stale: run make bpf"


def test_parse_records() -> None:
    maps = struct.pack("<IHHIIQ", 24, 2, 59, 7, 8, 9)
    recs = list(parse_records(_alloc_bytes(b"abc") + maps))
    assert recs[0] == AllocRecord(12, 100, 101, 5, 4096, (1, 2, 3, 4, 5, 6, 7, 8), b"abc")
    assert recs[0].syscall == "brk"
    assert recs[1] == MapsRecord(59, 7, 8, 9)


def test_elf_symbols_and_cfi_of_the_stripped_library(leaky_builds: dict[str, Path]) -> None:
    module = ElfModule((leaky_builds["nofp"] / "libleaky.so").read_bytes(), "libleaky.so")
    assert module.build_id
    starts = [a for a in range(0, 0x4000) if module.symbol(a) == ("leakylib_pattern_study", 0)]
    assert len(starts) == 1
    row = module.cfi_row(starts[0])
    assert row is not None and row.cfa_reg == 7 and row.cfa_offset == 8  # at entry: rsp+8
    assert (16, -8) in row.saved  # the return address sits just below the CFA


class _FakeModule:
    """One function covering everything, CFA = rsp + 16 at every pc (a fake for the walk)."""

    def vaddr_of_offset(self, off: int) -> int:
        return off

    def cfi_row(self, vaddr: int) -> object:
        from sysdive.memory.elfmodule import CfiRow
        return CfiRow(7, 16, ((16, -8),), vaddr == 0x3000)


def test_unwind_walks_the_copied_stack() -> None:
    mapping = Mapping(0x1000, 0x4000, 0, "/bin/x", (1, 2))
    maps = ProcessMaps(1, [mapping], [0x1000])
    sp = 0x7000
    # frame 0 at pc 0x1100: CFA = sp+16, RA at sp+8 -> 0x2201; then 0x3001 -> the outermost
    stack = struct.pack("<4Q", 0, 0x2201, 0, 0x3000)
    frames = unwind((0x1100, sp, 0, 0, 0, 0, 0, 0), stack, maps,
                    lambda m: _FakeModule())  # type: ignore[arg-type,return-value]
    assert [f.pc for f in frames] == [0x1100, 0x2201, 0x3000]
    assert frames[1].vaddr == 0x1201


def _report() -> AllocReport:
    libc = SymFrame("malloc", "libc.so.6")
    leak = (SymFrame("brk", "libc.so.6"), libc, SymFrame("study", "libx.so"),
            SymFrame("main", "srv"))
    other = (SymFrame("mmap", "libc.so.6"), libc, SymFrame("main", "srv"))
    return AllocReport("pid 1", 2.0, (
        AllocStack(leak, 3 << 20, 30, (("brk", 3 << 20, 30),), (1,)),
        AllocStack(other, 1 << 20, 1, (("mmap", 1 << 20, 1),), (1,)),
    ), 4 << 20, 31, 0, 0, 0)


def test_text_and_json() -> None:
    text = report_text(_report(), top=1)
    assert "31 heap-growing calls, 4.0 MiB" in text
    assert "#1  3.0 MiB in 30 calls (75.0 %): brk 3.0 MiB in 30" in text
    assert "allocating code: study [libx.so]" in text and "#2" not in text
    data = json.loads(report_json(_report()))
    assert [s["site"]["function"] for s in data["stacks"]] == ["study", "main"]
    assert data["stacks"][0]["frames"][0] == {"function": "brk", "module": "libc.so.6"}
    assert human_bytes(512) == "512 B" and human_bytes(1536) == "1.5 KiB"


def test_flamegraph_widths_follow_bytes() -> None:
    root = ET.fromstring(flamegraph_svg(_report()))
    ns = "{http://www.w3.org/2000/svg}"
    widths = {}
    for g in root.iter(f"{ns}g"):
        title = g.find(f"{ns}title")
        rect = g.find(f"{ns}rect")
        assert title is not None and rect is not None
        widths[(title.text or "").split(":")[0]] = float(rect.get("width", "0"))
    assert widths["study [libx.so]"] == pytest.approx(3 * widths["mmap [libc.so.6]"], rel=0.01)
    assert widths["main [srv]"] > widths["study [libx.so]"]


@pytest.mark.parametrize("spec", ["proc.name=x", "proc.pid=abc", "proc.pid=999999999",
                                  "container.name"])
def test_bad_targets(spec: str) -> None:
    with pytest.raises(UsageError):
        resolve_target(spec)


def test_no_target_is_the_host() -> None:
    assert resolve_target("").pids == frozenset()
