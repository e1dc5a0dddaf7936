"""Event parsers that create, change or retire threads and processes: clone and its
siblings, execve, procexit, working directory, credentials, limits, memory counters,
scheduler switches and container metadata.

Same conventions as :mod:`sysdive.state.parse_fds`; param indexes follow each event
version's layout in the 0.29.3 event table.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sysdive.errors import CaptureError
from sysdive.event import Event
from sysdive.schema.events import EVENT_BY_ENUM
from sysdive.state.decode import (
    concatenate_paths,
    cstr,
    enc,
    p_i32,
    p_i64,
    p_raw,
    p_str,
    p_u8,
    p_u32,
    p_u64,
    sanitize_bytes,
    split_args,
    split_cgroups,
    split_env,
)
from sysdive.state.fds import FLAG_IS_CLONED
from sysdive.state.parse_fds import parse_dirfd
from sysdive.state.threads import (
    CL_ACTIVE,
    CL_CHILD_IN_PIDNS,
    CL_CLONE_INVERTED,
    CL_CLONE_THREAD,
    CL_CLOSED,
    CL_IS_MAIN_THREAD,
    CL_NAME_CHANGED,
    CL_PIPE_DST,
    CL_PIPE_SRC,
    ThreadInfo,
)

if TYPE_CHECKING:
    from sysdive.state.parser import Parser

Handler = Callable[["Parser", Event], None]

CLONE_STALE_TIME_NS = 2_000_000_000   # an old entry for a cloning child's tid is stale
PPM_RLIMIT_NOFILE = 7
PPM_EXE_WRITABLE = 1
PPM_EXVAT_AT_EMPTY_PATH = 1
NA_PREFIX = b"<NA>"


def _id(enum: str) -> int:
    return EVENT_BY_ENUM[enum].id


# Param layout of each clone-family version: (flags, uid, gid) indexes, and what it carries.
_CLONE_V11 = {_id("PPME_SYSCALL_CLONE_11_X")}
_CLONE_V16 = {_id(n) for n in ("PPME_SYSCALL_CLONE_16_X", "PPME_SYSCALL_FORK_X",
                               "PPME_SYSCALL_VFORK_X")}
_CLONE_V17 = {_id(n) for n in ("PPME_SYSCALL_CLONE_17_X", "PPME_SYSCALL_FORK_17_X",
                               "PPME_SYSCALL_VFORK_17_X")}
_CLONE_V20 = {_id(n) for n in ("PPME_SYSCALL_CLONE_20_X", "PPME_SYSCALL_FORK_20_X",
                               "PPME_SYSCALL_VFORK_20_X", "PPME_SYSCALL_CLONE3_X")}
_CLONE_INDEXES: dict[int, tuple[int, int, int]] = {}
for _t in _CLONE_V11:
    _CLONE_INDEXES[_t] = (8, 9, 10)
for _t in _CLONE_V16:
    _CLONE_INDEXES[_t] = (13, 14, 15)
for _t in _CLONE_V17:
    _CLONE_INDEXES[_t] = (14, 15, 16)
for _t in _CLONE_V20:
    _CLONE_INDEXES[_t] = (15, 16, 17)
# Versions without a comm param: the comm is the exe.
_NO_COMM = _CLONE_V11 | _CLONE_V16 | {_id(n) for n in (
    "PPME_SYSCALL_EXECVE_8_X", "PPME_SYSCALL_EXECVE_13_X", "PPME_SYSCALL_EXECVE_14_X")}

EXECVE_8_X = _id("PPME_SYSCALL_EXECVE_8_X")
EXECVE_13_X = _id("PPME_SYSCALL_EXECVE_13_X")
EXECVE_14_X = _id("PPME_SYSCALL_EXECVE_14_X")
EXECVE_15_X = _id("PPME_SYSCALL_EXECVE_15_X")
EXECVE_16_X = _id("PPME_SYSCALL_EXECVE_16_X")
EXECVE_17_X = _id("PPME_SYSCALL_EXECVE_17_X")
EXECVE_18_X = _id("PPME_SYSCALL_EXECVE_18_X")
EXECVE_19_X = _id("PPME_SYSCALL_EXECVE_19_X")
EXECVEAT_X = _id("PPME_SYSCALL_EXECVEAT_X")
SWITCH6 = _id("PPME_SCHEDSWITCH_6_E")


def _copy_parent(t: ThreadInfo, pt: ThreadInfo, flags: int, exe_writable: bool) -> None:
    t.comm = pt.comm
    t.exe = pt.exe
    t.exepath = pt.exepath
    if exe_writable:
        t.exe_writable = pt.exe_writable
    t.args = list(pt.args)
    t.root = pt.root
    t.sid = pt.sid
    t.vpgid = pt.vpgid
    t.tty = pt.tty
    t.loginuid = pt.loginuid
    if not flags & CL_CLONE_THREAD:
        t.env = list(pt.env)


def clone_exit(p: Parser, evt: Event) -> None:
    """clone/fork/vfork/clone3 exit: create the child thread from the parent and the params.

    Both the parent's exit (res = child tid) and the child's (res = 0) can create it,
    whichever comes first; a parent or child inside a pid namespace leaves it to the child.
    """
    st = p.state
    prm = evt.params()
    etype = evt.type
    tid = evt.tid
    childtid = p_i64(prm, 0)
    i_flags, i_uid, i_gid = _CLONE_INDEXES[etype]
    flags = p_u32(prm, i_flags)
    if childtid < 0:
        return
    vtid, vpid = tid, -1
    if etype in _CLONE_V20:
        vtid = p_i64(prm, 18)
        vpid = p_i64(prm, 19)
    in_container = bool(flags & CL_CHILD_IN_PIDNS) or tid != vtid
    inverted = False
    collision = False

    if childtid == 0:
        tinfo = evt.thread
        if tinfo is not None and tinfo.clone_ts != 0 \
                and evt.ts - tinfo.clone_ts > CLONE_STALE_TIME_NS:
            st.remove_thread(tid, True)
            evt.thread = tinfo = None
        parenttid = p_i64(prm, 4 if flags & CL_CLONE_THREAD else 5)
        if tinfo is not None:
            # The parent already created us; inside a container only we know our vids.
            if in_container:
                tinfo.vtid = vtid
                tinfo.vpid = vpid
            return
        inverted = True
        childtid, tid = tid, parenttid
    elif in_container:
        return

    ptinfo = st.get_thread(tid, True)
    if ptinfo is None:
        return
    valid_parent = not (ptinfo.comm == "<NA>" and ptinfo.uid == 0xFFFFFFFF)
    child = st.threads.get(childtid)
    if child is not None:
        if child.flags & CL_CLONE_INVERTED:
            return
        st.remove_thread(childtid, True)   # a leftover whose exit we missed
        collision = True

    t = ThreadInfo(childtid)
    t.ptid = tid
    no_comm = etype in _NO_COMM
    if valid_parent:
        _copy_parent(t, ptinfo, flags, True)
    else:
        # An unknown parent is dropped and looked up again (a fresh placeholder in a file).
        st.remove_thread(tid, True)
        collision = True
        ptinfo = st.get_thread(tid, True)
        if ptinfo is None:
            return
        if ptinfo.comm != "<NA>" and ptinfo.uid != 0xFFFFFFFF:
            _copy_parent(t, ptinfo, flags, False)
        else:
            t.exe = p_str(prm, 1)
            t.comm = t.exe if no_comm else p_str(prm, 13)
            t.args = split_args(p_raw(prm, 2))
            ptinfo.comm = t.comm
            ptinfo.exe = t.exe
            ptinfo.exepath = t.exepath
            ptinfo.args = split_args(p_raw(prm, 2))

    t.pid = p_i64(prm, 4)
    t.flags = flags
    if not flags & CL_CLONE_THREAD:
        # A new process: its own pid, a copy of all the parent's fds, the parent's cwd.
        t.pid = childtid
        table = st.fd_table(ptinfo)
        if table is not None:
            fds = {}
            for fd, fdi in table.items():
                c = fdi.copy()
                c.flags |= FLAG_IS_CLONED
                fds[fd] = c
            t.fds = fds
        t.cwd = st.cwd(ptinfo)
    if inverted:
        t.flags |= CL_CLONE_INVERTED
    t.exe = p_str(prm, 1)
    t.comm = t.exe if no_comm else p_str(prm, 13)
    t.args = split_args(p_raw(prm, 2))
    t.fdlimit = p_i64(prm, 7)
    if etype not in _CLONE_V11:
        t.pfmajor = p_u64(prm, 8)
        t.pfminor = p_u64(prm, 9)
        t.vmsize_kb = p_u32(prm, 10)
        t.vmrss_kb = p_u32(prm, 11)
        t.vmswap_kb = p_u32(prm, 12)
    t.uid = p_u32(prm, i_uid)
    t.gid = p_u32(prm, i_gid)
    if in_container:
        t.vtid, t.vpid = vtid, vpid
    else:
        t.vtid, t.vpid = t.tid, t.pid
    if etype in _CLONE_V20:
        t.cgroups = split_cgroups(p_raw(prm, 14))
        st.resolve_container(t)
    t.clone_ts = evt.ts
    st.add_thread(t)
    if collision:
        # The event's own thread may have been replaced: look it up again.
        p.reset(evt)


def execve_exit(p: Parser, evt: Event) -> None:
    """A successful execve/execveat replaces the process image of the thread."""
    prm = evt.params()
    if p_i64(prm, 0) < 0:
        return
    t = evt.thread
    if t is None:
        return
    st = p.state
    etype = evt.type
    t.exe = p_str(prm, 1)
    t.comm = t.exe if etype in _NO_COMM else p_str(prm, 13)
    t.args = split_args(p_raw(prm, 2))
    t.pid = p_i64(prm, 4, t.pid)
    if t.ptid == -1:
        # A placeholder learns its parent here.
        t.ptid = p_i64(prm, 5, t.ptid)
    t.fdlimit = p_i64(prm, 7, t.fdlimit)
    if etype != EXECVE_8_X:
        t.pfmajor = p_u64(prm, 8, t.pfmajor)
        t.pfminor = p_u64(prm, 9, t.pfminor)
        t.vmsize_kb = p_u32(prm, 10, t.vmsize_kb)
        t.vmrss_kb = p_u32(prm, 11, t.vmrss_kb)
        t.vmswap_kb = p_u32(prm, 12, t.vmswap_kb)
    if etype == EXECVE_14_X:
        t.env = split_env(p_raw(prm, 13))
    elif etype == EXECVE_15_X:
        t.env = split_env(p_raw(prm, 14))
    elif etype not in (EXECVE_8_X, EXECVE_13_X):
        t.env = split_env(p_raw(prm, 15))
        t.cgroups = split_cgroups(p_raw(prm, 14))
        st.resolve_container(t)
    if etype in (EXECVE_17_X, EXECVE_18_X, EXECVE_19_X, EXECVEAT_X):
        t.tty = p_i32(prm, 16, t.tty)
    if etype in (EXECVE_18_X, EXECVE_19_X):
        enter = p.retrieve_enter(evt)
        if enter is not None:
            fn = p_raw(enter.params(), 0)
            if fn.startswith(NA_PREFIX):
                t.exepath = "<NA>"
            else:
                # The thread's own cwd field, which only main threads fill.
                t.exepath, _ = concatenate_paths(t.cwd, fn, len(fn))
    elif etype == EXECVEAT_X:
        enter = p.retrieve_enter(evt)
        if enter is not None:
            _execveat_exepath(p, evt, t, enter)
    if etype in (EXECVE_19_X, EXECVEAT_X):
        t.vpgid = p_i64(prm, 17, t.vpgid)
    if len(prm) > 18:
        t.loginuid = p_i32(prm, 18, t.loginuid)
    if len(prm) > 19:
        t.exe_writable = bool(p_u32(prm, 19) & PPM_EXE_WRITABLE)
    # Clone flags do not survive an exec; libsinsp's own markers do.
    keep = t.flags & (CL_PIPE_SRC | CL_PIPE_DST | CL_IS_MAIN_THREAD | CL_CLONE_INVERTED)
    t.flags = CL_ACTIVE | keep | CL_NAME_CHANGED


def _execveat_exepath(p: Parser, evt: Event, t: ThreadInfo, enter: Event) -> None:
    ep = enter.params()
    pathname = p_raw(ep, 1)
    if pathname.startswith(NA_PREFIX):
        t.exepath = "<NA>"
        return
    namelen = len(pathname)
    # libsinsp resolves the dirfd through the stored enter event, which has no thread
    # attached (it would crash on a relative path); the exit's thread is what it means.
    sdir = parse_dirfd(p, evt, pathname, p_i64(ep, 0), attach=False)
    if p_u32(ep, 2) & PPM_EXVAT_AT_EMPTY_PATH and not cstr(pathname):
        pathname = enc(sdir)
    t.exepath, _ = concatenate_paths(sdir, pathname, namelen)


def procexit(p: Parser, evt: Event) -> None:
    """The thread leaves the table at the start of the next event."""
    if evt.thread is not None:
        evt.thread.flags |= CL_CLOSED
        p.state.tid_to_remove = evt.tid


def chdir_exit(p: Parser, evt: Event) -> None:
    t = evt.thread
    prm = evt.params()
    if t is not None and p_i64(prm, 0) >= 0:
        path = p_raw(prm, 1)
        p.state.set_cwd(t, path, len(path))


def fchdir_exit(p: Parser, evt: Event) -> None:
    t = evt.thread
    if p_i64(evt.params(), 0) >= 0 and evt.fdinfo is not None and t is not None:
        name = enc(evt.fdinfo.name)
        p.state.set_cwd(t, name, len(name))


def rlimit_exit(p: Parser, evt: Event) -> None:
    """getrlimit/setrlimit: RLIMIT_NOFILE updates the process's fd limit."""
    t = evt.thread
    prm = evt.params()
    if t is None or p_i64(prm, 0) < 0:
        return
    enter = p.retrieve_enter(evt)
    if enter is None or p_u8(enter.params(), 0) != PPM_RLIMIT_NOFILE:
        return
    cur = p_i64(prm, 1)
    main = p.state.main_thread(t)
    if cur != -1 and main is not None:
        main.fdlimit = cur


def prlimit_exit(p: Parser, evt: Event) -> None:
    prm = evt.params()
    if p_i64(prm, 0) < 0:
        return
    enter = p.retrieve_enter(evt)
    if enter is None:
        return
    ep = enter.params()
    if p_u8(ep, 1) != PPM_RLIMIT_NOFILE:
        return
    newcur = p_i64(prm, 1)
    if newcur == -1:
        return
    tid = p_i64(ep, 0)
    target = p.state.get_thread(tid if tid != 0 else evt.tid, True)
    main = p.state.main_thread(target) if target is not None else None
    if main is not None:
        main.fdlimit = newcur


def poll_enter(p: Parser, evt: Event) -> None:
    p.mark_poll_enter(evt)


# Hot paths: the usual layouts of switch and brk/mmap/munmap exits, read in one unpack.
_SWITCH_LENS = struct.Struct("<6H")
_SWITCH_VALS = struct.Struct("<qQQIII")
_MEM_LENS = struct.Struct("<4H")
_MEM_VALS = struct.Struct("<qIII")


def context_switch(p: Parser, evt: Event) -> None:
    """Page faults of the thread; memory counters of its process."""
    t = evt.thread
    if t is None:
        return
    buf = evt.buf
    base = evt.hdr + 26
    if evt.nparams == 6 and not evt.v1 and base + 48 <= evt.end \
            and _SWITCH_LENS.unpack_from(buf, base) == (8, 8, 8, 4, 4, 4):
        _, t.pfmajor, t.pfminor, vmsize, vmrss, vmswap = _SWITCH_VALS.unpack_from(buf, base + 12)
        main = t if t.tid == t.pid else p.state.main_thread(t)
        if main is not None:
            main.vmsize_kb, main.vmrss_kb, main.vmswap_kb = vmsize, vmrss, vmswap
        return
    prm = evt.params()
    t.pfmajor = p_u64(prm, 1, t.pfmajor)
    t.pfminor = p_u64(prm, 2, t.pfminor)
    main = p.state.main_thread(t)
    if main is not None:
        main.vmsize_kb = p_u32(prm, 3, main.vmsize_kb)
        main.vmrss_kb = p_u32(prm, 4, main.vmrss_kb)
        main.vmswap_kb = p_u32(prm, 5, main.vmswap_kb)


def memory_exit(p: Parser, evt: Event) -> None:
    """brk/mmap/munmap exits report the thread's memory counters."""
    t = evt.thread
    if t is None:
        return
    buf = evt.buf
    base = evt.hdr + 26
    if evt.nparams == 4 and not evt.v1 and base + 28 <= evt.end \
            and _MEM_LENS.unpack_from(buf, base) == (8, 4, 4, 4):
        _, t.vmsize_kb, t.vmrss_kb, t.vmswap_kb = _MEM_VALS.unpack_from(buf, base + 8)
        return
    prm = evt.params()
    t.vmsize_kb = p_u32(prm, 1, t.vmsize_kb)
    t.vmrss_kb = p_u32(prm, 2, t.vmrss_kb)
    t.vmswap_kb = p_u32(prm, 3, t.vmswap_kb)


def _credential_exit(field: str, index: int, check_max: bool) -> Handler:
    """setuid/setgid/setresuid/setresgid: on success the (effective) id of the enter."""

    def handler(p: Parser, evt: Event) -> None:
        if p_i64(evt.params(), 0) < 0:
            return
        enter = p.retrieve_enter(evt)
        if enter is None:
            return
        value = p_u32(enter.params(), index)
        if check_max and value >= 0xFFFFFFFF:
            return   # -1: "unchanged"
        t = evt.thread if evt.thread is not None else p.state.threads.get(evt.tid)
        if t is not None:
            setattr(t, field, value)
    return handler


def setsid_exit(p: Parser, evt: Event) -> None:
    res = p_i64(evt.params(), 0)
    t = evt.thread if evt.thread is not None else p.state.threads.get(evt.tid)
    if res >= 0 and t is not None:
        t.sid = res


def chroot_exit(p: Parser, evt: Event) -> None:
    """The new root, resolved against the cwd when relative."""
    t = evt.thread
    prm = evt.params()
    if t is None or p_i64(prm, 0) != 0:
        return
    raw = p_raw(prm, 1)
    root = ""
    if raw and not raw.startswith(NA_PREFIX):
        resolved, relative = concatenate_paths(p.state.cwd(t), raw, len(raw))
        if relative:
            root = resolved
    t.root = root or sanitize_bytes(cstr(raw))
    p.state.resolve_container(t)


def _json_scalar_str(v: Any) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return None


def container_json(p: Parser, evt: Event) -> None:
    """Container metadata (JSON); a failed lookup's event is hidden. The event's thread is
    a detached stand-in named ``container:<id>``, as in sysdig."""
    raw = cstr(p_raw(evt.params(), 0))
    doc = raw.decode("utf-8", "replace").strip()
    try:
        import json  # container events only: not on every read's start-up

        root, _ = json.JSONDecoder().raw_decode(doc)
    except ValueError as err:
        raise CaptureError(
            f"Invalid JSON encountered while parsing container info: {doc}") from err
    info = root.get("container") if isinstance(root, dict) else None
    info = dict(info) if isinstance(info, dict) else {}
    cid = _json_scalar_str(info.get("id")) or ""
    info["id"] = cid
    state = info.get("lookup_state")
    lookup = 1
    if isinstance(state, int) and not isinstance(state, bool) and state >= 0:
        lookup = state if state in (0, 1, 2) else 1
        if lookup == 0:
            lookup = 2   # "started" can never finish in a file: failed
    info["lookup_state"] = lookup
    if lookup != 1:
        p.hide = True
    stand_in = ThreadInfo(-1)
    # Fields libsinsp leaves uninitialised here read as zero in sysdig 0.29.3.
    stand_in.ptid = 0
    stand_in.uid = stand_in.gid = 0
    stand_in.pid = -1
    stand_in.vtid = -2
    stand_in.vpid = -2
    stand_in.comm = "container:" + cid
    stand_in.container_id = cid
    evt.thread = stand_in
    p.state.containers[cid] = info


def container_old(p: Parser, evt: Event) -> None:
    prm = evt.params()
    cid = p_str(prm, 0)
    p.state.containers[cid] = {
        "id": cid, "type": p_u32(prm, 1), "name": p_str(prm, 2), "image": p_str(prm, 3),
        "lookup_state": 1,
    }


HANDLERS: dict[str, Handler] = {
    "PPME_PROCEXIT_E": procexit,
    "PPME_PROCEXIT_1_E": procexit,
    "PPME_SYSCALL_CHDIR_X": chdir_exit,
    "PPME_SYSCALL_FCHDIR_X": fchdir_exit,
    "PPME_SYSCALL_GETCWD_X": chdir_exit,
    "PPME_SYSCALL_GETRLIMIT_X": rlimit_exit,
    "PPME_SYSCALL_SETRLIMIT_X": rlimit_exit,
    "PPME_SYSCALL_PRLIMIT_X": prlimit_exit,
    "PPME_SCHEDSWITCH_1_E": context_switch,
    "PPME_SCHEDSWITCH_6_E": context_switch,
    "PPME_SYSCALL_BRK_4_X": memory_exit,
    "PPME_SYSCALL_MMAP_X": memory_exit,
    "PPME_SYSCALL_MMAP2_X": memory_exit,
    "PPME_SYSCALL_MUNMAP_X": memory_exit,
    "PPME_SYSCALL_SETRESUID_X": _credential_exit("uid", 1, True),
    "PPME_SYSCALL_SETRESGID_X": _credential_exit("gid", 1, True),
    "PPME_SYSCALL_SETUID_X": _credential_exit("uid", 0, False),
    "PPME_SYSCALL_SETGID_X": _credential_exit("gid", 0, False),
    "PPME_SYSCALL_SETSID_X": setsid_exit,
    "PPME_SYSCALL_CHROOT_X": chroot_exit,
    "PPME_CONTAINER_E": container_old,
    "PPME_CONTAINER_JSON_E": container_json,
    "PPME_CONTAINER_JSON_2_E": container_json,
}
for _name in ("SELECT_E", "POLL_E", "PPOLL_E", "EPOLLWAIT_E"):
    HANDLERS["PPME_SYSCALL_" + _name] = poll_enter
for _name in ("EXECVE_8_X", "EXECVE_13_X", "EXECVE_14_X", "EXECVE_15_X", "EXECVE_16_X",
              "EXECVE_17_X", "EXECVE_18_X", "EXECVE_19_X", "EXECVEAT_X"):
    HANDLERS["PPME_SYSCALL_" + _name] = execve_exit
for _name in ("CLONE_11_X", "CLONE_16_X", "CLONE_17_X", "CLONE_20_X", "FORK_X", "FORK_17_X",
              "FORK_20_X", "VFORK_X", "VFORK_17_X", "VFORK_20_X", "CLONE3_X"):
    HANDLERS["PPME_SYSCALL_" + _name] = clone_exit
for _name in ("CHDIR_E", "FCHDIR_E", "GETRLIMIT_E", "SETRLIMIT_E", "PRLIMIT_E", "SETRESUID_E",
              "SETRESGID_E", "SETUID_E", "SETGID_E", "EXECVE_18_E", "EXECVE_19_E",
              "EXECVEAT_E", "SETPGID_E"):
    HANDLERS["PPME_SYSCALL_" + _name] = lambda p, evt: p.store_event(evt)
