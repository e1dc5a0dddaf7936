"""A capture read from a pipe (how live printing reads the probe's stream) gives the same
events as the file, however the bytes are cut into writes."""

from __future__ import annotations

import gzip
import os
import random
import threading
import time
from pathlib import Path

import pytest

from sysdive.errors import CorruptCaptureError
from sysdive.scap.reader import CaptureReader, EventBatch, Section

CAPTURE = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures")) / \
    "run_as_user_0_container.scap"


def _events(path: str) -> list[tuple[int, int, int, bytes]]:
    out = []
    with CaptureReader(path) as reader:
        for item in reader:
            if isinstance(item, Section):
                continue
            assert isinstance(item, EventBatch)
            for etype, ts, tid, _cpu, _fl, hdr, end, _n in item.rows:
                out.append((etype, ts, tid, item.buf[hdr:end]))
    return out


@pytest.mark.parametrize("max_write", [1, 7, 300, 70000])
def test_pipe_reads_like_the_file(max_write: int) -> None:
    if not CAPTURE.exists():
        pytest.skip(f"{CAPTURE} is missing")
    data = gzip.decompress(CAPTURE.read_bytes())   # live streams are plain scap
    data = data[:250000] if max_write < 10 else data   # byte-by-byte writes are slow
    rng = random.Random(max_write)
    rfd, wfd = os.pipe()

    def feed() -> None:
        pos = 0
        while pos < len(data):
            n = rng.randint(1, max_write)
            os.write(wfd, data[pos:pos + n])
            pos += n
            if rng.random() < 0.01:
                time.sleep(0.001)   # let the reader catch up with a partial block
        os.close(wfd)

    t = threading.Thread(target=feed)
    t.start()
    try:
        if max_write < 10:
            # A cut capture: compare only the whole events (the reader reports the cut).
            whole = Path(f"/proc/self/fd/{rfd}")
            got: list[tuple[int, int, int, bytes]] = []
            with pytest.raises(CorruptCaptureError, match=r"truncated|ends"), \
                    CaptureReader(str(whole)) as reader:
                for item in reader:
                    if isinstance(item, EventBatch):
                        got += [(r[0], r[1], r[2], item.buf[r[5]:r[6]]) for r in item.rows]
            ref = _events(str(CAPTURE))
            assert got == ref[:len(got)] and len(got) > 100
        else:
            assert _events(f"/proc/self/fd/{rfd}") == _events(str(CAPTURE))
    finally:
        t.join()
        os.close(rfd)
