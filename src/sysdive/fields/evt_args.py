"""The argument-based ``evt`` fields: evt.arg, evt.rawarg, evt.args/info, evt.buffer, results.

These read the event's own params (only those the event carries: a param missing from an
old event version is missing here too) through :mod:`sysdive.fields.params`, with libsinsp's
rules from ``sinsp_filter_check_event`` (filterchecks.cpp, libs e5c53d64).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from sysdive.fields.info import info_inline, info_renderer
from sysdive.fields.params import (
    AT_FDCWD,
    PARAM_WIDTHS,
    SIGNED_PARAMS,
    decode_int,
    param_at,
    param_bytes_by_name,
    param_index_table,
    param_renderers,
)
from sysdive.fields.registry import BoundField, FieldArg, FieldContext, FieldDef
from sysdive.fields.text import concatenate_paths, decode_cstring
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS
from sysdive.schema.types import EventFlag, EventInfo, ParamType, PrintFormat

if TYPE_CHECKING:
    from sysdive.event import Event

__all__ = [
    "bind_abspath",
    "bind_arg",
    "bind_args",
    "bind_buffer",
    "bind_failed",
    "bind_rawarg",
    "bind_rawres",
    "bind_res",
    "error_count",
    "event_ids",
    "exit_result",
    "flagged_ids",
    "longest_param_name",
    "raw_value",
]

PT = ParamType


def event_ids(pred: Callable[[EventInfo], bool]) -> frozenset[int]:
    """The ids of the event types satisfying ``pred``."""
    return frozenset(e.id for e in EVENTS if pred(e))


def flagged_ids(mask: EventFlag) -> frozenset[int]:
    """The ids of the event types with any of the flags in ``mask``."""
    # Plain ints: an IntFlag operation costs microseconds, and this runs over every event
    # type for a dozen masks while the field modules are imported.
    bits = int(mask)
    return frozenset(e.id for e in EVENTS if int(e.flags) & bits)


def _ids(*enums: str) -> frozenset[int]:
    return frozenset(EVENT_BY_ENUM["PPME_" + e].id for e in enums)


def _has_param(name: str) -> Callable[[EventInfo], bool]:
    return lambda e: any(p.name == name for p in e.params)


# --------------------------------------------------------------------------------------------
# results: evt.res, evt.rawres, evt.failed, evt.count.error*
# --------------------------------------------------------------------------------------------

def _creates_fd_exit(e: EventInfo) -> bool:
    # the direction first: an enum flag test costs microseconds, for every event type
    return not e.is_enter and bool(e.flags & EventFlag.CREATES_FD)


_RESULT_TYPES = event_ids(lambda e: _has_param("res")(e)
                          or (_creates_fd_exit(e) and _has_param("fd")(e)))


_RES_INDEX = param_index_table("res")
_LARGE = [e.large_payload for e in EVENTS]
_U16 = struct.Struct("<H")
_I64 = struct.Struct("<q")
# The fd param counts as the result only for fd-creating exits without a loaded res.
_FD_RESULT_INDEX = tuple(i if _creates_fd_exit(e) else -1
                         for e, i in zip(EVENTS, param_index_table("fd"), strict=True))


def exit_result(evt: Event) -> tuple[int, str, bytes] | None:
    """``(index, name, raw)`` of the param holding the event's result.

    That is the ``res`` param, or for fd-creating exit events without one, the ``fd`` param.
    """
    etype = evt.type
    i = _RES_INDEX[etype]
    j = _FD_RESULT_INDEX[etype]
    if i < 0 and j < 0:
        return None
    params = evt.params()
    if 0 <= i < len(params):
        return i, "res", params[i]
    if 0 <= j < len(params):
        return j, "fd", params[j]
    return None


def _int64(raw: bytes) -> int:
    return decode_int(raw, PT.INT64)


def _result_i64(evt: Event) -> int | None:
    """The result param (see :func:`exit_result`) as a signed 64-bit number."""
    etype = evt.type
    i = _RES_INDEX[etype]
    if i < 0:
        i = _FD_RESULT_INDEX[etype]
        if i < 0:
            return None
    if i == 0 and not _LARGE[etype] and not evt.v1:
        # The common case, straight from the buffer: a first param of 8 bytes.
        n = evt.nparams
        base = evt.hdr + 26
        if 0 < n <= 32 and base + 2 * n + 8 <= evt.end and _U16.unpack_from(evt.buf, base)[0] == 8:
            v: int = _I64.unpack_from(evt.buf, base + 2 * n)[0]
            return v
    params = evt.params()
    if i < len(params):
        raw = params[i]
        # Results are 8 bytes; a shorter (damaged) one reads zero-padded, as decode_int does.
        return _from_bytes(raw if len(raw) == 8 else raw[:8].ljust(8, b"\0"), "little",
                           signed=True)
    found = exit_result(evt)   # a res the event does not carry: maybe its fd
    return None if found is None else _int64(found[2])


# Per event type, where compiled code finds what _result_i64 reads (the filter compiler's
# native form of an evt.rawres comparison): 0 the type has no result (no comparison holds),
# 1 its first param (the fast case above: its 8 bytes), 2 elsewhere (ask the filter).
_result_i64.result_at = bytes(  # type: ignore[attr-defined]
    0 if r < 0 and f < 0 else 1 if (r == 0 or (r < 0 and f == 0)) and not large else 2
    for r, f, large in zip(_RES_INDEX, _FD_RESULT_INDEX, _LARGE, strict=True))


_from_bytes = int.from_bytes


def bind_rawres(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.rawres``: the result param as a signed 64-bit number."""
    return BoundField(fdef, name, _result_i64, event_types=_RESULT_TYPES)


def bind_res(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.res``: ``SUCCESS``, or the errno name (else the number) of a failure."""
    rctx = ctx.render_ctx

    def extract(evt: Event) -> str | None:
        found = exit_result(evt)
        if found is None:
            return None
        index, _, raw = found
        if _int64(raw) >= 0:
            return "SUCCESS"
        value, resolved = param_renderers(evt.type)[index](evt, raw, rctx)
        return resolved or value
    return BoundField(fdef, name, extract, event_types=_RESULT_TYPES)


def bind_failed(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.failed``: whether the result is negative (false without a result)."""
    def extract(evt: Event) -> bool:
        res = _result_i64(evt)
        return res is not None and res < 0
    return BoundField(fdef, name, extract)


def error_count(evt: Event) -> int | None:
    """1 for a failed event, ``None`` otherwise (libsinsp ``extract_error_count``)."""
    res = _result_i64(evt)
    if res is not None and res < 0:
        return 1
    return None


# --------------------------------------------------------------------------------------------
# evt.args / evt.info
# --------------------------------------------------------------------------------------------

def bind_args(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.args`` / ``evt.info``: every param as ``name=value(resolved)``."""
    # Already the text, and the JSON string (the CHARBUF value_json is the text).
    extract = info_renderer(ctx.render_ctx)
    return BoundField(fdef, name, extract, render=extract, render_json=extract,
                      inline=info_inline(ctx.render_ctx))


# --------------------------------------------------------------------------------------------
# evt.arg / evt.rawarg
# --------------------------------------------------------------------------------------------

def longest_param_name(text: str) -> str | None:
    """The longest param name of any event type that is a prefix of ``text``."""
    best: str | None = None
    for e in EVENTS:
        for p in e.params:
            if text.startswith(p.name) and (best is None or len(p.name) > len(best)):
                best = p.name
    return best


def _first_param_named(name: str) -> tuple[ParamType, PrintFormat]:
    # libsinsp types evt.rawarg.NAME after the first param called NAME in the event table.
    for e in EVENTS:
        for p in e.params:
            if p.name == name:
                return p.type, p.fmt
    raise KeyError(name)


def bind_arg(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.arg[N]`` / ``evt.arg.NAME``: one param as text, resolved when possible."""
    rctx = ctx.render_ctx
    if arg.index is not None:
        idx = arg.index
        types = event_ids(lambda e: len(e.params) > idx) if idx >= 0 else frozenset()

        def by_index(evt: Event) -> str | None:
            params = evt.params()
            if idx < 0 or idx >= len(params):
                return None
            value, resolved = param_renderers(evt.type)[idx](evt, params[idx], rctx)
            return resolved or value
        # Already the printed text (or None): no conversion layer when printing.
        return BoundField(fdef, name, by_index, event_types=types, render=by_index)

    pname = arg.name
    index = param_index_table(pname)

    def by_name(evt: Event) -> str | None:
        found = param_at(evt, index)
        if found is None:
            return None
        value, resolved = param_renderers(evt.type)[found[0]](evt, found[1], rctx)
        return resolved or value
    return BoundField(fdef, name, by_name, event_types=event_ids(_has_param(pname)),
                      render=by_name)


_INT_TYPES = {
    PT.INT8, PT.INT16, PT.INT32, PT.INT64, PT.UINT8, PT.UINT16, PT.UINT32, PT.UINT64, PT.ERRNO,
    PT.FD, PT.PID, PT.SYSCALLID, PT.SIGTYPE, PT.RELTIME, PT.ABSTIME, PT.PORT, PT.L4PROTO,
    PT.FLAGS8, PT.FLAGS16, PT.FLAGS32, PT.UID, PT.GID, PT.SIGSET, PT.MODE, PT.SOCKFAMILY,
}


def raw_value(raw: bytes, ptype: ParamType) -> object:
    """A param's raw bytes as the typed value of ``ptype`` (for ``evt.rawarg``)."""
    if ptype in _INT_TYPES:
        return decode_int(raw, ptype)
    if ptype in (PT.CHARBUF, PT.FSPATH, PT.FSRELPATH):
        return decode_cstring(raw)
    if ptype is PT.BOOL:
        return decode_int(raw, ptype) != 0
    if ptype is PT.DOUBLE:
        return struct.unpack("<d", raw[:8].ljust(8, b"\0"))[0]
    return raw


def _raw_converter(ptype: ParamType) -> Callable[[bytes], object]:
    """:func:`raw_value` for one ``ptype``, with the integer case specialised."""
    if ptype not in _INT_TYPES:
        return lambda raw: raw_value(raw, ptype)
    width = PARAM_WIDTHS.get(ptype, 8)
    signed = ptype in SIGNED_PARAMS
    from_bytes = int.from_bytes

    def convert(raw: bytes) -> int:
        if len(raw) != width:
            raw = raw[:width].ljust(width, b"\0")
        return from_bytes(raw, "little", signed=signed)
    return convert


def bind_rawarg(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.rawarg.NAME``: a raw param value, typed after the first param so named."""
    pname = arg.name
    ptype, _ = _first_param_named(pname)
    index = param_index_table(pname)
    convert = _raw_converter(ptype)

    def extract(evt: Event) -> object:
        found = param_at(evt, index)
        return None if found is None else convert(found[1])
    # The value keeps the rawarg field's own print format (none), so many integer types
    # print as <NA>, and types without a text form abort, as in sysdig.
    return BoundField(fdef, name, extract, event_types=event_ids(_has_param(pname)),
                      ptype=ptype, fmt=PrintFormat.NA)


# --------------------------------------------------------------------------------------------
# evt.buffer
# --------------------------------------------------------------------------------------------

def bind_buffer(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.buffer``: the ``data`` param (raw bytes to filters, rendered to print)."""
    rctx = ctx.render_ctx

    index = param_index_table("data")

    def extract(evt: Event) -> bytes | None:
        found = param_at(evt, index)
        return None if found is None else found[1]

    def render(evt: Event) -> str | None:
        # Printing shows the data rendered in the current buffer mode (cut to the max
        # length in the default mode), while filters compare the raw bytes.
        found = param_at(evt, index)
        if found is None:
            return None
        value, _ = param_renderers(evt.type)[found[0]](evt, found[1], rctx)
        return value

    return BoundField(fdef, name, extract, event_types=event_ids(_has_param("data")),
                      render=render, render_json=render)


# --------------------------------------------------------------------------------------------
# evt.abspath
# --------------------------------------------------------------------------------------------

# (dirfd param, path param) per event type, for .src (1) / plain (0) and .dst (2).
_ABSPATH_SRC = {
    **dict.fromkeys(_ids("SYSCALL_RENAMEAT_X", "SYSCALL_RENAMEAT2_X"), ("olddirfd", "oldpath")),
    **dict.fromkeys(_ids("SYSCALL_SYMLINKAT_X"), ("linkdirfd", "linkpath")),
    **dict.fromkeys(_ids("SYSCALL_OPENAT_E", "SYSCALL_OPENAT_2_X", "SYSCALL_OPENAT2_X",
                         "SYSCALL_UNLINKAT_E", "SYSCALL_UNLINKAT_2_X"), ("dirfd", "name")),
    **dict.fromkeys(_ids("SYSCALL_LINKAT_E", "SYSCALL_LINKAT_2_X"), ("olddir", "oldpath")),
    **dict.fromkeys(_ids("SYSCALL_MKDIRAT_X"), ("dirfd", "path")),
    **dict.fromkeys(_ids("SYSCALL_FCHMODAT_X"), ("dirfd", "filename")),
}
_ABSPATH_DST = {
    **dict.fromkeys(_ids("SYSCALL_RENAMEAT_X", "SYSCALL_RENAMEAT2_X"), ("newdirfd", "newpath")),
    **dict.fromkeys(_ids("SYSCALL_SYMLINKAT_X"), ("linkdirfd", "linkpath")),
    **dict.fromkeys(_ids("SYSCALL_OPENAT_E", "SYSCALL_OPENAT_2_X", "SYSCALL_OPENAT2_X",
                         "SYSCALL_UNLINKAT_E", "SYSCALL_UNLINKAT_2_X"), ("dirfd", "name")),
    **dict.fromkeys(_ids("SYSCALL_LINKAT_E", "SYSCALL_LINKAT_2_X"), ("newdir", "newpath")),
    **dict.fromkeys(_ids("SYSCALL_MKDIRAT_X"), ("dirfd", "path")),
    **dict.fromkeys(_ids("SYSCALL_FCHMODAT_X"), ("dirfd", "filename")),
}
_MAX_PATH = 1024


def bind_abspath(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    """``evt.abspath[.src|.dst]``: a dirfd-relative path made absolute."""
    table = _ABSPATH_DST if arg.name == "dst" else _ABSPATH_SRC
    state = ctx.state

    def extract(evt: Event) -> str | None:
        thread = evt.thread
        names = table.get(evt.type)
        if thread is None or names is None:
            return None
        dirfd_p = param_bytes_by_name(evt, names[0])
        path_p = param_bytes_by_name(evt, names[1])
        if dirfd_p is None or path_p is None:
            return None
        dirfd = decode_int(dirfd_p[1], PT.INT64)
        path = path_p[1].split(b"\0", 1)[0]
        if path[:1] == b"/":
            base = "."
        elif dirfd == AT_FDCWD:
            base = state.cwd(thread)
        else:
            fdinfo = state.get_fd(thread, dirfd)
            # libsinsp stores the directory's fd as the event's fd while doing this, so the
            # fd fields evaluated after this one on the same event see the directory.
            evt.fdinfo = fdinfo
            base = "<UNKNOWN>/" if fdinfo is None else fdinfo.name + "/"
        # libsinsp counts the param's terminating NUL in the size check of its fixed buffer.
        text, _ = concatenate_paths(base, path, _MAX_PATH - (len(path_p[1]) - len(path) - 1),
                                    had_nul=len(path_p[1]) > 0)
        return text

    return BoundField(fdef, name, extract, event_types=frozenset(table))

