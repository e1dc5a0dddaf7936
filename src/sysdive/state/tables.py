"""The tables of the state engine: threads, their fds, users, groups, interfaces, containers.

:class:`State` holds them and offers the lookups libsinsp's thread manager offers (including
its side effects: looking up an unknown tid in a capture invents a ``<NA>`` placeholder).
:mod:`sysdive.state.parser` is the only code that changes the tables while events flow.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sysdive.containers.cgroups import ContainerMatch, ContainerType, iter_matches
from sysdive.scap.blocks import (
    CaptureHeader,
    FdEntry,
    GroupEntry,
    Interface,
    MachineInfo,
    ProcEntry,
    UserEntry,
)
from sysdive.state.decode import (
    U16,
    concatenate_paths,
    enc,
    ipv4_str,
    ipv4_tuple_str,
    ipv6_str,
    ipv6_tuple_str,
    is_ipv4_mapped_ipv6,
    split_args,
    split_cgroups,
    split_env,
)
from sysdive.state.fds import (
    FLAG_CLOSE_CANCELED,
    FLAG_CLOSE_IN_PROGRESS,
    FLAG_FROM_PROC,
    FLAG_IS_NOT_TRACER_FD,
    FLAG_IS_TRACER_FILE,
    FLAG_ROLE_CLIENT,
    FLAG_ROLE_SERVER,
    FLAG_SOCKET_CONNECTED,
    L4_TCP,
    FdInfo,
    FdType,
)
from sysdive.state.sockets import NetworkInterfaces
from sysdive.state.threads import (
    CL_ACTIVE,
    CL_CLONE_FILES,
    CL_CLONE_THREAD,
    CL_IS_MAIN_THREAD,
    ThreadInfo,
)
from sysdive.state.tracers import TracerState

CANCELED_FD = (1 << 63) - 1     # where a close-cancelled fd is parked (CANCELED_FD_NUMBER)
MAX_FD_TABLE = 4096             # fds beyond this many per table are not tracked
MAX_THREADS = 131072            # thread-table capacity

# Engines that look metadata up in a runtime (docker_base::resolve_impl), and CRI.
_RUNTIME_ENGINES = frozenset({int(ContainerType.DOCKER), int(ContainerType.PODMAN)})
_CRI = int(ContainerType.CRI)


@functools.lru_cache(maxsize=1024)
def _claims(cgroups: tuple[tuple[str, str], ...], mesos_task_id: str
            ) -> tuple[ContainerMatch, ...]:
    # Every clone and execve of a container carries the same cgroups: decide each set once.
    return tuple(iter_matches(cgroups, mesos_task_id=mesos_task_id))
USER_EVT_DEVICE = "/dev/null"   # files with this name are candidate tracer channels

_NAMED_FD_TYPES = frozenset({
    FdType.FIFO, FdType.FILE, FdType.DIRECTORY, FdType.UNSUPPORTED, FdType.SIGNALFD,
    FdType.EVENTPOLL, FdType.EVENT, FdType.INOTIFY, FdType.TIMERFD, FdType.NETLINK,
})


def _cut(s: str) -> str:
    """C strings end at the first NUL."""
    i = s.find("\0")
    return s if i < 0 else s[:i]


class State:
    """Everything sysdig knows about the system at the current event."""

    def __init__(self) -> None:
        self.threads: dict[int, ThreadInfo] = {}
        self.users: dict[int, UserEntry] = {}
        self.groups: dict[int, GroupEntry] = {}
        self.interfaces: list[Interface] = []
        self.netifs = NetworkInterfaces()
        self.machine: MachineInfo | None = None
        # Container metadata by id, from container events (parsed JSON "container" object).
        self.containers: dict[str, dict[str, Any]] = {}
        # Ports of server sockets seen in the process lists (never forgotten, as in sinsp).
        self.server_ports: set[int] = set()
        # Removals deferred to the start of the next event.
        self.tid_to_remove = -1
        self.fds_to_remove: list[int] = []
        self.tid_of_fd_to_remove = -1
        self.lastevent_ts = 0
        # Timestamp of the first event of the section (evt.reltime, -t r); set by the inspector.
        self.first_event_ts = 0
        # Open spans of sysdig tracers (sysdive.state.tracers).
        self.tracers = TracerState()
        # Live capture: containers get no stub before their runtime has answered (see
        # resolve_container), and the first sight of a CRI container is reported here.
        self.live = False
        self.on_new_container: Callable[[str], None] | None = None
        self._asked: set[str] = set()

    # -- sections --------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget the threads, fds and interfaces (``deinit_state`` + the resets of ``init``).

        Users, groups, containers and the server-port set survive, as in sysdig when a
        second concatenated capture starts.
        """
        self.threads.clear()
        self.interfaces = []
        self.netifs = NetworkInterfaces()
        self.tid_to_remove = -1
        self.fds_to_remove.clear()
        self.tid_of_fd_to_remove = -1
        self.lastevent_ts = 0
        self.tracers.clear()

    def load_header(self, hdr: CaptureHeader) -> None:
        """Start a section: forget the threads and import the header blocks.

        Order as in ``sinsp::init``: process list (with each thread's fd list), interfaces,
        users and groups, then the thread parent/child counts and the direction fix of
        sockets that came from the process list.
        """
        self.clear()
        if hdr.machine is not None:
            self.machine = hdr.machine
        self.interfaces = list(hdr.interfaces)
        self.netifs = NetworkInterfaces(self.interfaces)
        for proc in hdr.procs.values():
            t = self._thread_from_proc(proc, hdr.fds.get(proc.tid, {}))
            if len(self.threads) < MAX_THREADS:
                self.threads[t.tid] = t
        self.users.update(hdr.users)
        self.groups.update(hdr.groups)
        self._create_child_dependencies()
        self._fix_sockets_from_proc()

    def _thread_from_proc(self, p: ProcEntry, fds: dict[int, FdEntry]) -> ThreadInfo:
        t = ThreadInfo(p.tid)
        t.pid = p.pid
        t.ptid = p.ptid
        t.sid = p.sid
        t.vpgid = p.vpgid
        t.comm = _cut(p.comm)
        t.exe = _cut(p.exe)
        t.exepath = _cut(p.exepath)
        t.exe_writable = p.exe_writable
        t.args = split_args(p.args)
        if t.tid == t.pid:
            t.env = split_env(p.env)
            cwd = enc(_cut(p.cwd))
            self._store_cwd(t, cwd, len(cwd))
        t.flags |= p.flags | CL_ACTIVE
        t.fdlimit = p.fdlimit
        t.uid = p.uid & 0xFFFFFFFF
        t.gid = p.gid & 0xFFFFFFFF
        t.vmsize_kb = p.vmsize_kb
        t.vmrss_kb = p.vmrss_kb
        t.vmswap_kb = p.vmswap_kb
        t.pfmajor = p.pfmajor
        t.pfminor = p.pfminor
        t.vtid = p.vtid
        t.vpid = p.vpid
        t.loginuid = p.loginuid
        t.cgroups = split_cgroups(p.cgroups)
        t.root = _cut(p.root)
        self.resolve_container(t)
        for entry in fds.values():
            fdi = self._fd_from_proc(entry)
            if fdi is not None and (entry.fd in t.fds or len(t.fds) < MAX_FD_TABLE):
                t.fds[entry.fd] = fdi
        return t

    def _fd_from_proc(self, e: FdEntry) -> FdInfo | None:
        """``add_fd_from_scap``: an fd-list entry as a table entry (None for unknown types)."""
        fdi = FdInfo(e.fd, e.type)
        fdi.flags = FLAG_FROM_PROC
        fdi.ino = e.ino
        s = fdi.sock
        t = e.type
        if t == FdType.IPV4_SOCK:
            self._ipv4_from_proc(fdi, e, e.sip, e.dip)
        elif t == FdType.IPV4_SERVSOCK:
            s[0:4] = e.sip
            U16.pack_into(s, 4, e.sport)
            s[6] = e.l4proto
            fdi.name = f"{ipv4_str(e.sip)}:{e.sport}"
            self.server_ports.add(e.sport)
        elif t == FdType.IPV6_SOCK:
            if is_ipv4_mapped_ipv6(e.sip) and is_ipv4_mapped_ipv6(e.dip):
                fdi.type = FdType.IPV4_SOCK
                self._ipv4_from_proc(fdi, e, e.sip[12:16], e.dip[12:16])
            else:
                s[0:16], s[16:32] = e.sip, e.dip
                U16.pack_into(s, 32, e.sport)
                U16.pack_into(s, 34, e.dport)
                s[36] = e.l4proto
                if e.l4proto == L4_TCP:
                    fdi.flags |= FLAG_SOCKET_CONNECTED
                fdi.name = ipv6_tuple_str(e.sip, e.sport, e.dip, e.dport)
        elif t == FdType.IPV6_SERVSOCK:
            s[0:16] = e.sip
            U16.pack_into(s, 16, e.sport)
            s[18] = e.l4proto
            fdi.name = f"{ipv6_str(e.sip)}:{e.sport}"
            self.server_ports.add(e.sport)
        elif t == FdType.UNIX_SOCK:
            s[0:8] = e.source.to_bytes(8, "little")
            s[8:16] = e.dest.to_bytes(8, "little")
            fdi.name = _cut(e.name)
            fdi.flags |= FLAG_ROLE_SERVER if fdi.name else FLAG_ROLE_CLIENT
        elif t == FdType.FILE_V2 or t in _NAMED_FD_TYPES:
            if t == FdType.FILE_V2:
                fdi.openflags = e.open_flags
                fdi.dev = e.dev
            fdi.name = _cut(e.name)
            fdi.flags |= FLAG_IS_TRACER_FILE if fdi.name == USER_EVT_DEVICE \
                else FLAG_IS_NOT_TRACER_FD
        else:
            return None
        return fdi

    def _ipv4_from_proc(self, fdi: FdInfo, e: FdEntry, sip: bytes, dip: bytes) -> None:
        """An IPv4 tuple of the fd list (also an IPv6 one of two IPv4-mapped addresses)."""
        s = fdi.sock
        s[0:4], s[4:8] = sip, dip
        U16.pack_into(s, 8, e.sport)
        U16.pack_into(s, 10, e.dport)
        s[12] = e.l4proto
        if e.l4proto == L4_TCP:
            fdi.flags |= FLAG_SOCKET_CONNECTED
        self.netifs.update_fd(fdi)
        fdi.name = ipv4_tuple_str(bytes(s[0:4]), e.sport, bytes(s[4:8]), e.dport)

    def _create_child_dependencies(self) -> None:
        """Count each process's threads on its main thread (``nchilds``)."""
        for t in list(self.threads.values()):
            if t.flags & CL_CLONE_THREAD:
                main = self.get_thread(t.pid, True)
                if main is not None:
                    main.nchilds += 1

    def recreate_child_dependencies(self) -> None:
        for t in self.threads.values():
            t.nchilds = 0
        self._create_child_dependencies()

    def _fix_sockets_from_proc(self) -> None:
        """IPv4 sockets whose source port is a known server port were accepted, not opened:
        swap their ends and mark them server-side; all others are client-side."""
        ports = self.server_ports
        for t in self.threads.values():
            for fdi in t.fds.values():
                if fdi.type != FdType.IPV4_SOCK:
                    continue
                s = fdi.sock
                if U16.unpack_from(s, 8)[0] in ports:
                    s[0:4], s[4:8], s[8:10], s[10:12] = s[4:8], s[0:4], s[10:12], s[8:10]
                    fdi.name = ipv4_tuple_str(bytes(s[0:4]), U16.unpack_from(s, 8)[0],
                                              bytes(s[4:8]), U16.unpack_from(s, 10)[0])
                    fdi.flags |= FLAG_ROLE_SERVER
                else:
                    fdi.flags |= FLAG_ROLE_CLIENT

    # -- threads ---------------------------------------------------------------------------

    def get_thread(self, tid: int, create: bool = True) -> ThreadInfo | None:
        """The thread ``tid``; an unknown tid gets a ``<NA>`` placeholder when ``create``.

        The placeholder is what sysdig invents when /proc cannot be read (always, for a
        capture file): pid = tid, ptid -1, comm and exe ``<NA>``, uid/gid/loginuid all ones,
        no fds, vtid/vpid -1, empty cwd. Its ``nchilds`` counts the threads already naming
        it as their process.
        """
        t = self.threads.get(tid)
        if t is not None or not create or len(self.threads) >= MAX_THREADS:
            return t
        t = ThreadInfo(tid)
        t.pid = tid
        t.ptid = -1
        t.comm = "<NA>"
        t.exe = "<NA>"
        t.uid = 0xFFFFFFFF
        t.gid = 0xFFFFFFFF
        t.loginuid = -1
        t.placeholder = True
        t.nchilds = sum(1 for o in self.threads.values() if o.pid == tid)
        self.add_thread(t)
        return t

    def add_thread(self, t: ThreadInfo) -> bool:
        """Insert (or replace) a thread created by an event; threads count on their main."""
        if len(self.threads) >= MAX_THREADS:
            return False
        if t.flags & CL_CLONE_THREAD:
            main = self.get_thread(t.pid, True)
            if main is not None:
                main.nchilds += 1
        self.threads[t.tid] = t
        return True

    def remove_thread(self, tid: int, force: bool) -> None:
        """Drop a thread, unless it still leads live threads and ``force`` is false."""
        t = self.threads.get(tid)
        if t is None:
            return
        nchilds = t.nchilds
        if nchilds and not force:
            return
        if t.flags & CL_CLONE_THREAD:
            main = self.threads.get(t.pid)
            if main is not None and main.nchilds > 0:
                main.nchilds -= 1
        del self.threads[tid]
        if nchilds:
            self.recreate_child_dependencies()

    def main_thread(self, t: ThreadInfo) -> ThreadInfo | None:
        """The thread leading ``t``'s process (``t`` itself for a main thread).

        Like libsinsp this may invent a placeholder for a missing main thread.
        """
        if t.tid == t.pid or t.flags & CL_IS_MAIN_THREAD:
            return t
        return self.get_thread(t.pid, True)

    def parent(self, t: ThreadInfo) -> ThreadInfo | None:
        """The parent (looked up by ``ptid``, never invented)."""
        return self.threads.get(t.ptid)

    def cwd(self, t: ThreadInfo) -> str:
        """The working directory of ``t``'s process (kept on the main thread)."""
        main = self.main_thread(t)
        return main.cwd if main is not None else "./"

    def set_cwd(self, t: ThreadInfo, path: bytes, path_len: int) -> None:
        """Change the process's working directory (relative paths join the current one)."""
        main = self.main_thread(t)
        if main is not None:
            self._store_cwd(main, path, path_len)

    @staticmethod
    def _store_cwd(main: ThreadInfo, path: bytes, path_len: int) -> None:
        cwd, _ = concatenate_paths(main.cwd, path, path_len)
        if not cwd.endswith("/"):
            cwd += "/"
        main.cwd = cwd

    def env(self, t: ThreadInfo) -> list[str]:
        """The environment of ``t``'s process (kept on the main thread)."""
        if t.is_main_thread:
            return t.env
        main = self.main_thread(t)
        return main.env if main is not None else t.env

    def resolve_container(self, t: ThreadInfo) -> None:
        """``sinsp_container_manager::resolve_container``: ``t.container_id`` from its cgroups.

        The engines claim the thread in libsinsp's order (:func:`iter_matches`). docker and
        podman stop the search with metadata that is known and successful. Without any,
        reading a file gives the container a stub record (type and id only: ``container.name``
        is ``<NA>`` until a container event names it), as sysdig does; live, sysdig has no
        record at all until its runtime lookup ends (``container.type`` too is ``<NA>``), and
        neither has sysdive (``live``): its records come from
        :mod:`sysdive.containers.runtime` through the capture stream. A CRI claim never ends
        the search (its metadata also arrives as container events); live, it is reported to
        ``on_new_container`` once per id, so the CRI runtime is asked at first sight. lxc,
        libvirt-lxc, mesos and bpm containers are named by their id.
        """
        t.container_id = ""
        if not t.cgroups:
            return
        for m in _claims(tuple(t.cgroups), self._mesos_task_id(t)):
            t.container_id = m.id
            kind = int(m.type)
            if kind in _RUNTIME_ENGINES:
                record = self.containers.get(m.id)
                if record is not None:
                    if record.get("lookup_state", 1) == 1:
                        return
                    continue
                if self.live:
                    continue
                self.containers[m.id] = {"id": m.id, "type": kind, "lookup_state": 1}
                return
            if kind == _CRI:
                if self.live and m.id not in self._asked and m.id not in self.containers:
                    self._asked.add(m.id)
                    if self.on_new_container is not None:
                        self.on_new_container(m.id)
                continue
            if m.id not in self.containers:
                self.containers[m.id] = {"id": m.id, "type": kind, "name": m.id,
                                         "lookup_state": 1}
            return

    def _mesos_task_id(self, t: ThreadInfo) -> str:
        if not any("/mesos/" in path for _, path in t.cgroups):
            return ""
        for var in self.env(t):
            key, _, value = var.partition("=")
            if key in ("MESOS_TASK_ID", "mesos_task_id", "MESOS_EXECUTOR_ID") and value:
                return value
        return ""

    # -- fds -------------------------------------------------------------------------------

    def fd_table(self, t: ThreadInfo) -> dict[int, FdInfo] | None:
        """The fd table ``t`` uses: its own, or its main thread's with CLONE_FILES."""
        if not t.flags & CL_CLONE_FILES:
            return t.fds
        main = self.main_thread(t)
        return main.fds if main is not None else None

    def get_fd(self, t: ThreadInfo, fd: int) -> FdInfo | None:
        """The fd ``fd`` of ``t``'s table (None for negative or unknown fds)."""
        if fd < 0:
            return None
        table = t.fds if not t.flags & CL_CLONE_FILES else self.fd_table(t)
        if table is None:
            return None
        fdi = table.get(fd)
        if fdi is not None:
            fdi.oldname = fdi.name   # for fd.name_changed
        return fdi

    def add_fd(self, t: ThreadInfo, fd: int, fdi: FdInfo, owned: bool = False) -> FdInfo | None:
        """Store a copy of ``fdi`` as ``fd`` (or overwrite the entry in place) and make it the
        thread's last fd; returns the stored entry, None when the table is full. With
        ``owned`` the caller hands ``fdi`` over (a fresh object it no longer uses), and a new
        entry is ``fdi`` itself rather than a copy.

        Re-creating an fd whose close is in flight parks the old entry at CANCELED_FD and
        marks the new one, so that the pending close exit does not destroy it.
        """
        table = self.fd_table(t)
        t.lastevent_fd = fd
        if table is None:
            return None
        cur = table.get(fd)
        if cur is None:
            if len(table) >= MAX_FD_TABLE:
                return None
            new = fdi if owned else fdi.copy()
            new.fd = fd
            table[fd] = new
            return new
        if cur.flags & FLAG_CLOSE_IN_PROGRESS:
            fdi.flags = (fdi.flags & ~FLAG_CLOSE_IN_PROGRESS) | FLAG_CLOSE_CANCELED
            parked = cur.copy()
            parked.fd = CANCELED_FD
            table[CANCELED_FD] = parked
        cur.assign(fdi)
        return cur

    def remove_fd(self, t: ThreadInfo, fd: int) -> None:
        table = self.fd_table(t)
        if table is not None:
            table.pop(fd, None)
