"""BYTEBUF rendering: hand-made corner cases and parity with sysdig on the sample captures.

The parity tests take the raw bytes of every buffer param from sysdig itself (``-b`` prints
them as base64), render them with :func:`render_buffer` in each mode, and compare with what
sysdig prints in that mode, in text and in JSON output.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sysdive.format.buffers import BufferFormat, render_buffer

BF = BufferFormat


def test_empty_buffer_is_empty_in_every_mode() -> None:
    for fmt in BufferFormat:
        assert render_buffer(b"", fmt, 80) == ""


def test_normal_replaces_non_printables_with_dots() -> None:
    assert render_buffer(b"-6\x00http://x\x00", BF.NORMAL) == "-6.http://x."
    assert render_buffer(bytes([0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF]), BF.NORMAL) == ". ~..."


def test_normal_cut() -> None:
    assert render_buffer(b"a" * 80, BF.NORMAL, 80) == "a" * 80
    assert render_buffer(b"a" * 81, BF.NORMAL, 80) == "a" * 77 + "..."
    assert render_buffer(b"a" * 81, BF.NORMAL, None) == "a" * 81
    assert render_buffer(b"a" * 81, BF.NORMAL, 0) == "a" * 81
    assert render_buffer(b"abcdef", BF.NORMAL, 3) == "abc"
    # Only the plain text mode is cut.
    assert render_buffer(b"a" * 81, BF.JSON, 80) == "a" * 81
    assert render_buffer(b"a" * 81, BF.SIMPLE, 80) == "a" * 81


def test_eols() -> None:
    assert render_buffer(b"a\r\nb\nc\rd\x00e", BF.EOLS) == "\na\nb\nc\nde"
    assert render_buffer(b"\r\r\n", BF.EOLS) == "\n\n\n"
    # A LF as the very first byte is dropped; later ones are kept.
    assert render_buffer(b"\n\nx", BF.EOLS) == "\n\nx"
    assert render_buffer(b"\n", BF.EOLS) == "\n"
    assert render_buffer(b"x\ty", BF.EOLS) == "\nxy"
    assert render_buffer(b"a\r\nb", BF.EOLS_COMPACT) == "a\nb"
    assert render_buffer(b"a" * 100, BF.EOLS, 80) == "\n" + "a" * 100


def test_hex() -> None:
    data = bytes(range(0x41, 0x41 + 17))
    assert render_buffer(data, BF.HEX) == (
        "\n\t0x0000: 4142 4344 4546 4748 494a 4b4c 4d4e 4f50\n\t0x0010: 51\n"
    )
    assert render_buffer(b"\x00\x01\x02", BF.JSON_HEX) == "\n\t0x0000: 0001 02\n"


def test_hexascii_pads_by_groups() -> None:
    assert render_buffer(b"AB\x00", BF.HEXASCII) == ("\n\t0x0000: 4142 00" + " " * 30 + "  AB.\n")
    full = bytes(range(0x30, 0x40))
    assert render_buffer(full, BF.HEXASCII) == (
        "\n\t0x0000: 3031 3233 3435 3637 3839 3a3b 3c3d 3e3f  0123456789:;<=>?\n"
    )


def test_large_offsets_widen() -> None:
    out = render_buffer(bytes(0x10010), BF.HEX)
    assert "\n\t0xfff0: " in out and "\n\t0x10000: " in out


def test_base64() -> None:
    for data in (b"a", b"ab", b"abc", b"abcd", bytes(range(256))):
        expected = base64.b64encode(data).decode()
        assert render_buffer(data, BF.BASE64) == expected
        assert render_buffer(data, BF.JSON_BASE64) == expected


def test_json_variants() -> None:
    assert BF.NORMAL.as_json() is BF.JSON
    assert BF.EOLS.as_json() is BF.JSON_EOLS
    assert BF.HEX.as_json() is BF.JSON_HEX
    assert BF.HEXASCII.as_json() is BF.JSON_HEXASCII
    assert BF.BASE64.as_json() is BF.JSON_BASE64
    assert BF.SIMPLE.as_json() is BF.SIMPLE


# --- parity with sysdig -------------------------------------------------------------------

FIELDS = ("data", "args", "env", "cgroups")

TEXT_MODES: list[tuple[tuple[str, ...], BufferFormat, int | None]] = [
    ((), BF.NORMAL, 80),
    (("-v",), BF.NORMAL, None),
    (("-A",), BF.EOLS, None),
    (("-x",), BF.HEX, None),
    (("-X",), BF.HEXASCII, None),
    (("-b",), BF.BASE64, None),
]

JSON_MODES: list[tuple[tuple[str, ...], BufferFormat]] = [
    ((), BF.JSON),
    (("-A",), BF.JSON_EOLS),
    (("-x",), BF.JSON_HEX),
    (("-X",), BF.JSON_HEXASCII),
    (("-b",), BF.JSON_BASE64),
]


def _delimited(run: Callable[..., str], capture: Path, field: str, *opts: str) -> dict[int, str]:
    out = run("-r", str(capture), *opts, "-p", f"@@%evt.num@@%evt.arg.{field}@@END")
    values: dict[int, str] = {}
    for chunk in out.split("@@END\n")[:-1]:
        _, num, text = chunk.split("@@", 2)
        values[int(num)] = text
    return values


@pytest.fixture(scope="module")
def raw_buffers(
    run_sysdig: Callable[..., str], captures: list[Path]
) -> dict[tuple[Path, str], dict[int, bytes]]:
    """Raw bytes of every buffer param in the captures, keyed by (capture, field) and evt.num."""
    result = {}
    for capture in captures:
        for field in FIELDS:
            encoded = _delimited(run_sysdig, capture, field, "-b")
            result[(capture, field)] = {n: base64.b64decode(v) for n, v in encoded.items()}
    return result


def test_samples_exercise_the_interesting_cases(
    raw_buffers: dict[tuple[Path, str], dict[int, bytes]],
) -> None:
    every = [b for per_event in raw_buffers.values() for b in per_event.values()]
    assert len(every) > 100
    assert any(b"\r\n" in b for b in every)
    assert any(len(b) > 80 for b in every)
    assert any(len(b) % 16 and len(b) % 2 for b in every)
    assert any(b == b"" for b in every)


@pytest.mark.parametrize(("opts", "fmt", "max_len"), TEXT_MODES)
def test_text_modes_match_sysdig(
    run_sysdig: Callable[..., str],
    raw_buffers: dict[tuple[Path, str], dict[int, bytes]],
    opts: tuple[str, ...],
    fmt: BufferFormat,
    max_len: int | None,
) -> None:
    for (capture, field), raw in raw_buffers.items():
        printed = _delimited(run_sysdig, capture, field, *opts)
        assert printed.keys() == raw.keys()
        for num, data in raw.items():
            assert render_buffer(data, fmt, max_len) == printed[num], (capture.name, field, num)


@pytest.mark.parametrize(("opts", "fmt"), JSON_MODES)
def test_json_modes_match_sysdig(
    run_sysdig: Callable[..., str],
    raw_buffers: dict[tuple[Path, str], dict[int, bytes]],
    opts: tuple[str, ...],
    fmt: BufferFormat,
) -> None:
    for (capture, field), raw in raw_buffers.items():
        key = f"evt.arg.{field}"
        out = run_sysdig("-r", str(capture), "-j", *opts, "-p", f"%evt.num %{key}")
        printed = {}
        for line in out.splitlines():
            obj = json.loads(line)
            printed[obj["evt.num"]] = obj[key]
        assert printed.keys() == raw.keys()
        for num, data in raw.items():
            assert render_buffer(data, fmt, 80) == printed[num], (capture.name, field, num)
