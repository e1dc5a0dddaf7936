"""Text renderings of BYTEBUF values, one per sysdig buffer output mode.

sysdig 0.29.3 (libsinsp ``binary_buffer_to_string`` and its helpers in event.cpp, libs
e5c53d64) renders every BYTEBUF param - I/O ``data``, but also ``args``, ``env`` and
``cgroups`` of execve/clone - through one of these modes, chosen on the command line:

========================  ======================  =========================================
mode                      option                  rendering
========================  ======================  =========================================
NORMAL                    (default)               printable ASCII kept, other bytes ``.``;
                                                  cut to the max length with ``...``
EOLS                      ``-A``                  leading newline, printable ASCII and line
                                                  breaks only
HEX / HEXASCII            ``-x`` / ``-X``         16-byte rows ``\\n\\t0xOOOO: hhhh ...``
BASE64                    ``-b``                  standard base64 with ``=`` padding
JSON, JSON_EOLS, ...      ``-j`` plus the above   same text as the plain mode, never cut
========================  ======================  =========================================

"Printable" means C ``isprint`` in the C locale (sysdig never calls ``setlocale``): bytes
0x20-0x7E. An empty buffer renders as ``""`` in every mode. CHARBUF params (``exe``,
``comm``, ``cwd``, paths) are not buffers: sysdig prints them verbatim up to the first NUL,
whatever the mode, and never cuts them.

The results are plain text; escaping for JSON output is the JSON writer's job.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from enum import Enum

__all__ = ["BufferFormat", "render_buffer"]


class BufferFormat(Enum):
    """A buffer output mode; the values are libsinsp's ``sinsp_evt::param_fmt`` bits."""

    NORMAL = 1 << 0
    """Default text output: dots for non-printables, cut to the max length."""
    JSON = 1 << 1
    """``-j``: like NORMAL but never cut."""
    SIMPLE = 1 << 2
    """What sysdig uses while a chisel runs: like NORMAL but never cut."""
    HEX = 1 << 3
    """``-x``: hex rows."""
    HEXASCII = 1 << 4
    """``-X``: hex rows followed by their printable characters."""
    EOLS = 1 << 5
    """``-A``: printable characters and line breaks, after a leading newline."""
    EOLS_COMPACT = 1 << 6
    """Like EOLS without the leading newline (not reachable from sysdig's options)."""
    BASE64 = 1 << 7
    """``-b``: base64."""
    JSON_EOLS = 1 << 8
    """``-j -A``: same text as EOLS."""
    JSON_HEX = 1 << 9
    """``-j -x``: same text as HEX."""
    JSON_HEXASCII = 1 << 10
    """``-j -X``: same text as HEXASCII."""
    JSON_BASE64 = 1 << 11
    """``-j -b``: same text as BASE64."""

    def as_json(self) -> BufferFormat:
        """Return the mode sysdig switches to when ``-j`` is also given."""
        return _JSON_VARIANT.get(self, self)


_JSON_VARIANT = {
    BufferFormat.NORMAL: BufferFormat.JSON,
    BufferFormat.EOLS: BufferFormat.JSON_EOLS,
    BufferFormat.HEX: BufferFormat.JSON_HEX,
    BufferFormat.HEXASCII: BufferFormat.JSON_HEXASCII,
    BufferFormat.BASE64: BufferFormat.JSON_BASE64,
}

_PRINTABLE = range(0x20, 0x7F)

# One translate() call per buffer instead of a Python loop per byte: this is the hot path.
_DOTS = bytes(b if b in _PRINTABLE else 0x2E for b in range(256))
_EOLS_MAP = bytes(0x0A if b == 0x0D else b for b in range(256))
_EOLS_DROP = bytes(b for b in range(256) if b not in _PRINTABLE and b not in (0x0A, 0x0D))

_HEX_ROW = 16


def _dots(data: bytes) -> str:
    return data.translate(_DOTS).decode("ascii")


def _cut(text: str, max_len: int | None) -> str:
    # sysdig cuts only when the rendering is strictly longer than the limit, and overwrites
    # the last three kept characters rather than appending, so the result is max_len long.
    if not max_len or len(text) <= max_len:
        return text
    if max_len > 3:
        return text[: max_len - 3] + "..."
    return text[:max_len]


def _eols(data: bytes, leading_newline: bool) -> str:
    # A LF counts as a line break only when it does not follow a CR (CRLF -> one newline)
    # and is not the very first byte: sysdig drops a LF at offset 0 (its "previous byte"
    # test needs an offset above zero), while a lone CR always becomes a newline.
    if data[:1] == b"\n":
        data = data[1:]
    text = data.replace(b"\r\n", b"\r").translate(_EOLS_MAP, _EOLS_DROP).decode("ascii")
    return "\n" + text if leading_newline else text


def _hex(data: bytes, with_ascii: bool) -> str:
    parts: list[str] = []
    for offset in range(0, len(data), _HEX_ROW):
        row = data[offset : offset + _HEX_ROW]
        # Two bytes per group in file order; an odd last byte forms a two-digit group.
        parts.append(f"\n\t0x{offset:04x}: {row.hex(' ', -2)}")
        if with_ascii:
            # Padding counts missing groups, not missing characters, so a row ending in an
            # odd byte is two columns short; sysdig does the same.
            groups = (len(row) + 1) // 2
            parts.append(" " * (5 * (8 - groups)) + "  " + _dots(row))
    parts.append("\n")
    return "".join(parts)


def render_buffer(data: bytes, fmt: BufferFormat, max_len: int | None = None) -> str:
    """Render a BYTEBUF value as sysdig 0.29.3 prints it in ``fmt``.

    ``max_len`` is sysdig's max event output length (80 in text output unless ``-v`` is given
    or a chisel runs; ``None`` or ``0`` for no limit). It applies to :attr:`BufferFormat.NORMAL`
    only: a longer rendering is cut to ``max_len`` characters, the last three being ``...``.
    """
    if not data:
        return ""
    if fmt is _NORMAL:
        # Every I/O buffer sysdive prints comes here: the dotted text inline, cut only when
        # it is longer than the limit.
        text = data.translate(_DOTS).decode("ascii")
        return _cut(text, max_len) if max_len and len(text) > max_len else text
    if fmt is _SIMPLE or fmt is _JSON:
        return data.translate(_DOTS).decode("ascii")
    # Enum members hash in Python code: only the rarer modes pay a dict lookup.
    return _RENDER[fmt](data)


_NORMAL = BufferFormat.NORMAL
_SIMPLE = BufferFormat.SIMPLE
_JSON = BufferFormat.JSON
_RENDER: dict[BufferFormat, Callable[[bytes], str]] = {
    BufferFormat.NORMAL: _dots,
    BufferFormat.JSON: _dots,
    BufferFormat.SIMPLE: _dots,
    BufferFormat.EOLS: lambda data: _eols(data, leading_newline=True),
    BufferFormat.JSON_EOLS: lambda data: _eols(data, leading_newline=True),
    BufferFormat.EOLS_COMPACT: lambda data: _eols(data, leading_newline=False),
    BufferFormat.HEX: lambda data: _hex(data, with_ascii=False),
    BufferFormat.JSON_HEX: lambda data: _hex(data, with_ascii=False),
    BufferFormat.HEXASCII: lambda data: _hex(data, with_ascii=True),
    BufferFormat.JSON_HEXASCII: lambda data: _hex(data, with_ascii=True),
    BufferFormat.BASE64: lambda data: base64.b64encode(data).decode("ascii"),
    BufferFormat.JSON_BASE64: lambda data: base64.b64encode(data).decode("ascii"),
}
