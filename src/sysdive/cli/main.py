"""``sysdive``: sysdig's command line over sysdive's library.

This module wires options to the inspector, the formatter and the writer, and is the one
place that reports errors: a :class:`~sysdive.errors.SysdiveError` becomes one line on
stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from sysdive import __version__
from sysdive.cli.options import Options, parse_args
from sysdive.cli.summary import render_summary
from sysdive.cli.usage import USAGE
from sysdive.errors import SysdiveError, UsageError
from sysdive.event import Event
from sysdive.format.buffers import BufferFormat
from sysdive.format.formatter import DEFAULT, DEFAULT_TTY, OutputFormat, expand_escapes
from sysdive.inspector import Inspector
from sysdive.scap.blocks import CaptureHeader
from sysdive.scap.reader import CaptureReader
from sysdive.scap.writer import CaptureWriter
from sysdive.schema.events import EVENTS
from sysdive.schema.types import Category

if TYPE_CHECKING:
    from sysdive.capture.live import CaptureResult

_BUFFER_MODES = {
    "normal": BufferFormat.NORMAL, "ascii": BufferFormat.EOLS, "hex": BufferFormat.HEX,
    "hexascii": BufferFormat.HEXASCII, "base64": BufferFormat.BASE64,
}
_INTERNAL = frozenset(e.id for e in EVENTS if e.category & Category.INTERNAL)
_GENERIC_E, _GENERIC_X = 0, 1


def _stdout() -> TextIO:
    # Bytes that are not UTF-8 (raw buffers in -A) go out as they came in.
    return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="surrogateescape",
                            newline="\n", write_through=False, line_buffering=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sysdive`` console script."""
    args = sys.argv[1:] if argv is None else argv
    out = _stdout()
    try:
        return run(parse_args(args), out)
    except SysdiveError as err:
        _flush_quietly(out)
        print(f"sysdive: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        _flush_quietly(out)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (| head): not an error of ours. Point stdout at
        # /dev/null so the interpreter's final flush does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _flush_quietly(out: TextIO) -> None:
    with contextlib.suppress(OSError, ValueError):
        out.flush()


def run(o: Options, out: TextIO) -> int:
    """Carry out parsed options, writing event output to ``out``."""
    if o.help:
        out.write(USAGE)
        out.flush()
        return 0
    if o.show_version:
        out.write(f"sysdive version {__version__}\n")
        out.flush()
        return 0
    if o.show_libs_version:
        out.write("sysdive (compatible with falcosecurity/libs 0.1.1dev+git20220316.e5c53d64)")
        out.flush()
        return 0
    if o.list_events:
        from sysdive.schema.listing import render_event_list
        out.write(render_event_list())
        out.flush()
        return 0
    if o.print_default_format:
        out.write((DEFAULT_TTY if out.isatty() else DEFAULT) + "\n")
        out.flush()
        return 0
    if o.list_fields:
        from sysdive.fields.registry import render_field_list
        out.write(render_field_list(verbose=o.verbose))
        out.flush()
        return 0
    if o.chisels:
        raise UsageError("chisels (-c, -cl, -i) are not implemented yet")
    if not o.read_files:
        return _live(o, out)
    return _inspect(o, out)


def _live(o: Options, out: TextIO) -> int:
    """Live capture of the host: straight into ``-w FILE`` when every event is kept (no
    Python work per event), else through the same inspector that reads files."""
    from sysdive.capture.live import DEFAULT_BUFFER, Rotation, capture_to_file

    rotation = Rotation(size_bytes=o.file_size_mb * 1_000_000 if o.file_size_mb else None,
                        seconds=o.rotate_seconds, events=o.events_per_file, limit=o.file_limit)
    if o.file_limit and not rotation.active:
        raise UsageError("-W needs -C, -G or -e")
    if rotation.active and o.write_file is None:
        raise UsageError("-C, -G and -e rotate the file written with -w")
    options = {"snaplen": o.snaplen or 80, "buffer_size": o.buffer_size or DEFAULT_BUFFER,
               "suppress_comms": tuple(o.suppress_comms)}
    if o.write_file is not None and not o.filter and not o.fatfile:
        result = capture_to_file(o.write_file, seconds=o.duration_s, events=o.count,
                                 compress=o.compress, rotation=rotation, **options)  # type: ignore[arg-type]
        _report_live(result, o.verbose)
        return 0
    if rotation.active:
        raise UsageError("-C, -G and -e work when every event is written; capture everything "
                         "and filter when reading with -r")
    return _live_inspect(o, out, options)


def _live_inspect(o: Options, out: TextIO, options: dict[str, object]) -> int:
    """Capture into a pipe in a thread; the inspector reads the other end like a file."""
    import fcntl
    import threading

    from sysdive.capture.live import CaptureResult, capture_to_file, check_live_support

    check_live_support()
    rfd, wfd = os.pipe()
    with contextlib.suppress(OSError):  # a larger pipe: fewer switches between the threads
        fcntl.fcntl(wfd, fcntl.F_SETPIPE_SZ, 1 << 20)
    stop, started = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def capture() -> None:
        try:
            outcome["result"] = capture_to_file(f"/dev/fd/{wfd}", seconds=o.duration_s,
                                                stop=stop, on_start=started.set,
                                                **options)  # type: ignore[arg-type]
        except BaseException as err:  # reported by the main thread
            outcome["error"] = err
        finally:
            os.close(wfd)
            started.set()

    worker = threading.Thread(target=capture, name="sysdive-capture", daemon=True)
    worker.start()
    started.wait()
    if "error" in outcome:  # the probe could not start: say why, once
        worker.join()
        os.close(rfd)
        raise outcome["error"]  # type: ignore[misc]
    live = dataclasses.replace(o, read_files=[f"/dev/fd/{rfd}"], duration_s=None)
    try:
        status = _inspect(live, out, stream=True, on_stop=stop.set)
    finally:
        stop.set()
        # A capture thread may still be writing into a full pipe (-n reached): read the rest
        # until it closes its end.
        while os.read(rfd, 1 << 20):
            pass
        worker.join()
        os.close(rfd)
    err = outcome.get("error")
    if isinstance(err, BaseException) and not isinstance(err, BrokenPipeError):
        raise err
    result = outcome.get("result")
    if isinstance(result, CaptureResult):
        _report_live(result, o.verbose)
    return status


def _report_live(result: CaptureResult, verbose: bool) -> None:
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


def _inspect(o: Options, out: TextIO, stream: bool = False,
             on_stop: Callable[[], None] | None = None) -> int:
    from sysdive.fields.registry import FieldOptions, FieldRegistry
    from sysdive.filter import compile_filter
    from sysdive.filter.compiler import generic_syscall_ids

    inspector = Inspector(internal_events=o.debug, max_events=o.count,
                          max_duration_ns=o.duration_s * 1_000_000_000 if o.duration_s else None,
                          stream=stream)
    buffer_format = _BUFFER_MODES[o.buffer_mode]
    if o.json:
        buffer_format = buffer_format.as_json()
    options = FieldOptions(time_format=o.time_format, buffer_format=buffer_format,
                           max_len=None if o.verbose else 80, resolve_ports=o.resolve_ports)
    registry = FieldRegistry(inspector.state, options)

    tty = out.isatty()
    fmt_text = o.output_format if o.output_format is not None else (DEFAULT_TTY if tty else DEFAULT)
    fmt_text = expand_escapes(fmt_text)
    reset_colors = "\x1b" in fmt_text
    formatter = OutputFormat(fmt_text, registry, json=o.json)

    display = None
    if o.filter:
        compiled = compile_filter(o.filter, FieldRegistry(inspector.state, options))
        if o.display_filter:
            display = compiled.match
        else:
            inspector.capture_filter = compiled.match
            inspector.filter_types = compiled.event_types
            inspector.filter_syscalls = generic_syscall_ids(compiled.tree)

    summary: Counter[tuple[int, int]] = Counter()
    sink = _LineSink(out, o.unbuffered)
    on_event = _event_sink(formatter.line_renderers(json=o.json), sink, display,
                           summary if o.summary else None, o.quiet,
                           frozenset() if o.debug else _INTERNAL)

    writer: CaptureWriter | None = None
    on_section: Callable[[CaptureHeader], None] | None = None
    on_dump: Callable[[Event, bool], None] | None = None
    if o.write_file is not None:
        writer = CaptureWriter(o.write_file, compress=o.compress)
        w = writer
        fatfile = o.fatfile

        def on_section(hdr: CaptureHeader) -> None:
            w.write_header(hdr)

        def on_dump(evt: Event, keep: bool) -> None:
            if keep:
                w.write_event(evt.raw(), evt.cpu, evt.dflags)
            elif fatfile and evt.info.flags & 32:  # EF_MODIFIES_STATE
                w.write_event(evt.raw(), evt.cpu, 1)  # SCAP_DF_STATE_ONLY

    progress = _Progress(sys.stderr) if (o.progress or o.write_file) and not stream else None
    if stream:
        # live: show what is ready whenever the reader is about to wait for more events
        def idle() -> None:
            sink.flush()
            out.flush()
        inspector.on_idle = idle

    def stop(signum: int, frame: FrameType | None) -> None:
        if on_stop is not None:
            on_stop()  # live: the capture ends, and the reader then reaches the end of it
        else:
            inspector.stop()

    old_int = signal.signal(signal.SIGINT, stop)
    old_term = signal.signal(signal.SIGTERM, stop)
    status = 0
    try:
        try:
            inspector.run(o.read_files, on_event, on_section, on_dump,
                          progress.update if progress is not None else None)
        finally:
            sink.flush()
            if progress is not None:
                progress.done()
            if reset_colors:
                out.write("\x1b[00m")
            if writer is not None:
                writer.close()
            out.flush()
    except SysdiveError as err:
        # Everything read before the damage has been printed; say where it stopped.
        print(f"sysdive: {err}", file=sys.stderr)
        status = err.exit_code
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    if o.summary:
        out.write(render_summary(summary, o.summary_copies))
        out.flush()
    if o.verbose:
        c = inspector.counters
        print(f"Events read:{c.read}\nEvents matching:{c.handed_on}", file=sys.stderr)
    return status


class _LineSink:
    """Collects output lines and writes them in large chunks (one write per line costs more
    than rendering some of them); ``unbuffered`` (-U) writes and flushes each line."""

    __slots__ = ("lines", "out", "unbuffered")

    CHUNK = 1024

    def __init__(self, out: TextIO, unbuffered: bool) -> None:
        self.out = out
        self.unbuffered = unbuffered
        self.lines: list[str] = []

    def flush(self) -> None:
        """Write the collected lines (the caller flushes ``out`` when it wants)."""
        if self.lines:
            self.out.write("".join(self.lines))
            self.lines.clear()


def _event_sink(renderers: list[Callable[[Event], str | None]], sink: _LineSink,
                display: Callable[[Event], bool] | None,
                summary: Counter[tuple[int, int]] | None, quiet: bool,
                hidden: frozenset[int]) -> Callable[[Event], None]:
    """The inspector's ``on_event`` for text or JSON lines; ``renderers`` gives each event
    type's line function (the line includes its newline).

    The common case (no -S, -q, display filter or -U) gets its own lean function: it runs for
    every event of the capture.
    """
    lines = sink.lines
    append = lines.append
    chunk = sink.CHUNK
    if summary is None and not quiet and display is None and not sink.unbuffered:
        def fast(evt: Event) -> None:
            etype = evt.type
            if etype in hidden:
                return
            line = renderers[etype](evt)
            if line is not None:
                append(line)
                if len(lines) >= chunk:
                    sink.flush()
        return fast

    out = sink.out
    unbuffered = sink.unbuffered

    def on_event(evt: Event) -> None:
        if summary is not None:
            et = evt.type
            if et in (_GENERIC_E, _GENERIC_X):
                p = evt.param(0)
                sc = int.from_bytes(p[:2], "little") if p else 0
                summary[(1, sc * 2 + et)] += 1
            else:
                summary[(0, et)] += 1
        if quiet or evt.type in hidden:
            return
        line = renderers[evt.type](evt)
        if line is None:
            return
        if display is not None and not display(evt):
            return
        append(line)
        if unbuffered:
            sink.flush()
            out.flush()
        elif len(lines) >= chunk:
            sink.flush()
    return on_event


class _Progress:
    """``-P``: percentage of the file read, on stderr, as sysdig prints it."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.last = -1.0
        self.shown = ""

    def update(self, reader: CaptureReader) -> None:
        total = reader.total_size or 1
        pct = min(100.0, reader.compressed_position() * 100.0 / total)
        if pct - self.last > 0.1:
            self._show(f"{pct:.2f}")
            self.last = pct

    def _show(self, text: str) -> None:
        self.err.write("\r" + " " * len(self.shown) + "\r" + text)
        self.err.flush()
        self.shown = text

    def done(self) -> None:
        self._show("100.00")
        self.err.write("\n")
        self.err.flush()


__all__ = ["main", "run"]
