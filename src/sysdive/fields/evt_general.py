"""Field class ``evt (All event types)``: event number and timestamps.

libsinsp's ``sinsp_filter_check_gen_event``. Its fields are tried before every other class,
so any name starting with one of them (``evt.time``, ``evt.num``...) belongs here. In ``-j``
output every time field is the raw nanosecond timestamp (or the integer it is built from).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.fields.registry import (
    Binder,
    BoundField,
    FieldArg,
    FieldClass,
    FieldContext,
    FieldDef,
    Inline,
    TypedCode,
)
from sysdive.fields.text import CLOCK_FSTRING, CLOCK_TEXT, Clock, ts_to_iso8601, ts_to_string
from sysdive.format.codegen import Globals, bind_names
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF

if TYPE_CHECKING:
    from sysdive.event import Event

__all__ = ["GEN_EVT_CLASS", "clock_inline"]

_NS = 1_000_000_000
_U64 = 0xFFFFFFFFFFFFFFFF


def _signed64(v: int) -> int:
    v &= _U64
    return v - (1 << 64) if v >> 63 else v


def clock_inline(offset: int) -> Inline:
    """``evt.time`` (and ``evt.outputtime`` in ``-t h``) inline, with a :class:`Clock`; in
    JSON every time field is the timestamp as a signed 64-bit number."""
    env = {"_clock": Clock(offset), "_TOP": 1 << 63, "_signed64": _signed64}
    json = "(evt.ts if evt.ts < _TOP else _signed64(evt.ts))"

    def typed(sample: Event, g: Globals, pre: str) -> TypedCode:
        # The two parts as two f-string fields: no concatenation.
        return TypedCode(text=bind_names(CLOCK_FSTRING, env, g),
                         json="{" + bind_names(json, env, g) + "}")

    return Inline(CLOCK_TEXT, json, env, typed=typed)


# The event number counts from 1 and never reaches 2**63: printed as is.
_NUM = Inline("evt.num", "evt.num")


def _bind_num(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    return BoundField(fdef, name, lambda evt: evt.num, inline=_NUM)


def _time_binder(date: bool, ns: bool) -> Binder:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        off = ctx.tz_offset

        inline = None
        if not date and ns:
            # evt.time: the cached-per-second clock of the default line's evt.outputtime.
            inline = clock_inline(off)

        def extract(evt: Event) -> str:
            return ts_to_string(evt.ts, off, date, ns)

        return BoundField(fdef, name, extract, render=extract,
                          render_json=lambda evt: _signed64(evt.ts), inline=inline)
    return bind


def _bind_iso(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    def extract(evt: Event) -> str:
        return ts_to_iso8601(evt.ts)
    return BoundField(fdef, name, extract, render=extract,
                      render_json=lambda evt: _signed64(evt.ts))


def _int_binder(compute: str) -> Binder:
    """Binder of the integer time fields; JSON shows them as signed 64-bit numbers."""

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        def rel(evt: Event) -> int:
            return (evt.ts - ctx.first_event_ts) & _U64

        getters: dict[str, Callable[[Event], int]] = {
            "raw": lambda evt: evt.ts,
            "raw.s": lambda evt: evt.ts // _NS,
            "raw.ns": lambda evt: evt.ts % _NS,
            "rel": rel,
            "rel.s": lambda evt: rel(evt) // _NS,
            "rel.ns": lambda evt: rel(evt) % _NS,
        }
        get = getters[compute]
        return BoundField(fdef, name, get, render_json=lambda evt: _signed64(get(evt)))
    return bind


def _bind_plugin(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    # Plugin events need the plugin that produced them loaded; sysdive loads none, so these
    # never have a value.
    return BoundField(fdef, name, lambda evt: None, event_types=frozenset())


def _d(name: str, ptype: PT, fmt: PF, display: str, desc: str, bind: Binder) -> FieldDef:
    return FieldDef(name, ptype, desc, bind, fmt, display=display)


GEN_EVT_CLASS = FieldClass(
    "evt",
    "These fields can be used for all event types",
    (
        _d("evt.num", PT.UINT64, PF.ID, "Event Number", "event number.", _bind_num),
        _d("evt.time", PT.CHARBUF, PF.NA, "Time",
           "event timestamp as a time string that includes the nanosecond part.",
           _time_binder(False, True)),
        _d("evt.time.s", PT.CHARBUF, PF.NA, "Time (s)",
           "event timestamp as a time string with no nanoseconds.", _time_binder(False, False)),
        _d("evt.time.iso8601", PT.CHARBUF, PF.NA, "ISO 8601 Time",
           "event timestamp in ISO 8601 format, including nanoseconds and time zone offset "
           "(in UTC).", _bind_iso),
        _d("evt.datetime", PT.CHARBUF, PF.NA, "Datetime",
           "event timestamp as a time string that includes the date.", _time_binder(True, True)),
        _d("evt.datetime.s", PT.CHARBUF, PF.NA, "Datetime (s)",
           "event timestamp as a datetime string with no nanoseconds.",
           _time_binder(True, False)),
        _d("evt.rawtime", PT.ABSTIME, PF.DEC, "Absolute Time",
           "absolute event timestamp, i.e. nanoseconds from epoch.", _int_binder("raw")),
        _d("evt.rawtime.s", PT.ABSTIME, PF.DEC, "Absolute Time (s)",
           "integer part of the event timestamp (e.g. seconds since epoch).",
           _int_binder("raw.s")),
        _d("evt.rawtime.ns", PT.ABSTIME, PF.PADDED_DEC, "Absolute Time (ns)",
           "fractional part of the absolute event timestamp.", _int_binder("raw.ns")),
        _d("evt.reltime", PT.RELTIME, PF.PADDED_DEC, "Relative Time",
           "number of nanoseconds from the beginning of the capture.", _int_binder("rel")),
        _d("evt.reltime.s", PT.RELTIME, PF.DEC, "Relative Time (s)",
           "number of seconds from the beginning of the capture.", _int_binder("rel.s")),
        _d("evt.reltime.ns", PT.RELTIME, PF.PADDED_DEC, "Relative Time (ns)",
           "fractional part (in ns) of the time from the beginning of the capture.",
           _int_binder("rel.ns")),
        _d("evt.pluginname", PT.CHARBUF, PF.NA, "Plugin Name",
           "if the event comes from a plugin, the name of the plugin that generated it. The "
           "plugin must be currently loaded.", _bind_plugin),
        _d("evt.plugininfo", PT.CHARBUF, PF.NA, "Plugin Info",
           "if the event comes from a plugin, a summary of the event as formatted by the "
           "plugin. The plugin must be currently loaded.", _bind_plugin),
    ),
    shortdesc="All event types",
)
