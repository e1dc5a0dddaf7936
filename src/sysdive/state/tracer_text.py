"""The text of a sysdig tracer, parsed as libsinsp 0.29.3's ``sinsp_tracerparser`` parses
it (``tracers.cpp``), quirks included: the simple form ``>:ID:TAGS:ARGS:`` and the JSON form,
backslash escapes, texts cut short and continued by the next write, and what each parse
leaves behind for the ``span.*`` fields. :mod:`sysdive.state.tracers` uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sysdive.state.threads import ThreadInfo

__all__ = ["MAX_USER_EVT_BUFFER", "RES_COMMA", "RES_FAILED", "RES_OK", "RES_TRUNCATED",
           "PartialTracer", "TracerParser"]

MAX_USER_EVT_BUFFER = 65536
RES_OK, RES_COMMA, RES_FAILED, RES_TRUNCATED = 0, 1, 2, 3


def _cstr(buf: bytearray, pos: int) -> bytes:
    end = buf.index(0, pos)
    return bytes(buf[pos:end])


class PartialTracer:
    """One span enter kept until its exit (``sinsp_partial_tracer``); also the parser's
    record of the last exit."""

    __slots__ = ("argnames", "argvals", "id", "tags", "tid", "time")

    def __init__(self) -> None:
        self.id = 0
        self.tags: list[bytes] = []
        self.argnames: list[bytes] = []
        self.argvals: list[bytes] = []
        self.time = 0
        self.tid = 0

    def same_span(self, other: PartialTracer) -> bool:
        """Same id and same tags (what matches an exit with its enter)."""
        return self.id == other.id and self.tags == other.tags

    def parent_of(self, child: PartialTracer) -> bool:
        """``other`` has the tags of ``child`` without its last one (and the same id)."""
        return self.id == child.id and child.tags[:-1] == self.tags and len(child.tags) > 0


class TracerParser:
    """The tracer parser of one thread (``sinsp_tracerparser``): the fields read its last
    parse (type, id, tags, args) and ``enter_pae``/``exit_pae``."""

    __slots__ = (
        "argnames",
        "argvals",
        "enter_pae",
        "exit_pae",
        "fragment",
        "id",
        "res",
        "taglen_mem",
        "taglens",
        "tags",
        "type_char",
    )

    def __init__(self) -> None:
        self.fragment = b""             # a text cut short, waiting for the next write
        self.res = RES_OK
        self.type_char = 0
        self.id = 0
        self.tags: list[bytes] = []
        self.taglens: list[int] = []
        self.taglen_mem: list[int] = []   # the tag lengths' buffer, which clearing keeps
        self.argnames: list[bytes] = []
        self.argvals: list[bytes] = []
        self.enter_pae: PartialTracer | None = None
        self.exit_pae = PartialTracer()

    # -- the text ---------------------------------------------------------------------------

    def process_data(self, data: bytes, tinfo: ThreadInfo) -> int:
        """Parse one write's data (continuing a fragment); the result code."""
        joined = self.fragment + data
        had_fragment = bool(self.fragment)
        full = joined.split(b"\0", 1)[0] if had_fragment else b""
        if joined:
            self.res = RES_OK
            self.tags = []
            self.taglens = []
            self.argnames = []
            self.argvals = []
            buf = bytearray(joined + b"\0\0")
            if buf[0] in (0x3E, 0x3C):     # '>' or '<'
                self._parse_simple(buf, tinfo)
            else:
                self._parse_json(buf, tinfo)
        else:
            self.res = RES_FAILED
        mem = self.taglen_mem
        for i, n in enumerate(self.taglens):
            if i < len(mem):
                mem[i] = n
            else:
                mem.append(n)
        if self.res == RES_FAILED:
            self.fragment = b""
        elif self.res == RES_TRUNCATED:
            if len(self.fragment) > MAX_USER_EVT_BUFFER:
                self.fragment = b""     # too long: dropped
            else:
                # the first piece is kept as written; later ones as the text up to a NUL
                self.fragment = full or data
        else:
            self.fragment = b""
        return self.res

    def _parse_simple(self, b: bytearray, tinfo: ThreadInfo) -> None:
        p = 0
        self.type_char = b[p]
        p += 1
        if b[p] != 0x3A:   # ':'
            self.res = RES_TRUNCATED if b[p] == 0 else RES_FAILED
            return
        b[p] = 0
        p += 1
        c = b[p]
        if c == 0x30:      # libsinsp compares with the digit '0', not NUL
            self.res = RES_TRUNCATED
            return
        if c == 0x74:      # 't'
            self.id = tinfo.tid
            delta = 2
        elif c == 0x70:    # 'p'
            self.id = tinfo.pid
            if b[p + 1] == 0x70:
                self.id = tinfo.ptid
                p += 1
            delta = 2
        elif c == 0x3A:
            self.id = 0
            delta = 1
        elif c == 0x67:    # 'g'
            self.id = 0
            delta = 2
        else:
            res, val, delta = _number_colend(b, p)
            self.res = res
            if res > RES_COMMA:
                return
            self.id = val
        p += delta
        if b[p] == 0x30:
            self.res = RES_TRUNCATED
            return
        if b[p] != 0x3A:
            escaped = False
            while True:
                start = p
                self.tags.append(b"")
                while b[p] != 0:
                    if escaped:
                        escaped = False
                        p += 1
                        continue
                    ch = b[p]
                    if ch == 0x5C:   # backslash
                        escaped = True
                        _delete_char(b, p)
                        continue
                    if ch in (0x2E, 0x3A):   # '.' ':'
                        break
                    if ch in (0x3E, 0x3C, 0x3D, 0x0A):
                        self.res = RES_FAILED
                        return
                    p += 1
                self.tags[-1] = bytes(b[start:p])
                self.taglens.append(p - start)
                if b[p] == 0x3A:
                    b[p] = 0
                    break
                if b[p] == 0:
                    self.res = RES_TRUNCATED
                    return
                b[p] = 0
                p += 1
        p += 1
        if b[p] == 0:
            self.res = RES_TRUNCATED
            return
        if b[p] == 0x3A:
            return
        escaped = False
        while True:
            start = p
            while b[p] != 0:
                if escaped:
                    escaped = False
                    p += 1
                    continue
                ch = b[p]
                if ch == 0x5C:
                    escaped = True
                    _delete_char(b, p)
                    continue
                if ch == 0x3D:   # '='
                    break
                if ch in (0x3E, 0x3C, 0x0A):
                    self.res = RES_FAILED
                    return
                p += 1
            self.argnames.append(bytes(b[start:p]))
            if b[p] == 0:
                self.res = RES_FAILED if b[p - 1] == 0x3A else RES_TRUNCATED
                return
            b[p] = 0
            p += 1
            start = p
            escaped = False
            while b[p] != 0:
                if escaped:
                    escaped = False
                    p += 1
                    continue
                ch = b[p]
                if ch == 0x5C:
                    escaped = True
                    _delete_char(b, p)
                    continue
                if ch in (0x2C, 0x3A, 0x3D):   # ',' ':' '='
                    break
                p += 1
            self.argvals.append(bytes(b[start:p]))
            if b[p] == 0x3A:
                b[p] = 0
                self.res = RES_OK
                return
            if b[p] == 0:
                self.res = RES_TRUNCATED
                return
            b[p] = 0
            p += 1

    def _parse_json(self, b: bytearray, tinfo: ThreadInfo) -> None:
        p = _skip_spaces(b, 0)
        if b[p] != 0x5B:   # '['
            p += 1
            self.res = RES_FAILED
            return
        p += 1
        res, s, delta = _parsestr(b, p)
        self.res = res
        if res != RES_OK or s is None:
            return
        self.type_char = b[s]
        p += delta
        res, delta = _skip_spaces_and_commas(b, p, 1)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        if b[p] == 0x22:   # '"'
            p += 1
            c = b[p]
            if c == 0x74:
                self.id = tinfo.tid
                delta = 2
            elif c == 0x70:
                self.id = tinfo.pid
                if b[p + 1] == 0x70:
                    self.id = tinfo.ptid
                    p += 1
                delta = 2
            elif c == 0x3A:
                self.id = 0
                delta = 1
            elif c == 0x67:
                self.id = 0
                delta = 2
            else:
                # libsinsp marks the failure but goes on with a stale delta
                self.res = RES_FAILED
        else:
            res, val, delta = _number(b, p)
            self.res = res
            if res > RES_COMMA:
                return
            self.id = val
        p += delta
        if self.res == RES_COMMA:
            self.res = RES_OK
            p = _skip_spaces(b, p)
        else:
            res, delta = _skip_spaces_and_commas(b, p, 1)
            self.res = res
            if res != RES_OK:
                return
            p += delta
        res, delta = _skip_spaces_and_char(b, p, 0x5B)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        res, s, delta = _parsestr_not_enforce(b, p)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        if s is not None:
            self.tags.append(_cstr(b, s))
            self.taglens.append(delta - 2)
            while True:
                res, delta = _skip_spaces_and_commas(b, p, 0)
                self.res = res
                if res != RES_OK:
                    return
                p += delta
                if b[p] == 0x5D:   # ']'
                    break
                res, s, delta = _parsestr(b, p)
                self.res = res
                if res != RES_OK or s is None:
                    return
                p += delta
                self.tags.append(_cstr(b, s))
                self.taglens.append(delta - 2)
        res, delta = _skip_all_brackets(b, p)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        res, s, delta = _parsestr_not_enforce(b, p)
        self.res = res
        if res != RES_OK:
            return
        p += delta
        if s is not None:
            self.argnames.append(_cstr(b, s))
            res, delta = _skip_spaces_and_char(b, p, 0x3A)
            self.res = res
            if res != RES_OK:
                return
            p += delta
            res, s, delta = _parsestr(b, p)
            self.res = res
            if res != RES_OK or s is None:
                return
            p += delta
            self.argvals.append(_cstr(b, s))
            while True:
                res, delta = _skip_curly_brackets(b, p)
                self.res = res
                if res != RES_OK:
                    return
                p += delta
                if b[p] == 0x5D:
                    p += 1
                    break
                res, s, delta = _parsestr(b, p)
                self.res = res
                if res != RES_OK or s is None:
                    return
                p += delta
                self.argnames.append(_cstr(b, s))
                res, delta = _skip_spaces_and_char(b, p, 0x3A)
                self.res = res
                if res != RES_OK:
                    return
                p += delta
                res, s, delta = _parsestr(b, p)
                self.res = res
                if res != RES_OK or s is None:
                    return
                p += delta
                self.argvals.append(_cstr(b, s))
        p = _skip_spaces(b, p)
        if b[p] != 0x5D:
            self.res = RES_TRUNCATED if b[p] == 0 else RES_FAILED
            return
        self.res = RES_OK

    # -- span state ------------------------------------------------------------------------

    def fill(self, pae: PartialTracer, tid: int) -> None:
        """``init_partial_tracer``: copy the last parse into ``pae``."""
        pae.tid = tid
        pae.id = self.id
        pae.tags = list(self.tags)
        pae.argnames = list(self.argnames)
        pae.argvals = list(self.argvals)


# -- the JSON scanner's helpers (byte-exact with libsinsp's, quirks included) ---------------

def _delete_char(b: bytearray, p: int) -> None:
    end = b.index(0, p)
    b[p:end] = b[p + 1:end + 1]


def _skip_spaces(b: bytearray, p: int) -> int:
    while b[p] == 0x20:
        p += 1
    return p


def _skip_spaces_and_commas(b: bytearray, p: int, expected: int) -> tuple[int, int]:
    start = p
    nc = 0
    while True:
        c = b[p]
        if c == 0x20:
            p += 1
            continue
        if c == 0x2C:
            nc += 1
        elif c == 0:
            return RES_TRUNCATED, 0
        else:
            break
        p += 1
    if nc < expected:
        return RES_FAILED, 0
    return RES_OK, p - start


def _skip_spaces_and_char(b: bytearray, p: int, ch: int) -> tuple[int, int]:
    start = p
    nc = 0
    while b[p] in (0x20, ch, 0):
        if b[p] == 0:
            return RES_TRUNCATED, 0
        if b[p] == ch:
            nc += 1
        p += 1
    if nc != 1:
        return RES_FAILED, 0
    return RES_OK, p - start


def _skip_curly_brackets(b: bytearray, p: int) -> tuple[int, int]:
    start = p
    nc = nocb = nccb = 0
    while b[p] in (0x20, 0x2C, 0x7B, 0x7D, 0):
        c = b[p]
        if c == 0:
            return RES_TRUNCATED, 0
        if c == 0x2C:
            nc += 1
        elif c == 0x7B:
            nocb += 1
        elif c == 0x7D:
            nccb += 1
        p += 1
    if not ((nc == 1 and nocb == 1) or (nc == 1 and nccb == 1) or (nccb == 1 and b[p] == 0x5D)):
        return RES_FAILED, 0
    return RES_OK, p - start


def _skip_all_brackets(b: bytearray, p: int) -> tuple[int, int]:
    start = p
    nc = nosb = nocb = 0
    while b[p] in (0x20, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0):
        c = b[p]
        if c == 0:
            return RES_TRUNCATED, 0
        if c == 0x2C:
            nc += 1
        elif c == 0x5B:
            nosb += 1
        elif c == 0x5D:
            if nosb != 0:
                break
        elif c == 0x7B:
            nocb += 1
        p += 1
    if nc != 1 or nosb != 1:
        return RES_FAILED, 0
    if nocb != 1 and b[p] != 0x5D:
        return RES_FAILED, 0
    return RES_OK, p - start


def _parsestr(b: bytearray, p: int) -> tuple[int, int | None, int]:
    """(result, start of the string or None, bytes consumed)."""
    initial = p
    if b[p] != 0x22:
        return (RES_TRUNCATED if b[p] == 0 else RES_FAILED), None, p - initial + 1
    start = p + 1
    p += 1
    while not (b[p] == 0x22 and b[p - 1] != 0x5C):
        if b[p] == 0:
            return RES_TRUNCATED, start, p - initial + 1
        p += 1
    b[p] = 0
    return RES_OK, start, p - initial + 1


def _parsestr_not_enforce(b: bytearray, p: int) -> tuple[int, int | None, int]:
    res, s, delta = _parsestr(b, p)
    if res == RES_FAILED:
        if b[p + delta] == 0x5D:
            return RES_OK, None, delta
    elif res == RES_TRUNCATED:
        return res, s, delta
    return RES_OK, s, delta


def _number(b: bytearray, p: int) -> tuple[int, int, int]:
    start = p
    neg = False
    if b[p] == 0x2D:
        neg = True
        p += 1
    val = 0
    while 0x30 <= b[p] <= 0x39:
        val = val * 10 + b[p] - 0x30
        p += 1
    res = RES_OK
    if b[p] == 0x2C:
        res = RES_COMMA
    elif b[p] not in (0, 0x20):
        return RES_FAILED, 0, 0
    elif b[p] == 0:
        return RES_TRUNCATED, 0, 0
    b[p] = 0
    return res, _wrap64(-val if neg else val), p - start + 1


def _number_colend(b: bytearray, p: int) -> tuple[int, int, int]:
    start = p
    neg = False
    if b[p] == 0x2D:
        neg = True
        p += 1
    val = 0
    while 0x30 <= b[p] <= 0x39:
        val = val * 10 + b[p] - 0x30
        p += 1
    if b[p] != 0x3A:
        return (RES_TRUNCATED if b[p] == 0 else RES_FAILED), 0, 0
    return RES_OK, _wrap64(-val if neg else val), p - start + 1


def _wrap64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v
