"""Small decoders the state engine needs: integers and C strings out of raw params, the path
joining/normalising rule of libsinsp (``concatenate_paths``), and the PF_SIMPLE renderings of
socket addresses that sysdig stores as fd names.

Params are the raw byte strings of :meth:`sysdive.event.Event.params`; integers are
little-endian, strings are NUL-terminated. A missing or short param decodes to the given
default rather than raising, because old captures routinely carry fewer params than the
table lists.
"""

from __future__ import annotations

import struct
from _socket import AF_INET6, inet_ntop  # (the C module: socket.py costs ~5 ms to import)

I64 = struct.Struct("<q")
U64 = struct.Struct("<Q")
I32 = struct.Struct("<i")
U32 = struct.Struct("<I")
U16 = struct.Struct("<H")

MAX_PATH = 1024           # SCAP_MAX_PATH_SIZE: joined paths longer than this are refused
PATH_TOO_LONG = "/PATH_TOO_LONG"

PPM_AF_UNIX = 1
PPM_AF_INET = 2
PPM_AF_INET6 = 10
PPM_AF_NETLINK = 16


def text(raw: bytes) -> str:
    """Bytes of a C string to str; undecodable bytes survive as surrogates."""
    return raw.decode("utf-8", "surrogateescape")


def enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def cstr(raw: bytes) -> bytes:
    """The bytes of a C string: everything before the first NUL."""
    i = raw.find(b"\0")
    return raw if i < 0 else raw[:i]


def p_i64(p: list[bytes], i: int, default: int = 0) -> int:
    if i < len(p):
        v = p[i]
        if len(v) >= 8:
            r: int = I64.unpack_from(v)[0]
            return r
        return int.from_bytes(v, "little", signed=True) if v else default
    return default


def p_u64(p: list[bytes], i: int, default: int = 0) -> int:
    if i < len(p):
        v = p[i]
        if len(v) >= 8:
            r: int = U64.unpack_from(v)[0]
            return r
        return int.from_bytes(v, "little") if v else default
    return default


def p_u32(p: list[bytes], i: int, default: int = 0) -> int:
    if i < len(p):
        v = p[i]
        if len(v) >= 4:
            r: int = U32.unpack_from(v)[0]
            return r
        return int.from_bytes(v, "little") if v else default
    return default


def p_i32(p: list[bytes], i: int, default: int = 0) -> int:
    if i < len(p):
        v = p[i]
        if len(v) >= 4:
            r: int = I32.unpack_from(v)[0]
            return r
        return int.from_bytes(v, "little", signed=True) if v else default
    return default


def p_u8(p: list[bytes], i: int, default: int = 0) -> int:
    if i < len(p) and p[i]:
        return p[i][0]
    return default


def p_str(p: list[bytes], i: int) -> str:
    """A CHARBUF/FSPATH param as text, up to its first NUL ("" when absent)."""
    return text(cstr(p[i])) if i < len(p) else ""


def p_raw(p: list[bytes], i: int) -> bytes:
    return p[i] if i < len(p) else b""


# -- string lists (args, env, cgroups) -------------------------------------------------------

def split_args(raw: bytes) -> list[str]:
    """``set_args``: NUL-separated strings; a trailing NUL does not add an empty entry."""
    # One decode and one split: a NUL byte is never part of a UTF-8 sequence, and
    # surrogateescape maps every other byte on its own, so splitting after decoding gives
    # what decoding each entry gives.
    if not raw:
        return []
    out = raw.decode("utf-8", "surrogateescape").split("\0")
    if raw[-1] == 0:
        out.pop()
    return out


def split_env(raw: bytes) -> list[str]:
    """``set_env``: like args, but stops at the first empty string followed only by zeros
    (so trailing NULs add nothing; empty strings between entries stay)."""
    body = raw.rstrip(b"\0")
    return body.decode("utf-8", "surrogateescape").split("\0") if body else []


_SUBSYS_ALIASES = {"perf": "perf_event", "mem": "memory", "io": "blkio"}


def split_cgroups(raw: bytes) -> list[tuple[str, str]]:
    """``set_cgroups``: ``subsys=path`` entries, split at the *last* '='; stops at an entry
    without one. ``*_cgroup`` subsystems lose the suffix and short names are expanded."""
    # Every clone and execve carries the same dozen entries: decode each distinct list once.
    hit = _CGROUPS_CACHE.get(raw)
    if hit is None:
        if len(_CGROUPS_CACHE) >= 1024:
            _CGROUPS_CACHE.clear()
        hit = _CGROUPS_CACHE[raw] = tuple(_split_cgroups(raw))
    return list(hit)


_CGROUPS_CACHE: dict[bytes, tuple[tuple[str, str], ...]] = {}


def _split_cgroups(raw: bytes) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    n = len(raw)
    off = 0
    while off < n:
        j = raw.find(b"\0", off)
        if j < 0:
            j = n
        entry = raw[off:j]
        eq = entry.rfind(b"=")
        if eq < 0:
            break
        subsys = text(entry[:eq])
        path = text(entry[eq + 1:])
        pos = subsys.find("_cgroup")
        if pos >= 0:
            subsys = subsys[:pos] + subsys[pos + 7:]
        subsys = _SUBSYS_ALIASES.get(subsys, subsys)
        out.append((subsys, path))
        off = j + 1
    return out


# -- sanitising and path joining -------------------------------------------------------------

_PRINTABLE = frozenset(range(0x20, 0x7F))
_DROP_INVALID = bytes(b for b in range(256) if b not in _PRINTABLE)


def sanitize(s: str) -> str:
    """``sanitize_string``: drop every byte that is not printable ASCII."""
    if s.isascii() and s.isprintable():
        return s
    return enc(s).translate(None, _DROP_INVALID).decode("ascii")


def sanitize_bytes(raw: bytes) -> str:
    return raw.translate(None, _DROP_INVALID).decode("ascii")


_SLASH, _DOT = 0x2F, 0x2E


def concatenate_paths(base: str, path: bytes, path_len: int | None = None) -> tuple[str, bool]:
    """Join ``path`` (raw param bytes) to ``base`` the way ``sinsp_utils::concatenate_paths``
    does; returns ``(result, was_relative)``.

    ``path_len`` is the length libsinsp compares against the 1024-byte limit (usually the
    param length, NUL included). Only ``path`` is normalised: ``.``/``..``/``//`` are folded,
    a trailing ``/`` dropped and non-printable bytes replaced by ``.``; ``base`` is copied
    as is (it normally ends with ``/``).
    """
    if path_len is None:
        path_len = len(path)
    # A pure function called for every open/chdir/...: captures repeat the same few paths,
    # and the byte-by-byte normalisation below is slow in Python.
    key = (base, path, path_len)
    hit = _CONCAT_CACHE.get(key)
    if hit is not None:
        return hit
    out = _concatenate_paths(base, path, path_len)
    if len(_CONCAT_CACHE) >= _CONCAT_CACHE_MAX:
        _CONCAT_CACHE.clear()
    _CONCAT_CACHE[key] = out
    return out


_CONCAT_CACHE: dict[tuple[str, bytes, int], tuple[str, bool]] = {}
_CONCAT_CACHE_MAX = 4096


def _concatenate_paths(base: str, path: bytes, path_len: int) -> tuple[str, bool]:
    p1 = enc(base)
    if len(p1) + path_len + 1 > MAX_PATH:
        return PATH_TOO_LONG, False
    p2 = cstr(path)
    relative = path_len != 0 and (not p2 or p2[0] != _SLASH)
    buf = bytearray(len(p1) + len(p2) + 2)
    if relative:
        buf[:len(p1)] = p1
        tc = len(p1)
    else:
        tc = 0
    tc = _copy_and_sanitize(buf, tc, p2)
    return text(bytes(buf[:tc])), relative


def _rewind(buf: bytearray, tc: int) -> int:
    """Move the write position back to just after the previous '/' (``rewind_to_parent``)."""
    if tc <= 1:
        return tc
    tc -= 1
    while tc >= 1 and buf[tc - 1] != _SLASH:
        tc -= 1
    return tc


def _copy_and_sanitize(buf: bytearray, tc: int, p: bytes) -> int:
    n = len(p)
    pc = 0
    while True:
        c = p[pc] if pc < n else 0
        if c == 0:
            # A trailing separator is removed, as the OS does.
            if tc > 1 and buf[tc - 1] == _SLASH:
                tc -= 1
            return tc
        if c < 0x20 or c > 0x7E:
            buf[tc] = _DOT
            tc += 1
            pc += 1
            continue
        c1 = p[pc + 1] if pc + 1 < n else 0
        if c == _DOT:
            c2 = p[pc + 2] if pc + 2 < n else 0
            if c1 == _DOT and c2 == _SLASH:
                tc = _rewind(buf, tc)
                pc += 3
            elif c1 == _DOT:
                if c2 == 0:
                    tc = _rewind(buf, tc)
                    pc += 2
                else:
                    buf[tc] = _DOT
                    buf[tc + 1] = _DOT
                    tc += 2
                    pc += 2
            elif c1 == _SLASH:
                pc += 2
            elif c1 == 0:
                pc += 1
            else:
                buf[tc] = c
                tc += 1
                pc += 1
        elif c == _SLASH:
            if tc > 0 and buf[tc - 1] == _SLASH:
                pc += 1
            else:
                buf[tc] = c
                tc += 1
                pc += 1
        else:
            buf[tc] = c
            tc += 1
            pc += 1


# -- address rendering (no host/port name resolution: sysdig's default) ---------------------

def ipv4_str(ip: bytes) -> str:
    return f"{ip[0]}.{ip[1]}.{ip[2]}.{ip[3]}"


def ipv6_str(ip: bytes) -> str:
    """inet_ntop(AF_INET6): Python's socket module calls the same libc routine."""
    return inet_ntop(AF_INET6, bytes(ip))


def is_ipv4_mapped_ipv6(ip: bytes | bytearray) -> bool:
    """``::ffff:a.b.c.d`` or the all-zero address (which libsinsp also treats as IPv4)."""
    if any(ip[0:10]):
        return False
    return (ip[10] == 0xFF and ip[11] == 0xFF) or not any(ip[10:16])


def ipv4_tuple_str(sip: bytes, sport: int, dip: bytes, dport: int) -> str:
    return f"{ipv4_str(sip)}:{sport}->{ipv4_str(dip)}:{dport}"


def ipv6_tuple_str(sip: bytes, sport: int, dip: bytes, dport: int) -> str:
    return f"{ipv6_str(sip)}:{sport}->{ipv6_str(dip)}:{dport}"


def _family_str(fam: int) -> str:
    # The family byte is printed through a signed char.
    return f"family {fam - 256 if fam > 127 else fam}"


def sockaddr_str(raw: bytes) -> str:
    """A SOCKADDR param rendered as ``get_param_as_str(..., PF_SIMPLE)`` does."""
    if not raw:
        return "NULL"
    fam = raw[0]
    if fam == PPM_AF_UNIX:
        return sanitize_bytes(cstr(raw[1:]))
    if fam == PPM_AF_INET:
        if len(raw) == 7:
            return f"{ipv4_str(raw[1:5])}:{U16.unpack_from(raw, 5)[0]}"
        return "INVALID IPv4"
    if fam == PPM_AF_INET6:
        if len(raw) == 19:
            return f"{ipv6_str(raw[1:17])}:{U16.unpack_from(raw, 17)[0]}"
        return "INVALID IPv6"
    return _family_str(fam)


def socktuple_str(raw: bytes) -> str:
    """A SOCKTUPLE param rendered as ``get_param_as_str(..., PF_SIMPLE)`` does."""
    if not raw:
        return "NULL"
    fam = raw[0]
    if fam == PPM_AF_INET:
        if len(raw) == 13:
            return ipv4_tuple_str(raw[1:5], U16.unpack_from(raw, 5)[0],
                                  raw[7:11], U16.unpack_from(raw, 11)[0])
        return "INVALID IPv4"
    if fam == PPM_AF_INET6:
        if len(raw) == 37:
            sport = U16.unpack_from(raw, 17)[0]
            dport = U16.unpack_from(raw, 35)[0]
            if is_ipv4_mapped_ipv6(raw[1:17]) and is_ipv4_mapped_ipv6(raw[19:35]):
                return ipv4_tuple_str(raw[13:17], sport, raw[31:35], dport)
            return ipv6_tuple_str(raw[1:17], sport, raw[19:35], dport)
        return "INVALID IPv6"
    if fam == PPM_AF_UNIX:
        padded = raw.ljust(17, b"\0")
        src = U64.unpack_from(padded, 1)[0]
        dst = U64.unpack_from(padded, 9)[0]
        return f"{src:x}->{dst:x} {sanitize_bytes(cstr(raw[17:]))}"
    return _family_str(fam)
