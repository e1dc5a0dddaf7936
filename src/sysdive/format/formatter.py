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

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.fields.registry import BoundField, FieldRegistry

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
            while j < n and text[j].isdigit():
                j += 1
            if j == n:
                raise FormatError("invalid output format: it cannot end with a number")
            width = int(text[i + 1:j]) if j > i + 1 else 0
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
        self._render: Callable[[Event], str | None] = self._compile_text()

    def _compile_text(self) -> Callable[[Event], str | None]:
        parts: list[str | Callable[[Event], str | None]] = []
        for tok in self.tokens:
            if isinstance(tok, str):
                parts.append(tok)
            else:
                bound, width, _ = tok
                if width:
                    parts.append(_padded(bound.render, width, self.require_all))
                else:
                    parts.append(bound.render)
        require_all = self.require_all
        # Precompute which parts are literals so the per-event loop does no isinstance().
        plan = [(p, isinstance(p, str)) for p in parts]

        def render(evt: Event) -> str | None:
            out: list[str] = []
            append = out.append
            for part, literal in plan:
                if literal:
                    append(part)  # type: ignore[arg-type]
                    continue
                value = part(evt)  # type: ignore[operator]
                if value is None:
                    if require_all:
                        return None
                    value = NA
                append(value)
            return "".join(out)

        return render

    def render(self, evt: Event) -> str | None:
        """The line for ``evt``, or None when a required field is missing."""
        return self._render(evt)

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


def _padded(render: Callable[[Event], str | None], width: int,
            require_all: bool) -> Callable[[Event], str | None]:
    def pad(evt: Event) -> str | None:
        value = render(evt)
        if value is None:
            if require_all:
                return None
            value = NA
        return value[:width].ljust(width)
    return pad
