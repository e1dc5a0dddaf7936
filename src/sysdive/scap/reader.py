"""Reading capture files: plain or gzip, one or many concatenated sections.

The reader frames blocks and hands out events in batches of header rows; it never decodes
parameters (that happens lazily in :mod:`sysdive.event`). A row is a plain tuple, because the
inspector looks at every row and creating an object per event would dominate the read time::

    (type, ts, tid, cpu, dump_flags, hdr_off, end, nparams)

``hdr_off`` is where the event header starts in the batch buffer and ``end`` where the event
ends. ``nparams`` is -1 for events from v1 blocks, whose 22-byte header has no nparams field;
it is then inferred from the lengths when the params are first needed.

Damage never loses data: every whole event before it is delivered, then a
:class:`~sysdive.errors.CorruptCaptureError` names the byte offset (in the uncompressed stream).
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, BinaryIO

from sysdive.errors import CaptureError, CorruptCaptureError
from sysdive.records import record
from sysdive.scap import blocks as B

if TYPE_CHECKING:
    from sysdive.scap.scan import Columns

Row = tuple[int, int, int, int, int, int, int, int]

_BH = struct.Struct("<II")
# Block header + cpu + v2 event header, unpacked in one call for the common block kind.
_V2 = struct.Struct("<IIHQQIHI")
_V2F = struct.Struct("<IIHIQQIHI")
_V1 = struct.Struct("<IIHQQIH")
_V1F = struct.Struct("<IIHIQQIH")
_SHB_BODY = struct.Struct("<IHHq")
_U32 = struct.Struct("<I")
_SHB_TYPE = struct.pack("<I", B.SHB)
_EV_V2, _EV_V2_LARGE, _EV_V1, _EV_INT = B.EV_V2, B.EV_V2_LARGE, B.EV, B.EV_INT
_EVF_V2, _EVF_V2_LARGE, _EVF = B.EVF_V2, B.EVF_V2_LARGE, B.EVF
_NONLARGE_MAX = 65536
_EVENT_MAX = 336  # event ids at or above this are unknown to 0.29.3 and skipped, as it does

CHUNK = 4 << 20
# Bytes the numpy scan looks at per call (see __iter__).
_WINDOW_MIN, _WINDOW_MAX = 64 << 10, 16 << 20
_V2_BLOCKS = frozenset({B.EV_V2, B.EV_V2_LARGE, B.EVF_V2, B.EVF_V2_LARGE})
# Files from this size on are framed by the numpy scan. Importing numpy costs ~0.15 s, about
# what the sequential walk and the per-event loop spend on 100,000 events (~6 MB): the two
# paths take the same time there (measured on the benchmark capture), so the scan starts there.
# SYSDIVE_VECTORISE_MIN (bytes) overrides it, so tests can run small captures through the scan.
VECTORISE_MIN = int(os.environ.get("SYSDIVE_VECTORISE_MIN", 6 << 20))


class EventBatch:
    """Consecutive events of one section over one buffer: as rows, or as numpy columns
    (``cols``) when the vectorised scan framed them (``rows`` then converts on demand)."""

    __slots__ = ("_rows", "base", "buf", "cols")

    def __init__(self, buf: bytes, rows: list[Row] | None, base: int,
                 cols: Columns | None = None) -> None:
        self.buf = buf
        self._rows = rows
        self.base = base  # stream offset of buf[0]
        self.cols = cols

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = self.cols.rows() if self.cols is not None else []
        return self._rows

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else len(self.cols or ())


@record(frozen=False)
class Section:
    """A section header and its header blocks; the events that follow belong to it."""

    header: B.CaptureHeader
    offset: int


class _GzipStream:
    """Streaming gunzip that keeps what it decompressed before damage.

    ``gzip.GzipFile.read`` raises on a truncated member and drops the data of that read;
    here every decompressed byte is handed out first and the damage is reported after.
    Concatenated members (``cat a.scap.gz b.scap.gz``) are read through.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._eof = False
        self.damage: str | None = None

    def tell_compressed(self) -> int:
        return self.raw.tell()

    def read(self, n: int) -> bytes:
        out: list[bytes] = []
        size = 0
        while size < n and not self._eof:
            chunk = self.raw.read(1 << 20)
            if not chunk:
                self._eof = True
                if not self._d.eof:
                    self.damage = "the gzip stream is truncated"
                break
            saved = self._d.copy()
            try:
                data = self._inflate(chunk)
            except zlib.error as err:
                # zlib drops the output of a failing call: replay the chunk in small steps
                # from the saved state to keep everything decompressed before the damage.
                self._d = saved
                data = self._inflate_until_error(chunk)
                self._eof = True
                self.damage = f"the gzip stream is damaged ({err})"
            out.append(data)
            size += len(data)
        return b"".join(out)

    def _inflate(self, chunk: bytes) -> bytes:
        data = self._d.decompress(chunk)
        while self._d.eof and self._d.unused_data:
            rest = self._d.unused_data
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            if rest.strip(b"\0") == b"":
                break  # zero padding after the last member
            data += self._d.decompress(rest)
        return data

    def _inflate_until_error(self, chunk: bytes) -> bytes:
        got: list[bytes] = []
        step = 256
        for i in range(0, len(chunk), step):
            try:
                got.append(self._inflate(chunk[i:i + step]))
            except zlib.error:
                # the failing step's output is lost too: retry it a byte at a time
                for b in range(i, min(i + step, len(chunk))):
                    try:
                        got.append(self._inflate(chunk[b:b + 1]))
                    except zlib.error:
                        break
                break
        return b"".join(got)

    def close(self) -> None:
        self.raw.close()


def _is_pipe(path: str) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def _open_stream(path: str) -> tuple[BinaryIO, _GzipStream | None]:
    if os.path.isdir(path):
        raise CaptureError(f"{path}: is a directory, not a capture file")
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by CaptureReader.close
    except OSError as err:
        raise CaptureError(f"cannot open {path}: {err.strerror or err}") from err
    if _is_pipe(path):
        # A live capture streamed through a pipe: plain scap, no seeking.
        return raw, None
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return raw, _GzipStream(raw)
    return raw, None


class ReadInterrupted(Exception):
    """Raised by :meth:`CaptureReader.interrupt_wait` into a waiting pipe read."""


def _have_numpy() -> bool:
    """numpy is a dependency, but a reader without it still works (sequentially)."""
    import importlib.util
    return importlib.util.find_spec("numpy") is not None


class CaptureReader:
    """Iterates the sections and event batches of one capture file."""

    def __init__(self, path: str, chunk: int = CHUNK, vectorise: bool | None = None) -> None:
        self.path = path
        self._chunk = chunk
        self._raw, self._gz = _open_stream(path)
        # A pipe (live capture) is read as the bytes arrive: walk whatever whole blocks are
        # there instead of waiting for a full chunk.
        self.streaming = _is_pipe(path)
        self._want = 1 if self.streaming else chunk
        self.bytes_read = 0
        self.waiting = False   # in a pipe read (see interrupt_wait)
        self.total_size = 0 if self.streaming else os.path.getsize(path)
        if self.streaming:
            vectorise = False
        if vectorise is None:
            # Captures gzip 6:1 to 10:1 (the samples); the scan pays off by uncompressed bytes.
            stream_size = self.total_size * (6 if self._gz is not None else 1)
            vectorise = stream_size >= VECTORISE_MIN and _have_numpy()
        self.vectorise = vectorise

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> CaptureReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def compressed_position(self) -> int:
        """Bytes consumed from the file on disk (for progress reporting)."""
        return self._raw.tell()

    def _read(self) -> bytes:
        """The next chunk of the uncompressed stream; b"" at its end."""
        try:
            if self._gz is not None:
                return self._gz.read(self._chunk)
            if self.streaming:
                self.waiting = True
                try:
                    return os.read(self._raw.fileno(), self._chunk)
                finally:
                    self.waiting = False
            return self._raw.read(self._chunk)
        except OSError as err:
            raise CaptureError(f"error reading {self.path}: {err.strerror or err}") from err

    def interrupt_wait(self) -> None:
        """From a signal handler: end the reading, when a pipe read is waiting for data
        (the read would resume after the handler and could wait for ever)."""
        if self.waiting:
            raise ReadInterrupted

    def _stream_damage(self) -> str | None:
        return self._gz.damage if self._gz is not None else None

    def __iter__(self) -> Iterator[Section | EventBatch]:
        buf = b""
        base = 0  # stream offset of buf[0]
        pos = 0
        need = self._want  # bytes wanted in the buffer before walking on
        section: B.CaptureHeader | None = None
        in_header = False
        eof = False
        scan: Callable[[bytes, int, int], tuple[int, Columns | None]] | None = None
        if self.vectorise:
            from sysdive.scap.scan import scan as numpy_scan
            scan = numpy_scan
        walk_first = 0
        window = _WINDOW_MIN
        while True:
            while not eof and len(buf) - pos < need:
                try:
                    data = self._read()
                except ReadInterrupted:
                    return   # stopped while waiting: what came before is all there is
                self.bytes_read += len(data)
                if data:
                    buf = buf[pos:] + data
                    base += pos
                    pos = 0
                else:
                    eof = True
            n = len(buf)
            if eof and pos >= n and (why := self._stream_damage()):
                raise CorruptCaptureError(why, base + pos)
            if pos >= n:
                if section is None:
                    raise CaptureError(f"{self.path}: empty file, not a capture")
                if in_header:
                    raise CorruptCaptureError("section has no events", base + pos)
                return
            rows: list[Row] = []
            append = rows.append
            need = self._want
            damage: CorruptCaptureError | None = None
            try:
                while pos + 8 <= n:
                    if scan is not None and section is not None:
                        if walk_first > 0:
                            walk_first -= 1
                        elif _U32.unpack_from(buf, pos)[0] in _V2_BLOCKS:
                            new_pos, cols = scan(buf, pos, window)
                            # The scan's cost grows with its window, its gain with the run
                            # it finds: widen the window while runs fill it, and walk a few
                            # blocks sequentially after a run that stopped short.
                            if new_pos - pos >= window >> 1:
                                window = min(window << 2, _WINDOW_MAX)
                                walk_first = 0
                            else:
                                window = _WINDOW_MIN
                                walk_first = 1 if new_pos > pos else 16
                            if new_pos > pos:
                                if rows:
                                    yield EventBatch(buf, rows, base)
                                    rows = []
                                    append = rows.append
                                if cols is not None:
                                    yield EventBatch(buf, None, base, cols)
                                pos = new_pos
                                in_header = False
                                continue
                    if pos + 36 <= n:
                        btype, blen, cpu, ts, tid, elen, etype, npar = _V2.unpack_from(buf, pos)
                    else:
                        btype, blen = _BH.unpack_from(buf, pos)
                    if section is None and btype != B.SHB:
                        raise CaptureError(
                            f"{self.path}: not a capture file (it does not start with a section header)")
                    if pos + blen > n or blen < 12:
                        if blen < 12 or blen & 3:
                            raise CorruptCaptureError(
                                f"invalid block length {blen} (block type {btype:#x})", base + pos)
                        need = max(blen, self._want)
                        break  # the block continues past the buffer
                    if _U32.unpack_from(buf, pos + blen - 4)[0] != blen:
                        raise CorruptCaptureError(
                            f"block of type {btype:#x} and length {blen} has a different trailer",
                            base + pos)
                    if btype in (_EV_V2, _EV_V2_LARGE):
                        if blen < 40 or elen < 26 or 10 + elen > blen - 4:
                            raise CorruptCaptureError(
                                f"event length {elen} does not fit its block of {blen}", base + pos)
                        if blen > _NONLARGE_MAX + 8 and btype == _EV_V2:
                            raise CorruptCaptureError(f"event block length {blen} too large", base + pos)
                        if etype < _EVENT_MAX:
                            append((etype, ts, tid, cpu, 0, pos + 10, pos + 10 + elen, npar))
                        in_header = False
                    elif btype == _EV_V1:
                        _, _, cpu, ts, tid, elen, etype = _V1.unpack_from(buf, pos)
                        if blen < 36 or elen < 22 or 10 + elen > blen - 4 or blen > _NONLARGE_MAX + 8:
                            raise CorruptCaptureError(
                                f"event length {elen} does not fit its block of {blen}", base + pos)
                        if etype < _EVENT_MAX:
                            append((etype, ts, tid, cpu, 0, pos + 10, pos + 10 + elen, -1))
                        in_header = False
                    elif btype in B.EVENT_BLOCKS:
                        if section is None:
                            raise CaptureError(f"{self.path}: not a capture file (no section header)")
                        self._other_event(buf, pos, blen, btype, base, rows)
                        in_header = False
                    elif btype == B.SHB:
                        if in_header:
                            raise CorruptCaptureError("section has no events", base + pos)
                        if rows:
                            yield EventBatch(buf, rows, base)
                            rows = []
                            append = rows.append
                        section = self._section_header(buf, pos, blen, base)
                        in_header = True
                        yield Section(section, base + pos)
                    elif section is None:
                        raise CaptureError(f"{self.path}: not a capture file (no section header)")
                    elif in_header:
                        self._header_block(buf, pos, blen, btype, base, section)
                    else:
                        raise CorruptCaptureError(
                            f"unexpected block type {btype:#x} among events", base + pos)
                    pos += blen
            except CorruptCaptureError as err:
                damage = err
            if pos + 8 > n:
                need = max(need, 8)    # a block header is cut: wait for the rest of it
            if rows:
                yield EventBatch(buf, rows, base)
            if damage is not None:
                raise damage
            if eof and pos < n:
                if section is None:
                    if buf[pos:pos + 4] == _SHB_TYPE[:n - pos]:
                        raise CorruptCaptureError(
                            f"the section header block is cut: the file ends {n - pos} bytes"
                            " into it", base + pos)
                    raise CaptureError(f"{self.path}: not a capture file")
                if why := self._stream_damage():
                    raise CorruptCaptureError(f"{why}; the last block is cut", base + pos)
                raise CorruptCaptureError(
                    f"truncated block: the file ends {n - pos} bytes into it", base + pos)

    def _section_header(self, buf: bytes, pos: int, blen: int, base: int) -> B.CaptureHeader:
        if blen < 28:
            raise CaptureError(f"{self.path}: not a capture file (section header too short)")
        magic, major, minor, _ = _SHB_BODY.unpack_from(buf, pos + 8)
        if magic != B.SHB_MAGIC:
            raise CaptureError(f"{self.path}: not a capture file (bad byte-order magic {magic:#x})")
        if major > 1:
            raise CaptureError(f"{self.path}: capture format {major}.{minor} is newer than supported (1.x)")
        return B.CaptureHeader(version=(major, minor))

    def _header_block(self, buf: bytes, pos: int, blen: int, btype: int, base: int,
                      hdr: B.CaptureHeader) -> None:
        body, end = pos + 8, pos + blen - 4
        if btype in (B.MI, B.MI_INT):
            if end - body < 180:
                raise CorruptCaptureError("machine info block too short", base + pos)
            hdr.machine = B.parse_machine_info(buf, body, end, base)
        elif btype in B.PL_VERSION:
            B.parse_proclist(buf, body, end, base, B.PL_VERSION[btype], hdr)
        elif btype in (B.FDL, B.FDL_INT, B.FDL_V2):
            B.parse_fdlist(buf, body, end, base, btype == B.FDL_V2, hdr)
        elif btype in (B.IL, B.IL_INT, B.IL_V2):
            B.parse_iflist(buf, body, end, base, btype == B.IL_V2, hdr)
        elif btype in (B.UL, B.UL_INT, B.UL_V2):
            B.parse_userlist(buf, body, end, base, btype == B.UL_V2, hdr)
        # Unknown header blocks are skipped, as 0.29.3 does in its header phase.

    def _other_event(self, buf: bytes, pos: int, blen: int, btype: int, base: int,
                     rows: list[Row]) -> None:
        """Frame the rarer event block kinds: flagged (EVF) and v1 (no nparams)."""
        end_block = pos + blen - 4
        if btype in (_EVF_V2, _EVF_V2_LARGE):
            if blen < 8 + 6 + 26 + 4:
                raise CorruptCaptureError(f"event block too short ({blen})", base + pos)
            _, _, cpu, dflags, ts, tid, elen, etype, npar = _V2F.unpack_from(buf, pos)
            hdr = pos + 14
            if elen < 26 or hdr + elen > end_block:
                raise CorruptCaptureError(f"event length {elen} does not fit its block", base + pos)
        else:
            if blen - 8 > _NONLARGE_MAX:
                raise CorruptCaptureError(f"event block length {blen} too large", base + pos)
            if btype == _EVF:
                if blen < 8 + 6 + 22 + 4:
                    raise CorruptCaptureError(f"event block too short ({blen})", base + pos)
                _, _, cpu, dflags, ts, tid, elen, etype = _V1F.unpack_from(buf, pos)
                hdr = pos + 14
            else:
                if blen < 8 + 2 + 22 + 4:
                    raise CorruptCaptureError(f"event block too short ({blen})", base + pos)
                _, _, cpu, ts, tid, elen, etype = _V1.unpack_from(buf, pos)
                dflags = 0
                hdr = pos + 10
            npar = -1
            if elen < 22 or hdr + elen > end_block:
                raise CorruptCaptureError(f"event length {elen} does not fit its block", base + pos)
        if etype < _EVENT_MAX:
            rows.append((etype, ts, tid, cpu, dflags, hdr, hdr + elen, npar))


def read_all(path: str) -> tuple[list[Section | EventBatch], CorruptCaptureError | None]:
    """Read a whole capture (for tests and small files); damage is returned, not raised."""
    out: list[Section | EventBatch] = []
    try:
        for item in CaptureReader(path):
            out.append(item)
    except CorruptCaptureError as err:
        return out, err
    return out, None


__all__ = ["CaptureReader", "EventBatch", "Row", "Section", "read_all"]
