"""The chisel engine: runs chisels as a sink of the inspector, as sysdig 0.29.3 does.

Order of calls (``sinsp_chisel`` in falcosecurity/libs, ``sysdig.cpp``):

* ``on_set_arg`` for each argument, when the chisel is created (:func:`create`);
* for each capture file: ``on_init`` (fields, filter, interval), ``on_capture_start``, then
  every event that passes the capture filter, then ``on_capture_end(ts_s, ts_ns, delta)``
  with the time of the last event read and ``delta`` = last - first event of the capture;
* per event and chisel: the interval check, the chisel's filter, ``on_event``, then the
  line of ``set_event_formatter`` unless ``on_event`` returned False.

Intervals run on capture time. ``set_interval_ns(N)``: when an event's time falls in a
later multiple of N than the previous call's, ``on_interval(ts_s, ts_ns, delta)`` is called
with that event's time and the time since the previous call (0 the first time). The first
event only starts the clock. sysdig checks intervals on every event read, also those the
capture filter rejects: a chisel with an interval gets them through
:meth:`ChiselRunner.on_filtered` (which turns the inspector's prefilter off).

The engine keeps per-event work small: a chisel's filter is merged into the inspector's
capture filter when that is exact (:meth:`ChiselRunner.capture_tree`), so events no chisel
wants are skipped before they become Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from sysdive.chisels.api import Chisel, ChiselContext, check_arg_count
from sysdive.errors import ChiselError, SysdiveError

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.event_rows import EventRows
    from sysdive.fields.registry import FieldRegistry
    from sysdive.filter import CompiledFilter, FieldResolver
    from sysdive.filter.ast import Node
    from sysdive.state.tables import State

__all__ = ["ChiselRunner", "create", "split_args", "split_nextrun_args"]

_TRACER_TYPES = frozenset({268, 269})   # PPME_TRACER_E/X: see build_sink

EventSink = Callable[["Event"], None]
_F = TypeVar("_F")   # a chisel's bulk sink: fold(evt, count) or fold_rows(rows)


def split_args(text: str, chisel: str) -> list[str]:
    """sysdig's split of a chisel's argument string: blanks separate, ``'...'`` or
    ```...``` quote a value with blanks; an unclosed quote is an error."""
    args = text.strip()
    if not args:
        return []
    out: list[str] = []
    begin = 0
    inquotes = False
    correction = 0
    for j, c in enumerate(args):
        if c == " " and not inquotes:
            out.append(args[begin:j - correction])
            begin = j + 1
            correction = 0
        elif c in "'`":
            if inquotes:
                correction = 1
                inquotes = False
            else:
                begin += 1
                inquotes = True
    if inquotes:
        raise ChiselError(f"corrupted parameters for chisel {chisel}")
    out.append(args[begin:len(args) - correction])
    return out


def split_nextrun_args(text: str) -> list[str]:
    """sysdig's split of a ``run_app`` command line: each blank outside ``"..."`` ends an
    argument (so two blanks make an empty one); the quotes are dropped."""
    out: list[str] = []
    start = 0
    inquote = False
    for j, c in enumerate(text):
        if c == '"':
            inquote = not inquote
        elif c == " " and not inquote:
            out.append(text[start:j].replace('"', ""))
            start = j + 1
    out.append(text[start:])
    return out


def _failure(ch: Chisel, hook: str, err: Exception) -> ChiselError:
    msg = str(err) or type(err).__name__
    if isinstance(err, ChiselError):
        return ChiselError(f"chisel {ch.name}: {msg}")
    return ChiselError(f"chisel {ch.name}: error in {hook}(): {type(err).__name__}: {msg}")


def create(cls: type[Chisel], args: str | None, ctx: ChiselContext) -> Chisel:
    """Instantiate a chisel and give it its arguments (``None``: none given)."""
    values = split_args(args, cls.name) if args is not None else []
    check_arg_count(cls, values)
    try:
        ch = cls(ctx)
    except Exception as err:
        raise ChiselError(f"chisel {cls.name}: {type(err).__name__}: {err}") from err
    for arg, value in zip(cls.args, values, strict=False):
        _call(ch, "on_set_arg", ch.on_set_arg, arg.name, value)
    return ch


class _Clock:
    """Interval bookkeeping of one chisel (``do_timeout`` in libsinsp's chisel.cpp)."""

    __slots__ = ("first", "last_sample", "last_ts")

    def __init__(self) -> None:
        self.first = True
        self.last_sample = 0
        self.last_ts = 0


class ChiselRunner:
    """Drives chisels over capture files; ``sink`` is the inspector's ``on_event``.

    Per file: :meth:`start_file` (``on_init``, filters, ``on_capture_start``), then the
    inspector run with :meth:`sink` (and :meth:`on_filtered` when :attr:`wants_rejected`),
    then :meth:`end_file`. ``stop`` is called when a chisel ends the capture.
    """

    def __init__(self, chisels: Sequence[Chisel], state: State,
                 stop: Callable[[], None]) -> None:
        self.chisels = list(chisels)
        self.state = state
        self.stop = stop
        self.clocks = [_Clock() for _ in self.chisels]
        self.sink: EventSink = self._no_sink
        self.wants_rejected = False
        self._trees: list[Node | None] = []
        self._compiled: list[CompiledFilter | None] = []
        self._merged = False
        self._format_fields: list[object] = []

    @staticmethod
    def _no_sink(evt: Event) -> None:
        raise RuntimeError("ChiselRunner.start_file() was not called")

    # -- per file ------------------------------------------------------------------------------

    def start_file(self, registry: FieldResolver) -> None:
        """``on_init`` and ``on_capture_start`` of every chisel; compile their filters with
        ``registry`` (errors name the chisel)."""
        from sysdive.filter import compile_filter

        for ch in self.chisels:
            _call(ch, "on_init", ch.on_init)
        compiled: list[CompiledFilter | None] = []
        for ch in self.chisels:
            text = ch.settings.filter
            try:
                compiled.append(compile_filter(text, registry) if text else None)
            except SysdiveError as err:
                raise ChiselError(f"chisel {ch.name}: {err}") from None
        self._compiled = compiled
        self._trees = [None if c is None else c.tree for c in compiled]
        for ch in self.chisels:
            _call(ch, "on_capture_start", ch.on_capture_start)
        self.wants_rejected = any(ch.settings.interval_ns for ch in self.chisels)

    def capture_tree(self) -> Node | None:
        """The filter the inspector may add to its own (and-ed with the command line's):
        events failing it reach no chisel. None when some chisel wants every event.

        When it is the only chisel's filter, the sink does not run that filter again.
        """
        from sysdive.filter.ast import Or

        if (self.wants_rejected or any(t is None for t in self._trees)
                or not all(ch.merge_filter for ch in self.chisels)):
            return None
        trees = [t for t in self._trees if t is not None]
        if len(trees) == 1:
            return trees[0]
        return Or(tuple(trees), 0)

    def build_sink(self, registry: FieldRegistry, merged: bool, json: bool) -> None:
        """Compile the chisels' formatters (with ``registry``) and build :attr:`sink`.

        ``merged``: the inspector's capture filter already includes :meth:`capture_tree`.
        """
        from sysdive.format.formatter import OutputFormat

        matchers: list[Callable[[Event], bool] | None] = [
            None if c is None or (merged and len(self.chisels) == 1) else c.match
            for c in self._compiled]
        lines: list[list[Callable[[Event], str | None]] | None] = []
        for ch in self.chisels:
            fmt = ch.settings.formatter
            if fmt is None:
                lines.append(None)
                continue
            try:
                of = OutputFormat(fmt, registry, json=json)
            except SysdiveError as err:
                raise ChiselError(f"chisel {ch.name}: {err}") from None
            self._format_fields.extend(of.fields)
            lines.append(of.line_renderers(json=json))
        simple = (len(self.chisels) == 1 and matchers[0] is None and lines[0] is None
                  and not self.wants_rejected)
        # A merged filter judged a read/write before the parser turned it into a tracer
        # event; sysdig judges the tracer event: check those again.
        retry = next((c.match for c in self._compiled if c is not None), None) \
            if merged and len(self.chisels) == 1 else None
        if simple:
            self.sink = self._simple_sink(self.chisels[0], retry)
        else:
            self.sink = self._general_sink(matchers, lines, retry)

    def reads_fd_state(self) -> bool:
        """Whether a chisel may read fd state (after :meth:`build_sink`): True unless every
        chisel is :attr:`~Chisel.fields_only` and no field it requested, no filter and no
        formatter of theirs reads it."""
        from sysdive.fields.registry import reads_fd_state

        if not all(type(ch).fields_only for ch in self.chisels):
            return True
        fields: list[object] = [f for ch in self.chisels for f in ch.requested]
        fields += [f for c in self._compiled if c is not None for f in c.fields]
        return reads_fd_state([*fields, *self._format_fields])

    def _bulk_parts(self, merged: bool, hook: str, get: Callable[[Chisel], _F | None]
                    ) -> list[tuple[Chisel, Callable[[Event], bool] | None, _F]] | None:
        """Each chisel with its filter (None where the inspector already applies it) and the
        bulk sink ``get`` returns for it (its ``hook``), when every chisel has one and its
        filter is type-determined; else None. ``merged`` as for :meth:`build_sink`."""
        from sysdive.fields.registry import type_determined

        if self.wants_rejected:
            return None
        parts: list[tuple[Chisel, Callable[[Event], bool] | None, _F]] = []
        for ch, comp in zip(self.chisels, self._compiled, strict=True):
            if ch.settings.formatter is not None or ch.settings.end_capture:
                return None
            if comp is not None and not type_determined(comp.fields):
                return None
            try:
                fold = get(ch)
            except Exception as err:
                raise _failure(ch, hook, err) from err
            if fold is None:
                return None
            parts.append((ch, None if comp is None or (merged and len(self.chisels) == 1)
                          else comp.match, fold))
        return parts

    def fold_plan(self, merged: bool) -> Callable[[Event, int], None] | None:
        """The bulk sink (``fold(evt, count)``, see :meth:`Chisel.fold`) when every chisel
        has one and its filter is type-determined; else None. ``merged`` as for
        :meth:`build_sink`."""
        parts = self._bulk_parts(merged, "fold", lambda ch: ch.fold())
        if parts is None:
            return None

        def fold_all(evt: Event, count: int) -> None:
            for ch, match, fold in parts:
                if match is not None and not match(evt):
                    continue
                try:
                    fold(evt, count)
                except Exception as err:
                    raise _failure(ch, "on_event", err) from err
        return fold_all

    def rows_plan(self, merged: bool) -> Callable[[EventRows], None] | None:
        """The bulk sink for procinfo events (see :meth:`Chisel.fold_rows`) when every
        chisel has one and its filter is type-determined; else None. ``merged`` as for
        :meth:`build_sink`."""
        parts = self._bulk_parts(merged, "fold_rows", lambda ch: ch.fold_rows())
        if parts is None:
            return None

        def fold_all(rows: EventRows) -> None:
            for ch, match, fold in parts:
                # Type-determined: the filter says the same for every row.
                if match is not None and not match(rows.event(0)):
                    continue
                try:
                    fold(rows)
                except Exception as err:
                    raise _failure(ch, "on_event", err) from err
        return fold_all

    def _simple_sink(self, ch: Chisel, retry: Callable[[Event], bool] | None) -> EventSink:
        on_event = ch.on_event
        settings = ch.settings
        stop = self.stop

        def sink(evt: Event) -> None:
            if retry is not None and evt.type in _TRACER_TYPES and not retry(evt):
                return
            try:
                on_event(evt)
            except Exception as err:
                raise _failure(ch, "on_event", err) from err
            if settings.end_capture:
                stop()
        return sink

    def _general_sink(self, matchers: list[Callable[[Event], bool] | None],
                      lines: list[list[Callable[[Event], str | None]] | None],
                      retry: Callable[[Event], bool] | None = None) -> EventSink:
        plan = list(zip(self.chisels, self.clocks, matchers, lines, strict=True))
        stop = self.stop
        timeout = self._timeout

        def sink(evt: Event) -> None:
            for ch, clock, match, render in plan:
                if ch.settings.interval_ns or clock.first:
                    timeout(ch, clock, evt.ts)
                if match is not None and not match(evt):
                    continue
                if retry is not None and evt.type in _TRACER_TYPES and not retry(evt):
                    continue
                try:
                    res = ch.on_event(evt)
                except Exception as err:
                    raise _failure(ch, "on_event", err) from err
                if ch.settings.end_capture:
                    stop()
                if res is False or render is None:
                    continue
                line = render[evt.type](evt)
                if line is not None:
                    ch.out.write(line)
        return sink

    def on_filtered(self, evt: Event) -> None:
        """An event the capture filter rejected: only the interval clocks see it."""
        for ch, clock in zip(self.chisels, self.clocks, strict=True):
            if ch.settings.interval_ns or clock.first:
                self._timeout(ch, clock, evt.ts)

    @staticmethod
    def _timeout(ch: Chisel, clock: _Clock, ts: int) -> None:
        iv = ch.settings.interval_ns
        if clock.first:
            if iv:
                clock.last_sample = ts if ch.settings.precise else ts - ts % iv
            clock.first = False
            return
        if not iv:
            return
        if not ch.settings.precise:
            sample = ts - ts % iv
            if sample == clock.last_sample:
                return
            delta = 0
            if clock.last_ts:
                delta = ts - clock.last_ts
                if delta == 0:
                    return
            _call(ch, "on_interval", ch.on_interval, ts // 1_000_000_000, ts % 1_000_000_000,
                  delta)
            clock.last_sample = sample
            clock.last_ts = ts
            return
        t = clock.last_sample
        if ts - t < iv:
            return
        while t <= ts - iv:
            _call(ch, "on_interval", ch.on_interval, t // 1_000_000_000, t % 1_000_000_000, iv)
            t += iv
        clock.last_sample = t

    def end_file(self) -> None:
        """``on_capture_end`` of every chisel, with the capture's last event time."""
        te = self.state.lastevent_ts
        delta = te - self.state.first_event_ts if te else 0
        for ch in self.chisels:
            _call(ch, "on_capture_end", ch.on_capture_end, te // 1_000_000_000,
                  te % 1_000_000_000, delta)

    @property
    def capture_filter(self) -> str | None:
        """The capture filter a chisel set in place of the command line's (the last one
        set wins), or None."""
        found = [ch.settings.capture_filter for ch in self.chisels
                 if ch.settings.capture_filter is not None]
        return found[-1] if found else None

    @property
    def nextrun_args(self) -> list[str] | None:
        """The command line a chisel asked to run next (``run_app``; the last one wins),
        split as sysdig splits it, or None."""
        found = [ch.settings.nextrun_args for ch in self.chisels
                 if ch.settings.nextrun_args is not None]
        return split_nextrun_args(found[-1]) if found else None

    @property
    def snaplen(self) -> int:
        """The largest snaplen a chisel asked for (0: none)."""
        return max((ch.settings.snaplen for ch in self.chisels), default=0)


def _call(ch: Chisel, hook: str, fn: Callable[..., object], *args: object) -> None:
    try:
        fn(*args)
    except Exception as err:
        raise _failure(ch, hook, err) from err
