"""``sysdive``: sysdig's command line over sysdive's library.

This module wires options to the inspector, the formatter and the writer, and is the one
place that reports errors: a :class:`~sysdive.errors.SysdiveError` becomes one line on
stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
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
from sysdive.errors import SysdiveError, UsageError
from sysdive.format.buffers import BufferFormat
from sysdive.inspector import Inspector
from sysdive.schema.events import EVENTS
from sysdive.schema.types import Category

# What only some runs need (-w, -S, -h, chisels, the printer) is imported where it is used:
# a filtered read of a small capture is over in a fraction of a second, imports included.
if TYPE_CHECKING:
    from sysdive.cli.copying import CaptureCopy
    from sysdive.event import Event
    from sysdive.scap.blocks import CaptureHeader
    from sysdive.scap.reader import CaptureReader

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
    # Reading keeps many small objects alive (threads, fds, stored enter events) and makes
    # few cycles: with the default thresholds the cyclic collector rescans them every few
    # thousand events (7% of a filtered read of a large capture).
    gc.set_threshold(100_000, 50, 50)
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
        from sysdive.cli.usage import USAGE
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
        from sysdive.format.formatter import DEFAULT, DEFAULT_TTY
        out.write((DEFAULT_TTY if out.isatty() else DEFAULT) + "\n")
        out.flush()
        return 0
    if o.list_fields:
        from sysdive.fields.registry import render_field_list
        out.write(render_field_list(verbose=o.verbose))
        out.flush()
        return 0
    if o.list_chisels or o.chisel_info is not None:
        return _describe_chisels(o, out)
    if (o.memory_story or o.alloc_stacks) and o.prefilters:
        raise UsageError("--pid, --comm, --cgroup, --container and --syscalls go with a live "
                         "capture, not with --memory-story or --alloc-stacks")
    if o.memory_story:
        if o.alloc_stacks or o.chisels:
            raise UsageError("--memory-story runs alone (no --alloc-stacks or -c)")
        from sysdive.cli.memstory import run_memory_story
        return run_memory_story(o, out)
    if o.alloc_stacks:
        return _alloc_stacks(o, out)
    if o.flamegraph is not None:
        raise UsageError("--flamegraph goes with --alloc-stacks")
    if o.read_files and o.prefilters:
        raise UsageError("--pid, --comm, --cgroup, --container and --syscalls filter a live "
                         "capture in the kernel; with -r, use a filter (proc.pid=..., "
                         "evt.type in (...))")
    if not o.read_files:
        return _live(o, out)
    return _inspect(o, out)


def _describe_chisels(o: Options, out: TextIO) -> int:
    """-cl and -i NAME."""
    from sysdive.chisels.loader import all_chisels, render_chisel_info, render_chisel_list
    from sysdive.errors import ChiselError

    chisels = all_chisels()
    if o.list_chisels:
        out.write(render_chisel_list(chisels))
    else:
        found = [c for c in chisels if c.name == o.chisel_info and not c.hidden]
        if not found:
            raise ChiselError(f"chisel {o.chisel_info} not found - use -cl to list them.")
        out.write(render_chisel_info(found[0]))
    out.flush()
    return 0


def _alloc_stacks(o: Options, out: TextIO) -> int:
    """Live allocation stacks of a process, a container or the host (sysdive.memory)."""
    if o.read_files or o.write_file:
        raise UsageError("--alloc-stacks captures live; it cannot be combined with -r or -w")
    from sysdive.memory.report import report_json, report_text
    from sysdive.memory.stacks import capture_alloc_stacks
    from sysdive.memory.targets import resolve_target

    target = resolve_target(o.filter)
    svg = None
    if o.flamegraph is not None:  # opened first: a bad path fails before the capture
        try:
            svg = open(o.flamegraph, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as err:
            raise UsageError(f"cannot write {o.flamegraph}: {err.strerror}") from None
    try:
        report = capture_alloc_stacks(target.pids, target.label, seconds=o.duration_s)
        out.write(report_json(report, o.top) if o.json else report_text(report, o.top))
        out.flush()
        if svg is not None:
            from sysdive.memory.flamegraph import flamegraph_svg
            svg.write(flamegraph_svg(report))
    finally:
        if svg is not None:
            svg.close()
    return 0


def _live(o: Options, out: TextIO) -> int:
    """Live capture of the host, into ``-w FILE`` or printed (see :mod:`sysdive.cli.live`)."""
    from sysdive.cli.live import run_live
    return run_live(o, out, _inspect)


def _inspect(o: Options, out: TextIO, setup: Callable[[Inspector], None] | None = None) -> int:
    from sysdive.fields.registry import FieldOptions, FieldRegistry, reads_fd_state
    from sysdive.format.formatter import DEFAULT, DEFAULT_TTY, OutputFormat, expand_escapes

    inspector = Inspector(internal_events=o.debug, max_events=o.count,
                          max_duration_ns=o.duration_s * 1_000_000_000 if o.duration_s else None)
    if setup is not None:
        setup(inspector)
    buffer_format = _BUFFER_MODES[o.buffer_mode]
    if o.json:
        buffer_format = buffer_format.as_json()
    options = FieldOptions(time_format=o.time_format, buffer_format=buffer_format,
                           max_len=None if o.verbose else 80, resolve_ports=o.resolve_ports)
    tty = out.isatty()
    fmt_text = o.output_format if o.output_format is not None else (DEFAULT_TTY if tty else DEFAULT)
    fmt_text = expand_escapes(fmt_text)
    # sysdig resets colours when its format or its plugin-event format has one; -pc/-pk/-pm
    # replace only the first, so on a terminal the coloured plugin format still asks for it.
    reset_colors = "\x1b" in fmt_text or (tty and o.container_preset)
    # The event printer, unless nothing is printed (-q, or chisels instead) and the format is
    # the default one (a -p format is checked all the same, as sysdig does).
    formatter = None
    if not (o.quiet or o.chisels) or o.output_format is not None:
        formatter = OutputFormat(fmt_text, FieldRegistry(inspector.state, options), json=o.json)
    shown = formatter.fields if formatter is not None else []

    display = None
    if o.filter:
        from sysdive.filter import compile_filter
        from sysdive.filter.compiler import generic_syscall_ids

        compiled = compile_filter(o.filter, FieldRegistry(inspector.state, options))
        if o.display_filter:
            display = compiled.match
        else:
            inspector.capture_filter = compiled.match
            inspector.filter_types = compiled.event_types
            inspector.filter_syscalls = generic_syscall_ids(compiled.tree)
            inspector.fd_state = reads_fd_state([*compiled.fields, *shown])
            inspector.make_fast_filter = compiled.make_fast_match

    summary: Counter[tuple[int, int]] = Counter()
    sink = _LineSink(out, o.unbuffered)
    renderers: list[Callable[[Event], str | None]] = (
        formatter.line_renderers(json=o.json) if formatter is not None
        else [_no_line] * len(EVENTS))
    on_event = _event_sink(renderers, sink, display,
                           summary if o.summary else None, o.quiet,
                           frozenset() if o.debug else _INTERNAL)

    copy: CaptureCopy | None = None
    on_section: Callable[[CaptureHeader], None] | None = None
    on_dump: Callable[[Event, bool], None] | None = None
    if o.write_file is not None:
        from sysdive.cli.copying import CaptureCopy

        copy = CaptureCopy(o.write_file, compress=o.compress, fatfile=o.fatfile)
        on_section, on_dump = copy.on_section, copy.on_dump
        if not o.fatfile and not o.summary and not o.chisels:
            # Nothing but the copy wants the kept events (-w prints none): compiled code
            # may write them itself. (-F writes the rejected ones too, -S and chisels read
            # them.)
            inspector.raw_dump = copy
    # -q: the events that pass are only counted (-v), unless -S sums them or chisels read them
    inspector.count_only = o.quiet and not o.summary and not o.chisels

    # no percentage of a live stream (a pipe from the capture thread)
    progress = (_Progress(sys.stderr) if (o.progress or o.write_file)
                and not any(f.startswith("/dev/fd/") for f in o.read_files) else None)
    chisels = None
    if o.chisels:
        from sysdive.cli.chisel_run import ChiselDriver
        chisels = ChiselDriver(o, inspector, out, options)

    def stop(signum: int, frame: FrameType | None) -> None:
        inspector.stop()
        if not inspector.state.live:
            # A pipe that delivers nothing would keep the read waiting past the stop. (The
            # live printer's pipe ends with the capture, whose last events still come.)
            inspector.interrupt_wait()

    old_int = signal.signal(signal.SIGINT, stop)
    old_term = signal.signal(signal.SIGTERM, stop)
    status = 0
    try:
        try:
            if chisels is not None:
                chisels.run(o.read_files, on_section, on_dump,
                            progress.update if progress is not None else None,
                            "\x1b[00m" if reset_colors else "")
                reset_colors = False  # written by the driver, before the chisels' ends
            else:
                inspector.run(o.read_files, on_event, on_section, on_dump,
                              progress.update if progress is not None else None)
        finally:
            sink.flush()
            if progress is not None:
                progress.done()
            if reset_colors and chisels is None:
                out.write("\x1b[00m")
            if copy is not None:
                copy.close()
            out.flush()
    except SysdiveError as err:
        # Everything read before the damage has been printed; say where it stopped.
        print(f"sysdive: {err}", file=sys.stderr)
        status = err.exit_code
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    if o.summary:
        from sysdive.cli.summary import render_summary
        out.write(render_summary(summary, o.summary_copies))
        out.flush()
    if o.verbose:
        c = inspector.counters
        print(f"Events read:{c.read}\nEvents matching:{c.handed_on}", file=sys.stderr)
    if chisels is not None:
        nextrun = chisels.runner.nextrun_args
        if nextrun is not None:  # a chisel's run_app: sysdig runs itself again
            return run(parse_args(nextrun), out)
    return status


def _no_line(evt: Event) -> str | None:
    return None


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
