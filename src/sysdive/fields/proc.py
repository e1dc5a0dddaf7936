"""Field class ``process``: the ``proc.*`` fields, plus the class in sysdig's listing order.

libsinsp's ``sinsp_filter_check_thread`` (filterchecks.cpp, libs e5c53d64). Most fields
read the event's thread; ``proc.*`` fields that describe the process read its main thread
(cwd, env, fd counts, ppid), ancestor fields walk the parent links.

``proc.apid`` and ``proc.aname`` take an optional ``[N]``. Printed without it they show the
process itself; in a filter without it they match any *ancestor* (not the process itself),
so :meth:`extract` returns a tuple of the ancestors' values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sysdive.fields.evt import scan_int
from sysdive.fields.lineage import ancestors, main_of, thread_of
from sysdive.fields.registry import (
    ArgKind,
    Binder,
    BoundField,
    FieldArg,
    FieldClass,
    FieldContext,
    FieldDef,
    FieldFlag,
    Inline,
    longest_prefix,
)
from sysdive.fields.text import value_json, value_text
from sysdive.fields.thread import THREAD_FIELDS
from sysdive.schema.events import EVENTS
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF

if TYPE_CHECKING:
    from collections.abc import Callable

    from sysdive.event import Event
    from sysdive.state.tables import State
    from sysdive.state.threads import ThreadInfo

__all__ = ["PROCESS_CLASS", "cmdline"]


def cmdline(t: ThreadInfo) -> str:
    """``proc.cmdline``: the comm followed by each argument."""
    return t.comm + "".join(" " + a for a in t.args)


def _simple(get: Callable[[ThreadInfo], object]) -> Binder:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state

        def extract(evt: Event) -> object:
            t = thread_of(evt, state)
            return None if t is None else get(t)
        return BoundField(fdef, name, extract)
    return bind


def _bind_name(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    # proc.name is in every default line: the comm is already the text and the JSON string.
    state = ctx.state

    def extract(evt: Event) -> str | None:
        t = evt.thread
        if t is None:
            t = state.threads.get(evt.tid)
            if t is None:
                return None
        return t.comm
    # Inline for the common case, the parser having attached the thread.
    inline = Inline("(evt.thread.comm if evt.thread is not None else _name(evt))",
                    "(evt.thread.comm if evt.thread is not None else _name(evt))",
                    {"_name": extract}, missing=True)
    return BoundField(fdef, name, extract, render=extract, render_json=extract, inline=inline,
                      fast=_FAST_COMM)


class _FastComm:
    """proc.name's value for the parser's fast rejection: the thread's comm (none without a
    thread). ``native_types``/``native_source`` state that for compiled code, which then
    reads the comm itself (see the filter compiler's ``native`` form)."""

    __slots__ = ("native_types",)
    native_source = "proc.name"

    def __init__(self) -> None:
        self.native_types = bytes([1]) * len(EVENTS)

    def __call__(self, etype: int, thread: ThreadInfo | None, fdinfo: object) -> str | None:
        return None if thread is None else thread.comm


_FAST_COMM = _FastComm()


def thread_state_binder(get: Callable[[ThreadInfo, State], object]) -> Binder:
    """A field read from the event's thread and the state; missing without a thread (the
    user and group fields are bound this way too)."""
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state

        def extract(evt: Event) -> object:
            t = thread_of(evt, state)
            return None if t is None else get(t, state)
        return BoundField(fdef, name, extract)
    return bind


def _env(t: ThreadInfo, state: State) -> str:
    main = main_of(t, state)
    return " ".join((main or t).env)


def _cwd(t: ThreadInfo, state: State) -> str:
    main = main_of(t, state)
    return "./" if main is None else main.cwd


def _nthreads(t: ThreadInfo, state: State) -> int | None:
    main = main_of(t, state)
    return None if main is None else (main.nchilds + 1) & 0xFFFFFFFF


def _ppid(t: ThreadInfo, state: State) -> int | None:
    main = main_of(t, state)
    return None if main is None else main.ptid


def _parent_get(get: Callable[[ThreadInfo], object]) -> Callable[[ThreadInfo, State], object]:
    def read(t: ThreadInfo, state: State) -> object:
        parent = state.threads.get(t.ptid)
        return None if parent is None else get(parent)
    return read


def _ancestor_binder(get: Callable[[ThreadInfo], object]) -> Binder:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state
        depth = arg.index

        def nth(evt: Event) -> object:
            t = thread_of(evt, state)
            mt = None if t is None else main_of(t, state)
            for _ in range(depth or 0):
                if mt is None:
                    break
                mt = state.threads.get(mt.ptid)
            return None if mt is None else get(mt)

        if depth is not None:
            return BoundField(fdef, name, nth)

        def any_ancestor(evt: Event) -> tuple[object, ...] | None:
            t = thread_of(evt, state)
            mt = None if t is None else main_of(t, state)
            if mt is None:
                return None
            return tuple(get(a) for a in ancestors(mt, state))

        def render(evt: Event) -> str | None:
            value = nth(evt)
            return None if value is None else value_text(value, fdef.type, fdef.fmt)

        def as_json(evt: Event) -> object:
            # Printed (text or -j), the field is the process itself, as with [0].
            value = nth(evt)
            return None if value is None else value_json(value, fdef.type, fdef.fmt)
        return BoundField(fdef, name, any_ancestor, render=render, render_json=as_json)
    return bind


def _loginshellid(t: ThreadInfo, state: State) -> int | None:
    mt = main_of(t, state)
    if mt is None:
        return None
    found: int | None = None
    for p in (mt, *ancestors(mt, state)):
        if len(p.comm) >= 2 and p.comm.endswith("sh"):
            found = p.pid
    return found


def _bind_duration(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    state = ctx.state

    def extract(evt: Event) -> int | None:
        t = thread_of(evt, state)
        if t is None or t.clone_ts == 0:
            return None
        return evt.ts - t.clone_ts
    return BoundField(fdef, name, extract)


def _fdopencount(t: ThreadInfo, state: State) -> int | None:
    main = main_of(t, state)
    return None if main is None else len(main.fds)


def _fdlimit(t: ThreadInfo, state: State) -> int | None:
    main = main_of(t, state)
    return None if main is None else main.fdlimit


def _fdusage(t: ThreadInfo, state: State) -> float | None:
    main = main_of(t, state)
    if main is None:
        return None
    limit = main.fdlimit
    if limit <= 0:
        return 0.0
    count = len(main.fds)
    return count * 100.0 / limit if count <= limit else 100.0


def _sname(t: ThreadInfo, state: State) -> str | None:
    leader = state.threads.get(t.sid)
    if leader is not None:
        return leader.comm
    # The session leader is gone: use the eldest ancestor still in the same session.
    mt = main_of(t, state)
    if mt is None:
        return None
    sid = mt.sid
    for p in ancestors(mt, state):
        if p.sid != sid:
            break
        mt = p
    return mt.comm


def _category_is(value: int) -> Callable[[ThreadInfo], bool]:
    # Health-probe categories are set when a thread starts inside a container whose metadata
    # names the probe; a thread without a category is an ordinary process.
    return lambda t: int(getattr(t, "category", 0) or 0) == value


def _parse_process(fields: Mapping[str, FieldDef],
                   text: str) -> tuple[FieldDef, FieldArg, int] | None:
    if text.startswith("arg"):
        raise ValueError("filter error: proc.arg filter not implemented yet")
    for fname in ("proc.apid", "proc.aname"):
        if text.startswith(fname):
            fdef = fields[fname]
            if text[len(fname):len(fname) + 1] == "[":
                end = text.find("]")
                numstr = text[len(fname) + 1:] if end < 0 else text[len(fname) + 1:end]
                index = scan_int(numstr)
                if index is not None:
                    return fdef, FieldArg(index=index), (0 if end < 0 else end + 1)
            if text == fname:
                return fdef, FieldArg(), len(text)
            # libsinsp swallows the syntax error: the field consumes nothing.
            return fdef, FieldArg(index=0), 0
    if text.startswith("thread.cgroup") and not text.startswith("thread.cgroups"):
        fdef = fields["thread.cgroup"]
        if text[13:14] != ".":
            raise ValueError(f"filter syntax error: {text}")
        end = 14
        while end < len(text) and ((text[end].isascii() and text[end].isalpha())
                                   or text[end] == "_"):
            end += 1
        return fdef, FieldArg(name=text[14:end]), end
    return longest_prefix(fields, text)


def _d(name: str, ptype: PT, fmt: PF, display: str, desc: str, bind: Binder,
       flags: FieldFlag = FieldFlag.NONE, argument: ArgKind = ArgKind.NONE) -> FieldDef:
    return FieldDef(name, ptype, desc, bind, fmt, flags, argument, display)


_C = PT.CHARBUF
_I = PT.INT64
_B = PT.BOOL
_TH = THREAD_FIELDS
_ANC = ("E.g. proc.{0}[1] returns the parent {1}, proc.{0}[2] returns the grandparent {1}, and "
        "so on. proc.{0}[0] is the {1} of the current process. proc.{0} without arguments can "
        "be used in filters only and matches any of the process ancestors, e.g. proc.{0}={2}.")

PROCESS_CLASS = FieldClass(
    "process",
    "Additional information about the process and thread executing the syscall event.",
    (
        _d("proc.pid", _I, PF.ID, "Process ID", "the id of the process generating the event.",
           _simple(lambda t: t.pid)),
        _d("proc.exe", _C, PF.NA, "First Argument", "the first command line argument (usually "
           "the executable name or a custom one).", _simple(lambda t: t.exe)),
        _d("proc.name", _C, PF.NA, "Name", "the name (excluding the path) of the executable "
           "generating the event.", _bind_name),
        _d("proc.args", _C, PF.NA, "Arguments", "the arguments passed on the command line when "
           "starting the process generating the event.", _simple(lambda t: " ".join(t.args))),
        _d("proc.env", _C, PF.NA, "Environment",
           "the environment variables of the process generating the event.",
           thread_state_binder(_env)),
        _d("proc.cmdline", _C, PF.NA, "Command Line",
           "full process command line, i.e. proc.name + proc.args.", _simple(cmdline)),
        _d("proc.exeline", _C, PF.NA, "Executable Command Line", "full process command line, "
           "with exe as first argument, i.e. proc.exe + proc.args.",
           _simple(lambda t: t.exe + " " + " ".join(t.args))),
        _d("proc.cwd", _C, PF.NA, "Current Working Directory",
           "the current working directory of the event.", thread_state_binder(_cwd)),
        _d("proc.nthreads", PT.UINT32, PF.DEC, "Threads", "the number of threads that the "
           "process generating the event currently has, including the main process thread.",
           thread_state_binder(_nthreads)),
        _d("proc.nchilds", PT.UINT32, PF.DEC, "Children", "the number of child threads that "
           "the process generating the event currently has. This excludes the main process "
           "thread.", _simple(lambda t: t.nchilds & 0xFFFFFFFF)),
        _d("proc.ppid", _I, PF.ID, "Parent Process ID",
           "the pid of the parent of the process generating the event.",
           thread_state_binder(_ppid)),
        _d("proc.pname", _C, PF.NA, "Parent Name", "the name (excluding the path) of the "
           "parent of the process generating the event.",
           thread_state_binder(_parent_get(lambda p: p.comm))),
        _d("proc.pcmdline", _C, PF.NA, "Parent Command Line", "the full command line "
           "(proc.name + proc.args) of the parent of the process generating the event.",
           thread_state_binder(_parent_get(cmdline))),
        _d("proc.apid", _I, PF.ID, "Ancestor Process ID", "the pid of one of the process "
           "ancestors. " + _ANC.format("apid", "pid", "1234"),
           _ancestor_binder(lambda t: t.pid), argument=ArgKind.OPTIONAL_INDEX),
        _d("proc.aname", _C, PF.NA, "Ancestor Name", "the name (excluding the path) of one of "
           "the process ancestors. " + _ANC.format("aname", "name", "bash"),
           _ancestor_binder(lambda t: t.comm), argument=ArgKind.OPTIONAL_INDEX),
        _d("proc.loginshellid", _I, PF.ID, "Login Shell ID", "the pid of the oldest shell "
           "among the ancestors of the current process, if there is one. This field can be "
           "used to separate different user sessions, and is useful in conjunction with "
           "chisels like spy_user.", thread_state_binder(_loginshellid)),
        _d("proc.duration", PT.RELTIME, PF.DEC, "Duration",
           "number of nanoseconds since the process started.", _bind_duration),
        _d("proc.fdopencount", PT.UINT64, PF.DEC, "FD Count",
           "number of open FDs for the process", thread_state_binder(_fdopencount)),
        _d("proc.fdlimit", _I, PF.DEC, "FD Limit",
           "maximum number of FDs the process can open.", thread_state_binder(_fdlimit)),
        _d("proc.fdusage", PT.DOUBLE, PF.DEC, "FD Usage", "the ratio between open FDs and "
           "maximum available FDs for the process.", thread_state_binder(_fdusage)),
        _d("proc.vmsize", PT.UINT64, PF.DEC, "VM Size",
           "total virtual memory for the process (as kb).", _simple(lambda t: t.vmsize_kb)),
        _d("proc.vmrss", PT.UINT64, PF.DEC, "VM RSS", "resident non-swapped memory for the "
           "process (as kb).", _simple(lambda t: t.vmrss_kb)),
        _d("proc.vmswap", PT.UINT64, PF.DEC, "VM Swap",
           "swapped memory for the process (as kb).", _simple(lambda t: t.vmswap_kb)),
        _TH["thread.pfmajor"], _TH["thread.pfminor"], _TH["thread.tid"], _TH["thread.ismain"],
        _TH["thread.exectime"], _TH["thread.totexectime"], _TH["thread.cgroups"],
        _TH["thread.cgroup"], _TH["thread.vtid"],
        _d("proc.vpid", _I, PF.ID, "Virtual Process ID", "the id of the process generating the "
           "event as seen from its current PID namespace.",
           _simple(lambda t: None if t.vpid == -1 else t.vpid)),
        _TH["thread.cpu"], _TH["thread.cpu.user"], _TH["thread.cpu.system"],
        _TH["thread.vmsize"], _TH["thread.vmrss"], _TH["thread.vmsize.b"], _TH["thread.vmrss.b"],
        _d("proc.sid", _I, PF.ID, "Process Session ID",
           "the session id of the process generating the event.", _simple(lambda t: t.sid)),
        _d("proc.sname", _C, PF.NA, "Process Session Name", "the name of the current process's "
           "session leader. This is either the process with pid=proc.sid or the eldest "
           "ancestor that has the same sid as the current process.", thread_state_binder(_sname)),
        _d("proc.tty", PT.INT32, PF.ID, "Process TTY", "The controlling terminal of the "
           "process. 0 for processes without a terminal.", _simple(lambda t: t.tty)),
        _d("proc.exepath", _C, PF.NA, "Process Executable Path",
           "The full executable path of the process.", _simple(lambda t: t.exepath)),
        _TH["thread.nametid"],
        _d("proc.vpgid", _I, PF.ID, "Process Virtual Group ID", "the process group id of the "
           "process generating the event, as seen from its current PID namespace.",
           _simple(lambda t: t.vpgid)),
        _d("proc.is_container_healthcheck", _B, PF.NA, "Process Is Container Healthcheck",
           "true if this process is running as a part of the container's health check.",
           _simple(_category_is(2))),
        _d("proc.is_container_liveness_probe", _B, PF.NA, "Process Is Container Liveness",
           "true if this process is running as a part of the container's liveness probe.",
           _simple(_category_is(3))),
        _d("proc.is_container_readiness_probe", _B, PF.NA, "Process Is Container Readiness",
           "true if this process is running as a part of the container's readiness probe.",
           _simple(_category_is(4))),
        _d("proc.is_exe_writable", _B, PF.NA, "Process Executable Is Writable", "true if this "
           "process' executable file is writable by the same user that spawned the process.",
           _simple(lambda t: t.exe_writable)),
    ),
    parser=_parse_process,
)
