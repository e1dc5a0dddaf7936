"""The field registry: one :class:`FieldDef` per field, grouped in sysdig's field classes.

A *field definition* is static (name, type, description, flags, how it takes an argument,
and a binder). Resolving a field name *binds* it: the result is a :class:`BoundField` with
the argument parsed (``evt.arg.fd``, ``proc.aname[2]``...) and the functions that pull the
value out of an event:

``extract(evt)``
    the typed value for filters (int, str, bytes, bool, float, ipaddress objects; a tuple
    means "any of these"); ``None`` when the event has no such value.
``render(evt)``
    the text ``sysdig -p`` prints, ``None`` where it prints ``<NA>``.
``render_json(evt)``
    the value ``sysdig -j`` stores (int, str, bool or ``None``).
``inline``
    optionally, the same as Python expressions the formatter compiles in (:class:`Inline`).

Field names are parsed as sysdig 0.29.3 parses them (``parse_field_name`` in libsinsp's
filterchecks.cpp, classes tried in the order of ``sinsp_filter_check_list``): the first
class that recognises a prefix of the text wins, and within a class the longest field name
that is a prefix of the text. :meth:`FieldRegistry.parse` reports how much of the text was
consumed (a ``-p`` format continues with literal text after it); :meth:`FieldRegistry.resolve`
requires the whole text to be consumed, as filters do.

Some fields keep per-binding state exactly like a libsinsp filter check instance does
(``evt.deltatime``, ``-t D``, ``thread.exectime``, ``thread.cpu``): bind a field once per
use (one filter check, one format token).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from enum import Enum, IntFlag
from typing import TYPE_CHECKING, Any

from sysdive.fields.params import RenderContext
from sysdive.fields.text import local_offset, text_converter, value_json
from sysdive.format.buffers import BufferFormat
from sysdive.format.codegen import Globals
from sysdive.records import record
from sysdive.schema.listing import param_type_name
from sysdive.schema.types import ParamType, PrintFormat

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.event_rows import EventRows
    from sysdive.state.fds import FdInfo
    from sysdive.state.tables import State
    from sysdive.state.threads import ThreadInfo

__all__ = [
    "ArgKind",
    "Binder",
    "BoundField",
    "ColumnExtractor",
    "FastExtractor",
    "FieldArg",
    "FieldClass",
    "FieldContext",
    "FieldDef",
    "FieldFlag",
    "FieldOptions",
    "FieldRegistry",
    "Inline",
    "TypedCode",
    "TypedCoder",
    "longest_prefix",
    "reads_fd_state",
    "render_field_list",
    "thread_determined",
    "type_determined",
]


class FieldFlag(IntFlag):
    """libsinsp's ``EPF_*`` field flags."""

    NONE = 0
    FILTER_ONLY = 1 << 0
    """Usable in filters only; ``-p`` rejects it ("is filter only...")."""
    PRINT_ONLY = 1 << 1
    """Usable in ``-p`` and filters but left out of ``sysdig -l`` (evt.outputtime)."""
    REQUIRES_ARGUMENT = 1 << 2
    """The name takes an argument (``evt.arg.NAME``, ``thread.cgroup.SUBSYS``...)."""
    TABLE_ONLY = 1 << 3
    """Meant for csysdig views; works everywhere but ``sysdig -l`` hides it."""


class ArgKind(Enum):
    """How a field takes its argument."""

    NONE = "none"
    INDEX_OR_NAME = "[N] or .NAME"        # evt.arg
    NAME = ".NAME"                        # evt.rawarg
    OPTIONAL_INDEX = "optional [N]"       # proc.apid, proc.aname
    TIMESTAMP = "[T]"                     # evt.around
    EVENT_TYPE = ".TYPE"                  # evt.type.is
    SUFFIX = "optional .src/.dst"         # evt.abspath
    SUBSYSTEM = ".SUBSYS"                 # thread.cgroup
    INDEX_OR_PATH = "[N] or [PATH]"       # container.mount*
    INDEX = "[N]"                         # span.tag, span.*.fortag


@record
class FieldArg:
    """A parsed field argument: at most one of the members is meaningful per field."""

    index: int | None = None
    name: str = ""


@record
class FieldOptions:
    """Output options that change field text (command-line switches of sysdig).

    ``time_format`` is ``-t`` (``h``, ``a``, ``r``, ``d`` or ``D``) for ``evt.outputtime``;
    ``buffer_format`` is -A/-x/-X/-b (already switched to its JSON variant under -j);
    ``max_len`` is 80 unless ``-v`` or a chisel (``None``); ``resolve_ports`` is ``-R``.
    """

    time_format: str = "h"
    buffer_format: BufferFormat = BufferFormat.NORMAL
    max_len: int | None = 80
    resolve_ports: bool = False


class FieldContext:
    """What binders need: the state, the param rendering context and the options."""

    __slots__ = ("options", "render_ctx", "state", "tz_offset")

    def __init__(self, state: State, options: FieldOptions) -> None:
        self.state = state
        self.options = options
        self.render_ctx = RenderContext(state, options.buffer_format, options.max_len,
                                        options.resolve_ports)
        # libsinsp computes the zone offset from the current date, not the event's.
        self.tz_offset = local_offset()

    @property
    def first_event_ts(self) -> int:
        """Timestamp of the first event read (``evt.reltime``, ``-t r``); 0 if unknown.

        Read from ``State.first_event_ts``: the loop reading the capture must set it to the
        timestamp of the first event it reads (container events excluded, hidden ones
        included, as ``sinsp::next`` does). Until then relative times count from 0.
        """
        ts: Any = getattr(self.state, "first_event_ts", 0)
        return int(ts or 0)


@record
class TypedCode:
    """A field's code in a line function specialised for one event type (see :class:`Inline`).

    ``guard`` statements run first, before any field is evaluated: they only read the event
    and may give up with ``return _fallback(evt)`` (the line function for any type).
    ``body`` statements run at the field's place in the format (``json_body`` ones after
    them in JSON lines). ``text`` and ``json`` are f-string fragments (literal braces
    doubled) for the text and for the JSON value.
    """

    guard: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    text: str = ""
    json: str = "null"
    json_body: tuple[str, ...] = ()


TypedCoder = Callable[["Event", Globals, str], "TypedCode | None"]
"""``(first event of the type, globals, local prefix) -> TypedCode``, or None where the field
has no code for that type; the code names its globals through ``globals``, its locals start
with the prefix. It may rely on what events of the type usually share with the first (its
number of params), with a guard for the others."""


@record
class Inline:
    """A field as Python expressions over ``evt`` that the formatter compiles into its line
    function, for hot fields where a call per field and event is a large share of the work.

    ``text`` evaluates to the printed value (a ``str``, or an ``int`` printed in decimal)
    and ``json`` to the value's JSON text. ``env`` holds the globals they use. A ``pure``
    field neither keeps nor changes state, so the formatter may evaluate it after fields that
    come later in the format. A field that may be ``missing`` has ``text`` give ``None``
    then, and its ``json`` gives the JSON *value* (as :attr:`BoundField.render_json` does),
    not its text. ``typed`` gives the field's code for line functions specialised per event
    type (``evt.type`` is then a literal, ``evt.info`` the params of that type).
    """

    text: str
    json: str
    env: Mapping[str, object] = field(default_factory=dict)
    pure: bool = True
    missing: bool = False
    typed: TypedCoder | None = None


Extractor = Callable[["Event"], object]
# (type, thread, fd): the thread is None only for a procinfo event of an unknown thread.
FastExtractor = Callable[[int, "ThreadInfo | None", "FdInfo | None"], object]
"""``extract`` for an event that changes no state and takes the plain reset, computed from
its type, its thread and the fd the fields see (the enter's fd param, or the thread's last
fd for an exit): the filter's fast rejection path (``Parser.reject_fast``) calls it before
any Event exists. A field offers one only where it gives exactly what ``extract`` gives."""
TextRenderer = Callable[["Event"], "str | None"]
ColumnExtractor = Callable[["EventRows", Any], Any]
JsonRenderer = Callable[["Event"], object]


class BoundField:
    """A field bound to its argument; satisfies the filter compiler's ``BoundField``.

    ``consumed`` is how many characters of the parsed text the field name used;
    ``filter_only`` marks fields ``-p`` rejects. For the filter compiler, ``ne_requires_all``
    says that ``!=`` on a tuple value must hold for every element (sysdig's "neither end"
    rule of fd.ip/fd.port/fd.net) and ``allowed_ops`` lists the only operators the field
    takes (None: any).
    """

    __slots__ = ("allowed_ops", "column", "consumed", "definition", "event_types", "extract",
                 "fast", "filter_only", "fmt", "inline", "name", "ne_requires_all", "render",
                 "render_json", "true_types", "type", "type_value")

    name: str
    type: ParamType
    fmt: PrintFormat
    event_types: frozenset[int] | None
    definition: FieldDef
    filter_only: bool
    ne_requires_all: bool
    allowed_ops: frozenset[str] | None
    consumed: int
    extract: Extractor
    render: TextRenderer
    render_json: JsonRenderer
    inline: Inline | None
    fast: FastExtractor | None
    true_types: frozenset[int] | None
    """For a boolean field: the only event types it can be true for (None: any)."""
    type_value: Callable[[int], object] | None
    """When the field's value is a function of the event type alone (the same for every
    event of a type, whatever the state; not a tuple): that function. A filter then tests
    the event type against the set of types that pass, computed once (None: not such a
    field)."""
    column: ColumnExtractor | None
    """The bulk form of ``extract`` over :class:`~sysdive.event_rows.EventRows` (None: none):
    ``column(rows, sel)`` gives the values of the events ``sel`` (ascending indices into
    ``rows``, each with a thread) as a float array, keeping whatever ``extract`` keeps as
    if called once per event of ``sel`` in order; or None (nothing kept) when it cannot,
    and the caller then calls ``extract``."""

    def __init__(self, definition: FieldDef, name: str, extract: Extractor, *,
                 event_types: frozenset[int] | None = None,
                 render: TextRenderer | None = None,
                 render_json: JsonRenderer | None = None,
                 ptype: ParamType | None = None,
                 fmt: PrintFormat | None = None,
                 inline: Inline | None = None,
                 fast: FastExtractor | None = None,
                 true_types: frozenset[int] | None = None,
                 type_value: Callable[[int], object] | None = None) -> None:
        self.definition = definition
        self.true_types = true_types
        self.type_value = type_value
        self.name = name
        self.type = definition.type if ptype is None else ptype
        self.fmt = definition.fmt if fmt is None else fmt
        self.event_types = event_types
        self.filter_only = bool(definition.flags & FieldFlag.FILTER_ONLY)
        self.ne_requires_all = definition.ne_requires_all
        self.allowed_ops = definition.allowed_ops
        self.consumed = len(name)
        self.extract = extract
        self.render = render if render is not None else self._text_renderer()
        self.render_json = render_json if render_json is not None else self._default_json
        self.inline = inline
        self.fast = fast
        self.column = None

    def _text_renderer(self) -> TextRenderer:
        # Built once per binding: the print path runs it for every event and field.
        extract = self.extract
        convert = text_converter(self.type, self.fmt)

        def render(evt: Event) -> str | None:
            value = extract(evt)
            return None if value is None else convert(value)
        return render

    def _default_json(self, evt: Event) -> object:
        value = self.extract(evt)
        if value is None:
            return None
        return value_json(value, self.type, self.fmt)

    def __repr__(self) -> str:
        return f"BoundField({self.name!r}, {self.type.name})"


Binder = Callable[["FieldContext", "FieldDef", FieldArg, str], BoundField]


@record
class FieldDef:
    """One field of ``sysdig -l``: its name, value type, description and how to bind it.

    ``fmt`` is the print format sysdig uses for the value; ``display`` its short display
    name (shown by csysdig, kept for completeness); ``bind`` builds the :class:`BoundField`.
    ``ne_requires_all`` and ``allowed_ops`` are the filter semantics of the few fields whose
    comparisons sysdig special-cases (see :class:`BoundField`).
    """

    name: str
    type: ParamType
    description: str
    bind: Binder = field(repr=False, compare=False)
    fmt: PrintFormat = PrintFormat.NA
    flags: FieldFlag = FieldFlag.NONE
    argument: ArgKind = ArgKind.NONE
    display: str = ""
    ne_requires_all: bool = False
    allowed_ops: frozenset[str] | None = None

    @property
    def listed(self) -> bool:
        """Whether ``sysdig -l`` shows the field."""
        return not self.flags & (FieldFlag.PRINT_ONLY | FieldFlag.TABLE_ONLY)


# A class-specific parser: (fields, text) -> (definition, argument, consumed) or None when
# no field of the class matches. Raises ValueError with sysdig's message for bad syntax.
ClassParser = Callable[[Mapping[str, FieldDef], str], "tuple[FieldDef, FieldArg, int] | None"]


def longest_prefix(fields: Mapping[str, FieldDef], text: str) -> tuple[FieldDef, FieldArg, int] | None:
    """The generic rule: the longest field name that is a prefix of ``text``."""
    best: FieldDef | None = None
    for name, fdef in fields.items():
        if text.startswith(name) and (best is None or len(name) > len(best.name)):
            best = fdef
    if best is None:
        return None
    return best, FieldArg(), len(best.name)


@record
class FieldClass:
    """A field class as ``sysdig -l`` lists it (``evt``, ``process``, ``fd``...)."""

    name: str
    description: str
    fields: tuple[FieldDef, ...]
    shortdesc: str = ""
    parser: ClassParser = longest_prefix

    def by_name(self) -> dict[str, FieldDef]:
        """The fields of the class keyed by name."""
        return {f.name: f for f in self.fields}


# The field classes in the order of libsinsp's sinsp_filter_check_list (it decides which
# class claims a name): the module and name of each, and the starts of the names it can
# claim (its fields' names, and "arg", which the process class rejects as sysdig does). A
# class module is imported only when a name could be one of its fields; the fields tests
# check these starts against the classes.
_CLASS_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sysdive.fields.evt_general", "GEN_EVT_CLASS", ("evt",)),
    ("sysdive.fields.evt", "EVT_CLASS", ("evt", "syscall")),
    ("sysdive.fields.proc", "PROCESS_CLASS", ("proc", "thread", "arg")),
    ("sysdive.fields.user", "USER_CLASS", ("user",)),
    ("sysdive.fields.user", "GROUP_CLASS", ("group",)),
    ("sysdive.fields.container", "CONTAINER_CLASS", ("container",)),
    ("sysdive.fields.fd", "FD_CLASS", ("fd",)),
    ("sysdive.fields.orchestrator", "K8S_CLASS", ("k8s",)),
    ("sysdive.fields.orchestrator", "MESOS_CLASS", ("mesos", "marathon")),
    ("sysdive.fields.span", "SPAN_CLASS", ("span",)),
    ("sysdive.fields.span", "EVTIN_CLASS", ("evtin",)),
)
_LOADED: dict[int, tuple[FieldClass, dict[str, FieldDef]]] = {}


def _field_class(index: int) -> tuple[FieldClass, dict[str, FieldDef]]:
    """The class at ``index`` of :data:`_CLASS_TABLE` and its fields by name, imported on
    first use (the class modules import this one for FieldDef and BoundField)."""
    found = _LOADED.get(index)
    if found is None:
        module, name, _starts = _CLASS_TABLE[index]
        cls = getattr(importlib.import_module(module), name)
        assert isinstance(cls, FieldClass)
        found = _LOADED[index] = (cls, cls.by_name())
    return found


def _all_classes() -> tuple[FieldClass, ...]:
    return tuple(_field_class(i)[0] for i in range(len(_CLASS_TABLE)))


class FieldRegistry:
    """Resolves field names for one capture/session (implements ``FieldResolver``).

    ``FieldRegistry(state, options)``; ``classes`` lists the field classes in sysdig's order.
    """

    def __init__(self, state: State, options: FieldOptions | None = None) -> None:
        self.context = FieldContext(state, options or FieldOptions())

    @property
    def classes(self) -> tuple[FieldClass, ...]:
        """Every field class, in sysdig's order."""
        return _all_classes()

    def definitions(self) -> Iterable[FieldDef]:
        """Every registered field definition, class by class."""
        for cls in self.classes:
            yield from cls.fields

    def parse(self, text: str, for_filter: bool = False) -> BoundField:
        """Bind the field named at the start of ``text`` (``-p`` token semantics).

        The result's ``consumed`` tells how many characters the name used (possibly 0, as
        sysdig's own parser sometimes does); the rest is literal text. Raises KeyError(text)
        when no class knows the name and ValueError(sysdig's message) for a bad argument or,
        unless ``for_filter``, a filter-only field.
        """
        for index, (_module, _name, starts) in enumerate(_CLASS_TABLE):
            if not text.startswith(starts):
                continue
            cls, fields = _field_class(index)
            found = cls.parser(fields, text)
            if found is None:
                continue
            fdef, arg, consumed = found
            # Only the generic name rule rejects filter-only fields; fields parsed with an
            # argument (evt.around) are let through, as in libsinsp.
            if (not for_filter and fdef.flags & FieldFlag.FILTER_ONLY
                    and fdef.argument is ArgKind.NONE):
                raise ValueError(f"{text} is filter only and cannot be used as a display field")
            bound = fdef.bind(self.context, fdef, arg, text[:consumed])
            bound.consumed = consumed
            return bound
        raise KeyError(text)

    def resolve(self, text: str) -> BoundField:
        """Bind the field called exactly ``text`` (filter semantics).

        Raises KeyError(text) for an unknown name (including names only a prefix of which is
        a field), ValueError(message) for a bad argument.
        """
        bound = self.parse(text, for_filter=True)
        if bound.consumed != len(text):
            raise KeyError(text)
        return bound


# --------------------------------------------------------------------------------------------
# sysdig -l
# --------------------------------------------------------------------------------------------

_RIGHT = 30
_WIDTH = 120


def _wrap(text: str) -> str:
    # Words are re-flowed to the 90 columns right of the name block, each followed by one
    # space (so lines end with a blank), as libsinsp's wrapstring does.
    out: list[str] = []
    used = 0
    for word in text.split():
        wlen = len(word) + 1
        if used + wlen <= _WIDTH - _RIGHT:
            used += wlen
        else:
            out.append("\n" + " " * _RIGHT)
            used = wlen
        out.append(word + " ")
    return "".join(out)


def render_class_listing(cls: FieldClass, verbose: bool = False) -> str:
    """One field class as ``sysdig -l`` prints it (``verbose``: ``-ll``, with types)."""
    lines = ["-------------------------------\n"]
    head = "Field Class:".ljust(_RIGHT) + cls.name
    if cls.shortdesc:
        head += f" ({cls.shortdesc})"
    lines.append(head + "\n")
    if cls.description:
        lines.append("Description:".ljust(_RIGHT) + _wrap(cls.description) + "\n")
    lines.append("\n")
    for fdef in cls.fields:
        if fdef.flags & FieldFlag.PRINT_ONLY or fdef.flags & FieldFlag.TABLE_ONLY:
            continue
        if len(fdef.name) > _RIGHT:
            lines.append(fdef.name + "\n" + " " * _RIGHT)
        else:
            lines.append(fdef.name.ljust(_RIGHT))
        desc = fdef.description
        if fdef.flags & FieldFlag.FILTER_ONLY:
            desc = "(FILTER ONLY) " + desc
        if verbose:
            desc = f"(Type: {param_type_name(fdef.type)}) " + desc
        lines.append(_wrap(desc) + "\n")
    return "".join(lines)


def render_field_list(verbose: bool = False) -> str:
    """The ``sysdig -l`` text of the classes sysdive implements (evt, process, user, group,
    container, fd, k8s, mesos, span, evtin), each followed by the blank line sysdig prints after a class."""
    return "".join(render_class_listing(c, verbose) + "\n" for c in _all_classes())


# Fields whose values come from the event header, the thread table and its users, groups
# and containers only: none reads an fd table, the fd an event works on or the thread's
# last fd. The inspector may skip the fd-table upkeep when every field in use is one of
# these (see Parser.skippable_types). Whole classes are listed by prefix, with the few
# fd-related process fields taken out.
_FD_FREE_CLASSES = ("proc.", "thread.", "user.", "group.", "container.")
_FD_BOUND = frozenset({"proc.fdopencount", "proc.fdlimit", "proc.fdusage"})
_FD_FREE_EVT = frozenset({
    "evt.num", "evt.time", "evt.time.s", "evt.time.iso8601", "evt.datetime", "evt.datetime.s",
    "evt.rawtime", "evt.rawtime.s", "evt.rawtime.ns", "evt.reltime", "evt.reltime.s",
    "evt.reltime.ns", "evt.outputtime", "evt.type", "evt.type.is", "evt.dir", "evt.cpu",
    "evt.latency", "evt.latency.s", "evt.latency.ns", "evt.count",
})

# Fields whose value is a function of the event type alone (for generic events, of the
# syscall id in their first param): the same for every event of one (type, syscall) pair,
# whatever the state. Aggregations over these need no state and no per-event work
# (Inspector.fold).
_TYPE_DETERMINED = frozenset({"evt.type", "evt.dir", "evt.count"})


def type_determined(fields: Iterable[object]) -> bool:
    """Whether every one of ``fields`` is a function of the event type (and a generic
    event's syscall id) alone, with no argument."""
    for f in fields:
        definition = getattr(f, "definition", None)
        if (not isinstance(definition, FieldDef) or definition.name not in _TYPE_DETERMINED
                or getattr(f, "name", None) != definition.name):
            return False
    return True


# Fields whose value is a function of the event's thread and of the thread and container
# tables alone (no param, no time, no per-event memory); see EventRows.
_THREAD_DETERMINED = frozenset({"proc.name", "proc.pid", "proc.vpid", "container.id",
                                "container.name"})


def thread_determined(fields: Iterable[object]) -> bool:
    """Whether every one of ``fields`` (with no argument) is, for events of one type, a
    function of the event's thread and the state tables alone (the type-determined fields
    count too): one evaluation per thread then stands for all the events of a
    :class:`~sysdive.event_rows.EventRows`."""
    for f in fields:
        definition = getattr(f, "definition", None)
        if (not isinstance(definition, FieldDef)
                or (definition.name not in _THREAD_DETERMINED
                    and definition.name not in _TYPE_DETERMINED)
                or getattr(f, "name", None) != definition.name):
            return False
    return True


def reads_fd_state(fields: Iterable[object]) -> bool:
    """Whether any of ``fields`` may read fd state (conservative: unknown fields do)."""
    for f in fields:
        definition = getattr(f, "definition", None)
        if not isinstance(definition, FieldDef):
            return True
        name = definition.name
        if name in _FD_FREE_EVT:
            continue
        if name.startswith(_FD_FREE_CLASSES) and name not in _FD_BOUND:
            continue
        return True
    return False
