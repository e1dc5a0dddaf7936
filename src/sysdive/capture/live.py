"""Live capture of the running system into a ``.scap`` file that sysdig 0.29.3 reads.

Order of work, chosen so that nothing between the /proc snapshot and the first event is lost:
attach the probe first, then scan /proc and write the header, then drain the ring. Events that
happen during the scan wait in the ring; a process seen in both is simply described twice,
which readers handle (the event updates the snapshot's entry).

The probe writes complete scap event blocks into per-CPU buffers mapped into this process, so
the capture loop is: sleep a few milliseconds (the probe never wakes us, which keeps the
traced programs fast), merge what the CPUs hold by timestamp (numpy finds the boundaries and
orders them; runs of one CPU's events stay whole slices) and write those slices to the file.
No Python code runs per event.

SIGINT and SIGTERM stop the loop; the probe is detached first, the ring drained, the file
closed, so the capture is complete and readable. Counters of lost events (ring full), params
that could not be read, and params cut to fit are returned and are never silent.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from sysdive.capture.ebpf.cpubuf import CpuBuffers
from sysdive.capture.ebpf.loader import (
    CHUNK_BYTES,
    LiveCaptureError,
    Probe,
    ProbeSettings,
    ProbeStats,
)
from sysdive.capture.procfs import scan_header
from sysdive.errors import CaptureError
from sysdive.scap.writer import CaptureWriter
from sysdive.schema import SYSCALL_NR_TO_SC

__all__ = ["CaptureResult", "LiveCaptureError", "capture_to_file", "check_live_support"]

# Per CPU. A storm on one CPU fills ~200 MB/s; 32 MiB rides out ~150 ms stalls of the
# consumer (a busy machine, ext4 writeback), where 16 MiB shared had dropped events.
DEFAULT_BUFFER = 32 << 20
POLL_SECONDS = 0.005


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """What a capture did: events written, and everything lost or degraded on the way."""

    path: str
    events: int
    drops: int          # events lost because a CPU's buffer was full
    copy_failures: int  # params written empty because user memory could not be read
    truncated: int      # variable params cut to keep an event under 64 KiB
    seconds: float
    per_cpu: tuple[tuple[int, int, int, int], ...]  # (drops, copy failures, truncated, bugs)
    buffer_bytes: int   # memory of the event buffers, all CPUs


def check_live_support() -> None:
    """Raise :class:`LiveCaptureError` naming what this machine lacks for live capture."""
    if os.geteuid() != 0:
        raise LiveCaptureError("live capture needs root (it loads BPF programs into the kernel)")
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        raise LiveCaptureError(
            "live capture needs a kernel with BTF (/sys/kernel/btf/vmlinux is missing)")


def _boot_to_epoch_ns() -> int:
    # The probe stamps events with CLOCK_BOOTTIME (it keeps counting across suspend, unlike
    # the monotonic clock); this offset turns that into epoch time, as sysdig's timestamps are.
    best = None
    for _ in range(5):  # take the pair read closest together
        a = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        wall = time.time_ns()
        b = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        if best is None or b - a < best[0]:
            best = (b - a, wall - (a + b) // 2)
    assert best is not None
    return best[1]


class _StopFlag:
    """Set by SIGINT/SIGTERM (main thread only) or by the caller's event."""

    def __init__(self, external: threading.Event | None) -> None:
        self.external = external
        self.signalled = False
        self._saved: dict[int, object] = {}

    def __enter__(self) -> _StopFlag:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._on_signal)
        return self

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signalled = True

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return self.signalled or bool(self.external and self.external.is_set())


def capture_to_file(
    path: str,
    seconds: float | None = None,
    events: int | None = None,
    snaplen: int = 80,
    compress: bool = False,
    buffer_size: int = DEFAULT_BUFFER,
    filter_pid: int = 0,
    stop: threading.Event | None = None,
    on_start: Callable[[], None] | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> CaptureResult:
    """Capture every system call of the host into ``path`` until a limit or a signal.

    ``seconds`` and ``events`` bound the capture (``-M``, ``-n``); ``snaplen`` is the number of
    I/O bytes kept per call (``-s``); ``compress`` writes gzip (``-z``); ``buffer_size`` is the
    buffer of each CPU in bytes (rounded up to a power of two of 2 MiB chunks); ``filter_pid`` restricts the probe to one process (by
    tgid). ``on_start`` is called once events are flowing into the file's header section.
    ``poll_seconds`` is how long the loop sleeps when the buffers were nearly empty.
    Raises :class:`LiveCaptureError` when live capture is impossible here.
    """
    check_live_support()
    if not 0 <= snaplen <= 65000:
        raise LiveCaptureError(f"snaplen {snaplen} is outside 0..65000")
    settings = ProbeSettings(self_tgid=os.getpid(), boot_to_epoch_ns=_boot_to_epoch_ns(),
                             sc_ppm=SYSCALL_NR_TO_SC, snaplen=snaplen, filter_tgid=filter_pid,
                             nchunks=chunks_for(buffer_size))
    start = time.monotonic()
    written = 0
    with Probe(settings) as probe:
        bufs = CpuBuffers(probe.chunks_fd, probe.ctl_fd, probe.ncpus, probe.nchunks,
                          settings.boot_to_epoch_ns)
        try:
            with CaptureWriter(path, compress) as writer, _StopFlag(stop) as stopping:
                writer.write_header(scan_header())
                if on_start is not None:
                    on_start()
                deadline = start + seconds if seconds is not None else None
                while not stopping:
                    got = bufs.drain(None if events is None else events - written)
                    if got.pieces:
                        writer.write_now(got.pieces)
                        written += got.events
                    if events is not None and written >= events:
                        break
                    if deadline is not None and time.monotonic() >= deadline:
                        break
                    if got.nbytes < 1 << 20:
                        time.sleep(poll_seconds)
                # No new events from here on; what the buffers hold belongs to the capture,
                # except past an event limit.
                probe.detach()
                while events is None or written < events:
                    got = bufs.drain(None if events is None else events - written, final=True)
                    writer.write_now(got.pieces)
                    written += got.events
                    if not got.events:
                        break
                stats = probe.stats()
                drops = bufs.drops()
        except OSError as err:
            raise CaptureError(f"cannot write {path}: {err.strerror or err}") from err
        finally:
            bufs.close()
        memory = probe.ncpus * probe.nchunks * CHUNK_BYTES
    return _result(path, written, stats, drops, time.monotonic() - start, memory)


def chunks_for(buffer_size: int) -> int:
    """Chunks per CPU for a requested per-CPU buffer size: a power of two in 2..64."""
    n = 2
    while n * CHUNK_BYTES < buffer_size and n < 64:
        n *= 2
    return n


def _result(path: str, written: int, stats: ProbeStats, drops: list[int], seconds: float,
            memory: int) -> CaptureResult:
    per_cpu = tuple((d, c[1], c[2], c[3]) for d, c in zip(drops, stats.per_cpu, strict=True))
    return CaptureResult(path, written, sum(drops), stats.copy_fail, stats.truncated,
                         seconds, per_cpu, memory)
