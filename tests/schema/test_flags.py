"""Flag rendering: reference examples, algorithm corners, and parity with sysdig's evt.info."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from sysdive.schema import (
    EVENTS,
    FLAG_TABLES,
    ParamType,
    PrintFormat,
    format_flags_number,
    render_flags,
)


@pytest.mark.parametrize(
    ("table", "value", "expected"),
    [
        ("file_flags", 4097, "O_RDONLY|O_CLOEXEC"),
        ("access_flags", 0, "F_OK"),
        ("mmap_flags", 10, "MAP_PRIVATE|MAP_ANONYMOUS"),
        ("socket_families", 1, "AF_LOCAL"),  # AF_LOCAL precedes AF_UNIX, both 1
        ("socket_families", 10, "AF_INET6"),
        ("file_flags", 0, "O_NONE"),  # zero entries match only through exact equality
        ("file_flags", 3, "O_RDWR"),  # exact match ends the walk
        ("prot_flags", 3, "PROT_READ|PROT_WRITE"),
    ],
)
def test_reference_examples(table: str, value: int, expected: str) -> None:
    assert render_flags(table, value) == expected


def test_nothing_matches_gives_empty() -> None:
    # No prot_flags entry is 0x100 and none equals it: sysdig prints the bare number.
    assert render_flags("prot_flags", 0x100) == ""
    assert render_flags(None, 5) == ""


def test_unknown_bits_are_dropped() -> None:
    assert render_flags("prot_flags", 0x101) == "PROT_READ"


def test_exact_match_is_appended_last() -> None:
    # The walk appends partial matches first, then the entry equal to the whole value.
    entries = FLAG_TABLES["file_flags"]
    names = [name for name, _ in entries]
    assert names.index("O_RDONLY") < names.index("O_CLOEXEC")
    assert render_flags("file_flags", 1 | 4096) == "O_RDONLY|O_CLOEXEC"


def test_unknown_table_raises() -> None:
    with pytest.raises(KeyError):
        render_flags("no_such_table", 1)


@pytest.mark.parametrize(
    ("ptype", "fmt", "value", "expected"),
    [
        (ParamType.FLAGS32, PrintFormat.HEX, 4097, "4097"),  # flags ignore their format
        (ParamType.FLAGS8, PrintFormat.DEC, 255, "255"),
        (ParamType.MODE, PrintFormat.OCT, 0o755, "0755"),
        (ParamType.MODE, PrintFormat.OCT, 0, "0"),
        (ParamType.MODE, PrintFormat.HEX, 0x1FF, "1FF"),
        (ParamType.MODE, PrintFormat.DEC, 0xFFFFFFFF, "-1"),
        (ParamType.MODE, PrintFormat.PADDED_DEC, 5, "000000005"),
    ],
)
def test_format_flags_number(ptype: ParamType, fmt: PrintFormat, value: int, expected: str) -> None:
    assert format_flags_number(ptype, fmt, value) == expected


def _flag_params_by_event() -> dict[tuple[str, str], dict[str, tuple[ParamType, PrintFormat, str]]]:
    """(event name, direction) -> param name -> (type, format, table), when unambiguous."""
    seen: dict[tuple[str, str], dict[str, set[tuple[ParamType, PrintFormat, str | None]]]] = {}
    for info in EVENTS:
        for param in info.params:
            key = (info.name, info.direction)
            seen.setdefault(key, {}).setdefault(param.name, set()).add(
                (param.type, param.fmt, param.table)
            )
    result: dict[tuple[str, str], dict[str, tuple[ParamType, PrintFormat, str]]] = {}
    flag_types = {ParamType.FLAGS8, ParamType.FLAGS16, ParamType.FLAGS32, ParamType.MODE}
    for key, params in seen.items():
        for name, variants in params.items():
            if len(variants) != 1:
                continue
            ptype, fmt, table = next(iter(variants))
            if ptype in flag_types and table is not None:
                result.setdefault(key, {})[name] = (ptype, fmt, table)
    return result


_ARG = re.compile(r"(?:^| )(\w+)=(\d+)(?:\(([^()]*)\))?(?= |$)")


def test_flags_match_sysdig_evt_info(run_sysdig: Callable[..., str], captures: list[Path]) -> None:
    flag_params = _flag_params_by_event()
    checked = 0
    for capture in captures:
        out = run_sysdig("-r", str(capture), "-p", "%evt.type %evt.dir %evt.info")
        for line in out.splitlines():
            evt_type, direction, _, info = [*line.split(" ", 3), ""][:4]
            params = flag_params.get((evt_type, direction))
            if not params:
                continue
            for match in _ARG.finditer(info):
                name, number, names = match.group(1), match.group(2), match.group(3) or ""
                if name not in params:
                    continue
                ptype, fmt, table = params[name]
                value = (
                    int(number, 8)
                    if ptype is ParamType.MODE and fmt is PrintFormat.OCT
                    else int(number)
                )
                assert format_flags_number(ptype, fmt, value) == number, line
                assert render_flags(table, value) == names, line
                checked += 1
    assert checked > 100
