"""``sysdive`` without ``-r``: capture the live host, into ``-w FILE`` or printed as it happens.

Either way the container runtimes are followed in the background
(:class:`~sysdive.containers.runtime.RuntimeWatcher`) and their metadata enters the event
stream as container JSON events, so a file names its containers after they are gone and the
printer names them as soon as the runtime has answered (before that, ``<NA>``, as sysdig).

Printing runs the capture in a thread that writes the scap stream into a pipe; the main
thread reads the pipe with the ordinary inspector (same state, filter and formats as ``-r``).
``-w`` with a filter, ``-F`` or chisels takes the same way (the inspector's writer keeps what
passes the filter, while the chisels run);
``-w`` alone writes the probe's blocks straight to the file, with rotation (``-C``/``-G``/
``-e``/``-W``) when asked. The last line on stderr always says what was captured and lost.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from sysdive.cli.options import Options
from sysdive.errors import SysdiveError, UsageError

if TYPE_CHECKING:
    from sysdive.capture.live import CaptureResult
    from sysdive.capture.prefilter import Prefilter
    from sysdive.inspector import Inspector

__all__ = ["run_live"]

_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031
# Printing is slower than capturing: a smaller ring bounds the backlog printed after a stop.
_PRINT_RING = 8 << 20


def _warn(msg: str) -> None:
    print(f"sysdive: warning: {msg}", file=sys.stderr)


def _watcher(o: Options) -> object | None:
    """The runtime watcher, started; None when the docker SDK is not installed."""
    try:
        import docker  # type: ignore[import-untyped]  # noqa: F401

        from sysdive.containers.runtime import RuntimeWatcher, default_sockets
    except ImportError:
        _warn("the docker package is not installed: containers will not be named")
        return None
    timeout = o.cri_timeout_ms / 1000 if o.cri_timeout_ms else 1.0
    return RuntimeWatcher(default_sockets(tuple(o.cri_sockets)), warn=_warn,
                          cri_timeout=timeout).start()


Inspect = Callable[[Options, TextIO, "Callable[[Inspector], None] | None"], int]


def run_live(o: Options, out: TextIO, inspect: Inspect) -> int:
    """Capture live; ``inspect`` is the ``-r`` path, used to print the streamed capture
    (its third argument prepares the inspector: live container rules, see
    :meth:`sysdive.state.tables.State.resolve_container`)."""
    from sysdive.capture.live import DEFAULT_BUFFER, Rotation, capture_to_file, check_live_support
    from sysdive.containers.events import container_events_source
    from sysdive.containers.runtime import RuntimeWatcher

    rotation = Rotation(size_bytes=o.file_size_mb * 1_000_000 if o.file_size_mb else None,
                        seconds=o.rotate_seconds, events=o.events_per_file, limit=o.file_limit)
    if o.file_limit and not rotation.active:
        raise UsageError("-W needs -C, -G or -e")
    if rotation.active and o.write_file is None:
        raise UsageError("-C, -G and -e rotate the file written with -w")
    # chisels read the stream through the inspector, whose writer then keeps the file
    direct = o.write_file is not None and not o.filter and not o.fatfile and not o.chisels
    if rotation.active and not direct:
        raise UsageError("-C, -G and -e work when every event is written; capture everything "
                         "and filter when reading with -r")
    check_live_support()
    prefilter = _prefilter(o)
    watcher = _watcher(o)
    side = (container_events_source(watcher.take)
            if isinstance(watcher, RuntimeWatcher) else None)

    def setup(inspector: Inspector) -> None:
        inspector.state.live = True
        if isinstance(watcher, RuntimeWatcher):
            inspector.state.on_new_container = watcher.request
    options: dict[str, object] = {
        "snaplen": o.snaplen or 80, "suppress_comms": tuple(o.suppress_comms),
        "side_events": side, "prefilter": prefilter,
        "hold": watcher.describing if isinstance(watcher, RuntimeWatcher) else None,
        # printing is slower than capturing: a smaller buffer bounds the backlog printed
        # after a stop
        "buffer_size": o.buffer_size or (DEFAULT_BUFFER if o.write_file else _PRINT_RING)}
    try:
        if direct:
            assert o.write_file is not None
            result = capture_to_file(o.write_file, seconds=o.duration_s, events=o.count,
                                     compress=o.compress, rotation=rotation,
                                     **options)  # type: ignore[arg-type]
            report_live(result, o.verbose)
            return 0
        return _print_live(o, out, lambda opts, to: inspect(opts, to, setup), capture_to_file,
                           options)
    finally:
        if isinstance(watcher, RuntimeWatcher):
            watcher.stop()


def _prefilter(o: Options) -> Prefilter | None:
    """The in-kernel pre-filters of the command line; containers become their cgroups."""
    from sysdive.capture.prefilter import Prefilter, cgroup_of_pid

    if not o.prefilters:
        return None
    cgroups = list(o.cgroups)
    if o.containers:
        from sysdive.memory.targets import docker_container_id, pids_in_container
        for name in o.containers:
            pids = pids_in_container(docker_container_id(name))
            if not pids:
                raise UsageError(f"--container {name}: the container has no running process")
            cgroups.append(cgroup_of_pid(min(pids)))
    return Prefilter(pids=tuple(o.pids), comms=tuple(o.comms), cgroups=tuple(cgroups),
                     syscalls=tuple(o.syscalls))


def _print_live(o: Options, out: TextIO, inspect: Callable[[Options, TextIO], int],
                capture: Callable[..., CaptureResult], options: dict[str, object]) -> int:
    rfd, wfd = os.pipe()
    with contextlib.suppress(OSError):
        fcntl.fcntl(wfd, _F_SETPIPE_SZ, _PIPE_BYTES)
    stop, started = threading.Event(), threading.Event()
    failure: list[BaseException] = []
    results: list[CaptureResult] = []

    def produce() -> None:
        try:
            results.append(capture(f"/dev/fd/{wfd}", seconds=o.duration_s, stop=stop,
                                   on_start=started.set, **options))
        except SysdiveError as err:
            if not stop.is_set():
                failure.append(err)
        except BaseException as err:  # reported by the main thread
            failure.append(err)
        finally:
            os.close(wfd)
            started.set()

    producer = threading.Thread(target=produce, name="sysdive-live-capture", daemon=True)
    producer.start()
    started.wait()
    if failure:  # the probe could not start: say why, once
        producer.join()
        os.close(rfd)
        raise failure[0]
    reading = dataclasses.replace(o, read_files=[f"/dev/fd/{rfd}"], duration_s=None,
                                  unbuffered=o.write_file is None)
    try:
        status = inspect(reading, out)
    finally:
        stop.set()
        # The printer may stop first (-n, Ctrl-C): keep the pipe flowing until the
        # capture thread has closed it.
        while producer.is_alive():
            try:
                if not os.read(rfd, _PIPE_BYTES):
                    break
            except OSError:
                break
        producer.join(timeout=30)
        os.close(rfd)
    if failure:
        raise failure[0]
    if results:
        report_live(results[0], o.verbose)
    return status


def report_live(result: CaptureResult, verbose: bool) -> None:
    """Drops are data: always say what was lost; -v adds sysdig's counters and per-CPU detail."""
    piped = result.path.startswith("/dev/fd/")
    what = "captured" if piped else f"written to {result.path}"
    files = f" ({len(result.files)} files)" if len(result.files) > 1 else ""
    print(f"{result.events} events {what}{files} in {result.seconds:.1f} s; "
          f"dropped {result.drops}, unreadable params {result.copy_failures}, "
          f"truncated {result.truncated}", file=sys.stderr)
    if verbose:
        eps = result.events / result.seconds if result.seconds else 0.0
        print(f"Driver Events:{result.events + result.drops}\nDriver Drops:{result.drops}\n"
              f"Suppressed by Comm:{result.suppressed}", file=sys.stderr)
        print(f"Elapsed time: {result.seconds:.3f}, Captured Events: {result.events}, "
              f"{eps:.2f} eps", file=sys.stderr)
        for cpu, (drops, copy_fail, truncated, bugs) in enumerate(result.per_cpu):
            print(f"cpu {cpu}: dropped (buffer full) {drops}, unreadable params {copy_fail}, "
                  f"truncated params {truncated}, malformed {bugs}", file=sys.stderr)
        print(f"event buffers: {result.buffer_bytes >> 20} MiB", file=sys.stderr)
