"""``evt.info`` compiled per event type: the text of every default output line.

:func:`~sysdive.fields.params.render_args_loop` loops over an event type's renderers and
joins ``name=value(resolved) `` pieces; that loop, with a call, a tuple and a test per param,
was the largest single cost of printing events. Here each event type gets generated
functions instead: integer params (results, sizes, fds, flags) are decoded with a
precompiled ``struct`` and formatted in place, other params call their usual renderer, and
the text is one f-string.

* A *params* function per event type and number of params present (old event versions
  carry fewer than the table lists and print only those) takes the event's decoded params.
  It assumes each integer param has its type's width; one that does not takes the generic
  loop, which pads or cuts it as libsinsp's reads do.
* A *direct* function per event type whose params are all integers reads them from the
  event's bytes with one ``struct`` call, without decoding the params one by one, after
  checking that the length array holds exactly the widths it expects.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.fields.params import (
    _SIGNED,
    _WIDTH,
    RenderContext,
    _render_fd_value,
    param_renderers,
    render_args_loop,
)
from sysdive.fields.text import c_int_text, decode_cstring
from sysdive.format.buffers import render_buffer
from sysdive.format.codegen import Globals, compile_function, fstring_literal
from sysdive.schema.errnos import errno_name
from sysdive.schema.events import EVENTS
from sysdive.schema.flags import render_flags
from sysdive.schema.types import ParamInfo, ParamType, PrintFormat

if TYPE_CHECKING:
    from sysdive.event import Event

__all__ = ["InfoRenderer", "compiled_info", "info_function", "info_renderer"]

PT = ParamType
PF = PrintFormat

InfoRenderer = Callable[["Event", "list[bytes]", RenderContext], str]
"""``(evt, params, ctx) -> evt.info text`` for one event type."""
DirectRenderer = Callable[["Event", RenderContext], "str | None"]
"""``(evt, ctx) -> evt.info text``, or None when the event's layout is not the expected one."""

_CODES = {(1, True): "b", (1, False): "B", (2, True): "h", (2, False): "H",
          (4, True): "i", (4, False): "I", (8, True): "q", (8, False): "Q"}
_UNPACK = {code: struct.Struct("<" + code).unpack for code in _CODES.values()}
_INTS = (PT.INT8, PT.INT16, PT.INT32, PT.INT64, PT.UINT8, PT.UINT16, PT.UINT32, PT.UINT64)
_FLAGS = (PT.FLAGS8, PT.FLAGS16, PT.FLAGS32)
_DECIMAL = (PF.DEC, PF.NA, PF.ID, PF.DIR)
_FLAG_CACHE_MAX = 4096
_V2_HEADER = 26     # bytes before the length array of an event in a v2 block


def _errno_piece(v: int) -> str:
    name = errno_name(v)
    return f"{v}({name})" if name else str(v)


def _fd_piece(evt: Event, fd: int, ctx: RenderContext) -> str:
    value, resolved = _render_fd_value(evt, fd, ctx)
    return value + "(" + resolved + ")" if resolved else value


def _flag_filler(table: str | None) -> Callable[[dict[int, str | int], int], str | int]:
    # Flag values repeat (O_RDONLY|O_CLOEXEC, PROT_READ...): each table keeps the pieces
    # it has rendered, in a bounded cache.
    def fill(cache: dict[int, str | int], v: int) -> str | int:
        names = render_flags(table, v)
        piece: str | int = f"{v}({names})" if names else v
        if len(cache) >= _FLAG_CACHE_MAX:
            cache.clear()
        cache[v] = piece
        return piece
    return fill


def _value_code(i: int, p: ParamInfo, g: Globals) -> tuple[str, list[str]] | None:
    """For an integer param: the struct code reading ``v{i}`` and the statements setting
    ``s{i}`` (its piece: the text after ``name=``) from it; None for other params."""
    t = p.type
    v, s = f"v{i}", f"s{i}"
    if t in _INTS:
        width = _WIDTH[t]
        signed = t in _SIGNED
        if p.fmt in _DECIMAL:
            # What "%d" prints after C promotion: the value with its type's signedness,
            # 64-bit values signed, 32-bit unsigned ones too (promoted to int).
            return _CODES[width, signed or width >= 4], [f"    {s} = {v}"]
        if p.fmt is PF.HEX and width == 8:
            return "Q", [f"    {s} = {g.name('%X')} % {v}"]
        bits = 64 if width == 8 else 32
        return _CODES[width, signed], [f"    {s} = {g.name(c_int_text)}({v}, {bits}, "
                                       f"{g.name(p.fmt)})"]
    if t is PT.ERRNO:
        return "q", [f"    {s} = {v} if {v} >= 0 else {g.name(_errno_piece)}({v})"]
    if t is PT.FD:
        return "q", [f"    {s} = {g.name(_fd_piece)}(evt, {v}, ctx)"]
    if t in _FLAGS:
        cache: dict[int, str | int] = {}
        c = g.name(cache)
        return _CODES[_WIDTH[t], False], [f"    {s} = {c}.get({v})",
                                           f"    if {s} is None:",
                                           f"        {s} = {g.name(_flag_filler(p.table))}({c}, {v})"]
    return None


def _bytes_code(i: int, p: ParamInfo, render: object, g: Globals) -> list[str]:
    """Statements setting ``s{i}`` from the param's bytes ``r{i}``."""
    r, s = f"r{i}", f"s{i}"
    found = _value_code(i, p, g)
    if found is not None:
        code, lines = found
        return [f"    v{i} = {g.name(_UNPACK[code])}({r})[0]", *lines]
    if p.type is PT.CHARBUF:
        return [f"    {s} = {g.name(decode_cstring)}({r})"]
    if p.type is PT.BYTEBUF:
        return [f"    {s} = {g.name(render_buffer)}({r}, ctx.buffer_format, ctx.max_len)"]
    return [f"    {s}, x{i} = {g.name(render)}(evt, {r}, ctx)",
            f"    if x{i}:",
            f"        {s} = {s} + \"(\" + x{i} + \")\""]


def _text(params: tuple[ParamInfo, ...]) -> str:
    body = "".join(fstring_literal(p.name + "=") + "{s" + str(i) + "} "
                   for i, p in enumerate(params))
    return f'    return f"{body}"'


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def info_function(etype: int, count: int, generic: InfoRenderer) -> InfoRenderer:
    """The compiled ``evt.info`` of events of type ``etype`` carrying ``count`` params;
    ``generic`` renders those whose integers do not have their type's width."""
    params = EVENTS[etype].params[:count]
    renderers = param_renderers(etype)[:count]
    g = Globals()
    lines = ["def info(evt, p, ctx):"]
    if params:
        lines.append("    " + ", ".join(f"r{i}" for i in range(count)) + ", = p")
        lines.append("    try:")
        for i, (p, render) in enumerate(zip(params, renderers, strict=True)):
            lines.extend(_indent(_bytes_code(i, p, render, g)))
        # An integer param of the wrong width: the generic path pads or cuts it.
        lines.append(f"    except {g.name(struct.error)}:")
        lines.append(f"        return {g.name(generic)}(evt, p, ctx)")
    lines.append(_text(params))
    fn = compile_function("info", "\n".join(lines) + "\n", g.env,
                          f"info {EVENTS[etype].enum} {count}")
    return fn  # type: ignore[return-value]


def direct_function(etype: int) -> DirectRenderer | None:
    """The direct ``evt.info`` of ``etype``, or None unless all its params are integers."""
    info = EVENTS[etype]
    params = info.params
    if not params or info.large_payload:
        return None
    g = Globals()
    codes = []
    body: list[str] = []
    for i, p in enumerate(params):
        found = _value_code(i, p, g)
        if found is None:
            return None
        codes.append(found[0])
        body.extend(found[1])
    n = len(params)
    widths = tuple(struct.calcsize(c) for c in codes)
    lens = g.name(struct.Struct(f"<{n}H").unpack_from)
    values = g.name(struct.Struct("<" + "".join(codes)).unpack_from)
    data = _V2_HEADER + 2 * n
    lines = [
        "def info(evt, ctx):",
        # The event's own count and a v2 length array of exactly these widths (else the
        # params path handles it, including damaged or short events).
        f"    if evt.nparams != {n} or evt.v1 or evt.end - evt.hdr < {data + sum(widths)}:",
        "        return None",
        "    buf = evt.buf",
        "    hdr = evt.hdr",
        f"    if {lens}(buf, hdr + {_V2_HEADER}) != {g.name(widths)}:",
        "        return None",
        "    " + ", ".join(f"v{i}" for i in range(n)) + f", = {values}(buf, hdr + {data})",
        *body,
        _text(params),
    ]
    fn = compile_function("info", "\n".join(lines) + "\n", g.env, f"direct {info.enum}")
    return fn  # type: ignore[return-value]


def _no_direct(evt: Event, ctx: RenderContext) -> str | None:
    return None


def _build_direct(evt: Event, ctx: RenderContext) -> str | None:
    # The first event of a type builds the type's direct function (if it has one).
    fn = _DIRECT[evt.type] = direct_function(evt.type) or _no_direct
    return fn(evt, ctx)


# Per event type, its direct function (built on first use).
_DIRECT: list[DirectRenderer] = [_build_direct] * len(EVENTS)
# Per event type, the params function per number of params present (built on first use).
_COMPILED: list[list[InfoRenderer | None]] = [[None] * (len(e.params) + 1) for e in EVENTS]


def _params_info(evt: Event, ctx: RenderContext) -> str:
    params = evt.params()
    fn = _COMPILED[evt.type][len(params)]
    if fn is None:
        fn = _COMPILED[evt.type][len(params)] = info_function(evt.type, len(params),
                                                              render_args_loop)
    return fn(evt, params, ctx)


def compiled_info(evt: Event, ctx: RenderContext) -> str:
    """``evt.info`` / ``evt.args`` of ``evt`` (generic syscall events show none)."""
    if evt.type < 2:
        return ""
    text = _DIRECT[evt.type](evt, ctx)
    return _params_info(evt, ctx) if text is None else text


def info_renderer(ctx: RenderContext) -> Callable[[Event], str]:
    """:func:`compiled_info` bound to ``ctx``: the ``evt.info`` field's one call per line."""
    compiled = _COMPILED
    directs = _DIRECT

    def info(evt: Event) -> str:
        etype = evt.type
        if etype < 2:
            return ""
        text = directs[etype](evt, ctx)
        if text is not None:
            return text
        params = evt.params()
        fn = compiled[etype][len(params)]
        if fn is None:
            return _params_info(evt, ctx)
        return fn(evt, params, ctx)
    return info
