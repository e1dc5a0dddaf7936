"""The batch loop's plan per event type, and the loop itself when ``state/_rowparse.c`` is built.

:class:`KindPlan` says what the batch loops do with a row of each event type (the kinds 0-4
of :mod:`sysdive.fastloop`). :class:`CompiledPath` is the loop over a batch that the compiled
block walk framed: the compiled module selects the rows (``Rows.load_walk``), applies the
rejections and stops at each row that needs Python. It needs no numpy, whose import alone
is a tenth of a filtered read of a million events; :class:`~sysdive.fastloop.FastPath` (numpy)
runs the batches this one cannot: bulk sinks, and a tree without the compiled module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from sysdive.event import Event
from sysdive.scap import blocks as B
from sysdive.state.parse_tables import PPM_EVENT_MAX, skip_kind
from sysdive.state.parser import FastFilter, Parser, never

if TYPE_CHECKING:
    from sysdive.inspector import Inspector
    from sysdive.scap.scan import Columns
    from sysdive.state._rowparse import Rows

__all__ = ["CompiledPath", "KindPlan", "RawDump"]


class RawDump(Protocol):
    """Where a ``-w`` copy takes event blocks that compiled code frames itself."""

    def buffer(self) -> bytearray:
        """The bytes pending for the file, to append blocks to (valid until the next call
        of any other method)."""

    def wrote(self, events: int) -> None:
        """``events`` blocks were appended."""


class KindPlan:
    """Per event type: the kind of its rows (``kind``, one byte per type), the predicate of
    kind 3 (``fast_filter``) and of kind 4 (``preds``), the generic syscall ids a filter may
    match (``sc_ok``, 65536 bytes, or None) and the compiled rejections (``rows``: None when
    the module is not built). ``visited`` are skippable types whose rows are visited all the
    same (kind 1): a copy writes them (procinfo, see Rows.set_dump)."""

    __slots__ = ("fast_filter", "kind", "preds", "rows", "sc_ok")

    def __init__(self, parser: Parser, skip: Iterable[int], generic_ok: frozenset[int] | None,
                 fast_types: Iterable[int] = (), fast_filter: FastFilter | None = None,
                 state_types: Iterable[int] = (), filter_types: frozenset[int] | None = None,
                 event_filter: Callable[[Event], bool] | None = None,
                 visited: Iterable[int] = ()) -> None:
        self.fast_filter = fast_filter
        kind = bytearray([2]) * PPM_EVENT_MAX
        for t in skip:
            kind[t] = skip_kind(t)
        for t in visited:
            kind[t] = 1
        fast_types = tuple(fast_types)
        if fast_filter is not None:
            for t in fast_types:
                if kind[t] == 2:
                    kind[t] = 3
        # Per type, what reject_state_fast asks: never for types the filter cannot match.
        self.preds: list[FastFilter | None] = [None] * PPM_EVENT_MAX
        for t in state_types:
            can_match = filter_types is None or t in filter_types
            pred = fast_filter if can_match else never
            if kind[t] == 2 and pred is not None:
                kind[t] = 4
                self.preds[t] = pred
        self.rows: Rows | None = parser.compiled_rejections(self.preds, fast_filter,
                                                            event_filter)
        if fast_filter is None and event_filter is not None and self.rows is not None:
            # A filter without a fast form: the compiled loop asks it on each row's Event.
            for t in fast_types:
                if kind[t] == 2:
                    kind[t] = 3
        self.sc_ok: bytes | None = None
        if generic_ok is not None and (kind[0] == 2 or kind[1] == 2):
            ok = bytearray(1 << 16)
            for s in generic_ok:
                if 0 <= s < 1 << 16:
                    ok[s] = 1
            self.sc_ok = bytes(ok)
        self.kind = bytes(kind)


class CompiledPath:
    """Runs batches of one capture through the compiled rejections, the parser and the sink."""

    def __init__(self, insp: Inspector, parser: Parser, plan: KindPlan,
                 on_event: Callable[[Event], None],
                 on_dump: Callable[[Event, bool], None] | None,
                 internal: frozenset[int], raw_dump: RawDump | None = None,
                 count_only: bool = False) -> None:
        assert plan.rows is not None
        self.insp = insp
        self.parser = parser
        self.plan = plan
        self.rows: Rows = plan.rows
        self.on_event = on_event
        self.on_dump = on_dump
        self.internal = internal
        self.raw_dump = raw_dump
        # Nothing reads the events that pass (-q): the rows handed on here are only counted.
        self.count_only = count_only

    def run(self, buf: bytes, cols: Columns, num: int, start: int = 0) -> int:
        """Process the batch from row ``start`` on (``num`` events numbered before it); the
        number of events numbered (fewer than the rows when the inspector stops in it)."""
        insp = self.insp
        if insp.stopped or (insp.events_limit is not None
                            and insp.counters.handed_on >= insp.events_limit):
            return 0
        parser = self.parser
        counters = insp.counters
        max_events = insp.events_limit
        max_dur = insp.max_duration_ns
        flt = insp.capture_filter
        on_event = self.on_event
        on_dump = self.on_dump
        on_filtered = insp.on_filtered
        internal = self.internal
        process = parser.process_event
        rows = self.rows
        plan = self.plan
        n = len(cols)
        num -= start
        wi, etype_col, flagged = cols.walked()
        m = rows.load_walk(buf, num, start, wi, etype_col, flagged, plan.kind, plan.sc_ok)
        raw_dump = self.raw_dump
        taken = raw_dump is not None or self.count_only
        if taken:
            # Rows the compiled code hands on go straight into the copy, after anything
            # written before (the section's header), interleaved in order with the rows
            # on_dump writes (the same buffer); or they are counted and dropped.
            rows.set_dump(raw_dump.buffer() if raw_dump is not None else True, B.EV_V2,
                          B.EV_V2_LARGE, B.EVF_V2, B.EVF_V2_LARGE, flt is None)
        advance = rows.advance
        event_at = rows.event_at
        j = 0
        try:
            while True:
                j = advance(j)
                if j >= m:
                    break
                j += 1
                evt = rows.event   # set when parsed and passed by the filter in C
                handed = evt is not None
                if evt is None:
                    evt = event_at(j - 1)
                etype = evt.type       # (before the parser may make a write a tracer event)
                passed = handed or process(evt, flt)
                i = evt.num - num - 1
                if on_dump is not None:
                    on_dump(evt, passed or etype in internal)
                if passed:
                    if max_dur is not None:
                        if insp.first_ts == 0:
                            insp.first_ts = evt.ts
                        elif evt.ts - insp.first_ts >= max_dur:
                            insp.stopped = True
                            return i + 1 - start
                    counters.handed_on += 1
                    on_event(evt)
                    if insp.stopped or (max_events is not None
                                        and counters.handed_on >= max_events):
                        return i + 1 - start
                else:
                    if on_filtered is not None:
                        on_filtered(evt)
                    if insp.stopped:
                        return i + 1 - start
            if rows.last_selected != n - 1:
                # The batch's last row was not visited: the removals it left pending, and
                # its last timestamp as the time the state has reached.
                st = parser.state
                if st.tid_to_remove != -1 or st.fds_to_remove:
                    parser.apply_removals()
                st.lastevent_ts = rows.end_ts
        finally:
            rows.release()
            if taken:
                rows.set_dump(None, 0, 0, 0, 0, False)
                blocks, passed_here = rows.take_dumped()
                counters.handed_on += passed_here
                if raw_dump is not None:
                    raw_dump.wrote(blocks)
        return n - start
