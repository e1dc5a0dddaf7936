"""``sysdive --memory-story [FILTER]``: the memory story on one screen (:mod:`sysdive.memory.story`).

On a capture (``-r FILE``) it reads the file once through the filter. Live, it runs two probes
side by side for ``-M`` seconds (or until Ctrl-C): the system-call capture (``sysdive -w`` in a
child process, into ``-w FILE`` or a temporary file) and the allocation-stack probe (here);
then it reads the capture as it would a file and adds the stacks. sysdive's own two processes
are left out of the story. The stack probe traces what the filter names when it is
``proc.pid=PID``, ``container.name=NAME`` or ``container.id=ID`` (see
:mod:`sysdive.memory.targets`), and otherwise the whole host, keeping the stacks of the
processes the filter matched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import TextIO

from sysdive.capture.live import LiveCaptureError
from sysdive.cli.options import Options
from sysdive.errors import UsageError
from sysdive.memory.story import StoryCollector, StoryReport

__all__ = ["run_memory_story", "story_of_captures"]

FILE_NOTE = ("allocation stacks need live capture "
             "(sudo sysdive --memory-story FILTER -M SECONDS)")


def _collect(paths: list[str], flt: str,
             exclude: frozenset[int] = frozenset()) -> StoryCollector:
    """Read captures through ``flt``, leaving out the processes in ``exclude``."""
    from sysdive.fields.registry import FieldRegistry
    from sysdive.filter import compile_filter
    from sysdive.filter.compiler import generic_syscall_ids
    from sysdive.inspector import Inspector

    inspector = Inspector()
    if flt:
        compiled = compile_filter(flt, FieldRegistry(inspector.state))
        inspector.capture_filter = compiled.match
        inspector.filter_types = compiled.event_types
        inspector.filter_syscalls = generic_syscall_ids(compiled.tree)
    collector = StoryCollector(FieldRegistry(inspector.state), inspector.state.containers,
                               exclude)
    inspector.run(paths, collector.on_event)
    return collector


def story_of_captures(paths: list[str], flt: str) -> StoryReport:
    """The story of capture files (no stacks: they need live capture)."""
    return _collect(paths, flt).report(flt, None, FILE_NOTE)


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


def _start_capture(o: Options, path: str) -> subprocess.Popen[str]:
    """``sysdive -w PATH`` in its own process (its own interpreter, so draining the system-call
    ring does not starve the stack collector of this one); returns once events flow."""
    import sysdive

    src = os.path.dirname(os.path.dirname(os.path.abspath(sysdive.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])]))
    argv = [sys.executable, "-m", "sysdive", "-w", path, "-s", str(o.snaplen or 80)]
    if o.compress:
        argv.append("-z")
    child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
    deadline = time.monotonic() + 60
    while not (os.path.exists(path) and os.path.getsize(path) > 0):
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            _, err = child.communicate()
            last = (err or "").strip().splitlines()
            raise LiveCaptureError(last[-1].removeprefix("sysdive: ") if last
                                   else "the system-call capture did not start")
        time.sleep(0.05)
    return child


def _live_story(o: Options) -> StoryReport:
    from sysdive.capture.live import check_live_support
    from sysdive.memory.stacks import capture_alloc_stacks
    from sysdive.memory.targets import Target, is_target_spec, resolve_target

    check_live_support()
    if o.filter:  # a bad filter fails now, not after the capture
        from sysdive.fields.registry import FieldRegistry
        from sysdive.filter import compile_filter
        from sysdive.inspector import Inspector
        compile_filter(o.filter, FieldRegistry(Inspector().state))
    target = (resolve_target(o.filter) if is_target_spec(o.filter)
              else Target(frozenset(), "all processes"))
    path = o.write_file
    tmpdir = None
    if path is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="sysdive-story-")
        path = os.path.join(tmpdir.name, "story.scap")
    child: subprocess.Popen[str] | None = None
    try:
        child = _start_capture(o, path)

        def say_started() -> None:
            until = f"for {o.duration_s} s" if o.duration_s else "until Ctrl-C"
            print(f"sysdive: memory story of {o.filter or 'all processes'}: capturing {until}",
                  file=sys.stderr, flush=True)

        collected: list[StoryCollector] = []
        capture = child

        def read_capture() -> frozenset[int] | None:
            # Once the stack probe has stopped: stop the capture, read it, and tell the stack
            # report which processes the filter matched (for a filter that names no single
            # process or container the probe traced the whole host).
            capture.send_signal(signal.SIGINT)
            _, err = capture.communicate(timeout=300)
            if capture.returncode != 0:
                raise LiveCaptureError((err or "").strip().removeprefix("sysdive: ")
                                       or f"the system-call capture failed "
                                          f"({capture.returncode})")
            sys.stderr.write(err)  # its "N events written ... dropped N" line: drops are data
            found = _collect([path], o.filter, frozenset({os.getpid(), capture.pid}))
            collected.append(found)
            if is_target_spec(o.filter):
                return None
            return frozenset(g.pid for g in found.growth.processes())

        # The stack probe runs here: -M and Ctrl-C end it, and then the capture.
        stacks = capture_alloc_stacks(target.pids, target.label, on_start=say_started,
                                      seconds=float(o.duration_s) if o.duration_s else None,
                                      select=read_capture)
        return collected[0].report(o.filter, stacks, "")
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.communicate()
        if tmpdir is not None:
            tmpdir.cleanup()
