"""``-p`` output formats: parsing a format once, rendering it per event as text or JSON.

A format is literal text with ``%field`` tokens (``%8field`` pads or cuts the value to 8
characters). Without a leading ``*`` the line is dropped when any field is missing; with it,
missing fields print ``<NA>`` (sysdig's ``m_require_all_values``). Under ``-j`` only the
fields are kept, as one JSON object per line with sorted keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.errors import FormatError
from sysdive.format import codegen
from sysdive.format.codegen import (
    Globals,
    bind_names,
    compile_function,
    fstring_literal,
    string_literal,
)
from sysdive.format.jsonout import quote, quote_expression
from sysdive.schema.events import EVENTS

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.fields.registry import BoundField, FieldRegistry, Inline, TypedCode

DEFAULT = "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"
DEFAULT_TTY = ("*%evt.num %evt.outputtime %evt.cpu \\e[01;32m%proc.name\\e[00m "
               "(\\e[01;36m%proc.pid\\e[00m.%thread.tid) %evt.dir \\e[01;34m%evt.type\\e[00m %evt.info")
CONTAINER = ("*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name "
             "(%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info")
KUBERNETES = ("*%evt.num %evt.outputtime %evt.cpu %k8s.pod.name (%container.id) %proc.name "
              "(%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info")
MESOS = ("*%evt.num %evt.outputtime %evt.cpu %mesos.task.name (%container.id) %proc.name "
         "(%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info")
PRESETS = {"c": CONTAINER, "container": CONTAINER, "k": KUBERNETES, "kubernetes": KUBERNETES,
           "m": MESOS, "mesos": MESOS}

NA = "<NA>"


MAX_WIDTH = 1 << 24
"""The widest ``%Nfield`` sysdive prints (sysdig goes up to 2**32-1 characters per value)."""


def _width(digits: str) -> int:
    # sysdig reads the width with strtoul (saturating at 2**64-1) into a 32-bit length, so
    # 4294967297 means 1 and 4294967296 means no width. A value it would pad to gigabytes
    # is refused here instead.
    if not digits:
        return 0
    width = min(int(digits), (1 << 64) - 1) & 0xFFFFFFFF
    if width > MAX_WIDTH:
        raise FormatError(f"invalid output format: width {width} is too large "
                          f"(sysdive pads to at most {MAX_WIDTH} characters)")
    return width


def expand_escapes(fmt: str) -> str:
    """Expand ``\\n``, ``\\t``, ``\\e`` and ``\\\\`` as sysdig does before parsing a format."""
    if "\\" not in fmt:
        return fmt
    out = []
    i, n = 0, len(fmt)
    table = {"n": "\n", "t": "\t", "e": "\x1b", "\\": "\\"}
    while i < n:
        c = fmt[i]
        if c == "\\" and i + 1 < n and fmt[i + 1] in table:
            out.append(table[fmt[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


class OutputFormat:
    """A parsed ``-p`` format bound to a field registry."""

    def __init__(self, fmt: str, registry: FieldRegistry, json: bool = False) -> None:
        if fmt == "":
            raise FormatError("empty output format")
        self.require_all = not fmt.startswith("*")
        text = fmt if self.require_all else fmt[1:]
        self.json = json
        # Each token: a literal string, or (field, width, key).
        self.tokens: list[str | tuple[BoundField, int, str]] = []
        self.fields: list[BoundField] = []
        last = 0
        i = 0
        n = len(text)
        while i < n:
            if text[i] != "%":
                i += 1
                continue
            if last != i:
                self.tokens.append(text[last:i])
            if i == n - 1:
                raise FormatError("invalid output format: it cannot end with a %")
            j = i + 1
            while j < n and "0" <= text[j] <= "9":  # ASCII digits only, as C isdigit
                j += 1
            if j == n:
                raise FormatError("invalid output format: it cannot end with a number")
            width = _width(text[i + 1:j])
            try:
                bound = registry.parse(text[j:])
            except KeyError:
                raise FormatError(f"invalid formatting token {text[j:]}") from None
            except ValueError as err:
                raise FormatError(str(err)) from None
            consumed = bound.consumed
            key = text[j:j + consumed]
            self.tokens.append((bound, width, key))
            self.fields.append(bound)
            i = j + consumed
            last = i
            if consumed == 0:
                # a field parsed from zero characters: continue after the '%'
                last = i = j
        if last < n:
            self.tokens.append(text[last:])
        self._render: Callable[[Event], str | None] | None = None
        self._line: Callable[[Event], str | None] | None = None
        self._json_line: Callable[[Event], str | None] | None = None
        self._tables: dict[str, list[Callable[[Event], str | None]]] = {}

    def render(self, evt: Event) -> str | None:
        """The line for ``evt``, or None when a required field is missing."""
        if self._render is None:
            self._render = self._compile_text(newline=False)
        return self._render(evt)

    def line_renderer(self) -> Callable[[Event], str | None]:
        """:meth:`render` with the line's ``\\n`` included (what an output sink writes)."""
        if self._line is None:
            self._line = self._compile_text(newline=True)
        return self._line

    def json_line_renderer(self) -> Callable[[Event], str | None]:
        """The ``-j`` line of an event (with ``\\n``), or None when a required field is
        missing: :meth:`render_json` encoded as :func:`~sysdive.format.jsonout.dumps_sorted`
        would encode it, built directly in sorted key order."""
        if self._json_line is None:
            self._json_line = self._compile_json()
        return self._json_line

    def line_renderers(self, json: bool = False) -> list[Callable[[Event], str | None]]:
        """Per event type, the function giving its line (text, or JSON with ``json``) with
        the ``\\n``, or None when a required field is missing.

        Where a field has code specialised per event type (``evt.type`` as a literal,
        ``evt.info`` as the type's params), each type gets its own function, compiled once
        :data:`~sysdive.format.codegen.COMPILE_AFTER` events of the type have been printed
        (the generic function prints those); otherwise every entry is the same function.
        """
        key = "json" if json else "text"
        table = self._tables.get(key)
        if table is not None:
            return table
        generic = self.json_line_renderer() if json else self.line_renderer()
        if not any(not isinstance(tok, str) and tok[0].inline is not None
                   and tok[0].inline.typed is not None for tok in self.tokens):
            table = self._tables[key] = [generic] * len(EVENTS)
            return table

        def build(evt: Event) -> str | None:
            # Once a type has been seen often enough, its event compiles its line function.
            etype = evt.type
            seen[etype] += 1
            if seen[etype] < codegen.COMPILE_AFTER:
                return generic(evt)
            fn = (self._compile_json(evt, generic) if json
                  else self._compile_text(True, evt, generic))
            built[etype] = fn
            return fn(evt)

        seen = [0] * len(EVENTS)
        built = self._tables[key] = [build] * len(EVENTS)
        return built

    def render_json(self, evt: Event) -> dict[str, object] | None:
        """The JSON object for ``evt`` (fields only), or None when a required field is missing."""
        obj: dict[str, object] = {}
        for tok in self.tokens:
            if isinstance(tok, str):
                continue
            bound, _, key = tok
            value = bound.render_json(evt)
            if value is None and self.require_all:
                return None
            obj[key] = value
        return obj

    # ----------------------------------------------------------------------------------------
    # compiled line functions
    #
    # Rendering is the hot path of the default output (sysdig prints millions of lines a
    # minute), so each format is turned once into the source of one Python function: fields
    # that may be missing are called and checked in token order (as sysdig evaluates them,
    # which matters for fields that keep state), inline fields become expressions, and the
    # line is one f-string. Literal text is escaped into the f-string. Functions for one
    # event type (line_renderers) also take the fields' code for that type: evt.type is
    # then literal text and evt.info the type's params read in place, under guards that
    # hand any event not shaped like the first of its type to the generic function.
    # ----------------------------------------------------------------------------------------

    def _typed(self, unit: _Unit, index: int, bound: BoundField,
               sample: Event | None) -> TypedCode | None:
        # The field's code specialised for sample's type, its guard statements added.
        inline = bound.inline
        if sample is None or inline is None or inline.typed is None:
            return None
        code = inline.typed(sample, unit.globals, f"t{index}_")
        if code is not None:
            unit.guards.extend("    " + line for line in code.guard)
            unit.lines.extend("    " + line for line in code.body)
        return code

    def _compile_text(self, newline: bool, sample: Event | None = None,
                      fallback: Callable[[Event], str | None] | None = None,
                      ) -> Callable[[Event], str | None]:
        unit = _Unit(fallback)
        pieces: list[str] = []
        for index, tok in enumerate(self.tokens):
            if isinstance(tok, str):
                pieces.append(fstring_literal(tok))
                continue
            bound, width, _ = tok
            typed = self._typed(unit, index, bound, sample)
            inline = bound.inline
            if typed is not None:
                if not width:
                    pieces.append(typed.text)
                    continue
                expr = unit.assign(f'f"{typed.text}"')
            elif inline is not None and not inline.missing:
                expr = unit.inline_expr(inline, inline.text)
                if not inline.pure:
                    expr = unit.assign(expr)
            else:
                call = (unit.inline_expr(inline, inline.text) if inline is not None
                        else unit.name(bound.render) + "(evt)")
                expr = unit.assign(call)
                unit.missing(expr, self.require_all, string_literal(NA))
            if width:
                expr = f"str({expr})[:{width}]:<{width}"
            pieces.append("{" + expr + "}")
        if newline:
            pieces.append("\\n")
        return unit.build('f"' + "".join(pieces) + '"', sample)

    def _compile_json(self, sample: Event | None = None,
                      fallback: Callable[[Event], str | None] | None = None,
                      ) -> Callable[[Event], str | None]:
        unit = _Unit(fallback)
        values: dict[str, str] = {}
        for index, tok in enumerate(self.tokens):
            if isinstance(tok, str):
                continue
            bound, _, key = tok
            typed = self._typed(unit, index, bound, sample)
            inline = bound.inline
            if typed is not None:
                unit.lines.extend("    " + line for line in typed.json_body)
                fragment = typed.json
            elif inline is not None and not inline.missing:
                expr = unit.inline_expr(inline, inline.json)
                if not inline.pure:
                    expr = unit.assign(expr)
                fragment = "{" + expr + "}"
            else:
                call = (unit.inline_expr(inline, inline.json) if inline is not None
                        else unit.name(bound.render_json) + "(evt)")
                var = unit.assign(call)
                if self.require_all:
                    unit.missing(var, True, "")
                fragment = "{" + quote_expression(var, unit.name) + "}"
            # A key given twice keeps its last value, as assigning into the object does.
            values[key] = fragment
        if not values:
            # jsoncpp writes an object without members as null.
            return unit.build('"null\\n"', sample)
        body = ",".join(fstring_literal(quote(k) + ":") + values[k] for k in sorted(values))
        return unit.build('f"{{' + body + '}}\\n"', sample)


class _Unit:
    """The source of one generated line function and the globals it uses."""

    def __init__(self, fallback: Callable[[Event], str | None] | None = None) -> None:
        self.globals = Globals()
        if fallback is not None:
            self.globals.env["_fallback"] = fallback
        self.guards: list[str] = []
        self.lines: list[str] = []
        self._vars = 0

    def name(self, obj: object) -> str:
        """A global name for ``obj`` in the generated code."""
        return self.globals.name(obj)

    def inline_expr(self, inline: Inline, expr: str) -> str:
        """``expr`` with the inline field's globals renamed to names of this unit."""
        return "(" + bind_names(expr, inline.env, self.globals) + ")"

    def assign(self, expr: str) -> str:
        """Evaluate ``expr`` now (in token order) into a new local; returns its name."""
        var = f"v{self._vars}"
        self._vars += 1
        self.lines.append(f"    {var} = {expr}")
        return var

    def missing(self, var: str, require_all: bool, na: str) -> None:
        """What a missing value does: drop the line, or print ``na`` instead."""
        self.lines.append(f"    if {var} is None:")
        self.lines.append("        return None" if require_all else f"        {var} = \"{na}\"")

    def build(self, result: str, sample: Event | None) -> Callable[[Event], str | None]:
        src = "\n".join(["def line(evt):", *self.guards, *self.lines, f"    return {result}", ""])
        label = "line" if sample is None else f"line {sample.info.enum}"
        fn = compile_function("line", src, self.globals.env, label)
        return fn  # type: ignore[return-value]
