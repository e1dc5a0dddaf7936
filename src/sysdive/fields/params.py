"""Event parameters as text, the way sysdig 0.29.3 prints them in ``evt.info`` and ``evt.arg``.

Every param renders to a pair ``(value, resolved)``; ``resolved`` is ``""`` when there is
nothing to add. ``evt.info`` shows ``name=value `` or ``name=value(resolved) `` per param,
``evt.arg.NAME`` shows the resolved text when there is one and the value otherwise.

The rules follow libsinsp's ``sinsp_evt::get_param_as_str`` and ``render_fd`` (event.cpp at
falcosecurity/libs e5c53d64), including its C formatting quirks:

* integers are printed through C varargs: 8/16/32-bit types are promoted to ``int`` before
  ``%d``/``%X``/``%#o`` (so a UINT32 prints signed, a negative INT8 in hex has 8 digits) and
  UINT64 prints signed in decimal; FLAGS print unsigned decimal whatever the print format;
* FD values are annotated from the thread's fd table (``3(<f>/etc/passwd)``), with
  ``AT_FDCWD`` for -100 and an errno name for other negative values (``fd=-1(EPERM)``);
* relative FSPATH values get the cwd-joined, normalised path as resolved text;
* BYTEBUF values follow the buffer output mode and, in the default mode, the 80-char cut.

This is the hot path of the default output, so each event type gets a precomputed list of
renderer functions (:func:`info_renderers`) and each renderer is specialised for its param
type and print format when the table is built.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py (selectors, enums) costs ~4 ms to import
import struct
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sysdive.fields.text import (
    c_int_text,
    concatenate_paths,
    decode_cstring,
    port_text,
    sanitize,
)
from sysdive.format.buffers import BufferFormat, render_buffer
from sysdive.records import record
from sysdive.schema.errnos import errno_name
from sysdive.schema.events import EVENTS
from sysdive.schema.flags import DYN_TABLES, format_flags_number, render_flags
from sysdive.schema.signals import SIGNAL_NAMES
from sysdive.schema.syscalls import SYSCALL_NAMES
from sysdive.schema.types import ParamInfo, ParamType, PrintFormat
from sysdive.state.fds import TYPECHAR as _TYPECHAR
from sysdive.state.fds import FdType

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.state.fds import FdInfo
    from sysdive.state.tables import State
    from sysdive.state.threads import ThreadInfo

__all__ = [
    "PARAM_WIDTHS",
    "SIGNED_PARAMS",
    "RenderContext",
    "fd_annotation",
    "fd_resolved",
    "info_renderers",
    "param_at",
    "param_bytes_by_name",
    "param_index_table",
    "render_args",
    "render_args_loop",
    "render_info",
    "render_param",
    "resolved_or_value",
]

PT = ParamType
PF = PrintFormat

AT_FDCWD = -100
_AF_UNIX, _AF_INET, _AF_INET6 = 1, 2, 10


@record
class RenderContext:
    """What param rendering depends on besides the event itself.

    ``buffer_format`` is the BYTEBUF mode chosen by -A/-x/-X/-b (and -j); ``max_len`` is
    sysdig's max event output length: 80 for plain text output, ``None`` with ``-v`` or
    while a chisel runs. ``resolve_ports`` is ``-R`` (port numbers shown as service names).
    """

    state: State
    buffer_format: BufferFormat = BufferFormat.NORMAL
    max_len: int | None = 80
    resolve_ports: bool = False


Rendered = tuple[str, str]
Renderer = Callable[["Event", bytes, RenderContext], Rendered]

# --------------------------------------------------------------------------------------------
# fd annotations
# --------------------------------------------------------------------------------------------

_IP_TYPES = frozenset({FdType.IPV4_SOCK, FdType.IPV6_SOCK, FdType.IPV4_SERVSOCK,
                       FdType.IPV6_SERVSOCK})
_L4CHAR = {2: "t", 3: "u", 4: "i", 5: "r"}


def typechar(fdinfo: FdInfo) -> str:
    """The one-letter fd type libsinsp shows (``?`` for types it has no letter for)."""
    return _TYPECHAR.get(fdinfo.type, "?")


def fd_annotation(fdinfo: FdInfo, simple: bool = False) -> str:
    """The ``<f>/path`` text shown in parentheses after an fd number.

    Sockets add the L4 protocol letter (``<4t>``); ``simple`` (the chisel "simple" buffer
    mode) drops the type letter, as libsinsp does.
    """
    tch = "" if simple else _TYPECHAR.get(fdinfo.type, "?")
    if fdinfo.type in _IP_TYPES:
        tch += _L4CHAR.get(fdinfo.l4proto, "")
    return "<" + tch + ">" + sanitize(fdinfo.name)


def _thread_of(evt: Event, ctx: RenderContext) -> ThreadInfo | None:
    t = evt.thread
    if t is None:
        t = ctx.state.threads.get(evt.tid)
    return t


def _render_fd_value(evt: Event, fd: int, ctx: RenderContext) -> Rendered:
    return str(fd), fd_resolved(evt, fd, ctx)


def fd_resolved(evt: Event, fd: int, ctx: RenderContext) -> str:
    """What an fd param shows in parentheses: its ``<f>/path``, ``AT_FDCWD``, an errno
    name, or ``""`` for nothing (no thread, unknown fd)."""
    thread = evt.thread
    if thread is None:
        thread = ctx.state.threads.get(evt.tid)
        if thread is None:
            return ""
    if fd >= 0:
        fdinfo = ctx.state.get_fd(thread, fd)
        if fdinfo is None:
            return ""
        return fd_annotation(fdinfo, ctx.buffer_format is BufferFormat.SIMPLE)
    if fd == AT_FDCWD:
        return "AT_FDCWD"
    return errno_name(fd)


# --------------------------------------------------------------------------------------------
# wire decoding
# --------------------------------------------------------------------------------------------

_WIDTH = {
    PT.INT8: 1, PT.INT16: 2, PT.INT32: 4, PT.INT64: 8, PT.UINT8: 1, PT.UINT16: 2,
    PT.UINT32: 4, PT.UINT64: 8, PT.ERRNO: 8, PT.FD: 8, PT.PID: 8, PT.SYSCALLID: 2,
    PT.SIGTYPE: 1, PT.RELTIME: 8, PT.ABSTIME: 8, PT.FLAGS8: 1, PT.FLAGS16: 2, PT.FLAGS32: 4,
    PT.UID: 4, PT.GID: 4, PT.SIGSET: 4, PT.MODE: 4, PT.PORT: 2, PT.L4PROTO: 1,
    PT.SOCKFAMILY: 1, PT.BOOL: 4,
}
_SIGNED = frozenset({PT.INT8, PT.INT16, PT.INT32, PT.INT64, PT.ERRNO, PT.FD, PT.PID})
PARAM_WIDTHS: dict[ParamType, int] = _WIDTH
"""The byte width of each fixed-size param type."""
SIGNED_PARAMS: frozenset[ParamType] = _SIGNED
"""The param types whose C type is signed."""


def _int(raw: bytes, width: int, signed: bool) -> int:
    # A param shorter than its type is a damaged event; libsinsp would read past it. We pad
    # with zeros instead of reading the neighbouring bytes.
    if len(raw) != width:
        raw = raw[:width].ljust(width, b"\0")
    return int.from_bytes(raw, "little", signed=signed)


def decode_int(raw: bytes, ptype: ParamType) -> int:
    """The integer in a fixed-size param of type ``ptype`` (signedness as the C type)."""
    return _int(raw, _WIDTH.get(ptype, 8), ptype in _SIGNED)


# --------------------------------------------------------------------------------------------
# renderers, one factory per param type
# --------------------------------------------------------------------------------------------

def _numeric(ptype: ParamType, fmt: PrintFormat) -> Renderer:
    width = _WIDTH[ptype]
    signed = ptype in _SIGNED
    bits = 64 if width == 8 else 32
    decimal = fmt in (PF.DEC, PF.NA, PF.ID, PF.DIR)

    if decimal and (bits == 64 or signed or width < 4):
        # The common cases (sizes, lengths, counters): the value read with the C type's
        # signedness already is what "%d" prints after promotion.
        def render_dec(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
            return str(_int(raw, width, signed or bits == 64)), ""
        return render_dec

    if fmt is PF.HEX and bits == 64:
        def render_hex64(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
            return f"{_int(raw, 8, False):X}", ""
        return render_hex64

    def render(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
        return c_int_text(_int(raw, width, signed), bits, fmt), ""
    return render


def _render_errno(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    v = _int(raw, 8, True)
    if v < 0:
        return str(v), errno_name(v)
    return str(v), ""


def _render_fd(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    return _render_fd_value(evt, _int(raw, 8, True), ctx)


def _render_pid(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    pid = _int(raw, 8, True)
    t = ctx.state.threads.get(pid)
    return str(pid), ("" if t is None else t.comm)


def _render_charbuf(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    return decode_cstring(raw), ""


def _render_charbufarray(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    # Tracer tags (NUL-terminated strings, see sysdive.state.tracers), dot-joined.
    return ".".join(decode_cstring(t) for t in raw.split(b"\0")[:-1]), ""


def _render_charbuf_pairs(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    # Tracer args: name and value strings in turn, shown name:value, comma-joined.
    items = [decode_cstring(t) for t in raw.split(b"\0")[:-1]]
    return ",".join(f"{n}:{v}" for n, v in zip(items[::2], items[1::2], strict=False)), ""


def _render_bytebuf(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    return render_buffer(raw, ctx.buffer_format, ctx.max_len), ""


def _path_renderer(pinfo: ParamInfo, params: Sequence[ParamInfo]) -> Renderer:
    # Index of the param whose dirfd is the base of a relative FSRELPATH; an FSRELPATH
    # without one uses param 0, as libsinsp reads a null "info" as index 0.
    dirfd_index: int | None = None
    if pinfo.type is PT.FSRELPATH:
        idx = pinfo.dirfd or 0
        if idx < len(params) and params[idx].type is PT.FD:
            dirfd_index = idx

    def render(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
        value = sanitize(decode_cstring(raw))
        thread = evt.thread
        if thread is None or not raw or raw.startswith(b"<NA>"):
            return value, ""
        base = ctx.state.cwd(thread)
        if dirfd_index is not None:
            dirraw = evt.param(dirfd_index)
            if dirraw is not None:
                dirfd = _int(dirraw, 8, True)
                if dirfd != AT_FDCWD:
                    base = _dir_fd_path(ctx.state, thread, dirfd)
        # An empty string still has its NUL (raw is not empty here): it is joined to the
        # base, which prints as "name=(<base>)".
        joined, relative = concatenate_paths(base, raw.split(b"\0", 1)[0], had_nul=True)
        return value, (joined if relative else "")

    return render


def _dir_fd_path(state: State, thread: ThreadInfo, dirfd: int) -> str:
    # libsinsp falls back to readlink(/proc/<pid>/fd/<dirfd>) of the *live* host when the fd
    # is unknown; a capture replay has no such thing, so the base is empty then.
    fdinfo = state.get_fd(thread, dirfd)
    if fdinfo is None or not fdinfo.name:
        return ""
    return sanitize(fdinfo.name) + "/"


def _render_sockaddr(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    if not raw:
        return "NULL", ""
    family = raw[0]
    if family == _AF_UNIX:
        return sanitize(decode_cstring(raw[1:])), ""
    l4 = _l4(evt)
    if family == _AF_INET:
        if len(raw) != 7:
            return "INVALID IPv4", ""
        port = struct.unpack_from("<H", raw, 5)[0]
        return socket.inet_ntop(socket.AF_INET, raw[1:5]) + ":" + port_text(port, l4, ctx.resolve_ports), ""
    if family == _AF_INET6:
        if len(raw) != 19:
            return "INVALID IPv6", ""
        port = struct.unpack_from("<H", raw, 17)[0]
        return socket.inet_ntop(socket.AF_INET6, raw[1:17]) + ":" + port_text(port, l4, ctx.resolve_ports), ""
    return "family " + str(_schar(family)), ""


def _schar(b: int) -> int:
    return b - 256 if b > 127 else b


def _l4(evt: Event) -> int:
    fdinfo = evt.fdinfo
    return 0 if fdinfo is None else fdinfo.l4proto


def _is_v4_mapped(addr: bytes) -> bool:
    return addr[:10] == b"\0" * 10 and (addr[10:12] == b"\xff\xff" or addr[10:] == b"\0" * 6)


def _render_socktuple(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    if not raw:
        return "NULL", ""
    family = raw[0]
    res = ctx.resolve_ports
    if family == _AF_INET:
        if len(raw) != 13:
            return "INVALID IPv4", ""
        sport, = struct.unpack_from("<H", raw, 5)
        dport, = struct.unpack_from("<H", raw, 11)
        l4 = _l4(evt)
        return (socket.inet_ntop(socket.AF_INET, raw[1:5]) + ":" + port_text(sport, l4, res)
                + "->" + socket.inet_ntop(socket.AF_INET, raw[7:11]) + ":"
                + port_text(dport, l4, res)), ""
    if family == _AF_INET6:
        if len(raw) != 37:
            return "INVALID IPv6", ""
        sip, dip = raw[1:17], raw[19:35]
        sport, = struct.unpack_from("<H", raw, 17)
        dport, = struct.unpack_from("<H", raw, 35)
        l4 = _l4(evt)
        if _is_v4_mapped(sip) and _is_v4_mapped(dip):
            sip, dip = sip[12:], dip[12:]
            fam = socket.AF_INET
        else:
            fam = socket.AF_INET6
        return (socket.inet_ntop(fam, sip) + ":" + port_text(sport, l4, res) + "->"
                + socket.inet_ntop(fam, dip) + ":" + port_text(dport, l4, res)), ""
    if family == _AF_UNIX:
        src, dst = struct.unpack_from("<QQ", raw.ljust(17, b"\0"), 1)
        return f"{src:x}->{dst:x} " + sanitize(decode_cstring(raw[17:])), ""
    return "family " + str(_schar(family)), ""


def _render_fdlist(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    thread = _thread_of(evt, ctx)
    if thread is None or len(raw) < 2:
        return "", ""
    n, = struct.unpack_from("<H", raw, 0)
    state = ctx.state
    parts = []
    pos = 2
    for _ in range(n):
        if pos + 10 > len(raw):
            break
        fd, flags = struct.unpack_from("<qh", raw, pos)
        fdinfo = state.get_fd(thread, fd)
        tch = "?" if fdinfo is None else _TYPECHAR.get(fdinfo.type, "?")
        # fd printed unsigned, flags sign-extended to 32 bits, as the C format does.
        parts.append(f"{fd & 0xFFFFFFFFFFFFFFFF}:{tch}{flags & 0xFFFFFFFF:x}")
        pos += 10
    return " ".join(parts), ""


def _render_syscallid(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    scid = _int(raw, 2, False)
    if scid >= len(SYSCALL_NAMES):
        return "<unknown syscall>", ""
    return str(scid), SYSCALL_NAMES[scid]


def _render_sigtype(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    sig = _int(raw, 1, False)
    return str(sig), SIGNAL_NAMES.get(sig, "")


def _render_reltime(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    v = _int(raw, 8, False)
    if v == 0xFFFFFFFFFFFFFFFF:
        return "none", ""
    return str(v), f"{v / 1e9:g}s"


def _flags_renderer(ptype: ParamType, fmt: PrintFormat, table: str | None) -> Renderer:
    width = _WIDTH[ptype]
    if ptype is not PT.MODE:
        # FLAGS print their unsigned value in decimal whatever the print format says.
        def render_flags_param(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
            v = _int(raw, width, False)
            return str(v), render_flags(table, v)
        return render_flags_param

    def render(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
        v = _int(raw, width, False)
        return format_flags_number(ptype, fmt, v), render_flags(table, v)

    return render


def _ugid_renderer(names: str) -> Renderer:
    def render(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
        v = _int(raw, 4, False)
        if v == 0xFFFFFFFF:
            return "-1", "<NONE>"
        table = ctx.state.users if names == "users" else ctx.state.groups
        entry = table.get(v)
        # "%d" of a uint32: values above 2^31 print negative.
        text = str(v - (1 << 32) if v & 0x80000000 else v)
        return text, ("<NA>" if entry is None else sanitize(entry.name))

    return render


def _render_sigset(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    v = _int(raw, 4, False)
    names = [SIGNAL_NAMES[s + 1] for s in range(32) if v & (1 << s) and (s + 1) in SIGNAL_NAMES]
    return " ".join(names), ""


def _render_invalid_dyn(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    return "INVALID DYNAMIC PARAMETER", ""


def _render_na(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
    return "(n.a.)", ""


def _dyn_renderer(pinfo: ParamInfo, params: Sequence[ParamInfo]) -> Renderer:
    subs = DYN_TABLES.get(pinfo.table or "", ())
    # A dynamic value renders as its sub-type, but with the *outer* param's print format
    # and flag table, as libsinsp does.
    sub_renderers = [
        _renderer_for(ParamInfo(pinfo.name, s.type, pinfo.fmt, pinfo.table, s.dirfd), params)
        for s in subs
    ]

    def render(evt: Event, raw: bytes, ctx: RenderContext) -> Rendered:
        if not raw or raw[0] >= len(sub_renderers):
            return "INVALID DYNAMIC PARAMETER", ""
        return sub_renderers[raw[0]](evt, raw[1:], ctx)

    return render


def _renderer_for(pinfo: ParamInfo, params: Sequence[ParamInfo]) -> Renderer:
    t = pinfo.type
    if t in (PT.INT8, PT.INT16, PT.INT32, PT.INT64, PT.UINT8, PT.UINT16, PT.UINT32, PT.UINT64):
        return _numeric(t, pinfo.fmt)
    simple: dict[ParamType, Renderer] = {
        PT.ERRNO: _render_errno, PT.FD: _render_fd, PT.PID: _render_pid,
        PT.CHARBUF: _render_charbuf, PT.BYTEBUF: _render_bytebuf,
        PT.CHARBUFARRAY: _render_charbufarray, PT.CHARBUF_PAIR_ARRAY: _render_charbuf_pairs,
        PT.SOCKADDR: _render_sockaddr, PT.SOCKTUPLE: _render_socktuple,
        PT.FDLIST: _render_fdlist, PT.SYSCALLID: _render_syscallid,
        PT.SIGTYPE: _render_sigtype, PT.RELTIME: _render_reltime, PT.SIGSET: _render_sigset,
        # libsinsp has no ABSTIME case and falls into the DYN error text.
        PT.ABSTIME: _render_invalid_dyn,
    }
    if t in simple:
        return simple[t]
    if t in (PT.FSPATH, PT.FSRELPATH):
        return _path_renderer(pinfo, params)
    if t in (PT.FLAGS8, PT.FLAGS16, PT.FLAGS32, PT.MODE):
        return _flags_renderer(t, pinfo.fmt, pinfo.table)
    if t is PT.UID:
        return _ugid_renderer("users")
    if t is PT.GID:
        return _ugid_renderer("groups")
    if t is PT.DYN:
        return _dyn_renderer(pinfo, params) if pinfo.table else _render_invalid_dyn
    return _render_na


# --------------------------------------------------------------------------------------------
# per event type tables
# --------------------------------------------------------------------------------------------

_RENDERERS: list[tuple[Renderer, ...] | None] = [None] * len(EVENTS)
_INFO: list[tuple[tuple[str, Renderer], ...] | None] = [None] * len(EVENTS)


def param_renderers(etype: int) -> tuple[Renderer, ...]:
    """The renderer of each param of event type ``etype``, in param order (built once)."""
    table = _RENDERERS[etype]
    if table is None:
        params = EVENTS[etype].params
        table = _RENDERERS[etype] = tuple(_renderer_for(p, params) for p in params)
    return table


def info_renderers(etype: int) -> tuple[tuple[str, Renderer], ...]:
    """``(name + "=", renderer)`` per param of ``etype``, the table behind ``evt.info``."""
    table = _INFO[etype]
    if table is None:
        params = EVENTS[etype].params
        table = _INFO[etype] = tuple(
            (p.name + "=", r) for p, r in zip(params, param_renderers(etype), strict=True))
    return table


def render_param(evt: Event, i: int, ctx: RenderContext) -> tuple[str, str]:
    """Render param ``i`` of ``evt`` as ``(value, resolved)``.

    Raises IndexError when the event does not carry param ``i``.
    """
    raw = evt.params()[i]
    return param_renderers(evt.type)[i](evt, raw, ctx)


def resolved_or_value(evt: Event, i: int, ctx: RenderContext) -> str:
    """What ``evt.arg[i]`` shows: the resolved text if there is one, else the value."""
    value, resolved = render_param(evt, i, ctx)
    return resolved or value


def render_args(evt: Event, ctx: RenderContext) -> str:
    """``evt.args``: every loaded param as ``name=value `` / ``name=value(resolved) ``.

    Generic syscall events (ids 0 and 1) render as ``""``: their params are internal.
    Each event type renders through its compiled function (:mod:`sysdive.fields.info`).
    """
    from sysdive.fields.info import compiled_info  # it builds on this module
    return compiled_info(evt, ctx)


def render_args_loop(evt: Event, params: list[bytes], ctx: RenderContext) -> str:
    """:func:`render_args` of ``params`` (some of ``evt``'s) by the generic loop."""
    table = _INFO[evt.type]
    if table is None:
        table = info_renderers(evt.type)
    out: list[str] = []
    append = out.append
    # Events often carry fewer params than the table lists: zip stops at the shorter side.
    for (prefix, render), raw in zip(table, params, strict=False):
        value, resolved = render(evt, raw, ctx)
        if resolved:
            append(prefix + value + "(" + resolved + ") ")
        else:
            append(prefix + value + " ")
    return "".join(out)


def render_info(evt: Event, ctx: RenderContext) -> str:
    """``evt.info``: the same text as :func:`render_args` for syscall events.

    (libsinsp lets protocol decoders such as its syslog decoder replace the line; sysdig
    only loads them for the ``syslog.*`` fields, which sysdive does not have.)
    """
    return render_args(evt, ctx)


_NAME_INDEX: dict[str, tuple[int, ...]] = {}


def param_index_table(name: str) -> tuple[int, ...]:
    """Per event type, the index of its first param called ``name`` in the event table
    (-1: none). Fields that read a param by name look its index up here once per event
    instead of scanning the type's params."""
    table = _NAME_INDEX.get(name)
    if table is None:
        table = _NAME_INDEX[name] = tuple(
            next((i for i, p in enumerate(e.params) if p.name == name), -1) for e in EVENTS)
    return table


def param_bytes_by_name(evt: Event, name: str) -> tuple[int, bytes] | None:
    """``(index, raw bytes)`` of the first loaded param of ``evt`` called ``name``."""
    return param_at(evt, param_index_table(name))


def param_at(evt: Event, index: tuple[int, ...]) -> tuple[int, bytes] | None:
    """``(i, raw bytes)`` of the param ``index[type]`` of ``evt`` (a table of
    :func:`param_index_table`); None when its type has none or it carries fewer params."""
    i = index[evt.type]
    if i < 0:
        return None
    params = evt.params()
    return (i, params[i]) if i < len(params) else None

