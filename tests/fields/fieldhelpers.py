"""Helpers for the field tests: a synthetic event builder, a minimal capture loop and a
minimal ``-p``/``-j`` formatter over :class:`~sysdive.fields.registry.FieldRegistry`.

The formatter does only what the tests need (``*`` prefix, ``%field`` tokens with the
registry's own name parsing, width prefixes, missing-field suppression, jsoncpp-like JSON
with sorted keys for ASCII text); the real one lives in :mod:`sysdive.format`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from support import CAPTURES_DIR, find_sysdig, sample_capture
from sysdive.event import Event
from sysdive.fields.registry import BoundField, FieldOptions, FieldRegistry
from sysdive.scap.blocks import CaptureHeader, ProcEntry
from sysdive.scap.reader import CaptureReader, Section
from sysdive.schema.events import EVENT_BY_ENUM
from sysdive.schema.types import Category
from sysdive.state.parser import Parser
from sysdive.state.tables import State

CAPTURES = CAPTURES_DIR
CAPTURE_NAMES = ("curl_google", "single_ipv6_conn", "run_as_user_0_container")
_CONTAINER_EVENTS = frozenset(EVENT_BY_ENUM["PPME_" + n].id
                              for n in ("CONTAINER_JSON_E", "CONTAINER_JSON_2_E"))
# --------------------------------------------------------------------------------------------
# capture loop
# --------------------------------------------------------------------------------------------

def shown_events(path: Path, state: State, internal: bool = False) -> Iterator[Event]:
    """Parse a capture into ``state`` and yield the events sysdig prints (no filter);
    ``internal`` is ``-D`` (internal events such as procinfo are shown too)."""
    parser = Parser(state)
    num = 0
    pending: CaptureHeader | None = None
    for item in CaptureReader(str(path)):
        if isinstance(item, Section):
            pending = item.header
            continue
        if pending is not None:
            state.load_header(pending)
            pending = None
        for etype, ts, tid, cpu, dflags, hdr, end, npar in item.rows:
            num += 1
            evt = Event(num, etype, ts, tid, cpu, dflags, item.buf, hdr, end, npar)
            if getattr(state, "first_event_ts", 0) == 0 and etype not in _CONTAINER_EVENTS:
                # The inspector's job; evt.reltime and -t r read it from the state.
                state.first_event_ts = ts  # type: ignore[attr-defined]
            if not parser.process_event(evt, None):
                continue
            if etype in _CONTAINER_EVENTS:
                continue
            if evt.info.category & Category.INTERNAL and not internal:
                continue
            yield evt


def compile_format(reg: FieldRegistry, fmt: str) -> tuple[bool, list[str | tuple[BoundField, int]]]:
    """``(require_all, tokens)`` for a ``-p`` format, tokens being text or (field, width)."""
    require = not fmt.startswith("*")
    if not require:
        fmt = fmt[1:]
    tokens: list[str | tuple[BoundField, int]] = []
    i = lit = 0
    while i < len(fmt):
        if fmt[i] != "%":
            i += 1
            continue
        if i > lit:
            tokens.append(fmt[lit:i])
        j = i + 1
        while j < len(fmt) and fmt[j].isdigit():
            j += 1
        width = int(fmt[i + 1:j]) if j > i + 1 else 0
        bound = reg.parse(fmt[j:])
        tokens.append((bound, width))
        i = lit = j + bound.consumed
    if lit < len(fmt):
        tokens.append(fmt[lit:])
    return require, tokens


def render_capture(path: Path, fmt: str, options: FieldOptions | None = None,
                   internal: bool = False) -> list[str]:
    """What ``sysdig -r path -p fmt`` prints, one entry per printed event."""
    state = State()
    reg = FieldRegistry(state, options)
    require, tokens = compile_format(reg, fmt)
    out = []
    for evt in shown_events(path, state, internal):
        parts = []
        for tok in tokens:
            if isinstance(tok, str):
                parts.append(tok)
                continue
            bound, width = tok
            text = bound.render(evt)
            if text is None:
                if require:
                    break
                text = "<NA>"
            parts.append(text[:width].ljust(width) if width else text)
        else:
            out.append("".join(parts))
    return out


def _json_text(s: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
               "\t": "\\t"}
    return '"' + "".join(escapes.get(c, c if ord(c) >= 0x20 else f"\\u{ord(c):04x}")
                         for c in s) + '"'


def _json_value(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    assert isinstance(v, str), v
    return _json_text(v)


def render_capture_json(path: Path, fmt: str, options: FieldOptions | None = None) -> list[str]:
    """What ``sysdig -r path -j -p fmt`` prints (keys sorted, literal text dropped)."""
    state = State()
    reg = FieldRegistry(state, options)
    require, tokens = compile_format(reg, fmt)
    out = []
    for evt in shown_events(path, state):
        root: dict[str, object] = {}
        for tok in tokens:
            if isinstance(tok, str):
                continue
            bound, _ = tok
            value = bound.render_json(evt)
            if value is None and require:
                break
            root[bound.name] = value
        else:
            out.append("{" + ",".join(_json_text(k) + ":" + _json_value(root[k])
                                      for k in sorted(root)) + "}")
    return out


# --------------------------------------------------------------------------------------------
# the oracle
# --------------------------------------------------------------------------------------------

# The names the field tests use for support.py's helpers.
sysdig_or_skip = find_sysdig
capture_or_skip = sample_capture


def sysdig_lines(*args: str) -> list[str]:
    """sysdig's stdout split in lines (decoded so that every byte survives)."""
    done = subprocess.run([sysdig_or_skip(), *args], capture_output=True, check=True,
                          timeout=120)
    text = done.stdout.decode("utf-8", "surrogateescape")
    if not text:
        return []
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


def as_lines(rendered: list[str]) -> list[str]:
    """Our lines re-split on embedded newlines (fields such as proc.env contain some)."""
    return "\n".join(rendered).split("\n") if rendered else []


def proc_entry(tid: int, pid: int, ptid: int, comm: str, args: bytes = b"", cwd: str = "/",
               uid: int = 0, gid: int = 0, sid: int = 0, env: bytes = b"",
               cgroups: bytes = b"cpu=/\0", flags: int = 0, vtid: int | None = None) -> ProcEntry:
    """A process-list entry of /usr/bin/COMM with fixed limits and memory figures."""
    return ProcEntry(tid, pid, ptid, comm, "/usr/bin/" + comm, args, cwd, 1024, flags, uid, gid,
                     sid=sid, vpgid=pid, exepath="/usr/bin/" + comm, vmsize_kb=2000,
                     vmrss_kb=300, pfmajor=1, pfminor=2, env=env,
                     vtid=tid if vtid is None else vtid, vpid=pid, cgroups=cgroups, root="/")
