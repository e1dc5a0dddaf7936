"""The chisel API: a chisel is a small class with metadata and hooks.

A chisel module (one per chisel, named after it) defines one subclass of :class:`Chisel`::

    class TopThings(Chisel):
        name = "topthings"                      # what -c takes; defaults to the module name
        short_description = "Top things"
        category = "Performance"
        description = "Longer text that -i prints."
        args = (Arg("max", "how many to show", "int", optional=True),)

        def on_set_arg(self, name, value): ...  # once per argument given on the command line
        def on_init(self): ...                  # request fields, set the filter, snaplen, interval
        def on_capture_start(self): ...
        def on_event(self, evt): ...            # events that passed the capture and chisel filters
        def on_interval(self, ts_s, ts_ns, delta): ...
        def on_capture_end(self, ts_s, ts_ns, delta): ...

The engine (:mod:`sysdive.chisels.runner`) calls the hooks in sysdig 0.29.3's order:
``on_set_arg`` for each argument, then per capture file ``on_init``, ``on_capture_start``,
the events, ``on_capture_end``. Times are capture time (nanoseconds since the epoch);
``delta`` is the span the call covers in nanoseconds (for ``on_capture_end``: last event
minus first event of the capture, as libsinsp passes it).

Fields are requested in ``on_init`` with :meth:`Chisel.request_field`, through the same
:class:`~sysdive.fields.registry.FieldRegistry` filters and ``-p`` use. A :class:`Field`
gives the value as sysdig's ``evt.field()`` does (numbers as numbers, strings, booleans,
buffers as bytes, ``None`` when the event has no such value) and the text ``-p`` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, TextIO

from sysdive.errors import ChiselError
from sysdive.records import record
from sysdive.schema.types import ParamType

_TEXT_TYPES = frozenset({ParamType.CHARBUF, ParamType.FSPATH, ParamType.FSRELPATH})

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.event_rows import EventRows
    from sysdive.fields.registry import BoundField, FieldRegistry
    from sysdive.state.tables import State

__all__ = ["Arg", "Chisel", "ChiselContext", "Field"]


@record
class Arg:
    """One chisel argument, as sysdig's Lua ``args`` table declares it.

    ``type`` is sysdig's ``argtype`` text (``string``, ``int``, ``filter``...), shown by
    ``-i`` as ``[type]``; an argument of type ``filter`` that is the only argument is taken
    from the command line even when it parses as a filter.
    """

    name: str
    description: str
    type: str = "string"
    optional: bool = False


@record
class ChiselContext:
    """What the command line tells a chisel (sysdig's ``sysdig.*`` queries).

    ``print_container`` is set by ``-pc``/``-pk``/``-pm`` (``is_print_container_data``);
    ``output_format`` is ``"json"`` under ``-j``, else ``"normal"``; ``is_live`` is false
    when reading captures; ``filter`` is the command-line filter (``get_filter``);
    ``is_tty`` tells whether stdout is a terminal; ``evtsource_name`` is the capture file
    being read (``get_evtsource_name``; "syscall" until a file is open); ``state`` holds the thread and fd tables
    (``get_thread_table``; ``state.first_event_ts`` and ``state.lastevent_ts`` are
    ``get_firstevent_ts``/``get_lastevent_ts``); ``buffer_forced`` is set when -A/-x/-X/-b
    chose the buffer format (then :meth:`Chisel.set_output_format` does nothing).
    """

    registry: FieldRegistry
    out: TextIO
    print_container: bool = False
    output_format: str = "normal"
    is_live: bool = False
    filter: str = ""
    is_tty: bool = False
    state: State | None = None
    buffer_forced: bool = False
    evtsource_name: str = "syscall"


class Field:
    """A field a chisel requested: :meth:`value` and :meth:`text` of an event."""

    __slots__ = ("bound", "name", "text", "value")

    def __init__(self, bound: BoundField) -> None:
        self.bound = bound
        self.name = bound.name
        # The field's own functions: no extra call layer per event. Text values come
        # sanitized, as libsinsp's extract gives them to chisels (filters see them raw).
        self.value = bound.render if bound.type in _TEXT_TYPES else bound.extract
        """``value(evt)``: the typed value (int, float, str, bool, bytes, IP address), or
        None; what Lua's ``evt.field()`` returns."""
        self.text = bound.render
        """``text(evt)``: the text ``-p %FIELD`` prints, or None where it prints <NA>."""


class _Settings:
    """What a chisel asked the engine for in ``on_init``/``on_capture_start``."""

    __slots__ = ("capture_filter", "end_capture", "filter", "formatter", "interval_ns",
                 "nextrun_args", "precise", "snaplen")

    def __init__(self) -> None:
        self.filter = ""
        self.capture_filter: str | None = None
        self.formatter: str | None = None
        self.snaplen = 0
        self.interval_ns = 0
        self.precise = False
        self.end_capture = False
        self.nextrun_args: str | None = None


class Chisel:
    """Base class of every chisel; subclasses set the metadata and override hooks.

    Class attributes: ``name`` (defaults to the module's name), ``short_description``
    (one line for ``-cl``), ``description`` (``-i``), ``category`` (``-cl`` groups by it),
    ``args`` (a tuple of :class:`Arg`), ``hidden`` (left out of ``-cl``, still runnable),
    ``merge_filter`` (see below).
    """

    name: ClassVar[str] = ""
    short_description: ClassVar[str] = ""
    description: ClassVar[str] = ""
    category: ClassVar[str] = ""
    args: ClassVar[tuple[Arg, ...]] = ()
    hidden: ClassVar[bool] = False
    merge_filter: ClassVar[bool] = True
    """Whether the engine may apply this chisel's filter as the capture filter (fast). Set
    False when the filter rejects enter events whose exit it accepts and then reads state
    the enter leaves (``evt.buflen`` of a read needs the read's fd from its enter): sysdig
    parses every event before a chisel filter sees it, the capture filter skips parsing."""
    fields_only: ClassVar[bool] = False
    """True promises that the chisel reads events and state only through the fields it
    requests (:meth:`request_field`), its filter and its formatter, never through
    ``ctx.state`` or an Event's attributes: the engine then keeps only the state those
    fields read (no fd tables when none reads them). Leave it False otherwise."""

    def __init__(self, ctx: ChiselContext) -> None:
        self.ctx = ctx
        self.out = ctx.out
        self.settings = _Settings()
        self.arg_values: dict[str, str] = {}
        self.requested: list[BoundField] = []
        """Every field bound by :meth:`request_field` (what :attr:`fields_only` counts)."""

    # -- metadata helpers ----------------------------------------------------------------------

    @classmethod
    def n_required_args(cls) -> int:
        """How many arguments must be given."""
        return sum(1 for a in cls.args if not a.optional)

    # -- hooks (override) ----------------------------------------------------------------------

    def on_set_arg(self, name: str, value: str) -> None:
        """Called once per argument given; the default stores it in ``arg_values``. Raise
        :class:`~sysdive.errors.ChiselError` (or any error) to reject a value."""
        self.arg_values[name] = value

    def on_init(self) -> None:
        """Request fields, set the filter, snaplen and interval (once per capture file)."""

    def on_capture_start(self) -> None:
        """The capture is open and about to be read."""

    def on_event(self, evt: Event) -> bool | None:
        """An event that passed the capture filter and the chisel's own filter.

        Returning False suppresses the line of :meth:`set_event_formatter` for this event.
        """
        return None

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        """Called every :meth:`set_interval_s` of capture time (see the runner)."""

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        """End of each capture file (or ``-n``/``-M``/Ctrl-C): the time of the last event
        and the span from the first event to it."""

    def fold(self) -> Callable[[Event, int], None] | None:
        """Optional bulk form of :meth:`on_event` (called after ``on_capture_start``).

        A chisel whose ``on_event`` only adds up what type-determined fields give
        (:func:`~sysdive.fields.registry.type_determined`: ``evt.type``, ``evt.dir``,
        ``evt.count``) may return ``fold(evt, count)``: the effect of ``count`` calls of
        ``on_event`` on events like ``evt``, in any order. The engine then groups whole
        batches of events by type without building them (when the capture filter and the
        chisel's filter are type-determined too). None (the default): every event goes
        through ``on_event``.
        """
        return None

    def fold_rows(self) -> Callable[[EventRows], None] | None:
        """Optional bulk form of :meth:`on_event` for procinfo events (called after
        ``on_capture_start``).

        A chisel whose filter passes only procinfo events, and that reads them through
        thread-determined fields (:func:`~sysdive.fields.registry.thread_determined`,
        evaluated once per thread on :meth:`~sysdive.event_rows.EventRows.event` of the
        thread's first row) and fields with a column form
        (:attr:`~sysdive.fields.registry.BoundField.column`), may return
        ``fold_rows(rows)``: the effect of :meth:`on_event` on each event of ``rows`` in
        turn. The engine then hands it the procinfo events of large captures in bulk (when
        the capture filter and the chisel's filter are type-determined). None (the
        default): every event goes through ``on_event``.
        """
        return None

    # -- services (call from on_init / on_capture_start) ---------------------------------------

    def request_field(self, name: str) -> Field:
        """Bind field ``name`` (any field filters accept, with its argument)."""
        try:
            bound = self.ctx.registry.parse(name, for_filter=True)
        except KeyError:
            raise ChiselError(f"chisel requesting nonexistent field {name}") from None
        except ValueError as err:
            raise ChiselError(str(err)) from None
        self.requested.append(bound)
        return Field(bound)

    def set_filter(self, text: str) -> None:
        """Only events matching ``text`` (sysdig's filter language) reach :meth:`on_event`."""
        self.settings.filter = text

    def set_event_formatter(self, fmt: str) -> None:
        """Print each event :meth:`on_event` accepts with this ``-p`` format."""
        self.settings.formatter = fmt

    def set_snaplen(self, snaplen: int) -> None:
        """Bytes of I/O buffers to capture live (no effect on capture files)."""
        self.settings.snaplen = snaplen

    def set_interval_s(self, seconds: int) -> None:
        """Call :meth:`on_interval` when the capture time crosses a multiple of ``seconds``."""
        self.set_interval_ns(seconds * 1_000_000_000)

    def set_interval_ns(self, ns: int) -> None:
        """Call :meth:`on_interval` when the capture time crosses a multiple of ``ns``."""
        self.settings.interval_ns = ns
        self.settings.precise = False

    def set_precise_interval_ns(self, ns: int) -> None:
        """Call :meth:`on_interval` once for every ``ns`` elapsed since the first event,
        catching up on intervals without events."""
        self.settings.interval_ns = ns
        self.settings.precise = True

    def set_capture_filter(self, text: str) -> None:
        """Set the capture filter of the whole run (sysdig's ``sysdig.set_filter``); an
        error when the command line has a filter, as in sysdig. Call it in :meth:`on_init`."""
        self.settings.capture_filter = text

    def set_output_format(self, fmt: str) -> None:
        """Buffer format for every field and formatter line bound *after* this call
        (``normal``, ``simple``, ``json``, ``hex``, ``hexascii``, ``ascii``, ``base64``,
        ``jsonbase64``); ignored when -A/-x/-X/-b chose one. Call it first in
        :meth:`on_init`."""
        from dataclasses import replace

        from sysdive.format.buffers import BufferFormat

        formats = {"normal": BufferFormat.NORMAL, "json": BufferFormat.JSON,
                   "simple": BufferFormat.SIMPLE, "hex": BufferFormat.HEX,
                   "hexascii": BufferFormat.HEXASCII, "ascii": BufferFormat.EOLS,
                   "base64": BufferFormat.BASE64, "jsonbase64": BufferFormat.JSON_BASE64}
        if fmt not in formats:
            raise ChiselError(f"unknown output format {fmt}")
        if self.ctx.buffer_forced:
            return
        fctx = self.ctx.registry.context
        fctx.options = replace(fctx.options, buffer_format=formats[fmt])
        fctx.render_ctx = replace(fctx.render_ctx, buffer_format=formats[fmt])

    def run_app(self, args: str) -> None:
        """Run sysdive again with the command line ``args`` once this run is over
        (sysdig's ``sysdig.run_app``: blanks separate the arguments, ``"`` quotes)."""
        self.settings.nextrun_args = args

    def end_capture(self) -> None:
        """Stop reading after the current event (then :meth:`on_capture_end` runs)."""
        self.settings.end_capture = True

    # -- output --------------------------------------------------------------------------------

    def print(self, text: str = "") -> None:
        """Write one line (Lua's ``print``)."""
        self.out.write(text + "\n")

    def write(self, text: str) -> None:
        """Write text as it is (Lua's ``io.write``)."""
        self.out.write(text)


def check_arg_count(cls: type[Chisel], values: Sequence[str]) -> None:
    """Raise sysdig's messages for too few or too many arguments."""
    req = cls.n_required_args()
    opt = len(cls.args) - req
    if len(values) < req:
        raise ChiselError(f"wrong number of parameters for chisel {cls.name}, {req} required, "
                          f"{len(values)} given")
    if len(values) > req + opt:
        raise ChiselError(f"too many parameters for chisel {cls.name}, {req} required, "
                          f"{opt} optional, {len(values)} given")
