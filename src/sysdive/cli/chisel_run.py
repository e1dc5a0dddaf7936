"""``-c``: runs chisels over the capture files in place of the event printer.

As in sysdig, with chisels no event line is printed; each file gets its own ``on_init`` /
``on_capture_start`` / ``on_capture_end`` round; the command-line filter is the capture
filter (with ``-d`` there is none: chisels see every event); the text of fields has no
80-character cut.

Speed: when nothing counts events that pass the capture filter (no ``-n``, ``-M``, ``-w``)
and no chisel needs every event (intervals), the chisels' own filters are and-ed into the
capture filter, so the inspector's prefilter skips what no chisel wants.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TextIO

from sysdive.chisels.api import ChiselContext
from sysdive.chisels.runner import ChiselRunner, create
from sysdive.cli.options import Options
from sysdive.errors import ChiselError, SysdiveError
from sysdive.event import Event
from sysdive.fields.registry import FieldOptions, FieldRegistry, reads_fd_state, type_determined
from sysdive.filter.ast import And, Node
from sysdive.inspector import Inspector
from sysdive.scap.blocks import CaptureHeader
from sysdive.scap.reader import CaptureReader


class ChiselDriver:
    """Runs the chisels of ``o`` with ``inspector`` (built and configured by the caller)."""

    def __init__(self, o: Options, inspector: Inspector, out: TextIO,
                 options: FieldOptions) -> None:
        from sysdive.filter.parser import parse

        self.inspector = inspector
        inspector.keep_internal = True  # chisels see procinfo and the like
        # A chisel may read any field (fd.* included) from on_event: keep the fd tables
        # (until _configure knows the chisels' fields).
        inspector.fd_state = True
        self.options = dataclasses.replace(options, max_len=None)
        self.registry = FieldRegistry(inspector.state, self.options)
        self.json = o.json
        ctx = ChiselContext(self.registry, out, print_container=o.container_preset,
                            output_format="json" if o.json else "normal",
                            filter=o.filter, is_tty=out.isatty(), state=inspector.state,
                            buffer_forced=o.buffer_mode != "normal",
                            # sysdig.get_evtsource_name(): the capture file ("" live).
                            evtsource_name=o.read_files[0] if o.read_files else "")
        chisels = [create(spec.cls, spec.args, ctx) for spec in o.chisels]
        self.runner = ChiselRunner(chisels, inspector.state, inspector.stop)
        self.cmd_tree: Node | None = (parse(o.filter) if o.filter and not o.display_filter
                                      else None)
        self.narrow = o.count is None and o.duration_s is None and o.write_file is None

    def run(self, paths: list[str], on_section: Callable[[CaptureHeader], None] | None,
            on_dump: Callable[[Event, bool], None] | None,
            progress: Callable[[CaptureReader], None] | None, eof_text: str = "") -> None:
        """Each file in turn, with the chisels' per-capture hooks around it.

        ``eof_text`` (the colour reset of a coloured format) is written when the input ends,
        before the last ``on_capture_end``, where sysdig writes it.
        """
        insp = self.inspector
        runner = self.runner
        for i, path in enumerate(paths):
            if insp.stopped:
                break
            for ch in runner.chisels:  # sysdig.get_evtsource_name: the file being read
                ch.ctx = dataclasses.replace(ch.ctx, evtsource_name=path)
            runner.start_file(FieldRegistry(insp.state, self.options))
            self._configure()
            try:
                insp.run([path], runner.sink, on_section, on_dump, progress)
            except ChiselError:
                raise
            except SysdiveError:
                # sysdig still ends the chisels (and prints their tables) on a damaged file.
                if eof_text:
                    runner.chisels[0].out.write(eof_text)
                runner.end_file()
                raise
            if eof_text and (insp.stopped or i == len(paths) - 1):
                runner.chisels[0].out.write(eof_text)
            runner.end_file()

    def _configure(self) -> None:
        from sysdive.filter import compile_tree
        from sysdive.filter.compiler import generic_syscall_ids

        insp = self.inspector
        runner = self.runner
        from sysdive.filter.parser import parse

        extra = runner.capture_tree() if self.narrow else None
        tree = self.cmd_tree
        if runner.capture_filter is not None:  # a chisel's sysdig.set_filter
            if tree is not None:
                raise ChiselError("invalid filter in chisel: filter can only be set once "
                                  "(the command line has one)")
            tree = parse(runner.capture_filter) if runner.capture_filter else None
        if extra is not None:
            tree = extra if tree is None else And((tree, extra), 0)
        capture_fields: tuple[object, ...] = ()
        if tree is None:
            insp.capture_filter = None
            insp.filter_types = None
            insp.filter_syscalls = None
            insp.make_fast_filter = None
        else:
            compiled = compile_tree(tree, FieldRegistry(insp.state, self.options))
            insp.capture_filter = compiled.match
            insp.filter_types = compiled.event_types
            insp.filter_syscalls = generic_syscall_ids(compiled.tree)
            insp.make_fast_filter = compiled.make_fast_match
            capture_fields = compiled.fields
        merged = extra is not None
        # sysdig has no capture filter here: chisel filters run after parsing
        insp.state.tracers.capture_filter = not (merged and tree is extra)
        runner.build_sink(self.registry, merged=merged, json=self.json)
        # The fd tables only when a field in use reads them (chisels that say they read
        # state only through fields); the thread table is always kept.
        insp.fd_state = runner.reads_fd_state() or reads_fd_state(capture_fields)
        # Aggregations over type-determined fields: whole batches at once, no state.
        insp.fold = (runner.fold_plan(merged)
                     if self.narrow and type_determined(capture_fields) else None)
        insp.on_filtered = runner.on_filtered if runner.wants_rejected else None
