"""The per-CPU buffer reader's boundary finding and drop markers, on blocks built in memory
(the live tests run the same code on the probe's real buffers)."""

from __future__ import annotations

import struct

import numpy as np

from sysdive.capture.ebpf.cpubuf import CpuBuffers, drop_marker
from sysdive.scap.reader import CaptureReader, EventBatch
from sysdive.scap.writer import event_block

_EV_BLOCK = 0x216


def _event(ts: int, data: bytes) -> bytes:
    """A write exit (res, data) as an EV v2 block."""
    params = struct.pack("<q", len(data)) + data
    raw = struct.pack("<QQIHI", ts, 7, 26 + 4 + len(params), 4, 2)
    raw += struct.pack("<HH", 8, len(data)) + params
    return event_block(raw, 0)


def _reader_over(buf: bytes) -> CpuBuffers:
    bufs = CpuBuffers.__new__(CpuBuffers)
    bufs._u32 = np.frombuffer(buf, dtype=np.uint32)
    return bufs


def test_starts_plain_chain() -> None:
    blocks = [_event(100 + k, b"x" * k) for k in range(20)]
    buf = b"".join(blocks)
    starts = _reader_over(buf)._starts(0, len(buf)) * 4
    expect = np.cumsum([0] + [len(b) for b in blocks[:-1]])
    assert starts.tolist() == expect.tolist()


def test_starts_steps_over_the_block_word_inside_data() -> None:
    # data holding what looks like a block start (type word, then a plausible length)
    trap = struct.pack("<II", _EV_BLOCK, 16) + b"abcd" + struct.pack("<I", _EV_BLOCK)
    blocks = [_event(1, b"ok"), _event(2, b"\0\0" + trap), _event(3, trap * 3), _event(4, b"z")]
    buf = b"".join(blocks)
    starts = _reader_over(buf)._starts(0, len(buf)) * 4
    expect = np.cumsum([0] + [len(b) for b in blocks[:-1]])
    assert starts.tolist() == expect.tolist()


def test_drop_marker_is_a_readable_enter_exit_pair(tmp_path: object) -> None:
    from pathlib import Path

    from sysdive.capture.procfs import scan_header
    from sysdive.scap.writer import CaptureWriter

    path = Path(str(tmp_path)) / "m.scap"
    with CaptureWriter(str(path)) as w:
        w.write_header(scan_header())
        w.write_raw(_event(5, b"a") + drop_marker(1, 6, 12345))
    rows = [r for item in CaptureReader(str(path)) if isinstance(item, EventBatch)
            for r in item.rows]
    assert [(r[0], r[1], r[3]) for r in rows] == [(4, 5, 0), (148, 6, 1), (149, 6, 1)]
