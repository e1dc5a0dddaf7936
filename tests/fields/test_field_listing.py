"""``sysdig -l`` parity for the field classes sysdive implements, and the listing rules."""

from __future__ import annotations

import os
from pathlib import Path

from fieldhelpers import sysdig_lines

from sysdive.fields import FieldFlag, FieldRegistry, render_field_list
from sysdive.state.tables import State

EXPECTED = Path(__file__).parent / "expected" / "field_list.txt"
# The classes sysdive has, in sysdig's order (sysdig lists syslog and fdlist before k8s).
OUR_CLASSES = ("evt", "process", "user", "group", "container", "fd", "k8s", "mesos", "span",
               "evtin")


def _sysdig_sections(lines: list[str], names: tuple[str, ...]) -> str:
    text = "\n".join(lines) + "\n"
    parts = text.split("-------------------------------\n")[1:]
    keep = [p for p in parts if p.split("\n", 1)[0].split()[2] in names]
    return "".join("-------------------------------\n" + p for p in keep)


def test_listing_matches_stored_sysdig_output() -> None:
    if os.environ.get("SYSDIVE_REGEN_EXPECTED"):
        EXPECTED.write_text(_sysdig_sections(sysdig_lines("-l"), OUR_CLASSES))
    assert render_field_list() == EXPECTED.read_text()


def test_listing_matches_live_sysdig() -> None:
    assert render_field_list() == _sysdig_sections(sysdig_lines("-l"), OUR_CLASSES)


def test_verbose_listing_names_types() -> None:
    text = render_field_list(verbose=True)
    assert "evt.num                       (Type: UINT64) event number. \n" in text
    assert "(Type: IPADDR) (FILTER ONLY) matches the ip address" in text


def test_hidden_fields_are_not_listed_but_resolve() -> None:
    text = render_field_list()
    reg = FieldRegistry(State())
    hidden = [f for f in reg.definitions() if not f.listed]
    assert {f.name for f in hidden} >= {"evt.outputtime", "evt.latency.quantized",
                                        "thread.vmsize.b", "thread.nametid"}
    for fdef in hidden:
        assert f"\n{fdef.name} " not in text
        assert fdef.flags & (FieldFlag.PRINT_ONLY | FieldFlag.TABLE_ONLY)
        # span.*.fortag and span.idtag take an index, as in sysdig
        reg.resolve(fdef.name + ("[0]" if fdef.flags & FieldFlag.REQUIRES_ARGUMENT else ""))


def test_long_names_wrap_to_the_next_line() -> None:
    text = render_field_list()
    assert "proc.is_container_liveness_probe\n" + " " * 30 + "true if this process" in text
