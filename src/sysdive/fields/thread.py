"""The ``thread.*`` fields of sysdig's ``process`` field class.

libsinsp's ``sinsp_filter_check_thread`` serves both ``proc.*`` and ``thread.*``; the class
is assembled in :mod:`sysdive.fields.proc` in sysdig's listing order. The CPU-time fields
keep state per binding, as a libsinsp filter check instance does: ``thread.exectime`` the
last switch time per CPU, ``thread.totexectime`` and ``thread.cpu*`` a value per thread.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from sysdive.fields.lineage import is_main, thread_of
from sysdive.fields.params import decode_int
from sysdive.fields.registry import (
    ArgKind,
    Binder,
    BoundField,
    FieldArg,
    FieldContext,
    FieldDef,
    FieldFlag,
    Inline,
)
from sysdive.fields.text import value_json
from sysdive.schema.events import EVENT_BY_ENUM
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF

if TYPE_CHECKING:
    from collections.abc import Callable

    from sysdive.event import Event
    from sysdive.event_rows import EventRows
    from sysdive.fields.registry import ColumnExtractor
    from sysdive.state.threads import ThreadInfo

__all__ = ["THREAD_FIELDS"]

_SWITCHES = frozenset({EVENT_BY_ENUM["PPME_SCHEDSWITCH_1_E"].id,
                       EVENT_BY_ENUM["PPME_SCHEDSWITCH_6_E"].id})
_PROCINFO = EVENT_BY_ENUM["PPME_PROCINFO_E"].id


def _thread_binder(get: Callable[[ThreadInfo, Event], object]) -> Binder:
    """A field read from the event's thread; missing when the event has none."""

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state

        def extract(evt: Event) -> object:
            t = thread_of(evt, state)
            return None if t is None else get(t, evt)
        return BoundField(fdef, name, extract)
    return bind


def _signed64(v: int) -> int:
    v &= 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >> 63 else v


_TID_TEXTS: dict[int, str] = {}


def _tid_text(tid: int) -> str:
    # The header's tid is a u64 (or already signed) that thread.tid prints as an INT64.
    # Captures have few distinct tids: their texts are kept (bounded), as a lookup costs
    # half of converting the int each time.
    if len(_TID_TEXTS) >= 4096:
        _TID_TEXTS.clear()
    text = _TID_TEXTS[tid] = str(_signed64(tid))
    return text


_TID_EXPR = "(_TID_TEXTS.get(evt.tid) or _tid_text(evt.tid))"
_TID = Inline(_TID_EXPR, _TID_EXPR, {"_TID_TEXTS": _TID_TEXTS, "_tid_text": _tid_text})


def _bind_tid(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    # The one thread field that needs no thread: it is the event header's tid.
    return BoundField(fdef, name, lambda evt: evt.tid, inline=_TID)


class _PerThread:
    """A value per thread object, reset when a tid is reused by a new thread.

    Each entry holds its thread object itself: an id() would be taken over by a new thread
    allocated where a removed one was (a tid coming back after an exit often is)."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[int, tuple[ThreadInfo, float]] = {}

    def get(self, thread: ThreadInfo) -> float:
        entry = self._values.get(thread.tid)
        if entry is None or entry[0] is not thread:
            return 0
        return entry[1]

    def set(self, thread: ThreadInfo, value: float) -> None:
        self._values[thread.tid] = (thread, value)


def _exectime_meter() -> Callable[[Event], int]:
    last: dict[int, int] = {}

    def exectime(evt: Event) -> int:
        if evt.type not in _SWITCHES:
            return 0
        prev = last.get(evt.cpu, 0)
        last[evt.cpu] = evt.ts
        return 0 if prev == 0 else (evt.ts - prev) & 0xFFFFFFFFFFFFFFFF
    return exectime


def _twice_json(bound: BoundField) -> BoundField:
    # sysdig's JSON writer evaluates each token twice; for these stateful fields the second
    # evaluation is the one that is printed.
    def as_json(evt: Event) -> object:
        bound.extract(evt)
        value = bound.extract(evt)
        return None if value is None else value_json(value, bound.type, bound.fmt)
    bound.render_json = as_json
    return bound


def _bind_exectime(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    return _twice_json(BoundField(fdef, name, _exectime_meter()))


def _bind_totexectime(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    meter = _exectime_meter()
    totals = _PerThread()
    state = ctx.state

    def extract(evt: Event) -> int | None:
        delta = meter(evt)
        t = thread_of(evt, state)
        if t is None:
            return None
        total = int(totals.get(t)) + delta
        totals.set(t, total)
        return total
    return _twice_json(BoundField(fdef, name, extract))


_PROCINFO_V2 = struct.Struct("<HHQQ")


def _cpu_total(evt: Event, user: bool, system: bool) -> int:
    total = 0
    for i, wanted in ((0, user), (1, system)):
        raw = evt.param(i)
        if wanted and raw is not None:
            total += decode_int(raw, PT.UINT64)
    return total


def _cpu_binder(user: bool, system: bool) -> Binder:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        last = _PerThread()
        state = ctx.state

        def extract(evt: Event) -> float | None:
            t = thread_of(evt, state)
            if t is None or evt.type != _PROCINFO:
                return None
            hdr = evt.hdr
            if evt.nparams == 2 and not evt.v1 and evt.end - hdr >= 46:
                # The usual layout (two 8-byte params) read in one go: this runs for
                # every procinfo event topprocs_cpu sees.
                l0, l1, usr, sys_ = _PROCINFO_V2.unpack_from(evt.buf, hdr + 26)
                if l0 == 8 and l1 == 8:
                    total = (usr if user else 0) + (sys_ if system else 0)
                else:
                    total = _cpu_total(evt, user, system)
            else:
                total = _cpu_total(evt, user, system)
            total &= 0xFFFFFFFFFFFFFFFF  # a uint64 sum in libsinsp: a total of 2**64 is 0
            prev = last.get(t)
            value = 0.0
            if prev != 0:
                value = min(float((total - int(prev)) & 0xFFFFFFFFFFFFFFFF), 100.0)
            last.set(t, total)
            return value
        bound = BoundField(fdef, name, extract, event_types=frozenset({_PROCINFO}))
        bound.column = _cpu_column(last, user, system)
        return _twice_json(bound)
    return bind


_PROCINFO_ROW: Any = None  # numpy record of a procinfo event's params (made on first use)
_PROCINFO_BYTES: Any = None


def _cpu_column(last: _PerThread, user: bool, system: bool) -> ColumnExtractor:
    """``extract`` of the cpu fields over procinfo rows: each thread's previous total is its
    previous row in ``sel``, or what ``last`` kept for the first."""
    kept = last._values

    def column(rows: EventRows, sel: Any) -> Any:
        import numpy as np

        global _PROCINFO_ROW, _PROCINFO_BYTES
        n = len(sel)
        if rows.etype != _PROCINFO or n == 0:
            return None
        if not ((rows.npar == 2).all() and (rows.end - rows.hdr >= 46).all()):
            return None
        if _PROCINFO_ROW is None:
            _PROCINFO_ROW = np.dtype([("lens", "<u4"), ("usr", "<u8"), ("sys", "<u8")])
            _PROCINFO_BYTES = np.arange(26, 46)
        # The usual layout, as extract reads it: two u16 lengths of 8, then the two u64s.
        rec = np.frombuffer(rows.buf, np.uint8)[rows.hdr[sel][:, None] + _PROCINFO_BYTES]
        rec = rec.view(_PROCINFO_ROW)[:, 0]
        if not (rec["lens"] == 0x80008).all():
            return None
        # The sum wraps past 2**64, as extract's does.
        total = rec["usr"] + rec["sys"] if user and system else rec["usr" if user else "sys"]
        # Per thread, in order: the previous total (its previous row, else what was kept).
        ti = rows.thread_index[sel]
        order = np.argsort(ti, kind="stable")
        ti_s = ti[order]
        tot_s = total[order]
        brk = np.empty(n, dtype=np.bool_)
        brk[0] = True
        np.not_equal(ti_s[1:], ti_s[:-1], out=brk[1:])
        starts = np.flatnonzero(brk)
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:] - 1
        ends[-1] = n - 1
        threads = rows.threads
        prevs = []
        for j, tot in zip(ti_s[starts].tolist(), tot_s[ends].tolist(), strict=True):
            t = threads[j]
            if t is None:
                return None
            # _PerThread.get and set, inlined: this runs for every thread of every stretch.
            entry = kept.get(t.tid)
            prevs.append(0 if entry is None or entry[0] is not t else entry[1])
            kept[t.tid] = (t, tot)
        prev_s = np.empty(n, dtype=np.uint64)
        prev_s[1:] = tot_s[:-1]
        prev_s[starts] = prevs
        val_s = np.minimum((tot_s - prev_s).astype(np.float64), 100.0)
        val_s[prev_s == 0] = 0.0
        out = np.empty(n, dtype=np.float64)
        out[order] = val_s
        return out
    return column


def _cgroups(t: ThreadInfo, evt: Event) -> str | None:
    if not t.cgroups:
        return None
    return " ".join(f"{subsys}={path}" for subsys, path in t.cgroups)


def _bind_cgroup(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    subsys = arg.name

    def get(t: ThreadInfo, evt: Event) -> str | None:
        for key, path in t.cgroups:
            if key == subsys:
                return path
        return None
    return _thread_binder(get)(ctx, fdef, arg, name)


def _vid(get: Callable[[ThreadInfo], int]) -> Callable[[ThreadInfo, Event], int | None]:
    def read(t: ThreadInfo, evt: Event) -> int | None:
        v = get(t)
        return None if v == -1 else v
    return read


def _main_only(get: Callable[[ThreadInfo], int]) -> Callable[[ThreadInfo, Event], int]:
    return lambda t, evt: get(t) if is_main(t) else 0


def _d(name: str, ptype: PT, fmt: PF, display: str, desc: str, bind: Binder,
       flags: FieldFlag = FieldFlag.NONE, argument: ArgKind = ArgKind.NONE) -> FieldDef:
    return FieldDef(name, ptype, desc, bind, fmt, flags, argument, display)


_U = PT.UINT64
_T = FieldFlag.TABLE_ONLY
_MT = "For the process main thread, this is the"
_OT = "For the other threads, this field is zero."

_DEFS = (
    _d("thread.pfmajor", _U, PF.DEC, "Major Page Faults",
       "number of major page faults since thread start.",
       _thread_binder(lambda t, e: t.pfmajor)),
    _d("thread.pfminor", _U, PF.DEC, "Minor Page Faults",
       "number of minor page faults since thread start.",
       _thread_binder(lambda t, e: t.pfminor)),
    _d("thread.tid", PT.INT64, PF.ID, "Thread ID",
       "the id of the thread generating the event.", _bind_tid),
    _d("thread.ismain", PT.BOOL, PF.NA, "Main Thread",
       "'true' if the thread generating the event is the main one in the process.",
       _thread_binder(lambda t, e: is_main(t))),
    _d("thread.exectime", PT.RELTIME, PF.DEC, "Scheduled Thread CPU Time",
       "CPU time spent by the last scheduled thread, in nanoseconds. Exported by switch "
       "events only.", _bind_exectime),
    _d("thread.totexectime", PT.RELTIME, PF.DEC, "Current Thread CPU Time",
       "Total CPU time, in nanoseconds since the beginning of the capture, for the current "
       "thread. Exported by switch events only.", _bind_totexectime),
    _d("thread.cgroups", PT.CHARBUF, PF.NA, "Thread Cgroups", "all the cgroups the thread "
       "belongs to, aggregated into a single string.", _thread_binder(_cgroups)),
    _d("thread.cgroup", PT.CHARBUF, PF.NA, "Thread Cgroup", "the cgroup the thread belongs "
       "to, for a specific subsystem. E.g. thread.cgroup.cpuacct.", _bind_cgroup,
       FieldFlag.REQUIRES_ARGUMENT, ArgKind.SUBSYSTEM),
    _d("thread.vtid", PT.INT64, PF.ID, "Virtual Thread ID", "the id of the thread generating "
       "the event as seen from its current PID namespace.",
       _thread_binder(_vid(lambda t: t.vtid))),
    _d("thread.cpu", PT.DOUBLE, PF.NA, "Thread CPU",
       "the CPU consumed by the thread in the last second.", _cpu_binder(True, True)),
    _d("thread.cpu.user", PT.DOUBLE, PF.NA, "Thread User CPU",
       "the user CPU consumed by the thread in the last second.", _cpu_binder(True, False)),
    _d("thread.cpu.system", PT.DOUBLE, PF.NA, "Thread System CPU",
       "the system CPU consumed by the thread in the last second.", _cpu_binder(False, True)),
    _d("thread.vmsize", _U, PF.DEC, "Thread VM Size (kb)",
       f"{_MT} total virtual memory for the process (as kb). {_OT}",
       _thread_binder(_main_only(lambda t: t.vmsize_kb))),
    _d("thread.vmrss", _U, PF.DEC, "Thread VM RSS (kb)",
       f"{_MT} resident non-swapped memory for the process (as kb). {_OT}",
       _thread_binder(_main_only(lambda t: t.vmrss_kb))),
    _d("thread.vmsize.b", _U, PF.DEC, "Thread VM Size (b)",
       f"{_MT} total virtual memory for the process (in bytes). {_OT}",
       _thread_binder(_main_only(lambda t: t.vmsize_kb * 1024)), _T),
    _d("thread.vmrss.b", _U, PF.DEC, "Thread VM RSS (b)",
       f"{_MT} resident non-swapped memory for the process (in bytes). {_OT}",
       _thread_binder(_main_only(lambda t: t.vmrss_kb * 1024)), _T),
    _d("thread.nametid", PT.CHARBUF, PF.NA, "Thread Name + ID", "this field chains the "
       "process name and tid of a thread and can be used as a specific identifier of a "
       "thread for a specific execve.", _thread_binder(lambda t, e: t.comm + str(e.tid)), _T),
)

THREAD_FIELDS: dict[str, FieldDef] = {d.name: d for d in _DEFS}
"""The ``thread.*`` definitions by name."""
