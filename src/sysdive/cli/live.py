"""``sysdive`` without ``-r``: capture the live host, into ``-w FILE`` or printed as it happens.

Either way the container runtimes are followed in the background
(:class:`~sysdive.containers.runtime.RuntimeWatcher`) and their metadata enters the event
stream as container JSON events, so a file names its containers after they are gone and the
printer names them as soon as the runtime has answered (before that, ``<NA>``, as sysdig).

Printing runs the capture in a thread that writes the scap stream into a pipe; the main
thread reads the pipe with the ordinary inspector (same state, filter and formats as ``-r``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from sysdive.cli.options import Options
from sysdive.errors import SysdiveError, UsageError

__all__ = ["run_live", "runtime_watcher"]

_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031
# Printing is slower than capturing: a smaller ring bounds the backlog printed after a stop.
_PRINT_RING = 8 << 20


def _warn(msg: str) -> None:
    print(f"sysdive: warning: {msg}", file=sys.stderr)


def runtime_watcher() -> object | None:
    """The runtime watcher, started; None when the docker SDK is not installed."""
    try:
        import docker  # type: ignore[import-untyped]  # noqa: F401

        from sysdive.containers.runtime import RuntimeWatcher
    except ImportError:
        _warn("the docker package is not installed: containers will not be named")
        return None
    return RuntimeWatcher(warn=_warn).start()


def run_live(o: Options, out: TextIO, inspect: Callable[[Options, TextIO], int]) -> int:
    """Capture live; ``inspect`` is the ``-r`` path, used to print the streamed capture."""
    from sysdive.capture.live import capture_to_file, check_live_support
    from sysdive.containers.events import container_events_source
    from sysdive.containers.runtime import RuntimeWatcher

    check_live_support()
    if o.write_file is not None and o.filter:
        raise UsageError("filters on live capture to a file are not available yet: capture "
                         "everything with -w, then filter when reading with -r")
    watcher = runtime_watcher()
    side = (container_events_source(watcher.take)
            if isinstance(watcher, RuntimeWatcher) else None)
    try:
        if o.write_file is not None:
            result = capture_to_file(o.write_file, seconds=o.duration_s, events=o.count,
                                     snaplen=o.snaplen or 80, compress=o.compress,
                                     side_events=side)
            # Drops are data: always say what was lost.
            print(f"{result.events} events written to {result.path} in {result.seconds:.1f} s;"
                  f" dropped {result.drops}, unreadable params {result.copy_failures}, "
                  f"truncated {result.truncated}", file=sys.stderr)
            return 0
        return _print_live(o, out, inspect, capture_to_file, side)
    finally:
        if isinstance(watcher, RuntimeWatcher):
            watcher.stop()


def _print_live(o: Options, out: TextIO, inspect: Callable[[Options, TextIO], int],
                capture: Callable[..., object], side: Callable[[], bytes] | None) -> int:
    rfd, wfd = os.pipe()
    with contextlib.suppress(OSError):
        fcntl.fcntl(wfd, _F_SETPIPE_SZ, _PIPE_BYTES)
    stop = threading.Event()
    failure: list[SysdiveError] = []
    results: list[object] = []

    def produce() -> None:
        try:
            results.append(capture(f"/dev/fd/{wfd}", seconds=o.duration_s,
                                   snaplen=o.snaplen or 80, stop=stop, side_events=side,
                                   buffer_size=_PRINT_RING))
        except SysdiveError as err:
            if not stop.is_set():
                failure.append(err)
        finally:
            os.close(wfd)

    producer = threading.Thread(target=produce, name="sysdive-live-capture", daemon=True)
    producer.start()
    reading = dataclasses.replace(o, read_files=[f"/dev/fd/{rfd}"], write_file=None,
                                  unbuffered=True)
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
        producer.join(timeout=5)
        os.close(rfd)
    if failure:
        raise failure[0]
    if results:
        r = results[0]
        drops = getattr(r, "drops", 0)
        if drops or o.verbose:
            # Printing is slower than the probe: say what did not make it.
            print(f"sysdive: {getattr(r, 'events', 0)} events captured in "
                  f"{getattr(r, 'seconds', 0.0):.1f} s; dropped {drops}", file=sys.stderr)
    return status
