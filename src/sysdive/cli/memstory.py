"""``sysdive --memory-story [FILTER]``: the memory story on one screen (:mod:`sysdive.memory.story`).

On a capture (``-r FILE``) it reads the file once through the filter. Live, it runs two probes
side by side for ``-M`` seconds (or until Ctrl-C): the system-call capture, written to ``-w
FILE`` or a temporary file, and the allocation-stack probe; then it reads the capture as it
would a file and adds the stacks. The stack probe traces what the filter names when it is
``proc.pid=PID``, ``container.name=NAME`` or ``container.id=ID`` (see
:mod:`sysdive.memory.targets`), and otherwise the whole host, keeping the stacks of the
processes the filter matched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from typing import TextIO

from sysdive.cli.options import Options
from sysdive.errors import SysdiveError, UsageError
from sysdive.memory.stacks import AllocReport
from sysdive.memory.story import StoryReport

__all__ = ["run_memory_story", "story_of_captures"]

FILE_NOTE = ("allocation stacks need live capture "
             "(sudo sysdive --memory-story FILTER -M SECONDS)")


def story_of_captures(paths: list[str], flt: str, stacks: AllocReport | None = None,
                      stacks_note: str = FILE_NOTE) -> StoryReport:
    """Read captures through ``flt`` and put the story together (``stacks`` from a live run)."""
    from sysdive.fields.registry import FieldRegistry
    from sysdive.filter import compile_filter
    from sysdive.filter.compiler import generic_syscall_ids
    from sysdive.inspector import Inspector
    from sysdive.memory.story import StoryCollector, stacks_of_pids
    from sysdive.memory.targets import is_target_spec

    inspector = Inspector()
    if flt:
        compiled = compile_filter(flt, FieldRegistry(inspector.state))
        inspector.capture_filter = compiled.match
        inspector.filter_types = compiled.event_types
        inspector.filter_syscalls = generic_syscall_ids(compiled.tree)
    collector = StoryCollector(FieldRegistry(inspector.state), inspector.state.containers)
    inspector.run(paths, collector.on_event)
    if stacks is not None and flt and not is_target_spec(flt):
        matched = frozenset(g.pid for g in collector.growth.processes())
        stacks = stacks_of_pids(stacks, matched)
    return collector.report(flt, stacks, "" if stacks is not None else stacks_note)


def run_memory_story(o: Options, out: TextIO) -> int:
    from sysdive.memory.story import story_json, story_text

    if o.read_files:
        if o.write_file is not None:
            raise UsageError("--memory-story reads -r files or captures live into -w, not both")
        story = story_of_captures(o.read_files, o.filter)
    else:
        story = _live_story(o)
    out.write(story_json(story) if o.json else story_text(story))
    out.flush()
    return 0


def _live_story(o: Options) -> StoryReport:
    from sysdive.capture.live import capture_to_file, check_live_support
    from sysdive.cli.live import runtime_watcher
    from sysdive.containers.events import container_events_source
    from sysdive.containers.runtime import RuntimeWatcher
    from sysdive.memory.stacks import capture_alloc_stacks
    from sysdive.memory.targets import Target, is_target_spec, resolve_target

    check_live_support()
    target = (resolve_target(o.filter) if is_target_spec(o.filter)
              else Target(frozenset(), "all processes"))
    path = o.write_file
    tmpdir = None
    if path is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="sysdive-story-")
        path = os.path.join(tmpdir.name, "story.scap")
    watcher = runtime_watcher()
    side = (container_events_source(watcher.take)
            if isinstance(watcher, RuntimeWatcher) else None)
    stop = threading.Event()
    started = threading.Event()
    failure: list[SysdiveError] = []
    results: list[object] = []

    def capture() -> None:
        try:
            results.append(capture_to_file(path, snaplen=o.snaplen or 80, stop=stop,
                                           on_start=started.set, side_events=side,
                                           compress=o.compress))
        except SysdiveError as err:
            failure.append(err)
        finally:
            started.set()

    thread = threading.Thread(target=capture, name="sysdive-story-capture", daemon=True)
    try:
        thread.start()
        started.wait(60)
        if failure:
            raise failure[0]
        # The stack probe runs in this thread: -M and Ctrl-C end it, and then the capture.
        def say_started() -> None:
            until = f"for {o.duration_s} s" if o.duration_s else "until Ctrl-C"
            print(f"sysdive: memory story of {o.filter or 'all processes'}: capturing {until}",
                  file=sys.stderr, flush=True)

        stacks = capture_alloc_stacks(target.pids, target.label, on_start=say_started,
                                      seconds=float(o.duration_s) if o.duration_s else None)
        stop.set()
        thread.join()
        if failure:
            raise failure[0]
        if results:
            r = results[0]
            print(f"sysdive: {getattr(r, 'events', 0)} events captured in "
                  f"{getattr(r, 'seconds', 0.0):.1f} s; dropped {getattr(r, 'drops', 0)}"
                  + (f"; written to {o.write_file}" if o.write_file else ""), file=sys.stderr)
        return story_of_captures([path], o.filter, stacks)
    finally:
        stop.set()
        thread.join(timeout=30)
        if isinstance(watcher, RuntimeWatcher):
            watcher.stop()
        if tmpdir is not None:
            tmpdir.cleanup()
