"""The inspector loop over a batch framed by the numpy scan (large captures).

Only the events that need Python are visited: the event types a filter can never match and
that do not change state are classified per batch with one lookup (the prefilter of the
design), and of those:

* kind 0, types whose rejection changes nothing but the inspector's "last event time"
  (EF_SKIPPARSERESET types such as procinfo, and context switches): nothing reads that time
  before the next visited event overwrites it, so they are not visited at all. A removal deferred by the
  previous event (a close's fd, a procexit's thread) is then done by the next visited event,
  or at the end of the batch; the rows in between neither read nor change any table.
* kind 1, types whose rejection only moves their thread's pairing/latency bookkeeping:
  :meth:`Parser.skip_rejected` does that without building an Event (and falls back to the
  full path when it cannot);
* kind 2, everything else: an Event through :meth:`Parser.process_event`;
* kind 3, types the filter can match that change no state, when the filter can be asked
  over (type, thread, fd) alone: :meth:`Parser.reject_fast` rejects them without an Event
  when the filter says no, else they take the kind 2 path.
* kind 4, closes and the enters whose parser only stores them (:meth:`Parser.fast_state_types`):
  :meth:`Parser.reject_state_fast` parses and rejects them without an Event when the filter
  cannot match their type, or says no over (type, thread, fd); else the kind 2 path.

Generic syscall events are kind 1 when their syscall id cannot match (``filter_syscalls``).

With a bulk sink for rows (:attr:`Inspector.fold_rows`), the procinfo events that pass are not
visited one by one either: they change no state (their parse is a thread lookup), so those
between two visited rows are handed on together as one :class:`~sysdive.event_rows.EventRows`,
just before the second visited row, with the thread table as it stands there.

Kinds 1, 3 and 4 run in C when ``sysdive.state._rowparse`` is built
(:meth:`Parser.compiled_rejections`, :class:`~sysdive.compiledloop.CompiledPath`, which needs
no numpy) and no rows are handed on in bulk: it walks the selected rows and stops at each one
that needs an Event; the parser's methods are its reference. The kind of each type is
:class:`~sysdive.compiledloop.KindPlan`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sysdive.compiledloop import CompiledPath, KindPlan
from sysdive.event import Event
from sysdive.event_rows import EventRows
from sysdive.state.parse_tables import (
    BARRIER_TYPES,
    CONTAINER_EVENTS,
    PPM_EVENT_MAX,
    PROCINFO,
    SCAP_DF_STATE_ONLY,
    uses_fd,
)
from sysdive.state.parser import Parser

if TYPE_CHECKING:
    from sysdive.inspector import Inspector
    from sysdive.scap.scan import Columns


_KIND3 = 1 << 40   # more rows than any batch holds
_KIND4 = 2 << 40
_KIND5 = 3 << 40   # a stretch of rows for the bulk sink


class FastPath:
    """Runs column batches of one capture through the parser and the sinks."""

    def __init__(self, insp: Inspector, parser: Parser, plan: KindPlan,
                 on_event: Callable[[Event], None],
                 on_dump: Callable[[Event, bool], None] | None,
                 internal: frozenset[int],
                 fold_rows: Callable[[EventRows], None] | None = None) -> None:
        self.insp = insp
        self.parser = parser
        self.on_event = on_event
        self.on_dump = on_dump
        self.internal = internal
        self.fast_filter = plan.fast_filter
        self.preds = plan.preds
        kind = np.frombuffer(plan.kind, dtype=np.int8)
        if fold_rows is not None and kind[PROCINFO] == 3:
            # The bulk sink takes the procinfo rows (those the filter passes, unbuilt): not
            # the one-by-one rejection.
            kind = kind.copy()
            kind[PROCINFO] = 2
        self.kind = kind
        # The types fold_rows takes (only those the filter may pass), and whether a
        # type-determined filter passes them (asked once).
        self.fold_rows = fold_rows
        self.bulk_ok: bool | None = None
        self.bulk_type = np.zeros(PPM_EVENT_MAX, dtype=np.bool_)
        if fold_rows is not None and kind[PROCINFO] == 2:
            self.bulk_type[PROCINFO] = True
        self.barrier = np.zeros(PPM_EVENT_MAX, dtype=np.bool_)
        self.barrier[list(BARRIER_TYPES)] = True
        self.fd_enter = np.zeros(PPM_EVENT_MAX, dtype=np.bool_)
        self.fd_enter[[t for t in range(0, PPM_EVENT_MAX, 2) if uses_fd(t)]] = True
        # For run_fold: types that take the per-event path, the group representatives.
        self.fold_odd = np.zeros(PPM_EVENT_MAX, dtype=np.bool_)
        self.fold_odd[list(CONTAINER_EVENTS)] = True
        self.fold_seen: dict[int, bool] = {}
        # Batches without bulk rows go to the compiled loop when it is built.
        self.compiled = (CompiledPath(insp, parser, plan, on_event, on_dump, internal)
                         if plan.rows is not None else None)
        self.sc_ok: Any = (None if plan.sc_ok is None
                           else np.frombuffer(plan.sc_ok, dtype=np.bool_))

    def _kinds(self, cols: Columns, nbytes: int) -> Any:
        et = cols.type
        k = self.kind[et]
        if self.sc_ok is not None:
            g = np.flatnonzero((et < 2) & (k == 2))
            if len(g):
                hdr, npar = cols.hdr_npar(g)
                o = hdr + 26 + 2 * npar
                valid = (npar > 0) & (npar <= 32) & (o + 4 <= nbytes)
                o = np.where(valid, o, 0)
                word = cols.w[o >> 2]
                sc = (word >> ((o & 2) << 3).astype(np.uint32)) & 0xFFFF
                k[g[valid & ~self.sc_ok[sc]]] = 1
        return k

    def _live(self, et: Any, ks: Any, tid: Any, hdr: Any, npar: Any, w: Any) -> Any:
        """Which of the selected rows must be visited (None: all of them).

        A kind-1 row only moves its own thread's bookkeeping, and a later kind-1 row of the
        same thread overwrites all of it unless something reads it in between. So within a
        *run* (the kind-1 rows of one thread with no kind-2 row of that thread and no
        barrier in between) only these matter: the first row (it may pair with an enter
        that passed, or meet an unknown thread: both take the full path; after it the
        thread's last enter type is "none", so no later row of the run can pair), the last
        enter (last fd, enter time) and the last exit (latency, spent enter marker). The
        rest are dropped. Barriers are kind-2 rows that create or remove threads (clone,
        execve, procexit); other events read and write only their own thread's bookkeeping.
        Rows that would not take the kind-1 fast path anyway (negative tids, enters without
        a readable fd) are kept.

        A run followed by an enter of the same thread in the same epoch that is visited
        (kind 2 or 3) is dead altogether, but for a first row that is an exit (it may pair):
        that enter's reset overwrites everything the run leaves (last enter type, last fd,
        latency, enter time), and nothing before the next exit reads the rest (the stored
        enter's validity matters only to exits, and each exit sets it). A placeholder the
        run would have invented is then invented by that enter instead, in the same epoch,
        so with the same contents.
        """
        one = ks == 1
        m = len(ks)
        if int(np.count_nonzero(one)) < 2:
            return None
        epoch = np.cumsum(self.barrier[et] & ~one)
        order = np.argsort(tid, kind="stable")
        t_s = tid[order]
        one_s = one[order]
        brk = np.empty(m, dtype=np.bool_)
        brk[0] = True
        brk[1:] = (t_s[1:] != t_s[:-1]) | ~one_s[:-1]
        e_s = epoch[order]
        brk[1:] |= e_s[1:] != e_s[:-1]
        run = np.cumsum(brk)
        keep_s = ~one_s | brk
        enter_s = (et[order] & 1) == 0
        for d in (one_s & enter_s, one_s & ~enter_s):
            pos = np.flatnonzero(d)
            if len(pos):
                r = run[pos]
                lastd = np.empty(len(pos), dtype=np.bool_)
                lastd[:-1] = r[:-1] != r[1:]
                lastd[-1] = True
                keep_s[pos[lastd]] = True
        # Dead runs: the next row of the thread (same epoch) is a visited enter.
        nxt = np.zeros(m, dtype=np.bool_)
        nxt[:-1] = (one_s[:-1] & ~one_s[1:] & enter_s[1:] & (t_s[1:] == t_s[:-1])
                    & (e_s[1:] == e_s[:-1]))
        if nxt.any():
            dead = np.zeros(int(run[-1]) + 1, dtype=np.bool_)
            dead[run[nxt]] = True
            keep_s &= ~(one_s & dead[run] & ~(brk & ~enter_s))
        keep = np.empty(m, dtype=np.bool_)
        keep[order] = keep_s
        # Rows skip_rejected would send down the full path stay.
        keep |= tid >= np.uint64(1 << 63)
        fdent = one & self.fd_enter[et]
        if fdent.any():
            g = np.flatnonzero(fdent)
            o = hdr[g] + 26
            plen = (w[o >> 2] >> ((o & 2) << 3).astype(np.uint32)) & 0xFFFF
            npg = npar[g]
            keep[g[(npg <= 0) | (npg > 32) | (plen < 8)]] = True
        if keep.all():
            return None
        return keep

    def run_fold(self, buf: bytes, cols: Columns, num: int, start: int,
                 fold: Callable[[Event, int], None]) -> int:
        """The batch from row ``start`` on for a bulk sink (:attr:`Inspector.fold`): no
        state, events grouped by (type, syscall id of generic events), the capture filter
        and ``fold`` called once per group with one event of it. Container events (which
        may hide themselves) and generic events whose syscall id is not where the scan
        looks take the per-event path; state-only events are not handed on."""
        insp = self.insp
        if insp.stopped:
            return 0
        parser = self.parser
        flt = insp.capture_filter
        counters = insp.counters
        n = len(cols)
        rows = np.arange(start, n)
        et = cols.type[start:]
        key = et << 16
        odd = self.fold_odd[et]
        fl = cols.flagged
        if fl is not None and fl[start:].any():
            f = np.flatnonzero(fl[start:])
            dfl = cols.fields(rows[f])[3]
            # Never handed on (SCAP_DF_STATE_ONLY) and, without state, of no use.
            key[f[(dfl & SCAP_DF_STATE_ONLY) != 0]] = -1
        g = np.flatnonzero(et < 2)
        if len(g):
            hdr, npar = cols.hdr_npar(rows[g])
            w = cols.w
            nb = len(buf)
            o1 = hdr + 26
            o2 = o1 + 2 * npar
            elen = cols.elen[rows[g]]
            valid = (npar > 0) & (npar <= 32) & (elen >= 28 + 2 * npar) & (o2 + 4 <= nb)
            o1 = np.where(valid, o1, 0)
            o2 = np.where(valid, o2, 0)
            plen = (w[o1 >> 2] >> ((o1 & 2) << 3).astype(np.uint32)) & 0xFFFF
            sc = ((w[o2 >> 2] >> ((o2 & 2) << 3).astype(np.uint32)) & 0xFFFF).astype(np.int64)
            valid &= plen == 2
            key[g] |= np.where(valid, sc, 0)
            odd[g[~valid]] = True
        one = np.flatnonzero(odd & (key >= 0))
        if len(one):
            key[one] = -1
            for i, etype, ts, tid, cpu, dflags, hdr1, end, npar1 in zip(
                    one.tolist(), et[one].tolist(), *(a.tolist() for a in cols.fields(rows[one])),
                    strict=True):
                evt = Event(num + i + 1, etype, ts, tid, cpu, dflags, buf, hdr1, end, npar1)
                if etype < 2:   # not a container event: no state to keep
                    if flt is None or flt(evt):
                        counters.handed_on += 1
                        fold(evt, 1)
                elif parser.process_event(evt, flt):
                    counters.handed_on += 1
                    self.on_event(evt)
        keys, first, counts = np.unique(key, return_index=True, return_counts=True)
        live = keys >= 0
        keys, first, counts = keys[live], first[live], counts[live]
        seen = self.fold_seen
        for k, i, c, ts, tid, cpu, dflags, hdr1, end, npar1 in zip(
                keys.tolist(), first.tolist(), counts.tolist(),
                *(a.tolist() for a in cols.fields(rows[first])), strict=True):
            evt = Event(num + i + 1, k >> 16, ts, tid, cpu, dflags, buf, hdr1, end, npar1)
            ok = seen.get(k)
            if ok is None:
                # Type-determined: the filter says the same for every event of the group.
                ok = seen[k] = flt is None or flt(evt)
            if ok:
                counters.handed_on += c
                fold(evt, c)
        st = parser.state
        st.lastevent_ts = int(cols.fields(np.array([n - 1]))[0][0])
        return n - start

    def _bulk_rows(self, cols: Columns, k: Any) -> tuple[Any, tuple[Any, ...]] | None:
        """The rows (and their header columns) for :attr:`fold_rows`, taken out of ``k``:
        the visited rows of its types but those with dump flags or a tid past 2**63 (the
        full path handles those)."""
        m = self.bulk_type[cols.type] & (k == 2)
        if not m.any():
            return None
        b = np.flatnonzero(m)
        f = cols.fields(b)
        ok = (f[3] == 0) & (f[1] < np.uint64(1 << 63))
        if not ok.all():
            b = b[ok]
            f = tuple(a[ok] for a in f)
            if not len(b):
                return None
        k[b] = 0
        return b, f

    def _hand_rows(self, buf: bytes, num: int, bulk: tuple[Any, tuple[Any, ...]],
                   lo: int, hi: int) -> int:
        """process_event and the sink, for the bulk rows ``lo:hi``, which lie between the
        same two visited rows; returns their last row.

        Their parse is the removals pending from the previous event, then each row's thread
        lookup, all against the same table. The capture filter (type- and
        thread-determined, see :attr:`Inspector.fold_rows`) is asked once per thread. What
        handing on would add, the threads' event times, is left out: no field reads those."""
        parser = self.parser
        st = parser.state
        if st.tid_to_remove != -1 or st.fds_to_remove:
            parser.apply_removals()
        b, f = bulk
        rows = b[lo:hi]
        ts, tid, cpu, dflags, hdr, end, npar = (a[lo:hi] for a in f)
        st.lastevent_ts = int(ts[-1])
        u, first, inv = np.unique(tid, return_index=True, return_inverse=True)
        # Threads in order of first appearance.
        o = np.argsort(first)
        rank = np.empty(len(o), dtype=np.intp)
        rank[o] = np.arange(len(o))
        tget = st.threads.get
        batch = EventRows(PROCINFO, buf, rows + (num + 1), ts, tid.astype(np.int64), cpu,
                          dflags, hdr, end, npar, [tget(t) for t in u[o].tolist()],
                          rank[inv.reshape(-1)], first[o])
        flt = self.insp.capture_filter
        if flt is not None and self.bulk_ok is None:
            if not self.insp.fold_rows_per_thread:  # type-determined: asked once
                self.bulk_ok = flt(batch.event(0))
            else:
                passed = [flt(evt) for _, evt in batch.thread_events(with_missing=True)]
                if not all(passed):
                    if not any(passed):
                        return int(rows[-1])
                    batch = batch.subset(np.array(passed)[batch.thread_index])
        if self.bulk_ok is False:
            return int(rows[-1])
        self.insp.counters.handed_on += len(batch)
        assert self.fold_rows is not None
        self.fold_rows(batch)
        return int(rows[-1])

    def run(self, buf: bytes, cols: Columns, num: int, start: int = 0) -> int:
        """Process the batch from row ``start`` on (``num`` events numbered before it); the
        number of events numbered (fewer than the rows when the inspector stops in it)."""
        insp = self.insp
        parser = self.parser
        st = parser.state
        counters = insp.counters
        max_events = insp.events_limit
        max_dur = insp.max_duration_ns
        flt = insp.capture_filter
        on_event = self.on_event
        on_dump = self.on_dump
        on_filtered = insp.on_filtered
        internal = self.internal
        process = parser.process_event
        skip_rejected = parser.skip_rejected
        reject_fast = parser.reject_fast
        reject_state_fast = parser.reject_state_fast
        may_pass = self.fast_filter
        preds = self.preds
        if insp.stopped or (max_events is not None and counters.handed_on >= max_events):
            return 0
        n = len(cols)
        k = self._kinds(cols, len(buf))
        if start:
            k[:start] = 0
        bulk = self._bulk_rows(cols, k) if self.fold_rows is not None else None
        if self.compiled is not None and bulk is None:
            return self.compiled.run(buf, cols, num, start)
        num -= start
        sel = np.flatnonzero(k)
        et = cols.type[sel]
        ks = k[sel]
        f = cols.fields(sel)
        live = self._live(et, ks, f[1], f[4], f[6], cols.w)
        if live is not None:
            sel, et, ks = sel[live], et[live], ks[live]
            f = tuple(a[live] for a in f)
        last = -1
        i: int
        # Kind 1 is carried as a negative index, kind 3 as the index plus _KIND3 (one
        # column less to convert).
        sel_k = np.where(ks == 1, ~sel, np.where(ks == 3, sel + _KIND3,
                                                 np.where(ks == 4, sel + _KIND4, sel)))
        stretches: list[tuple[int, int]] = []
        if bulk is not None:
            # One marker row per stretch of bulk rows, before the visited row that ends it.
            b = bulk[0]
            seg, lo = np.unique(np.searchsorted(sel, b), return_index=True)
            hi = np.r_[lo[1:], len(b)]
            stretches = list(zip(lo.tolist(), hi.tolist(), strict=True))
            sel_k = np.insert(sel_k, seg, _KIND5 + np.arange(len(seg)))
            et = np.insert(et, seg, 0)
            f = tuple(np.insert(a, seg, 0) for a in f)
        ts_a, tid_a, cpu_a, dfl_a, hdr_a, end_a, npar_a = f
        for i, etype, ts, tid, cpu, dflags, hdr, end, npar in zip(
                sel_k.tolist(), et.tolist(), ts_a.tolist(),
                tid_a.tolist(), cpu_a.tolist(), dfl_a.tolist(), hdr_a.tolist(),
                end_a.tolist(), npar_a.tolist(), strict=True):
            if i >= _KIND5:
                lo1, hi1 = stretches[i - _KIND5]
                last = self._hand_rows(buf, num, bulk, lo1, hi1)  # type: ignore[arg-type]
                continue
            if i < 0:
                i = ~i
                last = i
                if st.tid_to_remove != -1 or st.fds_to_remove:
                    parser.apply_removals()
                if skip_rejected(etype, ts, tid, buf, hdr, npar):
                    continue
            elif i >= _KIND3:
                if i >= _KIND4:
                    i -= _KIND4
                    last = i
                    if st.tid_to_remove != -1 or st.fds_to_remove:
                        parser.apply_removals()
                    pred = preds[etype]
                    if pred is not None and reject_state_fast(
                            etype, ts, tid, cpu, dflags, num + i + 1, buf, hdr, end, npar, pred):
                        continue
                else:
                    i -= _KIND3
                    last = i
                    if st.tid_to_remove != -1 or st.fds_to_remove:
                        parser.apply_removals()
                    if may_pass is not None and reject_fast(etype, ts, tid, dflags, buf, hdr, end,
                                                            npar, may_pass):
                        continue
            else:
                last = i
            evt = Event(num + i + 1, etype, ts, tid, cpu, dflags, buf, hdr, end, npar)
            passed = process(evt, flt)
            if on_dump is not None:
                on_dump(evt, passed or etype in internal)
            if passed:
                if max_dur is not None:
                    if insp.first_ts == 0:
                        insp.first_ts = ts
                    elif ts - insp.first_ts >= max_dur:
                        insp.stopped = True
                        return i + 1 - start
                counters.handed_on += 1
                on_event(evt)
                if insp.stopped or (max_events is not None and counters.handed_on >= max_events):
                    return i + 1 - start
            else:
                if on_filtered is not None:
                    on_filtered(evt)
                if insp.stopped:
                    return i + 1 - start
        if last != n - 1:
            self._end_batch(cols, n)
        return n - start

    def _end_batch(self, cols: Columns, n: int) -> None:
        """After a batch whose last row was not visited: the removals it left pending, and
        its last timestamp as the time the state has reached."""
        st = self.parser.state
        if st.tid_to_remove != -1 or st.fds_to_remove:
            self.parser.apply_removals()
        st.lastevent_ts = int(cols.fields(np.array([n - 1]))[0][0])
