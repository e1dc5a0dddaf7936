"""The compiled line functions against the generic ones, and format parsing corners.

Line functions specialised per event type (``OutputFormat.line_renderers``) and the
compiled ``evt.info`` functions must print exactly what the generic code prints, for every
event of the shared captures and for damaged copies of them (wrong lengths, counts, bytes).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sysdive.errors import FormatError
from sysdive.event import Event
from sysdive.fields import info as compiled_info
from sysdive.fields.registry import FieldOptions, FieldRegistry
from sysdive.format import codegen
from sysdive.format.buffers import BufferFormat
from sysdive.format.formatter import DEFAULT, OutputFormat
from sysdive.inspector import Inspector

CAPTURES = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))
FORMATS = [DEFAULT, DEFAULT + " %evt.args %fd.name %5evt.type|%12evt.info|%3evt.dir",
           "*%evt.time %evt.info %fd.name_changed %evt.info"]


def captured(name: str) -> tuple[Inspector, list[Event]]:
    path = CAPTURES / f"{name}.scap"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    insp = Inspector()
    events: list[Event] = []
    insp.run([str(path)], events.append)
    return insp, events


@pytest.fixture
def generic_only() -> Iterator[None]:
    """Nothing compiled: every event through the generic code."""
    saved = codegen.COMPILE_AFTER, compiled_info._DIRECT[:], [c[:] for c in compiled_info._COMPILED]
    codegen.COMPILE_AFTER = 1 << 60
    compiled_info._DIRECT[:] = [compiled_info._build_direct] * len(compiled_info._DIRECT)
    for c in compiled_info._COMPILED:
        c[:] = [None] * len(c)
    yield
    codegen.COMPILE_AFTER = saved[0]
    compiled_info._DIRECT[:] = saved[1]
    for c, s in zip(compiled_info._COMPILED, saved[2], strict=True):
        c[:] = s


def outcome(fn: Callable[[Event], str | None], evt: Event) -> str:
    # A failure is an outcome too: both paths must fail the same way.
    try:
        return repr(fn(evt))
    except Exception as err:
        return f"{type(err).__name__}: {err}"


def copy(evt: Event, raw: bytes, nparams: int) -> Event:
    out = Event(evt.num, evt.type, evt.ts, evt.tid, evt.cpu, evt.dflags, raw, 0, len(raw),
                nparams)
    out.thread, out.fdinfo, out.fd = evt.thread, evt.fdinfo, evt.fd
    return out


def damaged(evt: Event, rng: random.Random) -> Iterator[Event]:
    raw = evt.raw()
    n = evt.nparams if not evt.v1 else len(evt.params())
    for _ in range(3):
        b = bytearray(raw)
        count = n
        kind = rng.randrange(4)
        if kind == 0 and n:
            b[26 + 2 * rng.randrange(n)] = rng.randrange(12)
        elif kind == 1:
            count = max(0, n + rng.choice((-1, 1)))
        elif kind == 2 and len(b) > 26:
            b[rng.randrange(26, len(b))] = rng.randrange(256)
        else:
            b = b[:rng.randrange(26, len(b) + 1)]
        yield copy(evt, bytes(b), count)


@pytest.mark.parametrize("name", ["curl_google", "single_ipv6_conn"])
@pytest.mark.parametrize("json", [False, True])
def test_typed_lines_print_what_generic_lines_print(name: str, json: bool,
                                                   generic_only: None) -> None:
    insp, events = captured(name)
    options = FieldOptions(buffer_format=BufferFormat.NORMAL.as_json() if json
                           else BufferFormat.NORMAL)
    rng = random.Random(7)
    for text in FORMATS:
        fmt = OutputFormat(text, FieldRegistry(insp.state, options))
        generic = fmt.json_line_renderer() if json else fmt.line_renderer()
        typed = {}
        for evt in events:
            if evt.type not in typed:
                typed[evt.type] = (fmt._compile_json(evt, generic) if json
                                   else fmt._compile_text(True, evt, generic))
        for evt in events[:600]:
            for a, b in [(copy(evt, evt.raw(), evt.nparams if not evt.v1 else -1),
                          copy(evt, evt.raw(), evt.nparams if not evt.v1 else -1)),
                         *((d, copy(d, d.buf, d.nparams)) for d in damaged(evt, rng))]:
                expected = outcome(generic, b)
                if not a.info.params and expected.startswith("error: unpack_from"):
                    continue  # a type without params never decodes them when compiled
                assert outcome(typed[evt.type], a) == expected, (evt.info.enum, text)


def printed(name: str, text: str, compile_after: int) -> list[str]:
    """The lines of a run (rendering as the CLI does: during the run, state as it is)."""
    codegen.COMPILE_AFTER = compile_after
    path = CAPTURES / f"{name}.scap"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    insp = Inspector()
    table = OutputFormat(text, FieldRegistry(insp.state, FieldOptions())).line_renderers()
    lines: list[str] = []
    insp.run([str(path)], lambda evt: lines.append(outcome(table[evt.type], evt)))
    return lines


@pytest.mark.parametrize("text", FORMATS)
def test_compiled_runs(text: str, generic_only: None) -> None:
    expected = printed("curl_google", text, 1 << 60)
    assert printed("curl_google", text, 1) == expected


@pytest.mark.parametrize(("fmt", "expected"), [
    ("[%4294967297evt.num]", lambda num: f"[{str(num)[:1]}]"),  # read into 32 bits: 1
    ("[%4294967296evt.num]", lambda num: f"[{num}]"),           # ... 0: no width
    ("[%007evt.num]", lambda num: f"[{num:<7}]"),
])
def test_width(fmt: str, expected: Callable[[int], str]) -> None:
    insp, events = captured("curl_google")
    line = OutputFormat(fmt, FieldRegistry(insp.state, FieldOptions())).render
    assert [line(e) for e in events] == [expected(e.num) for e in events]


def test_width_limits() -> None:
    reg = FieldRegistry(Inspector().state, FieldOptions())
    with pytest.raises(FormatError, match="too large"):
        OutputFormat("%99999999999999999999evt.num", reg)
    with pytest.raises(FormatError, match="invalid formatting token"):
        OutputFormat("%\u00b2evt.num", reg)


def test_json_without_fields_is_null() -> None:
    _, events = captured("curl_google")
    fmt = OutputFormat("only text", FieldRegistry(Inspector().state, FieldOptions()))
    assert fmt.json_line_renderer()(events[0]) == "null\n"
