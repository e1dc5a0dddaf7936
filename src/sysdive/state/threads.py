"""The thread table's records: one :class:`ThreadInfo` per known thread.

``fds`` is the thread's *own* fd table. Threads created with CLONE_FILES (every thread of a
process, per the capture's process list and clone flags) use their main thread's table
instead; :meth:`sysdive.state.tables.State.fd_table` resolves that, exactly as libsinsp's
``get_fd_table`` does, so look fds up through the state rather than through ``fds`` directly.
Likewise the working directory and environment of a process live on its main thread
(:meth:`~sysdive.state.tables.State.cwd`, :meth:`~sysdive.state.tables.State.env`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sysdive.state.fds import FdInfo

# PPM_CL_* thread flags (driver/ppm_events_public.h); some are libsinsp-only markers.
CL_CLONE_FILES = 1 << 0
CL_CLONE_FS = 1 << 1
CL_CLONE_THREAD = 1 << 13
CL_CLONE_INVERTED = 1 << 16   # the child's clone exit was seen before the parent's
CL_NAME_CHANGED = 1 << 17
CL_CLOSED = 1 << 18           # procexit seen; removal pending
CL_ACTIVE = 1 << 19           # seen in a non-clone event
CL_PIPE_SRC = 1 << 21
CL_PIPE_DST = 1 << 22
CL_CLONE_VFORK = 1 << 27
CL_CHILD_IN_PIDNS = 1 << 29
CL_IS_MAIN_THREAD = 1 << 30

# m_lastevent_cpuid is a u16 whose all-ones value marks the stored enter event as unusable.
LASTEVENT_INVALID = 0xFFFF


class ThreadInfo:
    """A thread as sysdig tracks it (``sinsp_threadinfo``). Mutated only by the state parser.

    Defaults are those of a freshly built libsinsp thread (``pid`` -1, empty ``cwd``...);
    the parser and :class:`~sysdive.state.tables.State` fill them in.
    """

    __slots__ = (
        "args", "cgroups", "clone_ts", "comm", "container_id", "cwd", "env", "exe",
        "exe_writable", "exepath", "extra", "fdlimit", "fds", "flags", "gid",
        "last_latency_entertime", "lastevent_cpuid", "lastevent_data", "lastevent_fd",
        "lastevent_ts", "lastevent_type", "latency", "loginuid", "nchilds", "pfmajor",
        "pfminor", "pid", "placeholder", "prevevent_ts", "ptid", "root", "sid", "tid", "tracer", "tty",
        "uid", "vmrss_kb", "vmsize_kb", "vmswap_kb", "vpgid", "vpid", "vtid",
    )

    def __init__(self, tid: int) -> None:
        self.tid = tid
        self.pid = -1
        self.ptid = -1
        self.sid = -1
        self.vpgid = -1
        self.comm = ""
        self.exe = ""
        self.exepath = ""
        self.exe_writable = False
        self.args: list[str] = []
        self.env: list[str] = []
        self.cgroups: list[tuple[str, str]] = []
        self.container_id = ""
        self.flags = CL_NAME_CHANGED
        self.fdlimit = -1
        self.uid = 0xFFFFFFFF
        self.gid = 0xFFFFFFFF
        self.vmsize_kb = 0
        self.vmrss_kb = 0
        self.vmswap_kb = 0
        self.pfmajor = 0
        self.pfminor = 0
        self.vtid = -1
        self.vpid = -1
        self.root = ""
        self.tty = 0
        self.loginuid = 0
        self.clone_ts = 0
        self.cwd = ""
        self.fds: dict[int, FdInfo] = {}
        self.lastevent_type = 0xFFFF        # u16 in libsinsp: "-1"
        self.lastevent_fd = 0
        self.lastevent_ts = 0
        self.prevevent_ts = 0
        self.lastevent_cpuid = LASTEVENT_INVALID
        self.lastevent_data: Any = None     # the stored enter event (see Parser.store_event)
        self.last_latency_entertime = 0
        self.latency = 0
        self.nchilds = 0
        self.placeholder = False            # invented for an unknown tid (comm/exe "<NA>")
        self.extra: Any = None
        self.tracer: Any = None             # its tracer parser (sysdive.state.tracers)

    @property
    def is_main_thread(self) -> bool:
        return self.tid == self.pid or bool(self.flags & CL_IS_MAIN_THREAD)

    @property
    def lastevent_data_valid(self) -> bool:
        return self.lastevent_cpuid != LASTEVENT_INVALID

    def __repr__(self) -> str:
        return f"ThreadInfo(tid={self.tid}, pid={self.pid}, comm={self.comm!r})"
