"""The loop: source → event → state → filter → sinks.

Every event goes through the state parser, in file order, because sysdig's state (placeholder
threads, enter/exit pairing, fd numbers) depends on each one. What the loop saves is the work
after that: events are only built into :class:`~sysdive.event.Event` objects once, and
rendering happens only for events a sink wants.

Numbering follows ``sinsp::next``: every event consumes a number, including hidden ones;
the container events that lead a *later* section (concatenated capture) are numbered on
their own and the count is then restored.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import TYPE_CHECKING, Any

from sysdive.compiledloop import CompiledPath, KindPlan, RawDump
from sysdive.event import Event
from sysdive.records import record
from sysdive.scap.blocks import CaptureHeader
from sysdive.scap.reader import CaptureReader, Section
from sysdive.schema.events import EVENTS
from sysdive.schema.types import Category, EventFlag
from sysdive.state.parse_tables import CONTAINER_EVENTS, PPM_EVENT_MAX, PROCINFO
from sysdive.state.parser import Parser
from sysdive.state.rejections import always
from sysdive.state.tables import State

if TYPE_CHECKING:
    from sysdive.event_rows import EventRows
    from sysdive.fastloop import FastPath

EventSink = Callable[[Event], None]
_U16 = struct.Struct("<H")
_INTERNAL = frozenset(e.id for e in EVENTS if e.category & Category.INTERNAL)
_MODIFIES_STATE = frozenset(e.id for e in EVENTS if e.flags & EventFlag.MODIFIES_STATE)


@record(frozen=False)
class Counters:
    """What the loop saw, for -v, -S and the exit status."""

    read: int = 0          # events numbered
    handed_on: int = 0     # events that passed the capture filter (what -n counts)
    sections: int = 0


@record(frozen=False)
class Inspector:
    """Runs captures through the state engine and hands matching events to sinks.

    ``on_event`` gets every event that passes the capture filter (internal ones too, as
    sysdig's chisels and -S do); ``on_section`` gets each section header before its events
    (writers copy it); ``dump`` receives every event with its dump decision for ``-w``.
    """

    state: State = field(default_factory=State)
    capture_filter: Callable[[Event], bool] | None = None
    # Event types the capture filter can ever match (None: any); others take a fast path.
    filter_types: frozenset[int] | None = None
    # PPM_SC ids a generic syscall event must carry to possibly match (None: any).
    filter_syscalls: frozenset[int] | None = None
    internal_events: bool = False
    # False when no field in use reads fd state: fd-only parsing may then be skipped for
    # rejected events (Parser.skippable_types); a -w copy always keeps it.
    fd_state: bool = True
    # Builds the capture filter over (type, thread, fd) for events that change no state, if
    # it has that form (CompiledFilter.make_fast_match): the batch loop rejects with it.
    make_fast_filter: Callable[[], Callable[[int, Any, Any], bool]] | None = None
    max_events: int | None = None        # -n, per capture file (as sysdig counts it)
    max_duration_ns: int | None = None   # -M, in capture time
    counters: Counters = field(default_factory=Counters)
    stopped: bool = False
    first_ts: int = 0                    # of the first event handed on (for -M)
    events_limit: int | None = None      # counters.handed_on at which this file ends (-n)
    # Gets each event the capture filter rejects (sysdig hands those to chisels' interval
    # clocks). Setting it turns the prefilter off: every event becomes an Event.
    on_filtered: EventSink | None = None
    # The sinks want internal events that pass the filter (chisels do; the printer hides
    # them), so the prefilter must not drop them.
    keep_internal: bool = False
    # A bulk sink for aggregations over type-determined fields (ChiselRunner.fold_plan):
    # fold(evt, count) stands for ``count`` on_event calls on events like ``evt``. Set only
    # when the capture filter is type-determined too; then numpy batches bypass the state
    # engine (no sink reads state) and are grouped by (type, syscall id).
    fold: Callable[[Event, int], None] | None = None
    # A bulk sink for procinfo events (ChiselRunner.rows_plan): gets those that pass as
    # EventRows, one per stretch without other visited events, in place of on_event. Set
    # only when the capture filter is thread-determined (fields.registry.thread_determined:
    # asked once per thread of a stretch).
    fold_rows: Callable[[EventRows], None] | None = None
    # False when the capture filter is type-determined: fold_rows' filter is then asked once.
    fold_rows_per_thread: bool = True
    # A -w copy that nothing else reads (no -F, -S or chisel): with a ``dump`` too, the
    # compiled loop writes the events it hands on into it without making Events.
    raw_dump: RawDump | None = None
    # Nothing reads the events that pass (-q without -S): the compiled loop counts those it
    # hands on without making Events.
    count_only: bool = False
    _reader: CaptureReader | None = None   # the capture being read (see interrupt_wait)

    def run(self, paths: Iterable[str], on_event: EventSink,
            on_section: Callable[[CaptureHeader], None] | None = None,
            on_dump: Callable[[Event, bool], None] | None = None,
            progress: Callable[[CaptureReader], None] | None = None) -> Counters:
        """Read each capture in turn (each starts its own numbering, as sysdig's -r does)."""
        for path in paths:
            if self.stopped:
                break
            self._run_one(path, on_event, on_section, on_dump, progress)
        return self.counters

    def stop(self) -> None:
        """Stop at the next event (signal handlers call this)."""
        self.stopped = True

    def interrupt_wait(self) -> None:
        """After :meth:`stop`, from a signal handler: end a pipe read that waits for data
        (a regular file's reads return; a pipe's may never)."""
        if self._reader is not None:
            self._reader.interrupt_wait()

    def _plan(self, parser: Parser, skip: frozenset[int], generic_ok: frozenset[int] | None,
              on_dump: Callable[[Event, bool], None] | None, dumping: bool,
              counting: bool) -> KindPlan:
        """What the batch loop does with each type. The fast rejections drop rejected events
        unbuilt: not when on_filtered (chisels' clocks) wants them, nor for a -w copy that
        keeps more than what passes (internal events, -F), unless ``dumping``: the compiled
        code then writes the copy (and knows that procinfo, the internal event it may see,
        is kept; every other internal type takes the full path). Without a filter, the
        compiled code hands on what it can when it takes the events itself (``dumping`` or
        ``counting``)."""
        flt = self.capture_filter
        taken = dumping or counting
        quick = self.on_filtered is None and ((flt is not None and on_dump is None) or taken)
        fast_filter = (self.make_fast_filter() if self.make_fast_filter is not None and quick
                       else always if taken and flt is None else None)
        kept = _INTERNAL - {PROCINFO} if dumping else frozenset()
        # a procinfo row the filter cannot pass is visited all the same, to be written
        visited = ({PROCINFO} if dumping and self.filter_types is not None
                   and PROCINFO not in self.filter_types else ())
        return KindPlan(
            parser, skip, generic_ok,
            parser.fast_filter_types(self.filter_types, fast_filter) - kept if quick else (),
            fast_filter, parser.fast_state_types() - kept if quick else (),
            self.filter_types, flt if quick else None, visited)

    def _run_one(self, path: str, on_event: EventSink,
                 on_section: Callable[[CaptureHeader], None] | None,
                 on_dump: Callable[[Event, bool], None] | None,
                 progress: Callable[[CaptureReader], None] | None) -> None:
        state = self.state
        parser = Parser(state, internal_events=self.internal_events)
        state.tracers.dumping = on_dump is not None   # -w keeps tracer fds' write enters
        if self.filter_types is not None:
            ft = self.filter_types
            parser.filter_types = [t in ft for t in range(PPM_EVENT_MAX)]
        flt = self.capture_filter
        counters = self.counters
        # sysdig's -n is a count per file: each -r capture shows up to that many events.
        max_events = None if self.max_events is None else counters.handed_on + self.max_events
        self.events_limit = max_events
        max_dur = self.max_duration_ns
        internal = _INTERNAL
        num = 0
        sections = 0
        leading = 0
        pending: CaptureHeader | None = None
        reader = self._reader = CaptureReader(path)
        process = parser.process_event
        on_filtered = self.on_filtered
        # Internal events need keeping for sinks that want them only if the filter can
        # pass one (a -w copy keeps them all).
        keep_internal = on_dump is not None or (
            self.keep_internal and (self.filter_types is None
                                    or not internal.isdisjoint(self.filter_types)))
        skip = (parser.skippable_types(
            self.filter_types, keep_internal=keep_internal,
            fd_state=self.fd_state or on_dump is not None)
                if flt is not None and on_filtered is None else frozenset())
        generic_ok = (self.filter_syscalls if flt is not None and not self.internal_events
                      and on_filtered is None else None)
        skip_rejected = parser.skip_rejected
        sc_at = _U16.unpack_from
        self.first_ts = 0
        use_fold = (self.fold is not None and on_dump is None and on_filtered is None
                    and max_events is None and max_dur is None)
        use_rows = (self.fold_rows is not None and on_dump is None and on_filtered is None
                    and max_events is None and max_dur is None and not self.internal_events)
        fast: FastPath | CompiledPath | None = None
        try:
            for item in reader:
                if isinstance(item, Section):
                    pending = item.header
                    sections += 1
                    counters.sections += 1
                    leading = 0
                    state.clear()
                    if on_section is not None:
                        on_section(pending)
                    continue
                if progress is not None:
                    progress(reader)
                buf = item.buf
                cols = item.cols
                # A numpy batch goes to the fast path, but the container events that lead a
                # section and the event that ends them go through the loop below first.
                rows = item.rows if cols is None else cols.head(pending is not None)
                start = -1
                for j, (etype, ts, tid, cpu, dflags, hdr, end, npar) in enumerate(rows):
                    if self.stopped or (max_events is not None and counters.handed_on >= max_events):
                        return
                    if pending is not None:
                        if etype in CONTAINER_EVENTS:
                            leading += 1
                            n = num + leading if sections == 1 else leading
                            evt = Event(n, etype, ts, tid, cpu, dflags, buf, hdr, end, npar)
                            process(evt, flt)
                            if on_dump is not None:
                                on_dump(evt, True)
                            continue
                        if sections == 1:
                            num += leading
                        state.load_header(pending)
                        state.first_event_ts = ts
                        pending = None
                    if cols is not None:
                        start = j
                        break
                    num += 1
                    if etype in skip:
                        if skip_rejected(etype, ts, tid, buf, hdr, npar):
                            continue
                    elif (etype < 2 and generic_ok is not None and 0 < npar <= 32
                          and sc_at(buf, hdr + 26 + 2 * npar)[0] not in generic_ok
                          and skip_rejected(etype, ts, tid, buf, hdr, npar)):
                        continue
                    evt = Event(num, etype, ts, tid, cpu, dflags, buf, hdr, end, npar)
                    passed = process(evt, flt)
                    if on_dump is not None:
                        on_dump(evt, passed or etype in internal)
                    if passed:
                        if max_dur is not None:
                            if self.first_ts == 0:
                                self.first_ts = ts
                            elif ts - self.first_ts >= max_dur:
                                self.stopped = True
                                return
                        counters.handed_on += 1
                        on_event(evt)
                    elif on_filtered is not None:
                        on_filtered(evt)
                if cols is not None and pending is None:
                    if fast is None:
                        # The compiled loop may take what it hands on (see _plan)
                        taking = (on_filtered is None and max_events is None and max_dur is None
                                  and not self.internal_events and not use_fold and not use_rows)
                        dumping = taking and self.raw_dump is not None and on_dump is not None
                        counting = taking and self.count_only and on_dump is None
                        plan = self._plan(parser, skip, generic_ok, on_dump, dumping, counting)
                        if (dumping or counting) and plan.rows is None:
                            # (no compiled module: events are built and handed on one by one)
                            dumping = counting = False
                            plan = self._plan(parser, skip, generic_ok, on_dump, False, False)
                        if plan.rows is not None and not use_fold and not use_rows:
                            fast = CompiledPath(self, parser, plan, on_event, on_dump, internal,
                                                self.raw_dump if dumping else None, counting)
                        else:
                            from sysdive.fastloop import FastPath  # numpy
                            fast = FastPath(self, parser, plan, on_event, on_dump, internal,
                                            self.fold_rows if use_rows else None)
                    start = max(start, 0)
                    if use_fold and self.fold is not None:
                        assert not isinstance(fast, CompiledPath)
                        done = fast.run_fold(buf, cols, num, start, self.fold)
                    else:
                        done = fast.run(buf, cols, num, start)
                    num += done
                    if start + done < len(cols):
                        return
        finally:
            counters.read += num
            reader.close()
