"""C-flavoured text conversions shared by param rendering and fields.

sysdig builds its output with ``printf`` formats, C string functions and a few path and time
helpers of libsinsp (utils.cpp, filter.cpp at falcosecurity/libs e5c53d64). Reproducing its
output byte for byte means reproducing their corner cases: integer promotion in varargs,
``%#o``, strings cut at the first NUL, non-printable characters dropped, ``..`` handling in
paths, and a time zone offset taken from the current date rather than the event's.

Strings are Python ``str`` decoded from the capture with ``surrogateescape``, so that every
original byte survives; "printable" always means the C locale's 0x20-0x7E.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py (selectors, enums) costs ~4 ms to import
import ipaddress
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sysdive.errors import FormatError
from sysdive.schema.types import ParamType, PrintFormat

__all__ = [
    "CLOCK_FSTRING",
    "CLOCK_TEXT",
    "Clock",
    "FieldValueError",
    "c_int_text",
    "concatenate_paths",
    "decode_cstring",
    "human_time",
    "local_offset",
    "port_text",
    "sanitize",
    "text_converter",
    "ts_to_iso8601",
    "ts_to_string",
    "value_json",
    "value_text",
]

PT = ParamType
PF = PrintFormat

_NON_PRINTABLE = re.compile(r"[^\x20-\x7e]+")


class FieldValueError(FormatError):
    """A field value sysdig cannot print: it aborts with "wrong event type N"; so do we.

    (``evt.rawarg`` of an fd or flags param, DOUBLE fields in ``-j`` output...)
    """


def decode_cstring(raw: bytes) -> str:
    """The text of a NUL-terminated param (everything before the first NUL)."""
    end = raw.find(b"\0")
    if end >= 0:
        raw = raw[:end]
    return raw.decode("utf-8", "surrogateescape")


def sanitize(text: str) -> str:
    """Drop every character that is not printable ASCII (libsinsp ``sanitize_string``)."""
    if text.isascii() and text.isprintable():
        return text
    return _NON_PRINTABLE.sub("", text)


def c_int_text(value: int, bits: int, fmt: PrintFormat) -> str:
    """An integer param as ``get_param_as_str`` prints it.

    ``bits`` is 32 for types promoted to ``int`` in varargs and 64 for 64-bit types. Decimal
    output is the signed reading of the value at that width, hex is upper-case and
    unsigned, octal is ``%#o`` (a leading 0 except for zero), padded decimal is ``%09d``.
    """
    mask = (1 << bits) - 1
    unsigned = value & mask
    if fmt is PF.HEX:
        return f"{unsigned:X}"
    if fmt is PF.OCT:
        return f"0{unsigned:o}" if unsigned else "0"
    signed = unsigned - (1 << bits) if unsigned >> (bits - 1) else unsigned
    if fmt is PF.PADDED_DEC:
        return f"{signed:09d}"
    return str(signed)


def port_text(port: int, l4proto: int, resolve: bool) -> str:
    """A port number, or its service name when ``-R`` asked for it (libsinsp port_to_string)."""
    if resolve:
        proto = {2: "tcp", 3: "udp"}.get(l4proto)
        try:
            return socket.getservbyport(port, proto) if proto else socket.getservbyport(port)
        except (OSError, OverflowError):
            pass
    return str(port)


# --------------------------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------------------------

def _rewind(out: bytearray, delta: int, pc: int) -> int:
    # Move the write position back to just after the previous '/', never before the first
    # character; the caller's read position skips the "../" or "..".
    if len(out) <= 1:
        return pc + delta
    tc = len(out) - 1
    while tc >= 1 and out[tc - 1] != 0x2F:
        tc -= 1
    del out[tc:]
    return pc + delta


def _copy_path(out: bytearray, path: bytes) -> None:
    """Append ``path`` to ``out`` resolving ``.``/``..`` and doubled slashes.

    A byte-level rendition of libsinsp's ``copy_and_sanitize_path``: non-printable bytes
    become ``.``, ``..`` may climb into the base already in ``out``, and a trailing ``/``
    is dropped.
    """
    n = len(path)
    pc = 0
    while True:
        if pc >= n:
            if len(out) > 1 and out[-1] == 0x2F:
                del out[-1]
            return
        c = path[pc]
        if c < 0x20 or c > 0x7E:
            out.append(0x2E)
            pc += 1
        elif c == 0x2E:
            nxt = path[pc + 1] if pc + 1 < n else 0
            if nxt == 0x2E:
                after = path[pc + 2] if pc + 2 < n else 0
                if after == 0x2F:
                    pc = _rewind(out, 3, pc)
                elif after == 0:
                    pc = _rewind(out, 2, pc)
                else:
                    out += b".."
                    pc += 2
            elif nxt == 0x2F:
                pc += 2
            elif nxt == 0:
                pc += 1
            else:
                out.append(0x2E)
                pc += 1
        elif c == 0x2F:
            if out and out[-1] == 0x2F:
                pc += 1
            else:
                out.append(c)
                pc += 1
        else:
            out.append(c)
            pc += 1


_JOINED: dict[tuple[str, bytes, bool], tuple[str, bool]] = {}
_JOINED_MAX = 4096


def concatenate_paths(base: str, path: bytes, limit: int | None = None,
                      had_nul: bool = False) -> tuple[str, bool]:
    """Join ``base`` and ``path`` as libsinsp does; returns ``(text, path_was_relative)``.

    An absolute ``path`` is normalised on its own and reported as not relative. An empty
    one is relative only when ``had_nul``: libsinsp passes the param's length, which counts
    the NUL, so an empty string (length 1) is joined to ``base`` while an empty param
    (length 0) is not. ``limit`` mimics a fixed C buffer: a result that would not fit gives
    ``/PATH_TOO_LONG`` (the sizes count the terminating NUL of ``path``).
    """
    relative = path[0] != 0x2F if path else had_nul
    if limit is None:
        # Printing evt.info joins the same cwd and paths again and again; the byte-by-byte
        # normalisation costs tens of microseconds, so results are kept (bounded).
        key = (base, path, relative)
        found = _JOINED.get(key)
        if found is None:
            if len(_JOINED) >= _JOINED_MAX:
                _JOINED.clear()
            found = _JOINED[key] = _join(base, path, relative)
        return found
    raw_base = base.encode("utf-8", "surrogateescape")
    if limit < len(raw_base) + len(path) + 2:
        return "/PATH_TOO_LONG", False
    return _join(base, path, relative)


def _join(base: str, path: bytes, relative: bool) -> tuple[str, bool]:
    if relative:
        out = bytearray(base.encode("utf-8", "surrogateescape"))
        _copy_path(out, path)
        return out.decode("utf-8", "surrogateescape"), True
    out = bytearray()
    _copy_path(out, path)
    return out.decode("utf-8", "surrogateescape"), False


# --------------------------------------------------------------------------------------------
# times
# --------------------------------------------------------------------------------------------

def local_offset() -> int:
    """Seconds east of UTC of the local zone *now* (libsinsp's ``gmt2local(0)``)."""
    return time.localtime().tm_gmtoff or 0


def ts_to_string(ts: int, offset: int, date: bool, ns: bool) -> str:
    """``HH:MM:SS[.nnnnnnnnn]``, optionally preceded by ``YYYY-MM-DD `` (local time)."""
    sec, nsec = divmod(ts, 1_000_000_000)
    local = sec + offset
    s = local % 86400
    clock = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    if ns:
        clock += f".{nsec:09d}"
    if date:
        day = datetime.fromtimestamp(local - s, UTC)
        return f"{day.year:04d}-{day.month:02d}-{day.day:02d} " + clock
    return clock


class Clock:
    """``ts_to_string(ts, offset, False, True)`` with the ``HH:MM:SS.`` part kept per second.

    Consecutive events mostly share their second: while ``0 <= ts - base < 10**9`` the text
    is ``prefix`` followed by ``ts - base`` in nine digits, which formats as a plain int
    nine times in ten (see :data:`CLOCK_TEXT`); :meth:`advance` moves to another second.
    """

    __slots__ = ("base", "offset", "prefix")

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.base = -1_000_000_000
        self.prefix = ""

    def advance(self, ts: int) -> str:
        """Make ``ts``'s second the current one; returns its ``HH:MM:SS.``."""
        sec, nsec = divmod(ts, 1_000_000_000)
        s = (sec + self.offset) % 86400
        self.base = ts - nsec
        self.prefix = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}."
        return self.prefix

    @staticmethod
    def pad(nsec: int) -> str:
        """Nanoseconds below 10**8, in nine digits."""
        return f"{nsec:09d}"

    def __call__(self, ts: int) -> str:
        if not 0 <= ts - self.base < 1_000_000_000:
            self.advance(ts)
        return f"{self.prefix}{ts - self.base:09d}"


_CLOCK_PREFIX = ("(_clock.prefix if 0 <= evt.ts - _clock.base < 1000000000 "
                 "else _clock.advance(evt.ts))")
_CLOCK_NSEC = "(_ns if (_ns := evt.ts - _clock.base) >= 100000000 else _clock.pad(_ns))"
CLOCK_TEXT = f"({_CLOCK_PREFIX} + str{_CLOCK_NSEC})"
"""The text of a :class:`Clock` called ``_clock`` for ``evt.ts``, as an inline expression."""
CLOCK_FSTRING = "{" + _CLOCK_PREFIX + "}{" + _CLOCK_NSEC + "}"
"""The same as an f-string fragment (no concatenation)."""


def ts_to_iso8601(ts: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000``: always UTC, as libsinsp formats gmtime()."""
    sec, nsec = divmod(ts, 1_000_000_000)
    d = datetime.fromtimestamp(sec, UTC)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{nsec:09d}+0000"


def human_time(ns: int) -> str:
    """A duration as ``evt.latency.human`` shows it: ``830ns``, ``1.99us``, ``12ms``, ``3.50s``."""
    u32 = 0xFFFFFFFF
    if ns >= 3600 * 10**9:
        return (f"{(ns // (3600 * 10**9)) & u32:02d}:{(ns // (60 * 10**9) % 60):02d}:"
                f"{(ns // 10**9 % 60):02d}")
    if ns >= 60 * 10**9:
        return f"{(ns // (60 * 10**9)) & u32}:{ns // 10**9 % 60}"
    if ns >= 10**9:
        return f"{(ns // 10**9) & u32}.{(ns % 10**9) // 10**7:02d}s"
    if ns >= 10**7:
        return f"{ns // 10**6}ms"
    if ns >= 10**6:
        return f"{ns // 10**6}.{(ns % 10**6) // 10**4:02d}ms"
    if ns >= 10**4:
        return f"{ns // 10**3}us"
    if ns >= 10**3:
        return f"{ns // 10**3}.{(ns % 10**3) // 10:02d}us"
    return f"{ns & u32}ns"


# --------------------------------------------------------------------------------------------
# field values to text and JSON (libsinsp rawval_to_string / rawval_to_json)
# --------------------------------------------------------------------------------------------

_INT_BITS = {
    PT.INT8: 8, PT.INT16: 16, PT.INT32: 32, PT.INT64: 64, PT.PID: 64, PT.ERRNO: 64,
    PT.UINT8: 8, PT.L4PROTO: 8, PT.UINT16: 16, PT.PORT: 16, PT.UINT32: 32, PT.UINT64: 64,
    PT.RELTIME: 64, PT.ABSTIME: 64,
}
_SIGNED_TYPES = frozenset({PT.INT8, PT.INT16, PT.INT32, PT.INT64, PT.PID, PT.ERRNO})
_DEC = (PF.DEC, PF.ID)


def _ip_text(value: object) -> str:
    if isinstance(value, ipaddress.IPv4Address):
        return str(value)
    if isinstance(value, ipaddress.IPv6Address):
        return socket.inet_ntop(socket.AF_INET6, value.packed)
    return str(value)


def _int_text(value: int, ptype: ParamType, fmt: PrintFormat) -> str | None:
    bits = _INT_BITS[ptype]
    width = 64 if bits == 64 else 32  # narrower values are promoted to int in varargs
    mask = (1 << width) - 1
    if ptype in _SIGNED_TYPES:
        v = value & ((1 << bits) - 1)
        signed = v - (1 << bits) if v >> (bits - 1) else v
        if fmt is PF.OCT:
            return f"{signed & mask:o}"
        if fmt is PF.HEX:
            return f"{signed & mask:X}"
        if fmt is PF.PADDED_DEC and bits == 64:
            return f"{signed:09d}"
        if fmt in _DEC or bits == 64:
            return str(signed)
        return None
    unsigned = value & ((1 << bits) - 1)
    if fmt is PF.OCT:
        return f"{unsigned:o}"
    if fmt in _DEC:
        return str(unsigned)
    if fmt is PF.HEX:
        # Unsigned types below 64 bits print in decimal even in hex format (PRIu8/16/32).
        return f"{unsigned:X}" if bits == 64 else str(unsigned)
    if fmt is PF.PADDED_DEC and bits == 64:
        return f"{unsigned:09d}"
    return None


def text_converter(ptype: ParamType, fmt: PrintFormat) -> Callable[[object], str | None]:
    """:func:`value_text` specialised for one type and format (for the hot print path)."""
    if ptype in (PT.CHARBUF, PT.FSPATH, PT.FSRELPATH):
        return str
    if ptype in _INT_BITS and fmt in _DEC:
        bits = _INT_BITS[ptype]
        mask = (1 << bits) - 1
        if ptype in _SIGNED_TYPES:
            top = 1 << (bits - 1)

            def signed_dec(value: object) -> str:
                v = value & mask  # type: ignore[operator]
                return str(v - (1 << bits) if v & top else v)
            return signed_dec

        def unsigned_dec(value: object) -> str:
            return str(value & mask)  # type: ignore[operator]
        return unsigned_dec
    return lambda value: value_text(value, ptype, fmt)


def value_text(value: object, ptype: ParamType, fmt: PrintFormat) -> str | None:
    """A field value as ``%field`` prints it; ``None`` where sysdig prints ``<NA>``.

    Raises :class:`FieldValueError` for the types sysdig cannot print (it aborts with
    ``wrong event type N``).
    """
    if ptype in _INT_BITS:
        assert isinstance(value, int)
        return _int_text(value, ptype, fmt)
    if ptype in (PT.CHARBUF, PT.FSPATH, PT.FSRELPATH):
        return str(value)
    if ptype is PT.BYTEBUF:
        if isinstance(value, bytes):
            return decode_cstring(value)
        return str(value)
    if ptype is PT.BOOL:
        return "true" if value else "false"
    if ptype in (PT.IPV4ADDR, PT.IPV6ADDR, PT.IPADDR, PT.IPNET):
        return _ip_text(value)
    if ptype is PT.DOUBLE:
        assert isinstance(value, float)
        return f"{value:.1f}"
    if ptype in (PT.SOCKADDR, PT.SOCKFAMILY):
        return None
    raise FieldValueError(f"wrong event type {int(ptype)}")


def value_json(value: object, ptype: ParamType, fmt: PrintFormat) -> object:
    """A field value as ``-j`` stores it: int, str, bool or ``None`` (JSON null).

    Raises :class:`FieldValueError` where sysdig's JSON conversion aborts (ERRNO, DOUBLE,
    FD, flags...).
    """
    if ptype in (PT.INT64, PT.PID):
        assert isinstance(value, int)
        if fmt in _DEC:
            return _signed(value, 64)
        return _int_text(value, ptype, fmt)
    if ptype in (PT.INT8, PT.INT16, PT.INT32):
        assert isinstance(value, int)
        if fmt in _DEC:
            return _signed(value, _INT_BITS[ptype])
        if fmt in (PF.OCT, PF.HEX):
            return _int_text(value, ptype, fmt)
        return None
    if ptype in (PT.UINT8, PT.L4PROTO, PT.UINT16, PT.PORT, PT.UINT32):
        assert isinstance(value, int)
        if fmt in _DEC:
            return value & ((1 << _INT_BITS[ptype]) - 1)
        if fmt in (PF.OCT, PF.HEX):
            return _int_text(value, ptype, fmt)
        return None
    if ptype in (PT.UINT64, PT.RELTIME, PT.ABSTIME):
        assert isinstance(value, int)
        if fmt in _DEC:
            return value & 0xFFFFFFFFFFFFFFFF
        if fmt in (PF.PADDED_DEC, PF.OCT, PF.HEX):
            return _int_text(value, ptype, fmt)
        return None
    if ptype in (PT.SOCKADDR, PT.SOCKFAMILY):
        return None
    if ptype is PT.BOOL:
        return bool(value)
    if ptype in (PT.CHARBUF, PT.FSPATH, PT.BYTEBUF, PT.IPV4ADDR, PT.IPV6ADDR, PT.IPADDR,
                 PT.FSRELPATH):
        return value_text(value, ptype, fmt)
    raise FieldValueError(f"wrong event type {int(ptype)}")


def _signed(value: int, bits: int) -> int:
    v = value & ((1 << bits) - 1)
    return v - (1 << bits) if v >> (bits - 1) else v
