"""The compiled block walk (scap/_blockwalk.c) frames exactly what the numpy scan frames
(scap/scan.py scan_numpy, the reference): on every sample capture from each block start and
with several windows, and on damaged buffers (bit flips, overwritten words, cuts)."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import (
    CAPTURES_DIR,
    SYSDIVE,
    compiled_module,
    run,
    sample_capture,
    sysdive_env,
)
from sysdive.scap import scan as scan_mod

CAPTURES = ("curl_google", "run_as_user_0_container", "single_ipv6_conn")
_V2 = (0x216, 0x217, 0x221, 0x222)


def _walk() -> Any:
    return compiled_module("scap._blockwalk").walk


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The sample captures as sysdive writes them (EV v2 blocks), and an -F copy (EVF v2
    blocks with dump flags)."""
    out = tmp_path_factory.mktemp("walk")
    data = {}
    for name in CAPTURES:
        sample_capture(name)
        for label, extra in (("", []), ("-F", ["-F", "proc.name=curl"])):
            dst = out / f"{name}{label}.scap"
            done = run([*SYSDIVE, "-r", str(CAPTURES_DIR / f"{name}.scap"), "-w", str(dst),
                        *extra], env=sysdive_env())
            assert done.returncode == 0, done.stderr.decode(errors="replace")
            data[f"{name}{label}"] = dst.read_bytes()
    return data


def _block_starts(buf: bytes) -> list[int]:
    """Every block start of a well-formed capture."""
    out, pos = [], 0
    while pos + 8 <= len(buf):
        out.append(pos)
        pos += struct.unpack_from("<I", buf, pos + 4)[0]
    return out


def _same(buf: bytes, pos: int, window: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYSDIVE_NO_EXTENSION", raising=False)
    end_c, cols_c = scan_mod.scan(buf, pos, window)
    end_py, cols_py = scan_mod.scan_numpy(buf, pos, window)
    assert end_c == end_py, (pos, window)
    assert (cols_c is None) == (cols_py is None), (pos, window)
    if cols_c is None or cols_py is None:
        return
    for a, b in ((cols_c.wi, cols_py.wi), (cols_c.type, cols_py.type),
                 (cols_c.elen, cols_py.elen)):
        assert a.dtype == b.dtype and np.array_equal(a, b), (pos, window)
    # None stands for "no EVF block" (numpy may keep an all-False array after a cut).
    no_flags = np.zeros(len(cols_py.wi), dtype=np.bool_)
    fl_c = no_flags if cols_c.flagged is None else cols_c.flagged
    fl_py = no_flags if cols_py.flagged is None else cols_py.flagged
    assert fl_c.dtype == fl_py.dtype and np.array_equal(fl_c, fl_py), (pos, window)
    assert cols_c.flagged is None or cols_c.flagged.any()
    assert all(np.array_equal(a, b) for a, b in zip(cols_c.fields(), cols_py.fields(),
                                                    strict=True))


def test_walk_frames_sample_captures_like_numpy(copies: dict[str, bytes],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _walk()
    flagged = 0
    for buf in copies.values():
        starts = _block_starts(buf)
        for pos in starts[:: max(1, len(starts) // 200)]:
            for window in (64, 4096, 64 << 10, 16 << 20):
                _same(buf, pos, window, monkeypatch)
        flagged += any(struct.unpack_from("<I", buf, p)[0] == 0x217 for p in starts)
    assert flagged, "no EVF blocks among the copies: the -F copies should have them"


@settings(max_examples=300, deadline=None)
@given(which=st.sampled_from([f"{n}{s}" for n in CAPTURES for s in ("", "-F")]),
       at=st.floats(0, 1),
       how=st.sampled_from(["flip", "word", "cut", "zero", "elen", "blen", "btype", "etype"]),
       arg=st.integers(0, 2**32 - 1), start=st.floats(0, 0.5),
       window=st.sampled_from([4096, 64 << 10, 16 << 20]))
def test_walk_frames_damaged_buffers_like_numpy(copies: dict[str, bytes], which: str,
                                               at: float, how: str, arg: int, start: float,
                                               window: int) -> None:
    _walk()
    buf = bytearray(copies[which])
    starts = [p for p in _block_starts(bytes(buf)) if struct.unpack_from("<I", buf, p)[0] in _V2]
    pos = starts[int(start * (len(starts) - 1))]
    off = int(at * (len(buf) - 5))
    # A block at or after pos, for the mutations of one header field near its limits.
    blk = starts[int(start * (len(starts) - 1)) + int(at * (len(starts) - 1 - starts.index(pos)))]
    blen = struct.unpack_from("<I", buf, blk + 4)[0]
    hdr = blk + (14 if struct.unpack_from("<I", buf, blk)[0] in (0x217, 0x222) else 10)
    near = (arg % 9) - 4
    if how == "elen":
        struct.pack_into("<I", buf, hdr + 16, max(0, blen - 14 + near))
    elif how == "blen":
        struct.pack_into("<I", buf, blk + 4, max(0, [blen, 40, 44, 65544, 12][arg % 5] + near))
    elif how == "btype":
        struct.pack_into("<I", buf, blk, [0x216, 0x217, 0x221, 0x222, 0x204, 0x0A0D0D0A][arg % 6])
    elif how == "etype":
        struct.pack_into("<H", buf, hdr + 20, [0, 335, 336, 337, 0xFFFF][arg % 5])
    elif how == "flip":
        buf[off] ^= 1 << (arg & 7)
    elif how == "word":
        buf[off & ~3:(off & ~3) + 4] = struct.pack("<I", arg)
    elif how == "zero":
        buf[off:off + 64] = bytes(len(buf[off:off + 64]))
    else:
        del buf[max(off, pos + 1):]
    with pytest.MonkeyPatch.context() as mp:
        _same(bytes(buf), pos, window, mp)


def _block(btype: int, etype: int, payload: int, flagged: bool = False,
           elen_delta: int = 0) -> bytes:
    """One event block of ``payload`` param bytes (no params: a bare event)."""
    head = struct.pack("<H", 1) + (struct.pack("<I", 1) if flagged else b"")
    elen = 26 + payload
    event = struct.pack("<QQIHI", 1, 2, elen + elen_delta, etype, 0) + bytes(payload)
    body = head + event
    body += bytes(-len(body) % 4)
    blen = 8 + len(body) + 4
    return struct.pack("<II", btype, blen) + body + struct.pack("<I", blen)


@pytest.mark.parametrize(("blocks", "listed"), [
    # an EV v2 block past the non-large limit stops the run; a large one of the same size not
    ([_block(0x216, 3, 100), _block(0x216, 3, 65536 - 26), _block(0x216, 3, 8)], 1),
    ([_block(0x216, 3, 100), _block(0x221, 3, 65536 - 26), _block(0x216, 3, 8)], 3),
    # EVF blocks and events of unknown types (framed, not listed)
    ([_block(0x217, 3, 30, flagged=True), _block(0x216, 336, 4), _block(0x222, 5, 6, True)], 2),
    # an event length at the end of its block (padding included), and one byte past it
    ([_block(0x216, 3, 16), _block(0x216, 3, 17, elen_delta=3)], 2),
    ([_block(0x216, 3, 16), _block(0x216, 3, 16, elen_delta=1)], 1),
])
def test_walk_limits(blocks: list[bytes], listed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    _walk()
    buf = b"".join(blocks)
    for window in (4, 1 << 20):
        _same(buf, 0, window, monkeypatch)
    cols = scan_mod.scan(buf, 0, 1 << 20)[1]
    assert cols is not None and len(cols) == listed
