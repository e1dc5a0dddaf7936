"""Field classes ``span`` and ``evtin``: sysdig tracers (libsinsp's
``sinsp_filter_check_tracer`` and ``sinsp_filter_check_evtin``).

``span.*`` fields describe a ``tracer`` event: they read the tracer parser of the event's
thread (its last parse) and, for durations and arguments, the span state that
:mod:`sysdive.state.tracers` keeps once a field asks for it. ``span.args`` shows
``name=value`` pairs (``evt.args`` of a tracer shows ``name:value``).

``evtin.*`` fields describe the spans open around any other event: on the thread that opened
them (``evtin.span.*``), in its process (``.p.``, which libsinsp in fact restricts to the same
thread too), in sibling processes of the same parent (``.s.``) or anywhere (``.m.``). In a
filter a comparison holds when it holds for any such span (for a tracer exit, also the span
it just closed); printed, the newest such span is shown. ``evtin.span.arg.NAME`` takes a
*param name of the event table* and then shows the span's last argument, as 0.29.3 does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sysdive.fields.evt import scan_int
from sysdive.fields.evt_args import longest_param_name
from sysdive.fields.lineage import thread_of
from sysdive.fields.registry import (
    ArgKind,
    BoundField,
    FieldArg,
    FieldClass,
    FieldContext,
    FieldDef,
    FieldFlag,
)
from sysdive.fields.text import human_time, local_offset, ts_to_string
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF
from sysdive.state.tracers import TRACER_E, TRACER_X, PartialTracer, TracerParser

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.state.tables import State
    from sysdive.state.threads import ThreadInfo

__all__ = ["EVTIN_CLASS", "SPAN_CLASS"]

TEXT_ARG_ID = -1000000
_TRACERS = frozenset({TRACER_E, TRACER_X})
_TABLE = FieldFlag.TABLE_ONLY
_REQ = FieldFlag.REQUIRES_ARGUMENT
# The span fields that make libsinsp keep span state (and give nothing without an enter).
_NEEDS_STATE = frozenset({
    "span.duration", "span.duration.quantized", "span.duration.human",
    "span.duration.fortag", "span.arg", "span.args", "span.enterarg", "span.enterargs",
    "span.idtag", "span.time", "span.rawtime", "span.rawparenttime"})


def _text(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _bracket(fldname: str, text: str) -> tuple[int, int]:
    end = text.find("]")
    numstr = text[len(fldname) + 1:] if end < 0 else text[len(fldname) + 1:end]
    value = scan_int(numstr, 32, True)
    if value is None:
        raise ValueError(f"{numstr} is not a valid number")
    return value, (0 if end < 0 else end + 1)


def _pick(items: list[bytes], index: int) -> bytes | None:
    if index >= 0:
        return items[index] if index < len(items) else None
    i = len(items) + index
    return items[i] if i >= 0 else None


# --------------------------------------------------------------------------------------------
# span.*
# --------------------------------------------------------------------------------------------

def _parse_span(fields: Mapping[str, FieldDef], text: str) -> tuple[FieldDef, FieldArg, int] | None:
    for fld, plural in (("span.tag", "span.tags"), ("span.arg", "span.args"),
                        ("span.enterarg", "span.enterargs"), ("span.duration.fortag", ""),
                        ("span.count.fortag", ""), ("span.childcount.fortag", ""),
                        ("span.idtag", "")):
        if text.startswith(fld) and not (plural and text.startswith(plural)):
            sep = text[len(fld):len(fld) + 1]
            if sep == "[":
                index, consumed = _bracket(fld, text)
                return fields[fld], FieldArg(index=index), consumed
            if sep == ".":
                if fld in ("span.tag", "span.idtag"):
                    raise ValueError(f"invalid syntax for {fld}")
                return fields[fld], FieldArg(index=TEXT_ARG_ID, name=text[len(fld) + 1:]), len(text)
            raise ValueError(f"filter syntax error: {text}")
    best: FieldDef | None = None
    for name, fdef in fields.items():
        if text.startswith(name) and (best is None or len(name) > len(best.name)):
            best = fdef
    if best is None:
        return None
    return best, FieldArg(), len(best.name)


def _args_text(pae: PartialTracer | None, sep: str) -> str | None:
    if pae is None:
        return None
    return ",".join(_text(n) + sep + _text(v)
                    for n, v in zip(pae.argnames, pae.argvals, strict=False))


def _arg_of(pae: PartialTracer | None, arg: FieldArg) -> str | None:
    if pae is None:
        return None
    if arg.index == TEXT_ARG_ID:
        want = arg.name.encode("utf-8", "surrogateescape")
        for n, v in zip(pae.argnames, pae.argvals, strict=False):
            if n == want:
                return _text(v)
        return None
    got = _pick(pae.argvals, arg.index if arg.index is not None else 0)
    return None if got is None else _text(got)


def _duration(evt: Event, tp: TracerParser) -> int | None:
    if evt.type != TRACER_X:
        return None
    pae = tp.enter_pae
    if pae is None:
        return None
    d = tp.exit_pae.time - pae.time
    return d if d >= 0 else 0


SpanGetter = Callable[["Event", TracerParser, FieldArg, FieldContext], object]


def _span_binder(get: SpanGetter) -> Callable[[FieldContext, FieldDef, FieldArg, str], BoundField]:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state
        needs_state = fdef.name in _NEEDS_STATE
        if needs_state:
            state.tracers.request_tracking()

        def extract(evt: Event) -> object:
            if evt.type not in _TRACERS:
                return None
            t = thread_of(evt, state)
            if t is None:
                return None
            tp: TracerParser | None = t.tracer
            if tp is None or (needs_state and tp.enter_pae is None):
                return None
            return get(evt, tp, arg, ctx)
        return BoundField(fdef, name, extract, event_types=_TRACERS)
    return bind


def _tags(evt: Event, tp: TracerParser, arg: FieldArg, ctx: FieldContext) -> str:
    # Each tag is cut to its recorded length; past the lengths of this parse libsinsp reads
    # the ones an earlier parse left in the same buffer.
    lens = tp.taglens
    mem = tp.taglen_mem
    out = []
    for i, tag in enumerate(tp.tags):
        n = lens[i] if i < len(lens) else mem[i] if i < len(mem) else len(tag)
        out.append(_text(tag[:n]))
    return ".".join(out)


def _tag(evt: Event, tp: TracerParser, arg: FieldArg, ctx: FieldContext) -> str | None:
    got = _pick(tp.tags, arg.index or 0)
    return None if got is None else _text(got)


def _idtag(evt: Event, tp: TracerParser, arg: FieldArg, ctx: FieldContext) -> str:
    got = _pick(tp.tags, arg.index or 0)
    return str(tp.id) + ("" if got is None else _text(got))


def _own_pae(evt: Event, tp: TracerParser) -> PartialTracer | None:
    return tp.enter_pae if evt.type == TRACER_E else tp.exit_pae


def _quantized(evt: Event, tp: TracerParser, arg: FieldArg, ctx: FieldContext) -> int | None:
    d = _duration(evt, tp)
    if not d:
        return None
    # libsinsp scales by csysdig's screen width, -1 in sysdig (see evt.latency.quantized).
    return 0 if d >= 10**11 else 1


def _time(evt: Event, tp: TracerParser, arg: FieldArg, ctx: FieldContext) -> str:
    return ts_to_string(evt.ts, local_offset(), False, True)


def _parent_time(evt: Event, tp: TracerParser, arg: FieldArg, ctx: FieldContext) -> str | None:
    pae = tp.enter_pae
    if pae is None:
        return None
    parent = ctx.state.tracers.parent(pae)
    return None if parent is None else str(parent.time)


def _fortag(evt: Event, tp: TracerParser, arg: FieldArg, ctx: FieldContext) -> int | None:
    return _duration(evt, tp) if len(tp.tags) - 1 == arg.index else None


def _s(name: str, ptype: PT, fmt: PF, display: str, desc: str, get: SpanGetter,
       flags: FieldFlag = FieldFlag.NONE) -> FieldDef:
    argument = ArgKind.NONE
    if flags & _REQ:
        argument = ArgKind.INDEX_OR_NAME if name.endswith("arg") else ArgKind.INDEX
    return FieldDef(name, ptype, desc, _span_binder(get), fmt, flags, argument, display)


SPAN_CLASS = FieldClass(
    "span",
    "Fields used if information about distributed tracing is available.",
    (
        _s("span.id", PT.INT64, PF.ID, "Span ID", "ID of the span. This is a unique identifier "
           "that is used to match the enter and exit tracer events for this span. It can also be "
           "used to match different spans belonging to a trace.",
           lambda e, tp, a, c: tp.id),
        _s("span.time", PT.CHARBUF, PF.NA, "Time", "time of the span's enter tracer as a human "
           "readable string that includes the nanosecond part.", _time),
        _s("span.ntags", PT.UINT32, PF.DEC, "Tag Count", "number of tags that this span has.",
           lambda e, tp, a, c: len(tp.tags)),
        _s("span.nargs", PT.UINT32, PF.DEC, "Argument Count",
           "number of arguments that this span has.",
           lambda e, tp, a, c: None if tp.enter_pae is None else len(tp.enter_pae.argvals)),
        _s("span.tags", PT.CHARBUF, PF.NA, "Tags", "dot-separated list of all of the span's "
           "tags.", _tags),
        _s("span.tag", PT.CHARBUF, PF.NA, "Tag", "one of the span's tags, specified by 0-based "
           "offset, e.g. 'span.tag[1]'. You can use a negative offset to pick elements from the "
           "end of the tag list. For example, 'span.tag[-1]' returns the last tag.", _tag, _REQ),
        _s("span.args", PT.CHARBUF, PF.NA, "Arguments", "comma-separated list of the span's "
           "arguments.", lambda e, tp, a, c: _args_text(_own_pae(e, tp), "=")),
        _s("span.arg", PT.CHARBUF, PF.NA, "Argument", "one of the span arguments, specified by "
           "name or by 0-based offset. E.g. 'span.arg.xxx' or 'span.arg[1]'. You can use a "
           "negative offset to pick elements from the end of the tag list. For example, "
           "'span.arg[-1]' returns the last argument.",
           lambda e, tp, a, c: _arg_of(_own_pae(e, tp), a), _REQ),
        _s("span.enterargs", PT.CHARBUF, PF.NA, "Enter Arguments", "comma-separated list of "
           "the span's enter tracer event arguments. For enter tracers, this is the same as "
           "evt.args. For exit tracers, this is the evt.args of the corresponding enter tracer.",
           lambda e, tp, a, c: _args_text(tp.enter_pae, "=")),
        _s("span.enterarg", PT.CHARBUF, PF.NA, "Enter Argument", "one of the span's enter "
           "arguments, specified by name or by 0-based offset. For enter tracer events, this is "
           "the same as evt.arg. For exit tracer events, this is the evt.arg of the "
           "corresponding enter event.", lambda e, tp, a, c: _arg_of(tp.enter_pae, a), _REQ),
        _s("span.duration", PT.RELTIME, PF.DEC, "Duration", "delta between this span's exit "
           "tracer event and the enter tracer event.", lambda e, tp, a, c: _duration(e, tp)),
        _s("span.duration.quantized", PT.UINT64, PF.DEC, "Quantized Duration", "10-base log of "
           "the delta between an exit tracer event and the correspondent enter event.",
           _quantized, _TABLE),
        _s("span.duration.human", PT.CHARBUF, PF.NA, "Human-Readable Duration", "delta "
           "between this span's exit tracer event and the enter event, as a human readable "
           "string (e.g. 10.3ms).",
           lambda e, tp, a, c: None if (d := _duration(e, tp)) is None else human_time(d)),
        _s("span.duration.fortag", PT.RELTIME, PF.DEC, "Duration For Tag", "duration of the "
           "span if the number of tags matches the field argument, otherwise 0. For example, "
           "span.duration.fortag[1] returns the duration of all the spans with 1 tag, and zero "
           "for all the other ones.", _fortag, _TABLE | _REQ),
        _s("span.count", PT.UINT64, PF.DEC, "Span Count", "1 for span exit events.",
           lambda e, tp, a, c: 1 if e.type == TRACER_X else 0, _TABLE),
        _s("span.count.fortag", PT.UINT64, PF.DEC, "Count For Tag", "1 if the span's number of "
           "tags matches the field argument, and zero for all the other ones.",
           lambda e, tp, a, c: int(e.type == TRACER_X and len(tp.tags) - 1 == a.index),
           _TABLE | _REQ),
        _s("span.childcount.fortag", PT.UINT64, PF.DEC, "Child Count For Tag", "1 if the "
           "span's number of tags is greater than the field argument, and zero for all the "
           "other ones.",
           lambda e, tp, a, c: int(e.type == TRACER_X and len(tp.tags) > (a.index or 0) + 1),
           _TABLE | _REQ),
        _s("span.idtag", PT.CHARBUF, PF.NA, "List View ID", "id used by the span list view.",
           _idtag, _TABLE | _REQ),
        _s("span.rawtime", PT.CHARBUF, PF.NA, "List View Time", "id used by the span list "
           "view.", lambda e, tp, a, c: None if tp.enter_pae is None else str(tp.enter_pae.time),
           _TABLE),
        _s("span.rawparenttime", PT.CHARBUF, PF.NA, "List View Parent Time", "id used by the "
           "span list view.", _parent_time, _TABLE),
    ),
    parser=_parse_span,
)


# --------------------------------------------------------------------------------------------
# evtin.*
# --------------------------------------------------------------------------------------------

_SCOPES = ("", "p.", "s.", "m.")


def _parse_evtin(fields: Mapping[str, FieldDef], text: str) -> tuple[FieldDef, FieldArg, int] | None:
    if not text.startswith("evtin"):
        return None
    for scope in _SCOPES:
        for kind in ("tag", "arg"):
            fld = f"evtin.span.{scope}{kind}"
            if text.startswith(fld) and not text.startswith(fld + "s"):
                sep = text[len(fld):len(fld) + 1]
                if sep == "[":
                    index, consumed = _bracket(fld, text)
                    return fields[fld], FieldArg(index=index), consumed
                if sep == ".":
                    rest = text[len(fld) + 1:]
                    pname = longest_param_name(rest)
                    if pname is None:
                        raise ValueError(f"unknown event argument {rest}")
                    # libsinsp then looks the value up as index -1: the last argument
                    return fields[fld], FieldArg(index=-1, name=pname), len(fld) + len(pname) + 1
                raise ValueError(f"filter syntax error: {text}")
    best: FieldDef | None = None
    for name, fdef in fields.items():
        if text.startswith(name) and (best is None or len(name) > len(best.name)):
            best = fdef
    if best is None:
        return None
    return best, FieldArg(), len(best.name)


PaeGetter = Callable[[PartialTracer, FieldArg], object]


class _EvtinField(BoundField):
    """An evtin field for filters: ``extract`` gives ``(own, *others)``, see the compiler."""

    __slots__ = ()
    veto_first = True


def _in_scope(scope: str, pae: PartialTracer, t: ThreadInfo, state: State) -> bool:
    if scope == "m.":
        return True
    if scope == "":
        return pae.tid == t.tid
    owner = state.threads.get(pae.tid)
    if owner is None:
        return False
    if scope == "p.":
        return owner.tid == t.tid
    return owner.pid == t.ptid


def _evtin_binder(scope: str, get: PaeGetter) -> Callable[[FieldContext, FieldDef, FieldArg, str], BoundField]:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state
        tracers = state.tracers
        tracers.request_tracking()

        def values(evt: Event) -> tuple[object, ...]:
            # What libsinsp's compare scans: the open spans, newest first; for a tracer
            # exit also the span it just closed (already off the list). A tracer enter's
            # own span, just opened, does not count.
            t = thread_of(evt, state)
            if t is None:
                return (None,)
            tp: TracerParser | None = t.tracer
            own = tp.enter_pae if tp is not None and evt.type == TRACER_E else None
            first: object = None
            out: list[object] = []
            for i, pae in enumerate(tracers.open):
                if not _in_scope(scope, pae, t, state):
                    continue
                v = get(pae, arg)
                if v is None:
                    continue
                if i == 0 and pae is own:
                    first = v
                else:
                    out.append(v)
            if evt.type == TRACER_X and tp is not None and tp.enter_pae is not None \
                    and _in_scope(scope, tp.enter_pae, t, state):
                v = get(tp.enter_pae, arg)
                if v is not None:
                    out.append(v)
            return (first, *out)

        def first(evt: Event) -> object:
            if evt.type in _TRACERS:
                return None
            t = thread_of(evt, state)
            if t is None or t.tracer is None:
                return None
            for pae in tracers.open:
                if _in_scope(scope, pae, t, state):
                    v = get(pae, arg)
                    if v is not None:
                        return v
            return None

        bound = _EvtinField(fdef, name, values)
        plain = BoundField(fdef, name, first)
        bound.render = plain.render
        bound.render_json = plain.render_json
        return bound
    return bind


def _pae_args(pae: PartialTracer, arg: FieldArg) -> str:
    return _args_text(pae, ":") or ""


def _pae_tag(pae: PartialTracer, arg: FieldArg) -> str | None:
    got = _pick(pae.tags, arg.index or 0)
    return None if got is None else _text(got)


def _pae_arg(pae: PartialTracer, arg: FieldArg) -> str | None:
    got = _pick(pae.argvals, arg.index if arg.index is not None else 0)
    return None if got is None else _text(got)


_KINDS: tuple[tuple[str, PT, PF, str, str, PaeGetter], ...] = (
    ("id", PT.INT64, PF.ID, "ID", "ID", lambda pae, a: pae.id),
    ("ntags", PT.UINT32, PF.DEC, "Tag Count", "number of tags", lambda pae, a: len(pae.tags)),
    ("nargs", PT.UINT32, PF.DEC, "Argument Count", "number of arguments",
     lambda pae, a: len(pae.argvals)),
    ("tags", PT.CHARBUF, PF.NA, "Tags", "tags",
     lambda pae, a: ".".join(_text(t) for t in pae.tags)),
    ("tag", PT.CHARBUF, PF.NA, "Tag", "tag", _pae_tag),
    ("args", PT.CHARBUF, PF.NA, "Arguments", "arguments", _pae_args),
    ("arg", PT.CHARBUF, PF.NA, "Argument", "argument", _pae_arg),
)
_DISPLAY = {"": "In Span ", "p.": "In Parent ", "s.": "In Script ", "m.": "In Machine "}


def _evtin_desc(scope: str, kind: str, what: str) -> str:
    if scope == "":
        extra = (f" See the description of span.{kind} for information about the syntax "
                 "accepted by this field.") if kind in ("tag", "arg") else ""
        return ("accepts all the events that are between the enter and exit tracers of the "
                f"spans with the given {what} and are generated by the same thread that "
                f"generated the tracers.{extra}")
    if scope == "p.":
        return (f"same as evtin.span.{kind}, but also accepts events generated by other threads "
                "in the same process that produced the span.")
    if scope == "s.":
        return ("same as evtin.span.id, but also accepts events generated by the script that "
                "produced the span, i.e. by the processes whose parent PID is the same as the "
                "one of the process generating the span.")
    return ("same as evtin.span.id, but accepts all the events generated on the machine during "
            "the span, including other threads and other processes.")


def _evtin_fields() -> tuple[FieldDef, ...]:
    out = []
    for scope in _SCOPES:
        for kind, ptype, fmt, display, what, get in _KINDS:
            flags = _REQ if kind in ("tag", "arg") else FieldFlag.NONE
            argument = ArgKind.INDEX_OR_NAME if flags else ArgKind.NONE
            disp = _DISPLAY[scope] + ("ID" if kind == "id" and scope else display)
            out.append(FieldDef(f"evtin.span.{scope}{kind}", ptype, _evtin_desc(scope, kind, what),
                                _evtin_binder(scope, get), fmt, flags, argument, disp))
    return tuple(out)


EVTIN_CLASS = FieldClass(
    "evtin",
    "Fields used if information about distributed tracing is available.",
    _evtin_fields(),
    parser=_parse_evtin,
)
