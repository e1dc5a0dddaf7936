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
* The same code (:class:`InfoCode`) goes into the formatter's line functions for one event
  type (:func:`info_inline`), where ``evt.info`` is the bulk of the line.

A type's functions are built once :data:`~sysdive.format.codegen.COMPILE_AFTER` of its
events have been printed; before that its events take the generic loop.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.fields.params import (
    PARAM_WIDTHS,
    SIGNED_PARAMS,
    RenderContext,
    fd_resolved,
    param_renderers,
    render_args_loop,
)
from sysdive.fields.registry import Inline, TypedCode
from sysdive.fields.text import c_int_text, decode_cstring
from sysdive.format import codegen
from sysdive.format.buffers import render_buffer
from sysdive.format.codegen import Globals, compile_function, fstring_literal
from sysdive.format.jsonout import quote, quote_expression
from sysdive.schema.errnos import errno_name
from sysdive.schema.events import EVENTS
from sysdive.schema.flags import render_flags
from sysdive.schema.types import ParamInfo, ParamType, PrintFormat

if TYPE_CHECKING:
    from sysdive.event import Event

__all__ = ["InfoRenderer", "compiled_info", "info_function", "info_inline", "info_renderer"]

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


def _fd_piece(evt: Event, fd: int, ctx: RenderContext) -> str | int:
    resolved = fd_resolved(evt, fd, ctx)
    return f"{fd}({resolved})" if resolved else fd


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


class InfoCode:
    """The generated code of one event type's ``evt.info`` for events carrying ``count``
    params: for the standalone functions here and for the formatter's line functions
    specialised per event type.

    ``pre`` prefixes every local it uses; ``ctx`` is the expression of the render context.
    :meth:`decode` reads the integers (no side effects: it may bail out with ``fail``),
    :meth:`pieces` sets ``{pre}s{i}`` to each param's text after ``name=`` (in param order:
    fd params look their fd up), :meth:`text` is the f-string fragment of the whole text.
    """

    def __init__(self, etype: int, count: int, g: Globals, pre: str, ctx: str) -> None:
        info = EVENTS[etype]
        self.params = info.params[:count]
        self.renderers = param_renderers(etype)[:count]
        self.g, self.pre, self.ctx = g, pre, ctx
        self.codes: list[str | None] = []
        self.formats: list[list[str]] = []
        for i, p in enumerate(self.params):
            found = self._value_code(i, p)
            self.codes.append(None if found is None else found[0])
            self.formats.append([] if found is None else found[1])
        # All-integer params of a type's full count are read straight from the event bytes.
        self.direct = (count == len(info.params) and count > 0 and not info.large_payload
                       and None not in self.codes)
        # Numbers, errno and flag names: text that JSON strings need not escape.
        self.json_safe = all(p.type in _INTS or p.type in _FLAGS or p.type is PT.ERRNO
                             for p in self.params)

    def _value_code(self, i: int, p: ParamInfo) -> tuple[str, list[str]] | None:
        # For an integer param: the struct code of v{i} and the statements turning it into
        # s{i}; None for other params.
        g, t = self.g, p.type
        v, s = f"{self.pre}v{i}", f"{self.pre}s{i}"
        if t in _INTS:
            width = PARAM_WIDTHS[t]
            signed = t in SIGNED_PARAMS
            if p.fmt in _DECIMAL:
                # What "%d" prints after C promotion: the value with its type's signedness,
                # 64-bit values signed, 32-bit unsigned ones too (promoted to int).
                return _CODES[width, signed or width >= 4], [f"{s} = {v}"]
            if p.fmt is PF.HEX and width == 8:
                return "Q", [f"{s} = {g.name('%X')} % {v}"]
            bits = 64 if width == 8 else 32
            return _CODES[width, signed], [f"{s} = {g.name(c_int_text)}({v}, {bits}, "
                                           f"{g.name(p.fmt)})"]
        if t is PT.ERRNO:
            return "q", [f"{s} = {v} if {v} >= 0 else {g.name(_errno_piece)}({v})"]
        if t is PT.FD:
            return "q", [f"{s} = {g.name(_fd_piece)}(evt, {v}, {self.ctx})"]
        if t in _FLAGS:
            c = g.name({})
            return _CODES[PARAM_WIDTHS[t], False], [
                f"{s} = {c}.get({v})",
                f"if {s} is None:",
                f"    {s} = {g.name(_flag_filler(p.table))}({c}, {v})"]
        return None

    def decode(self, params: str, fail: str) -> list[str]:
        """Statements reading the integers; ``params`` is the expression of the decoded
        params (unused when :attr:`direct`), ``fail`` the statement for a bad layout."""
        pre, g, n = self.pre, self.g, len(self.params)
        if not n:
            return []
        if self.direct:
            codes = "".join(c or "" for c in self.codes)
            widths = tuple(struct.calcsize(c or "") for c in self.codes)
            data = _V2_HEADER + 2 * n
            return [
                # The event's own count and a v2 length array of exactly these widths (else
                # the params path, which handles damaged or short events).
                f"if evt.nparams != {n} or evt.v1 or evt.end - evt.hdr < {data + sum(widths)}:",
                f"    {fail}",
                f"{pre}buf = evt.buf",
                f"{pre}hdr = evt.hdr",
                f"if {g.name(struct.Struct(f'<{n}H').unpack_from)}({pre}buf, {pre}hdr + "
                f"{_V2_HEADER}) != {g.name(widths)}:",
                f"    {fail}",
                ", ".join(f"{pre}v{i}" for i in range(n)) + ", = "
                f"{g.name(struct.Struct('<' + codes).unpack_from)}({pre}buf, {pre}hdr + {data})",
            ]
        lines = [", ".join(f"{pre}r{i}" for i in range(n)) + f", = {params}"]
        reads = [f"    {pre}v{i} = {g.name(_UNPACK[c])}({pre}r{i})[0]"
                 for i, c in enumerate(self.codes) if c is not None]
        if reads:
            # An integer param of the wrong width: the generic path pads or cuts it.
            lines += ["try:", *reads, f"except {g.name(struct.error)}:", f"    {fail}"]
        return lines

    def pieces(self) -> list[str]:
        """Statements setting each ``{pre}s{i}`` from the decoded values and params."""
        pre, g, ctx = self.pre, self.g, self.ctx
        out: list[str] = []
        for i, (p, render) in enumerate(zip(self.params, self.renderers, strict=True)):
            r, s = f"{pre}r{i}", f"{pre}s{i}"
            if self.codes[i] is not None:
                out += self.formats[i]
            elif p.type is PT.CHARBUF:
                out.append(f"{s} = {g.name(decode_cstring)}({r})")
            elif p.type is PT.BYTEBUF:
                out.append(f"{s} = {g.name(render_buffer)}({r}, {ctx}.buffer_format, "
                           f"{ctx}.max_len)")
            else:
                out += [f"{s}, {pre}x{i} = {g.name(render)}(evt, {r}, {ctx})",
                        f"if {pre}x{i}:",
                        f"    {s} = {s} + \"(\" + {pre}x{i} + \")\""]
        return out

    def text(self) -> str:
        """The f-string fragment of the ``evt.info`` text."""
        return "".join(fstring_literal(p.name + "=") + "{" + f"{self.pre}s{i}" + "} "
                       for i, p in enumerate(self.params))


def _function(label: str, head: str, body: list[str], g: Globals) -> Callable[..., object]:
    source = "\n".join([head, *("    " + line for line in body), ""])
    return compile_function("info", source, g.env, label)


def info_function(etype: int, count: int, generic: InfoRenderer) -> InfoRenderer:
    """The compiled ``evt.info`` of events of type ``etype`` carrying ``count`` params;
    ``generic`` renders those whose integers do not have their type's width."""
    g = Globals()
    code = InfoCode(etype, count, g, "", "ctx")
    code.direct = False  # the params are given: decode them, not the event's bytes
    body = [*code.decode("p", f"return {g.name(generic)}(evt, p, ctx)"), *code.pieces(),
            f'return f"{code.text()}"']
    fn = _function(f"info {EVENTS[etype].enum} {count}", "def info(evt, p, ctx):", body, g)
    return fn  # type: ignore[return-value]


def direct_function(etype: int) -> DirectRenderer | None:
    """The direct ``evt.info`` of ``etype``, or None unless all its params are integers."""
    g = Globals()
    code = InfoCode(etype, len(EVENTS[etype].params), g, "", "ctx")
    if not code.direct:
        return None
    body = [*code.decode("", "return None"), *code.pieces(), f'return f"{code.text()}"']
    fn = _function(f"direct {EVENTS[etype].enum}", "def info(evt, ctx):", body, g)
    return fn  # type: ignore[return-value]


def _no_direct(evt: Event, ctx: RenderContext) -> str | None:
    return None


def _build_direct(evt: Event, ctx: RenderContext) -> str | None:
    # Once a type has been seen often enough, its event builds the type's direct function
    # (if it has one); until then events take the params path (the generic loop).
    etype = evt.type
    _SEEN[etype] += 1
    if _SEEN[etype] < codegen.COMPILE_AFTER:
        return None
    fn = _DIRECT[etype] = direct_function(etype) or _no_direct
    return fn(evt, ctx)


# Per event type, its direct function, and how many events looked for it before it was built.
_DIRECT: list[DirectRenderer] = [_build_direct] * len(EVENTS)
_SEEN = [0] * len(EVENTS)
# Per event type, the params function per number of params present (built on first use).
_COMPILED: list[list[InfoRenderer | None]] = [[None] * (len(e.params) + 1) for e in EVENTS]


def _params_info(evt: Event, ctx: RenderContext) -> str:
    params = evt.params()
    fn = _COMPILED[evt.type][len(params)]
    if fn is None:
        if _SEEN[evt.type] < codegen.COMPILE_AFTER:
            return render_args_loop(evt, params, ctx)
        fn = _COMPILED[evt.type][len(params)] = info_function(evt.type, len(params),
                                                              render_args_loop)
    return fn(evt, params, ctx)


def compiled_info(evt: Event, ctx: RenderContext) -> str:
    """``evt.info`` / ``evt.args`` of ``evt`` (generic syscall events show none)."""
    if evt.type < 2:
        return ""
    text = _DIRECT[evt.type](evt, ctx)
    return _params_info(evt, ctx) if text is None else text


def info_inline(ctx: RenderContext) -> Inline:
    """:func:`info_renderer` as an inline field: the formatter calls the event type's direct
    function itself, or in a line function for one event type, has the type's code in it.
    Not pure: fd lookups mark the fd as seen (``fd.name_changed``)."""
    text = "(_EMPTY if evt.type < 2 else _direct[evt.type](evt, _ctx) or _params(evt, _ctx))"

    def typed(sample: Event, g: Globals, pre: str) -> TypedCode:
        etype = sample.type
        if etype < 2:
            return TypedCode(text="", json=fstring_literal(quote("")))
        # The full count (read directly when all integers), else the count of the first
        # event: old event versions carry fewer params, all events of a capture the same.
        n = len(EVENTS[etype].params)
        code = InfoCode(etype, n, g, pre, g.name(ctx))
        if not code.direct:
            n = len(sample.params())
            code = InfoCode(etype, n, g, pre, g.name(ctx))
        fail = "return _fallback(evt)"
        if code.direct or not EVENTS[etype].params:
            guard = code.decode("", fail)  # (a type without params always shows none)
        else:
            guard = [f"{pre}p = evt.params()", f"if len({pre}p) != {n}:", f"    {fail}",
                     *code.decode(f"{pre}p", fail)]
        text = code.text()
        if code.json_safe:
            return TypedCode(tuple(guard), tuple(code.pieces()), text, f'\\"{text}\\"')
        return TypedCode(tuple(guard), tuple(code.pieces()), text,
                         "{" + quote_expression(f"{pre}t", g.name) + "}",
                         (f'{pre}t = f"{text}"',))

    return Inline(text, f"_quote({text})",
                  {"_EMPTY": "", "_direct": _DIRECT, "_params": _params_info, "_ctx": ctx,
                   "_quote": quote}, pure=False, typed=typed)


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
