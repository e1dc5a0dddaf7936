"""Live capture of the running system into a ``.scap`` file that sysdig 0.29.3 reads.

Order of work, chosen so that nothing between the /proc snapshot and the first event is lost:
attach the probe first, then scan /proc and write the header, then drain the buffers. Events
that happen during the scan wait in the buffers; a process seen in both is simply described twice,
which readers handle (the event updates the snapshot's entry). The processes are also read
just before the probe is attached: one that exits while the header's scan runs would be
missing from it although its last events are in the buffers, so the first file's header
describes it as that earlier reading found it.

The probe writes complete scap event blocks into per-CPU buffers mapped into this process, so
the capture loop is: sleep a few milliseconds (the probe never wakes us, which keeps the
traced programs fast), merge what the CPUs hold by timestamp (numpy finds the boundaries and
orders them; runs of one CPU's events stay whole slices) and write those slices to the file.
No Python code runs per event.

SIGINT and SIGTERM stop the loop; the probe is detached first, the buffers drained, the file
closed, so the capture is complete and readable. Counters of lost events (a CPU's buffer
full), params that could not be read, and params cut to fit are returned and are never silent;
lost events also leave drop markers in the file (cpubuf.py).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from sysdive.capture.ebpf.cpubuf import CpuBuffers, Drained
from sysdive.capture.ebpf.loader import (
    CHUNK_BYTES,
    LiveCaptureError,
    Probe,
    ProbeSettings,
    ProbeStats,
)
from sysdive.capture.prefilter import Prefilter, suppressed_below
from sysdive.capture.procfs import scan_header, scan_processes
from sysdive.errors import CaptureError
from sysdive.scap import blocks as B
from sysdive.scap.writer import CaptureWriter, header_blocks
from sysdive.schema import SYSCALL_NR_TO_SC

__all__ = ["CaptureResult", "LiveCaptureError", "Prefilter", "Rotation", "capture_to_file",
           "check_live_support"]

# Per CPU. A storm on one CPU fills ~200 MB/s; 32 MiB rides out ~150 ms stalls of the
# consumer (a busy machine, ext4 writeback), where 16 MiB shared had dropped events.
DEFAULT_BUFFER = 32 << 20
POLL_SECONDS = 0.005
# Most event bytes kept back while a container's description is on its way (see `hold`).
HOLD_BYTES = 256 << 20


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
    files: tuple[str, ...] = ()  # every file written, in order (rotation)
    suppressed: int = 0  # events not generated because of -U


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


@dataclass(frozen=True, slots=True)
class Rotation:
    """When a capture moves on to a new file (sysdig's -C, -G, -e with -W)."""

    size_bytes: int | None = None  # -C (in 10^6 bytes on the command line)
    seconds: int | None = None     # -G
    events: int | None = None      # -e
    limit: int | None = None       # -W

    @property
    def active(self) -> bool:
        return bool(self.size_bytes or self.seconds or self.events)


class _Output:
    """A thread that does the file writes, so a slow write (page cache pressure, writeback,
    a busy disk) holds up this queue instead of the draining of the probe's buffers, which
    would then fill and lose events. Work items run in order; the first error is raised on
    the capture thread at its next call."""

    _DONE = None

    def __init__(self, max_bytes: int = 256 << 20) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._room = threading.Semaphore(max(1, max_bytes >> 20))  # in MiB
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sysdive-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    item()
                except BaseException as err:  # handed to the capture thread
                    self._error = err

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def call(self, fn: Callable[[], None]) -> None:
        self._check()
        self._queue.put(fn)

    def data(self, writer: CaptureWriter, data: bytes) -> None:
        """Queue ``data`` (a copy, so the buffers it came from can be reused at once)."""
        self._check()
        mib = max(1, len(data) >> 20)
        for _ in range(mib):
            self._room.acquire()

        def write() -> None:
            try:
                writer.write_now([data])
            finally:
                for _ in range(mib):
                    self._room.release()
        self._queue.put(write)

    def finish(self) -> None:
        """Wait until everything queued is written; raise the first error."""
        self._queue.put(self._DONE)
        self._thread.join()
        self._check()


class _Files:
    """The capture's output files: names, rotation, and the header each one starts with.

    Names follow sysdig: with -C or -e the -w name gets a counter (0, 1, ...), which -W wraps
    around (a ring of files); with -G a name holding strftime(3) fields is formatted at each
    rotation, and -W then ends the capture after that many files; without fields -G counts
    like -C.
    """

    def __init__(self, path: str, compress: bool, rotation: Rotation, out: _Output) -> None:
        self.out = out
        self.path = path
        self.compress = compress
        self.rotation = rotation
        self.timed_names = bool(rotation.seconds) and "%" in path
        self.created = 0
        self.names: list[str] = []
        self.writer: CaptureWriter | None = None
        self.opened_at = 0.0
        self.events = 0
        self.written = 0  # bytes of events queued for the current file
        # processes seen before the probe was attached (see capture_to_file)
        self.earlier: B.CaptureHeader | None = None

    def _next_name(self) -> str | None:
        r = self.rotation
        if not r.active:
            return self.path
        if self.timed_names:
            if r.limit is not None and self.created >= r.limit:
                return None
            return time.strftime(self.path)
        k = self.created if r.limit is None else self.created % r.limit
        return f"{self.path}{k}"

    def open_next(self) -> bool:
        """Start the next file with a fresh /proc snapshot; False when -W says stop."""
        name = self._next_name()
        if name is None:
            return False
        self.close()
        self.writer = CaptureWriter(name, self.compress)
        scanned = scan_header()
        if self.earlier is not None:
            # A process that exits while the scan runs is missing from it, yet its last
            # events are in the buffers: describe it as it was before the probe started.
            for tid, entry in self.earlier.procs.items():
                if tid not in scanned.procs:
                    scanned.procs[tid] = entry
                    if tid in self.earlier.fds:
                        scanned.fds[tid] = self.earlier.fds[tid]
            self.earlier = None
        header = header_blocks(scanned)
        self.out.data(self.writer, header)
        self.names.append(name)
        self.created += 1
        self.opened_at = time.monotonic()
        self.events = 0
        self.written = len(header)
        return True

    def budget(self) -> int | None:
        """Events this file may still take (-e)."""
        return None if self.rotation.events is None else self.rotation.events - self.events

    def due(self) -> bool:
        r = self.rotation
        w = self.writer
        assert w is not None
        return bool((r.events is not None and self.events >= r.events)
                    or (r.seconds is not None and time.monotonic() - self.opened_at >= r.seconds)
                    or (r.size_bytes is not None and self.written >= r.size_bytes))

    def put(self, pieces: list[Any]) -> None:
        assert self.writer is not None
        if pieces:
            self.written += sum(len(p) for p in pieces)
            self.out.data(self.writer, b"".join(pieces))

    def close(self) -> None:
        if self.writer is not None:
            self.out.call(self.writer.close)
            self.writer = None


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
    rotation: Rotation | None = None,
    suppress_comms: tuple[str, ...] = (),
    side_events: Callable[[], bytes] | None = None,
    prefilter: Prefilter | None = None,
    hold: Callable[[], bool] | None = None,
) -> CaptureResult:
    """Capture every system call of the host into ``path`` until a limit or a signal.

    ``seconds`` and ``events`` bound the capture (``-M``, ``-n``); ``snaplen`` is the number of
    I/O bytes kept per call (``-s``); ``compress`` writes gzip (``-z``); ``buffer_size`` is the
    buffer of each CPU in bytes (rounded up to a power of two of 2 MiB chunks);
    ``filter_pid`` restricts the probe to one process (by tgid); ``suppress_comms`` skips
    threads by name (``-U``); ``rotation`` spreads the capture over several files (``-C``,
    ``-G``, ``-e``, ``-W``). ``on_start`` is called once events are flowing into the first
    file. ``poll_seconds`` is how long the loop sleeps when the buffers were nearly empty.
    ``side_events`` returns ready event blocks that belong in the stream (container metadata,
    see :mod:`sysdive.containers.events`); it is asked after each file's header and at every
    poll, and its blocks go into the file where they arrive. While ``hold`` answers True
    (a container's description is on its way), drained events wait in memory (at most
    ``HOLD_BYTES``) and are written after the side events, so the description precedes
    the events of the container's first processes. ``prefilter`` restricts what the
    probe traces in the kernel (processes, cgroups, syscalls: :mod:`sysdive.capture.prefilter`).
    Raises :class:`LiveCaptureError` when live capture is impossible here.
    """
    check_live_support()
    if not 0 <= snaplen <= 65000:
        raise LiveCaptureError(f"snaplen {snaplen} is outside 0..65000")
    settings = ProbeSettings(self_tgid=os.getpid(), boot_to_epoch_ns=_boot_to_epoch_ns(),
                             sc_ppm=SYSCALL_NR_TO_SC, snaplen=snaplen, filter_tgid=filter_pid,
                             nchunks=chunks_for(buffer_size), suppress_comms=suppress_comms)
    if prefilter is not None:
        settings = prefilter.apply(settings)
    pf = prefilter

    def follow() -> frozenset[int]:
        assert pf is not None
        return pf.running(settings)
    start = time.monotonic()
    written = 0
    output = _Output()
    files = _Files(path, compress, rotation or Rotation(), output)

    def budget() -> int | None:
        caps = [c for c in (None if events is None else events - written, files.budget())
                if c is not None]
        return min(caps) if caps else None

    held: list[bytes] = []
    held_bytes = 0

    def put(got: Drained) -> None:
        nonlocal written, held_bytes
        written += got.events
        files.events += got.events
        if (got.pieces or held) and hold is not None and held_bytes < HOLD_BYTES and hold():
            if got.pieces:
                held.append(b"".join(got.pieces))
                held_bytes += len(held[-1])
            return
        release()
        files.put(got.pieces)

    def release() -> None:
        nonlocal held_bytes
        if held:
            side()  # the description the events waited for goes before them
            files.put(held)
            held.clear()
            held_bytes = 0

    def side() -> None:
        if side_events is not None and files.writer is not None:
            data = side_events()
            if data:
                files.put([data])

    earlier = files.earlier = B.CaptureHeader()

    def scan_before() -> None:
        scan_processes(earlier)
        # the processes started while that ran, which its listing of /proc did not have
        scan_processes(earlier, only_new=True)

    got = Drained([], 0, 0)
    # The signal handlers go in before the probe is loaded: a Ctrl-C while libbpf loads it
    # would otherwise land in a ctypes callback, be ignored, and the capture would go on.
    with _StopFlag(stop) as stopping, Probe(
            settings, follow=follow if prefilter is not None else None,
            before_attach=scan_before,
            below_suppressed=lambda: suppressed_below(settings.suppress_comms)) as probe:
        bufs = CpuBuffers(probe.chunks_fd, probe.ctl_fd, probe.ncpus, probe.nchunks,
                          settings.boot_to_epoch_ns)
        try:
            files.open_next()
            if on_start is not None:
                on_start()
            side()
            deadline = time.monotonic() + seconds if seconds is not None else None
            more = True
            while more and not stopping:
                side()
                got = bufs.drain(budget())
                if got.pieces:
                    put(got)
                if events is not None and written >= events:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if files.rotation.active and files.due():
                    release()
                    more = files.open_next()
                    side()
                    continue
                if got.nbytes < 1 << 20:
                    time.sleep(poll_seconds)
            # No new events from here on; what the buffers hold belongs to the capture,
            # except past an event limit.
            probe.detach()
            while more and (events is None or written < events):
                got = bufs.drain(budget(), final=True)
                put(got)
                if files.rotation.active and files.due():
                    release()
                    more = files.open_next()
                elif not got.events:
                    break
            while held and hold is not None and hold():  # bounded by the lookup's own limit
                time.sleep(poll_seconds)
            release()
            side()
            stats = probe.stats()
            drops = bufs.drops()
            files.close()
            output.finish()
        except OSError as err:
            raise CaptureError(f"cannot write {path}: {err.strerror or err}") from err
        finally:
            files.close()
            got = Drained([], 0, 0)  # let go of the views into the buffers before unmapping
            bufs.close()
            with contextlib.suppress(BaseException):
                output.finish()
        memory = probe.ncpus * probe.nchunks * CHUNK_BYTES
    return _result(files.names, written, stats, drops, time.monotonic() - start, memory)


def chunks_for(buffer_size: int) -> int:
    """Chunks per CPU for a requested per-CPU buffer size: a power of two in 2..64."""
    n = 2
    while n * CHUNK_BYTES < buffer_size and n < 64:
        n *= 2
    return n


def _result(names: list[str], written: int, stats: ProbeStats, drops: list[int],
            seconds: float, memory: int) -> CaptureResult:
    per_cpu = tuple((d, c[1], c[2], c[3]) for d, c in zip(drops, stats.per_cpu, strict=True))
    return CaptureResult(names[-1] if names else "", written, sum(drops), stats.copy_fail,
                         stats.truncated, seconds, per_cpu, memory, tuple(names),
                         stats.suppressed)
