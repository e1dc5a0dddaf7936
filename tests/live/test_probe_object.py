"""The shipped BPF object and generated header match their sources (no root needed)."""

from __future__ import annotations

from sysdive.capture.ebpf import gen_header
from sysdive.capture.ebpf.source import OBJECT, object_hash, source_hash


def test_shipped_object_was_built_from_these_sources() -> None:
    assert OBJECT.exists(), "probe.bpf.o is missing: run 'make bpf'"
    assert object_hash(OBJECT) == source_hash(), (
        "probe.bpf.o is stale: run 'make bpf' and commit the rebuilt object")


def test_schema_header_is_current() -> None:
    assert gen_header.HEADER_PATH.read_text() == gen_header.render(), (
        "schema_ids.h is stale: run 'make bpf'")


def test_object_keeps_btf_for_co_re() -> None:
    data = OBJECT.read_bytes()
    assert data[:4] == b"\x7fELF"
    assert b".BTF.ext" in data and b"tp_btf/sys_enter" in data
