"""Field class ``evt (Syscall events only)``: latency, type, direction, args, results, I/O.

libsinsp's ``sinsp_filter_check_event`` (filterchecks.cpp, libs e5c53d64), with its name
parser: ``evt.arg[N]``/``evt.arg.NAME``, ``evt.rawarg.NAME``, ``evt.around[T]``,
``evt.abspath[.src|.dst]`` and ``evt.type.is.TYPE`` take arguments, everything else is the
longest field name that prefixes the text.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sysdive.fields.evt_args import (
    bind_abspath,
    bind_arg,
    bind_args,
    bind_buffer,
    bind_failed,
    bind_rawarg,
    bind_rawres,
    bind_res,
    event_ids,
    flagged_ids,
    longest_param_name,
)
from sysdive.fields.evt_general import clock_inline
from sysdive.fields.evt_misc import EVT_MISC
from sysdive.fields.registry import (
    ArgKind,
    Binder,
    BoundField,
    FieldArg,
    FieldClass,
    FieldContext,
    FieldDef,
    FieldFlag,
    Inline,
    TypedCode,
    longest_prefix,
)
from sysdive.fields.syscall_categories import SYSCALL_CATEGORIES
from sysdive.fields.text import human_time, ts_to_string
from sysdive.format.codegen import Globals, fstring_literal
from sysdive.format.jsonout import quote
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.syscalls import SYSCALL_NAMES
from sysdive.schema.types import Category, EventFlag
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF
from sysdive.state.fds import FdType

if TYPE_CHECKING:
    from sysdive.event import Event

__all__ = ["EVT_CLASS", "AroundMatch", "category_name", "scan_int"]

_NS = 1_000_000_000
_U64 = 0xFFFFFFFFFFFFFFFF
_PPM_EVENT_MAX = len(EVENTS)
_SWITCH = EVENT_BY_ENUM["PPME_SCHEDSWITCH_6_E"].id
_NOT_INTERNAL = event_ids(lambda e: not e.category & Category.INTERNAL)
# Per-type plain booleans: IntFlag arithmetic per event is slow.
_IS_INTERNAL = [e.id not in _NOT_INTERNAL for e in EVENTS]
_INT_RE = re.compile(r"\s*([+-]?\d+)\Z")


def scan_int(text: str, bits: int = 32, signed: bool = True) -> int | None:
    """``sscanf(text, "%d%c")`` accepting only a whole number; wrapped to ``bits`` bits."""
    m = _INT_RE.match(text)
    if m is None:
        return None
    v = int(m.group(1)) & ((1 << bits) - 1)
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def _signed64(v: int) -> int:
    v &= _U64
    return v - (1 << 64) if v >> 63 else v


# --------------------------------------------------------------------------------------------
# name parsing
# --------------------------------------------------------------------------------------------

def _bracket_number(fldname: str, text: str, bits: int, signed: bool) -> tuple[int, int]:
    """``[N]`` after ``fldname``: the number and how many characters were consumed."""
    end = text.find("]")
    numstr = text[len(fldname) + 1:] if end < 0 else text[len(fldname) + 1:end]
    value = scan_int(numstr, bits, signed)
    if value is None:
        raise ValueError(f"{numstr} is not a valid number")
    # Without a closing bracket libsinsp's 32-bit length wraps to 0.
    return value, (0 if end < 0 else end + 1)


def _parse_arg(fields: Mapping[str, FieldDef], fldname: str, text: str,
               raw: bool) -> tuple[FieldDef, FieldArg, int]:
    fdef = fields[fldname]
    sep = text[len(fldname):len(fldname) + 1]
    if sep == "[":
        if raw:
            raise ValueError("evt.arg fields must be expressed explicitly")
        index, consumed = _bracket_number(fldname, text, 32, True)
        return fdef, FieldArg(index=index), consumed
    if sep == ".":
        rest = text[len(fldname) + 1:]
        pname = longest_param_name(rest)
        if pname is None:
            raise ValueError(f"unknown event argument {rest}")
        return fdef, FieldArg(name=pname), len(fldname) + len(pname) + 1
    raise ValueError(f"filter syntax error: {text}")


def _parse_type_is(fields: Mapping[str, FieldDef], text: str) -> tuple[FieldDef, FieldArg, int]:
    fdef = fields["evt.type.is"]
    if text[11:12] != ".":
        raise ValueError(f"filter syntax error: {text}")
    itype = text[12:]
    num = scan_int(itype, 32, False)
    if num is not None:
        return fdef, FieldArg(index=num, name=""), len(text)
    for e in EVENTS:
        if e.name == itype:
            return fdef, FieldArg(index=e.id, name=itype), len(text)
    # An unknown type consumes nothing (the rest then prints as literal text).
    return fdef, FieldArg(index=0, name="?"), 0


def _parse_evt(fields: Mapping[str, FieldDef], text: str) -> tuple[FieldDef, FieldArg, int] | None:
    if text.startswith("evt.arg") and not text.startswith("evt.args"):
        return _parse_arg(fields, "evt.arg", text, raw=False)
    if text.startswith("evt.rawarg"):
        return _parse_arg(fields, "evt.rawarg", text, raw=True)
    if text.startswith("evt.around"):
        fdef = fields["evt.around"]
        sep = text[10:11]
        if sep == "[":
            stamp, consumed = _bracket_number("evt.around", text, 64, False)
            return fdef, FieldArg(index=stamp), consumed
        if sep == ".":
            raise ValueError("wrong syntax for evt.around")
        raise ValueError(f"filter syntax error: {text}")
    if text.startswith("evt.abspath"):
        fdef = fields["evt.abspath"]
        for suffix in ("src", "dst"):
            if text.startswith("evt.abspath." + suffix):
                return fdef, FieldArg(name=suffix), 15
        return fdef, FieldArg(), 11
    if text.startswith("evt.type.is"):
        return _parse_type_is(fields, text)
    return longest_prefix(fields, text)


# --------------------------------------------------------------------------------------------
# binders
# --------------------------------------------------------------------------------------------

def _latency(evt: Event) -> int:
    thread = evt.thread
    return 0 if thread is None else thread.latency


def _latency_binder(kind: str) -> Binder:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        def extract(evt: Event) -> int | None:
            thread = evt.thread
            if thread is None:
                return 0
            if _IS_INTERNAL[evt.type]:
                return None
            lat = thread.latency
            if kind == "s":
                return lat // _NS
            if kind == "ns":
                return lat % _NS
            return lat

        def as_json(evt: Event) -> object:
            v = extract(evt)
            return None if v is None else _signed64(v)
        return BoundField(fdef, name, extract, render_json=as_json)
    return bind


def _bind_quantized(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    def extract(evt: Event) -> int | None:
        if evt.thread is None or _IS_INTERNAL[evt.type]:
            return None
        lat = _latency(evt)
        if lat == 0:
            return None
        # sysdig scales by a screen width that is -1 outside csysdig: 1 below 1e11 ns, and
        # the C conversion of -1.0 to unsigned wraps to 0 above.
        return 0 if lat >= 10**11 else 1
    return BoundField(fdef, name, extract, event_types=_NOT_INTERNAL)


def _bind_latency_human(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    last = ""

    def extract(evt: Event) -> str | None:
        nonlocal last
        if evt.thread is not None:
            if _IS_INTERNAL[evt.type]:
                return None
            last = human_time(_latency(evt))
        # Without a thread libsinsp returns whatever this field produced last.
        return last
    return BoundField(fdef, name, extract)


def _delta_binder(kind: str) -> Binder:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        prev = 0

        def extract(evt: Event) -> int:
            nonlocal prev
            if prev == 0:
                prev = evt.ts
                return 0
            delta = (evt.ts - prev) & _U64
            prev = evt.ts
            if kind == "s":
                return delta // _NS
            if kind == "ns":
                return delta % _NS
            return delta

        def as_json(evt: Event) -> object:
            # sysdig's JSON writer evaluates a token twice, so the second delta is 0.
            extract(evt)
            return _signed64(extract(evt))
        return BoundField(fdef, name, extract, render_json=as_json)
    return bind


def _bind_outputtime(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    mode = ctx.options.time_format
    off = ctx.tz_offset
    prev = 0

    def render(evt: Event) -> str | None:
        nonlocal prev
        ts = evt.ts
        if mode == "a":
            return f"{ts // _NS}.{ts % _NS}"
        if mode == "r":
            rel = (ts - ctx.first_event_ts) & _U64
            return f"{rel // _NS}.{rel % _NS:09d}"
        if mode == "d":
            if evt.thread is None:
                return "0.000000000"
            lat = _latency(evt)
            return f"{lat // _NS}.{lat % _NS:09d}"
        if mode == "D":
            if prev == 0:
                prev = ts
            delta = (ts - prev) & _U64
            prev = ts
            return f"{delta // _NS}.{delta % _NS:09d}"
        if mode == "h":
            return ts_to_string(ts, off, False, True)
        # libsinsp's switch has no default here and falls through into evt.dir.
        return "<" if evt.type & 1 else ">"

    # The default -t h is the time column of every default line: inlined, clock cached.
    inline = clock_inline(off) if mode == "h" else None
    return BoundField(fdef, name, render, render=render,
                      render_json=lambda evt: _signed64(evt.ts), inline=inline)


def _dir_typed(sample: Event, g: Globals, pre: str) -> TypedCode:
    text = "<" if sample.type & 1 else ">"
    return TypedCode(text=fstring_literal(text), json=fstring_literal(quote(text)))


_DIR = Inline("_DIRS[evt.type & 1]", "_JDIRS[evt.type & 1]",
              {"_DIRS": (">", "<"), "_JDIRS": ('">"', '"<"')}, typed=_dir_typed)


def _bind_dir(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    return BoundField(fdef, name, lambda evt: "<" if evt.type & 1 else ">", inline=_DIR,
                      type_value=lambda etype: "<" if etype & 1 else ">")


_U16 = struct.Struct("<H").unpack_from


def _generic_name(evt: Event) -> str:
    # Every generic event of the default output comes here: read the syscall id from the
    # event's bytes when its v2 length array says param 0 is the expected 2 bytes, rather
    # than decoding all its params.
    n = evt.nparams
    hdr = evt.hdr
    if 0 < n <= 32 and not evt.v1 and evt.end - hdr >= 28 + 2 * n:
        buf = evt.buf
        if _U16(buf, hdr + 26)[0] == 2:
            scid = _U16(buf, hdr + 26 + 2 * n)[0]
            return SYSCALL_NAMES[scid] if scid < len(SYSCALL_NAMES) else "<unknown>"
    raw = evt.param(0)
    scid = 0 if raw is None else int.from_bytes(raw[:2], "little")
    return SYSCALL_NAMES[scid] if scid < len(SYSCALL_NAMES) else "<unknown>"


def _type_typed(sample: Event, g: Globals, pre: str) -> TypedCode | None:
    if sample.type < 2:
        return None  # the syscall's name
    name = EVENTS[sample.type].name
    return TypedCode(text=fstring_literal(name), json=fstring_literal(quote(name)))


# Event names need no JSON escaping but take it anyway; generic events name their syscall.
_TYPE = Inline("(evt.info.name if evt.type > 1 else _generic(evt))",
               "(_QUOTED[evt.type] if evt.type > 1 else _quote(_generic(evt)))",
               {"_generic": _generic_name, "_QUOTED": tuple(quote(e.name) for e in EVENTS),
                "_quote": quote}, typed=_type_typed)


def _bind_type(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    def extract(evt: Event) -> str:
        return _generic_name(evt) if evt.type < 2 else evt.info.name
    return BoundField(fdef, name, extract, inline=_TYPE, fast=_fast_type_name)


_TYPE_NAMES = [e.name for e in EVENTS]


def _fast_type_name(etype: int, thread: object, fdinfo: object) -> str:
    # The fast path never sees generic events (their name is in a param).
    return _TYPE_NAMES[etype]


_NOT_SYSCALL = frozenset({_SWITCH}) | flagged_ids(EventFlag.SKIPPARSERESET)


def _bind_syscall_type(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    def extract(evt: Event) -> str | None:
        if evt.type in _NOT_SYSCALL:
            return None
        return _generic_name(evt) if evt.type < 2 else evt.info.name
    types = frozenset(range(_PPM_EVENT_MAX)) - _NOT_SYSCALL
    return BoundField(fdef, name, extract, event_types=types)


def _bind_type_is(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    first = arg.index or 0
    # A number names one id; a name matches its first id and the one after it.
    second = first + 1 if arg.name else _PPM_EVENT_MAX
    return BoundField(fdef, name, lambda evt: 1 if evt.type in (first, second) else 0)


_CATEGORY_NAMES = {
    Category.UNKNOWN: "unknown", Category.OTHER: "other", Category.FILE: "file",
    Category.NET: "net", Category.IPC: "IPC", Category.MEMORY: "memory",
    Category.PROCESS: "process", Category.SLEEP: "sleep", Category.SYSTEM: "system",
    Category.SIGNAL: "signal", Category.USER: "user", Category.TIME: "time",
    Category.PROCESSING: "processing", Category.WAIT: "wait", Category.SCHEDULER: "scheduler",
}
_IO = (Category.IO_READ, Category.IO_WRITE, Category.IO_OTHER)
_SUBCATEGORY: dict[int, str] = {
    FdType.FILE: "file", FdType.FILE_V2: "file", FdType.DIRECTORY: "file",
    FdType.IPV4_SOCK: "net", FdType.IPV6_SOCK: "net", FdType.IPV4_SERVSOCK: "net",
    FdType.IPV6_SERVSOCK: "net", FdType.FIFO: "ipc", FdType.UNIX_SOCK: "ipc",
    FdType.EVENT: "ipc", FdType.SIGNALFD: "ipc", FdType.INOTIFY: "ipc",
}


def category_name(evt: Event) -> str:
    """``evt.category``: I/O events are named after the kind of fd they use."""
    if evt.type < 2:
        raw = evt.param(0)
        scid = 0 if raw is None else int.from_bytes(raw[:2], "little")
        cat = SYSCALL_CATEGORIES[scid] if scid < len(SYSCALL_CATEGORIES) else Category.OTHER
        # Generic events never look at an fd: their I/O subcategory is "none".
        return "unknown" if cat in _IO else _CATEGORY_NAMES.get(cat, "unknown")
    cat = evt.info.category
    if cat in _IO:
        fdinfo = evt.fdinfo
        return "unknown" if fdinfo is None else _SUBCATEGORY.get(fdinfo.type, "unknown")
    return _CATEGORY_NAMES.get(cat, "unknown")


def _bind_category(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    return BoundField(fdef, name, category_name)


def _signed16(v: int) -> int:
    v &= 0xFFFF
    return v - 0x10000 if v & 0x8000 else v


# The header's cpu is a u16 that evt.cpu reads as an INT16. Indexing the texts of the
# common numbers costs half of converting the int each time.
_CPU_EXPR = "(_CPUS[evt.cpu] if 0 <= evt.cpu < 256 else _signed16(evt.cpu))"
_CPU = Inline(_CPU_EXPR, _CPU_EXPR,
              {"_CPUS": tuple(str(i) for i in range(256)), "_signed16": _signed16})


def _bind_cpu(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    return BoundField(fdef, name, lambda evt: evt.cpu, inline=_CPU)


def _bind_around(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    stamp = arg.index or 0

    def extract(evt: Event) -> AroundMatch:
        return AroundMatch(evt.ts, stamp)
    # Displaying it gives <NA> in sysdig; only the filter test means something.
    return BoundField(fdef, name, extract, render=lambda evt: None,
                      render_json=lambda evt: None)


class AroundMatch:
    """The value of ``evt.around[T]``: equal to ``D`` when T lies within D ms of the event.

    sysdig accepts only ``=`` for this field ("evt.around supports only '=' comparison
    operator"); the window bounds are computed with 64-bit unsigned wrap-around.
    """

    __slots__ = ("stamp", "ts")

    def __init__(self, ts: int, stamp: int) -> None:
        self.ts = ts
        self.stamp = stamp

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, int):
            return NotImplemented
        delta = other * 1_000_000
        lo = (self.ts - delta) & _U64
        hi = (self.ts + delta) & _U64
        return lo <= self.stamp <= hi

    def __hash__(self) -> int:
        return hash((self.ts, self.stamp))


def _d(name: str, ptype: PT, fmt: PF, display: str, desc: str, bind: Binder,
       flags: FieldFlag = FieldFlag.NONE, argument: ArgKind = ArgKind.NONE,
       allowed_ops: frozenset[str] | None = None) -> FieldDef:
    return FieldDef(name, ptype, desc, bind, fmt, flags, argument, display,
                    allowed_ops=allowed_ops)


_TABLE = FieldFlag.TABLE_ONLY
_REQ = FieldFlag.REQUIRES_ARGUMENT

EVT_CLASS = FieldClass(
    "evt",
    "Event fields applicable to syscall events. Note that for most events you can access the "
    "individual arguments/parameters of each syscall via evt.arg, e.g. evt.arg.filename.",
    (
        _d("evt.latency", PT.RELTIME, PF.DEC, "Latency", "delta between an exit event and the "
           "correspondent enter event, in nanoseconds.", _latency_binder("")),
        _d("evt.latency.s", PT.RELTIME, PF.DEC, "Latency (s)",
           "integer part of the event latency delta.", _latency_binder("s")),
        _d("evt.latency.ns", PT.RELTIME, PF.PADDED_DEC, "Latency (ns)",
           "fractional part of the event latency delta.", _latency_binder("ns")),
        _d("evt.latency.quantized", PT.UINT64, PF.DEC, "Quantized Latency", "10-base log of "
           "the delta between an exit event and the correspondent enter event.",
           _bind_quantized, _TABLE),
        _d("evt.latency.human", PT.CHARBUF, PF.NA, "Human-Readable Latency", "delta between "
           "an exit event and the correspondent enter event, as a human readable string "
           "(e.g. 10.3ms).", _bind_latency_human),
        _d("evt.deltatime", PT.RELTIME, PF.DEC, "Delta", "delta between this event and the "
           "previous event, in nanoseconds.", _delta_binder("")),
        _d("evt.deltatime.s", PT.RELTIME, PF.DEC, "Delta (s)", "integer part of the delta "
           "between this event and the previous event.", _delta_binder("s")),
        _d("evt.deltatime.ns", PT.RELTIME, PF.PADDED_DEC, "Delta (ns)", "fractional part of "
           "the delta between this event and the previous event.", _delta_binder("ns")),
        _d("evt.outputtime", PT.CHARBUF, PF.NA, "Output Time",
           "this depends on -t param, default is %evt.time ('h').", _bind_outputtime,
           FieldFlag.PRINT_ONLY),
        _d("evt.dir", PT.CHARBUF, PF.DIR, "Direction", "event direction can be either '>' "
           "for enter events or '<' for exit events.", _bind_dir),
        _d("evt.type", PT.CHARBUF, PF.NA, "Type", "The name of the event (e.g. 'open').",
           _bind_type),
        _d("evt.type.is", PT.UINT32, PF.NA, "Type Is", "allows one to specify an event type, "
           "and returns 1 for events that are of that type. For example, evt.type.is.open "
           "returns 1 for open events, 0 for any other event.", _bind_type_is, _REQ,
           ArgKind.EVENT_TYPE),
        _d("syscall.type", PT.CHARBUF, PF.NA, "Syscall Type", "For system call events, the "
           "name of the system call (e.g. 'open'). Unset for other events (e.g. switch or "
           "internal events). Use this field instead of evt.type if you need to make sure "
           "that the filtered/printed value is actually a system call.", _bind_syscall_type),
        _d("evt.category", PT.CHARBUF, PF.NA, "Category", "The event category. Example "
           "values are 'file' (for file operations like open and close), 'net' (for network "
           "operations like socket and bind), memory (for things like brk or mmap), and so "
           "on.", _bind_category),
        _d("evt.cpu", PT.INT16, PF.ID, "CPU Number",
           "number of the CPU where this event happened.", _bind_cpu),
        _d("evt.args", PT.CHARBUF, PF.NA, "Arguments",
           "all the event arguments, aggregated into a single string.", bind_args),
        _d("evt.arg", PT.CHARBUF, PF.NA, "Argument", "one of the event arguments specified "
           "by name or by number. Some events (e.g. return codes or FDs) will be converted "
           "into a text representation when possible. E.g. 'evt.arg.fd' or 'evt.arg[0]'.",
           bind_arg, _REQ, ArgKind.INDEX_OR_NAME),
        _d("evt.rawarg", PT.DYN, PF.NA, "Raw Argument", "one of the event arguments "
           "specified by name. E.g. 'evt.rawarg.fd'.", bind_rawarg, _REQ, ArgKind.NAME),
        _d("evt.info", PT.CHARBUF, PF.NA, "Information", "for most events, this field "
           "returns the same value as evt.args. However, for some events (like writes to "
           "/dev/log) it provides higher level information coming from decoding the "
           "arguments.", bind_args),
        _d("evt.buffer", PT.BYTEBUF, PF.NA, "Buffer", "the binary data buffer for events "
           "that have one, like read(), recvfrom(), etc. Use this field in filters with "
           "'contains' to search into I/O data buffers.", bind_buffer),
        EVT_MISC["evt.buflen"],
        _d("evt.res", PT.CHARBUF, PF.DEC, "Return Value", "event return value, as a string. "
           "If the event failed, the result is an error code string (e.g. 'ENOENT'), "
           "otherwise the result is the string 'SUCCESS'.", bind_res),
        _d("evt.rawres", PT.INT64, PF.DEC, "Raw Return Value", "event return value, as a "
           "number (e.g. -2). Useful for range comparisons.", bind_rawres),
        _d("evt.failed", PT.BOOL, PF.NA, "Failed",
           "'true' for events that returned an error status.", bind_failed),
        *(EVT_MISC[n] for n in (
            "evt.is_io", "evt.is_io_read", "evt.is_io_write", "evt.io_dir", "evt.is_wait",
            "evt.wait_latency", "evt.is_syslog", "evt.count", "evt.count.error",
            "evt.count.error.file", "evt.count.error.net", "evt.count.error.memory",
            "evt.count.error.other", "evt.count.exit", "evt.count.procinfo",
            "evt.count.threadinfo")),
        _d("evt.around", PT.UINT64, PF.DEC, "Around Interval", "Accepts the event if it's "
           "around the specified time interval. The syntax is evt.around[T]=D, where T is the "
           "value returned by %evt.rawtime for the event and D is a delta in milliseconds. For "
           "example, evt.around[1404996934793590564]=1000 will return the events with "
           "timestamp with one second before the timestamp and one second after it, for a "
           "total of two seconds of capture.", _bind_around, FieldFlag.FILTER_ONLY | _REQ,
           ArgKind.TIMESTAMP, allowed_ops=frozenset({"="})),
        _d("evt.abspath", PT.CHARBUF, PF.NA, "Absolute Path", "Absolute path calculated from "
           "dirfd and name during syscalls like renameat and symlinkat. Use 'evt.abspath.src' "
           "or 'evt.abspath.dst' for syscalls that support multiple paths.", bind_abspath, _REQ,
           ArgKind.SUFFIX),
        *(EVT_MISC[n] for n in (
            "evt.buflen.in", "evt.buflen.out", "evt.buflen.file", "evt.buflen.file.in",
            "evt.buflen.file.out", "evt.buflen.net", "evt.buflen.net.in", "evt.buflen.net.out",
            "evt.is_open_read", "evt.is_open_write", "evt.infra.docker.name",
            "evt.infra.docker.container.id", "evt.infra.docker.container.name",
            "evt.infra.docker.container.image", "evt.is_open_exec")),
    ),
    shortdesc="Syscall events only",
    parser=_parse_evt,
)
