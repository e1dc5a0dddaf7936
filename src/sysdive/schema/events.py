"""The event table of sysdig 0.29.3: every event id with its name, category, flags and params.

Transcribed from ``g_event_info[]`` (driver/event_table.c) of falcosecurity/libs at e5c53d64,
the revision sysdig 0.29.3 is built on. The index into :data:`EVENTS` is the event id written
in capture files, so rows must never be reordered, removed or inserted.

Each row also carries the ``PPME_*`` enumerator name from driver/ppm_events_public.h; where the
comment inside the C table disagrees with the enumerator (ids 17, 28, 29, 60, 61, 187, 197,
323), the enumerator is what is recorded here. Unused slots keep the placeholder name the
table gives them ("NA1", "pluginevent", ...), because that is what sysdig prints.

Only as many params as the C row declares are listed: the SECCOMP enter row names two params
but declares one, and sysdig reads one.
"""

from __future__ import annotations

from sysdive.schema.types import Category as C
from sysdive.schema.types import EventFlag as EF
from sysdive.schema.types import EventInfo as E
from sysdive.schema.types import ParamInfo as P
from sysdive.schema.types import ParamType as T
from sysdive.schema.types import PrintFormat as F

__all__ = ["EVENTS", "EVENT_BY_ENUM", "event_ids_named"]

# One event per row with its params wrapped beneath: the formatter would give every field
# its own line and triple the length of the table.
# fmt: off
EVENTS: tuple[E, ...] = (
    E(0, "PPME_GENERIC_E", "syscall", C.OTHER, EF.NONE, (
        P("ID", T.SYSCALLID, F.DEC), P("nativeID", T.UINT16, F.DEC),
    )),
    E(1, "PPME_GENERIC_X", "syscall", C.OTHER, EF.NONE, (P("ID", T.SYSCALLID, F.DEC),)),
    E(2, "PPME_SYSCALL_OPEN_E", "open", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("name", T.FSPATH), P("flags", T.FLAGS32, F.HEX, "file_flags"),
        P("mode", T.UINT32, F.OCT),
    )),
    E(3, "PPME_SYSCALL_OPEN_X", "open", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("name", T.FSPATH), P("flags", T.FLAGS32, F.HEX, "file_flags"),
        P("mode", T.UINT32, F.OCT), P("dev", T.UINT32, F.HEX),
    )),
    E(4, "PPME_SYSCALL_CLOSE_E", "close", C.IO_OTHER, EF.DESTROYS_FD | EF.USES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC),
    )),
    E(5, "PPME_SYSCALL_CLOSE_X", "close", C.IO_OTHER, EF.DESTROYS_FD | EF.USES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(6, "PPME_SYSCALL_READ_E", "read", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC),
    )),
    E(7, "PPME_SYSCALL_READ_X", "read", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(8, "PPME_SYSCALL_WRITE_E", "write", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC),
    )),
    E(9, "PPME_SYSCALL_WRITE_X", "write", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(10, "PPME_SYSCALL_BRK_1_E", "brk", C.MEMORY, EF.OLD_VERSION, (P("size", T.UINT32, F.DEC),)),
    E(11, "PPME_SYSCALL_BRK_1_X", "brk", C.MEMORY, EF.OLD_VERSION, (P("res", T.UINT64, F.HEX),)),
    E(12, "PPME_SYSCALL_EXECVE_8_E", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(13, "PPME_SYSCALL_EXECVE_8_X", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC),
    )),
    E(14, "PPME_SYSCALL_CLONE_11_E", "clone", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(15, "PPME_SYSCALL_CLONE_11_X", "clone", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("flags", T.FLAGS32, F.HEX, "clone_flags"),
        P("uid", T.UINT32, F.DEC), P("gid", T.UINT32, F.DEC),
    )),
    E(16, "PPME_PROCEXIT_E", "procexit", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(17, "PPME_PROCEXIT_X", "NA1", C.PROCESS, EF.UNUSED, ()),
    E(18, "PPME_SOCKET_SOCKET_E", "socket", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("domain", T.FLAGS32, F.DEC, "socket_families"), P("type", T.UINT32, F.DEC),
        P("proto", T.UINT32, F.DEC),
    )),
    E(19, "PPME_SOCKET_SOCKET_X", "socket", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC),
    )),
    E(20, "PPME_SOCKET_BIND_E", "bind", C.NET, EF.USES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC),
    )),
    E(21, "PPME_SOCKET_BIND_X", "bind", C.NET, EF.USES_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("addr", T.SOCKADDR),
    )),
    E(22, "PPME_SOCKET_CONNECT_E", "connect", C.NET, EF.USES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("addr", T.SOCKADDR),
    )),
    E(23, "PPME_SOCKET_CONNECT_X", "connect", C.NET, EF.USES_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("tuple", T.SOCKTUPLE),
    )),
    E(24, "PPME_SOCKET_LISTEN_E", "listen", C.NET, EF.USES_FD, (
        P("fd", T.FD, F.DEC), P("backlog", T.UINT32, F.DEC),
    )),
    E(25, "PPME_SOCKET_LISTEN_X", "listen", C.NET, EF.USES_FD, (P("res", T.ERRNO, F.DEC),)),
    E(26, "PPME_SOCKET_ACCEPT_E", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(27, "PPME_SOCKET_ACCEPT_X", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("fd", T.FD, F.DEC), P("tuple", T.SOCKTUPLE), P("queuepct", T.UINT8, F.DEC),
    )),
    E(28, "PPME_SOCKET_SEND_E", "send", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC),
    )),
    E(29, "PPME_SOCKET_SEND_X", "send", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(30, "PPME_SOCKET_SENDTO_E", "sendto", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC), P("tuple", T.SOCKTUPLE),
    )),
    E(31, "PPME_SOCKET_SENDTO_X", "sendto", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(32, "PPME_SOCKET_RECV_E", "recv", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC),
    )),
    E(33, "PPME_SOCKET_RECV_X", "recv", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(34, "PPME_SOCKET_RECVFROM_E", "recvfrom", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC),
    )),
    E(35, "PPME_SOCKET_RECVFROM_X", "recvfrom", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF), P("tuple", T.SOCKTUPLE),
    )),
    E(36, "PPME_SOCKET_SHUTDOWN_E", "shutdown", C.NET, EF.USES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("how", T.FLAGS8, F.HEX, "shutdown_how"),
    )),
    E(37, "PPME_SOCKET_SHUTDOWN_X", "shutdown", C.NET, EF.USES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(38, "PPME_SOCKET_GETSOCKNAME_E", "getsockname", C.NET, EF.DROP_SIMPLE_CONS, ()),
    E(39, "PPME_SOCKET_GETSOCKNAME_X", "getsockname", C.NET, EF.DROP_SIMPLE_CONS, ()),
    E(40, "PPME_SOCKET_GETPEERNAME_E", "getpeername", C.NET, EF.DROP_SIMPLE_CONS, ()),
    E(41, "PPME_SOCKET_GETPEERNAME_X", "getpeername", C.NET, EF.DROP_SIMPLE_CONS, ()),
    E(42, "PPME_SOCKET_SOCKETPAIR_E", "socketpair", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("domain", T.FLAGS32, F.DEC, "socket_families"), P("type", T.UINT32, F.DEC),
        P("proto", T.UINT32, F.DEC),
    )),
    E(43, "PPME_SOCKET_SOCKETPAIR_X", "socketpair", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("fd1", T.FD, F.DEC), P("fd2", T.FD, F.DEC),
        P("source", T.UINT64, F.HEX), P("peer", T.UINT64, F.HEX),
    )),
    E(44, "PPME_SOCKET_SETSOCKOPT_E", "setsockopt", C.NET, EF.NONE, ()),
    E(45, "PPME_SOCKET_SETSOCKOPT_X", "setsockopt", C.NET, EF.USES_FD, (
        P("res", T.ERRNO, F.DEC), P("fd", T.FD, F.DEC),
        P("level", T.FLAGS8, F.DEC, "sockopt_levels"),
        P("optname", T.FLAGS8, F.DEC, "sockopt_options"),
        P("val", T.DYN, F.DEC, "sockopt_dynamic_param"), P("optlen", T.UINT32, F.DEC),
    )),
    E(46, "PPME_SOCKET_GETSOCKOPT_E", "getsockopt", C.NET, EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, ()),
    E(47, "PPME_SOCKET_GETSOCKOPT_X", "getsockopt", C.NET, EF.USES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("fd", T.FD, F.DEC),
        P("level", T.FLAGS8, F.DEC, "sockopt_levels"),
        P("optname", T.FLAGS8, F.DEC, "sockopt_options"),
        P("val", T.DYN, F.DEC, "sockopt_dynamic_param"), P("optlen", T.UINT32, F.DEC),
    )),
    E(48, "PPME_SOCKET_SENDMSG_E", "sendmsg", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC), P("tuple", T.SOCKTUPLE),
    )),
    E(49, "PPME_SOCKET_SENDMSG_X", "sendmsg", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(50, "PPME_SOCKET_SENDMMSG_E", "sendmmsg", C.IO_WRITE, EF.DROP_SIMPLE_CONS, ()),
    E(51, "PPME_SOCKET_SENDMMSG_X", "sendmmsg", C.IO_WRITE, EF.DROP_SIMPLE_CONS, ()),
    E(52, "PPME_SOCKET_RECVMSG_E", "recvmsg", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC),
    )),
    E(53, "PPME_SOCKET_RECVMSG_X", "recvmsg", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("size", T.UINT32, F.DEC), P("data", T.BYTEBUF),
        P("tuple", T.SOCKTUPLE),
    )),
    E(54, "PPME_SOCKET_RECVMMSG_E", "recvmmsg", C.IO_READ, EF.DROP_SIMPLE_CONS, ()),
    E(55, "PPME_SOCKET_RECVMMSG_X", "recvmmsg", C.IO_READ, EF.DROP_SIMPLE_CONS, ()),
    E(56, "PPME_SOCKET_ACCEPT4_E", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("flags", T.INT32, F.HEX),
    )),
    E(57, "PPME_SOCKET_ACCEPT4_X", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("fd", T.FD, F.DEC), P("tuple", T.SOCKTUPLE), P("queuepct", T.UINT8, F.DEC),
    )),
    E(58, "PPME_SYSCALL_CREAT_E", "creat", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("name", T.FSPATH), P("mode", T.UINT32, F.OCT),
    )),
    E(59, "PPME_SYSCALL_CREAT_X", "creat", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("name", T.FSPATH), P("mode", T.UINT32, F.OCT),
        P("dev", T.UINT32, F.HEX),
    )),
    E(60, "PPME_SYSCALL_PIPE_E", "pipe", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE, ()),
    E(61, "PPME_SYSCALL_PIPE_X", "pipe", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("fd1", T.FD, F.DEC), P("fd2", T.FD, F.DEC),
        P("ino", T.UINT64, F.DEC),
    )),
    E(62, "PPME_SYSCALL_EVENTFD_E", "eventfd", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("initval", T.UINT64, F.DEC), P("flags", T.FLAGS32, F.HEX),
    )),
    E(63, "PPME_SYSCALL_EVENTFD_X", "eventfd", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("res", T.FD, F.DEC),
    )),
    E(64, "PPME_SYSCALL_FUTEX_E", "futex", C.IPC, EF.DROP_SIMPLE_CONS, (
        P("addr", T.UINT64, F.HEX), P("op", T.FLAGS16, F.HEX, "futex_operations"),
        P("val", T.UINT64, F.DEC),
    )),
    E(65, "PPME_SYSCALL_FUTEX_X", "futex", C.IPC, EF.DROP_SIMPLE_CONS, (P("res", T.ERRNO, F.DEC),)),
    E(66, "PPME_SYSCALL_STAT_E", "stat", C.FILE, EF.DROP_SIMPLE_CONS, ()),
    E(67, "PPME_SYSCALL_STAT_X", "stat", C.FILE, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(68, "PPME_SYSCALL_LSTAT_E", "lstat", C.FILE, EF.DROP_SIMPLE_CONS, ()),
    E(69, "PPME_SYSCALL_LSTAT_X", "lstat", C.FILE, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(70, "PPME_SYSCALL_FSTAT_E", "fstat", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD),
    )),
    E(71, "PPME_SYSCALL_FSTAT_X", "fstat", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(72, "PPME_SYSCALL_STAT64_E", "stat64", C.FILE, EF.DROP_SIMPLE_CONS, ()),
    E(73, "PPME_SYSCALL_STAT64_X", "stat64", C.FILE, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(74, "PPME_SYSCALL_LSTAT64_E", "lstat64", C.FILE, EF.DROP_SIMPLE_CONS, ()),
    E(75, "PPME_SYSCALL_LSTAT64_X", "lstat64", C.FILE, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(76, "PPME_SYSCALL_FSTAT64_E", "fstat64", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD),
    )),
    E(77, "PPME_SYSCALL_FSTAT64_X", "fstat64", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(78, "PPME_SYSCALL_EPOLLWAIT_E", "epoll_wait", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("maxevents", T.ERRNO, F.DEC),
    )),
    E(79, "PPME_SYSCALL_EPOLLWAIT_X", "epoll_wait", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(80, "PPME_SYSCALL_POLL_E", "poll", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("fds", T.FDLIST, F.DEC), P("timeout", T.INT64, F.DEC),
    )),
    E(81, "PPME_SYSCALL_POLL_X", "poll", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("fds", T.FDLIST, F.DEC),
    )),
    E(82, "PPME_SYSCALL_SELECT_E", "select", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, ()),
    E(83, "PPME_SYSCALL_SELECT_X", "select", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(84, "PPME_SYSCALL_NEWSELECT_E", "select", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, ()),
    E(85, "PPME_SYSCALL_NEWSELECT_X", "select", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(86, "PPME_SYSCALL_LSEEK_E", "lseek", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("offset", T.UINT64, F.DEC),
        P("whence", T.FLAGS8, F.DEC, "lseek_whence"),
    )),
    E(87, "PPME_SYSCALL_LSEEK_X", "lseek", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(88, "PPME_SYSCALL_LLSEEK_E", "llseek", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("offset", T.UINT64, F.DEC),
        P("whence", T.FLAGS8, F.DEC, "lseek_whence"),
    )),
    E(89, "PPME_SYSCALL_LLSEEK_X", "llseek", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(90, "PPME_SYSCALL_IOCTL_2_E", "ioctl", C.IO_OTHER, EF.USES_FD | EF.OLD_VERSION, (
        P("fd", T.FD, F.DEC), P("request", T.UINT64, F.HEX),
    )),
    E(91, "PPME_SYSCALL_IOCTL_2_X", "ioctl", C.IO_OTHER, EF.USES_FD | EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(92, "PPME_SYSCALL_GETCWD_E", "getcwd", C.FILE, EF.DROP_SIMPLE_CONS, ()),
    E(93, "PPME_SYSCALL_GETCWD_X", "getcwd", C.FILE, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("path", T.CHARBUF),
    )),
    E(94, "PPME_SYSCALL_CHDIR_E", "chdir", C.FILE, EF.MODIFIES_STATE, ()),
    E(95, "PPME_SYSCALL_CHDIR_X", "chdir", C.FILE, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("path", T.CHARBUF),
    )),
    E(96, "PPME_SYSCALL_FCHDIR_E", "fchdir", C.FILE, EF.USES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD),
    )),
    E(97, "PPME_SYSCALL_FCHDIR_X", "fchdir", C.FILE, EF.USES_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(98, "PPME_SYSCALL_MKDIR_E", "mkdir", C.FILE, EF.NONE, (
        P("path", T.FSPATH), P("mode", T.UINT32, F.HEX),
    )),
    E(99, "PPME_SYSCALL_MKDIR_X", "mkdir", C.FILE, EF.NONE, (P("res", T.ERRNO, F.DEC),)),
    E(100, "PPME_SYSCALL_RMDIR_E", "rmdir", C.FILE, EF.NONE, (P("path", T.FSPATH),)),
    E(101, "PPME_SYSCALL_RMDIR_X", "rmdir", C.FILE, EF.NONE, (P("res", T.ERRNO, F.DEC),)),
    E(102, "PPME_SYSCALL_OPENAT_E", "openat", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("dirfd", T.FD, F.DEC), P("name", T.CHARBUF), P("flags", T.FLAGS32, F.HEX, "file_flags"),
        P("mode", T.UINT32, F.OCT),
    )),
    E(103, "PPME_SYSCALL_OPENAT_X", "openat", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("fd", T.FD, F.DEC),
    )),
    E(104, "PPME_SYSCALL_LINK_E", "link", C.FILE, EF.OLD_VERSION, (
        P("oldpath", T.FSPATH), P("newpath", T.FSPATH),
    )),
    E(105, "PPME_SYSCALL_LINK_X", "link", C.FILE, EF.OLD_VERSION, (P("res", T.ERRNO, F.DEC),)),
    E(106, "PPME_SYSCALL_LINKAT_E", "linkat", C.FILE, EF.OLD_VERSION, (
        P("olddir", T.FD, F.DEC), P("oldpath", T.CHARBUF), P("newdir", T.FD, F.DEC),
        P("newpath", T.CHARBUF),
    )),
    E(107, "PPME_SYSCALL_LINKAT_X", "linkat", C.FILE, EF.OLD_VERSION, (P("res", T.ERRNO, F.DEC),)),
    E(108, "PPME_SYSCALL_UNLINK_E", "unlink", C.FILE, EF.OLD_VERSION, (P("path", T.FSPATH),)),
    E(109, "PPME_SYSCALL_UNLINK_X", "unlink", C.FILE, EF.OLD_VERSION, (P("res", T.ERRNO, F.DEC),)),
    E(110, "PPME_SYSCALL_UNLINKAT_E", "unlinkat", C.FILE, EF.OLD_VERSION, (
        P("dirfd", T.FD, F.DEC), P("name", T.CHARBUF),
    )),
    E(111, "PPME_SYSCALL_UNLINKAT_X", "unlinkat", C.FILE, EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(112, "PPME_SYSCALL_PREAD_E", "pread", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC), P("pos", T.UINT64, F.DEC),
    )),
    E(113, "PPME_SYSCALL_PREAD_X", "pread", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(114, "PPME_SYSCALL_PWRITE_E", "pwrite", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC), P("pos", T.UINT64, F.DEC),
    )),
    E(115, "PPME_SYSCALL_PWRITE_X", "pwrite", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(116, "PPME_SYSCALL_READV_E", "readv", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC),
    )),
    E(117, "PPME_SYSCALL_READV_X", "readv", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("size", T.UINT32, F.DEC), P("data", T.BYTEBUF),
    )),
    E(118, "PPME_SYSCALL_WRITEV_E", "writev", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC),
    )),
    E(119, "PPME_SYSCALL_WRITEV_X", "writev", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(120, "PPME_SYSCALL_PREADV_E", "preadv", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("pos", T.UINT64, F.DEC),
    )),
    E(121, "PPME_SYSCALL_PREADV_X", "preadv", C.IO_READ, EF.USES_FD | EF.READS_FROM_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("size", T.UINT32, F.DEC), P("data", T.BYTEBUF),
    )),
    E(122, "PPME_SYSCALL_PWRITEV_E", "pwritev", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("size", T.UINT32, F.DEC), P("pos", T.UINT64, F.DEC),
    )),
    E(123, "PPME_SYSCALL_PWRITEV_X", "pwritev", C.IO_WRITE, EF.USES_FD | EF.WRITES_TO_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("data", T.BYTEBUF),
    )),
    E(124, "PPME_SYSCALL_DUP_E", "dup", C.IO_OTHER, EF.CREATES_FD | EF.USES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC),
    )),
    E(125, "PPME_SYSCALL_DUP_X", "dup", C.IO_OTHER, EF.CREATES_FD | EF.USES_FD | EF.MODIFIES_STATE, (
        P("res", T.FD, F.DEC),
    )),
    E(126, "PPME_SYSCALL_SIGNALFD_E", "signalfd", C.SIGNAL, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("mask", T.UINT32, F.HEX), P("flags", T.FLAGS8, F.HEX),
    )),
    E(127, "PPME_SYSCALL_SIGNALFD_X", "signalfd", C.SIGNAL, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("res", T.FD, F.DEC),
    )),
    E(128, "PPME_SYSCALL_KILL_E", "kill", C.SIGNAL, EF.NONE, (
        P("pid", T.PID, F.DEC), P("sig", T.SIGTYPE, F.DEC),
    )),
    E(129, "PPME_SYSCALL_KILL_X", "kill", C.SIGNAL, EF.NONE, (P("res", T.ERRNO, F.DEC),)),
    E(130, "PPME_SYSCALL_TKILL_E", "tkill", C.SIGNAL, EF.NONE, (
        P("tid", T.PID, F.DEC), P("sig", T.SIGTYPE, F.DEC),
    )),
    E(131, "PPME_SYSCALL_TKILL_X", "tkill", C.SIGNAL, EF.NONE, (P("res", T.ERRNO, F.DEC),)),
    E(132, "PPME_SYSCALL_TGKILL_E", "tgkill", C.SIGNAL, EF.NONE, (
        P("pid", T.PID, F.DEC), P("tid", T.PID, F.DEC), P("sig", T.SIGTYPE, F.DEC),
    )),
    E(133, "PPME_SYSCALL_TGKILL_X", "tgkill", C.SIGNAL, EF.NONE, (P("res", T.ERRNO, F.DEC),)),
    E(134, "PPME_SYSCALL_NANOSLEEP_E", "nanosleep", C.SLEEP, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("interval", T.RELTIME, F.DEC),
    )),
    E(135, "PPME_SYSCALL_NANOSLEEP_X", "nanosleep", C.SLEEP, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(136, "PPME_SYSCALL_TIMERFD_CREATE_E", "timerfd_create", C.TIME, EF.CREATES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("clockid", T.UINT8, F.DEC), P("flags", T.FLAGS8, F.HEX),
    )),
    E(137, "PPME_SYSCALL_TIMERFD_CREATE_X", "timerfd_create", C.TIME, EF.CREATES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("res", T.FD, F.DEC),
    )),
    E(138, "PPME_SYSCALL_INOTIFY_INIT_E", "inotify_init", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("flags", T.FLAGS8, F.HEX),
    )),
    E(139, "PPME_SYSCALL_INOTIFY_INIT_X", "inotify_init", C.IPC, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("res", T.FD, F.DEC),
    )),
    E(140, "PPME_SYSCALL_GETRLIMIT_E", "getrlimit", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("resource", T.FLAGS8, F.DEC, "rlimit_resources"),
    )),
    E(141, "PPME_SYSCALL_GETRLIMIT_X", "getrlimit", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("cur", T.INT64, F.DEC), P("max", T.INT64, F.DEC),
    )),
    E(142, "PPME_SYSCALL_SETRLIMIT_E", "setrlimit", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("resource", T.FLAGS8, F.DEC, "rlimit_resources"),
    )),
    E(143, "PPME_SYSCALL_SETRLIMIT_X", "setrlimit", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("cur", T.INT64, F.DEC), P("max", T.INT64, F.DEC),
    )),
    E(144, "PPME_SYSCALL_PRLIMIT_E", "prlimit", C.PROCESS, EF.NONE, (
        P("pid", T.PID, F.DEC), P("resource", T.FLAGS8, F.DEC, "rlimit_resources"),
    )),
    E(145, "PPME_SYSCALL_PRLIMIT_X", "prlimit", C.PROCESS, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("newcur", T.INT64, F.DEC), P("newmax", T.INT64, F.DEC),
        P("oldcur", T.INT64, F.DEC), P("oldmax", T.INT64, F.DEC),
    )),
    E(146, "PPME_SCHEDSWITCH_1_E", "switch", C.SCHEDULER, EF.SKIPPARSERESET | EF.OLD_VERSION | EF.DROP_SIMPLE_CONS, (
        P("next", T.PID, F.DEC),
    )),
    E(147, "PPME_SCHEDSWITCH_1_X", "NA2", C.SCHEDULER, EF.UNUSED | EF.SKIPPARSERESET | EF.OLD_VERSION, ()),
    E(148, "PPME_DROP_E", "drop", C.INTERNAL, EF.SKIPPARSERESET, (P("ratio", T.UINT32, F.DEC),)),
    E(149, "PPME_DROP_X", "drop", C.INTERNAL, EF.SKIPPARSERESET, (P("ratio", T.UINT32, F.DEC),)),
    E(150, "PPME_SYSCALL_FCNTL_E", "fcntl", C.IO_OTHER, EF.USES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD, F.DEC), P("cmd", T.FLAGS8, F.DEC, "fcntl_commands"),
    )),
    E(151, "PPME_SYSCALL_FCNTL_X", "fcntl", C.IO_OTHER, EF.USES_FD | EF.MODIFIES_STATE | EF.DROP_SIMPLE_CONS, (
        P("res", T.FD, F.DEC),
    )),
    E(152, "PPME_SCHEDSWITCH_6_E", "switch", C.SCHEDULER, EF.DROP_SIMPLE_CONS, (
        P("next", T.PID, F.DEC), P("pgft_maj", T.UINT64, F.DEC), P("pgft_min", T.UINT64, F.DEC),
        P("vm_size", T.UINT32, F.DEC), P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC),
    )),
    E(153, "PPME_SCHEDSWITCH_6_X", "NA2", C.SCHEDULER, EF.UNUSED, ()),
    E(154, "PPME_SYSCALL_EXECVE_13_E", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(155, "PPME_SYSCALL_EXECVE_13_X", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC),
    )),
    E(156, "PPME_SYSCALL_CLONE_16_E", "clone", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(157, "PPME_SYSCALL_CLONE_16_X", "clone", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC),
        P("flags", T.FLAGS32, F.HEX, "clone_flags"), P("uid", T.UINT32, F.DEC),
        P("gid", T.UINT32, F.DEC),
    )),
    E(158, "PPME_SYSCALL_BRK_4_E", "brk", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("addr", T.UINT64, F.HEX),
    )),
    E(159, "PPME_SYSCALL_BRK_4_X", "brk", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("res", T.UINT64, F.HEX), P("vm_size", T.UINT32, F.DEC), P("vm_rss", T.UINT32, F.DEC),
        P("vm_swap", T.UINT32, F.DEC),
    )),
    E(160, "PPME_SYSCALL_MMAP_E", "mmap", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("addr", T.UINT64, F.HEX), P("length", T.UINT64, F.DEC),
        P("prot", T.FLAGS32, F.HEX, "prot_flags"), P("flags", T.FLAGS32, F.HEX, "mmap_flags"),
        P("fd", T.FD, F.DEC), P("offset", T.UINT64, F.DEC),
    )),
    E(161, "PPME_SYSCALL_MMAP_X", "mmap", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("res", T.UINT64, F.HEX), P("vm_size", T.UINT32, F.DEC), P("vm_rss", T.UINT32, F.DEC),
        P("vm_swap", T.UINT32, F.DEC),
    )),
    E(162, "PPME_SYSCALL_MMAP2_E", "mmap2", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("addr", T.UINT64, F.HEX), P("length", T.UINT64, F.DEC),
        P("prot", T.FLAGS32, F.HEX, "prot_flags"), P("flags", T.FLAGS32, F.HEX, "mmap_flags"),
        P("fd", T.FD, F.DEC), P("pgoffset", T.UINT64, F.DEC),
    )),
    E(163, "PPME_SYSCALL_MMAP2_X", "mmap2", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("res", T.UINT64, F.HEX), P("vm_size", T.UINT32, F.DEC), P("vm_rss", T.UINT32, F.DEC),
        P("vm_swap", T.UINT32, F.DEC),
    )),
    E(164, "PPME_SYSCALL_MUNMAP_E", "munmap", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("addr", T.UINT64, F.HEX), P("length", T.UINT64, F.DEC),
    )),
    E(165, "PPME_SYSCALL_MUNMAP_X", "munmap", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("vm_size", T.UINT32, F.DEC), P("vm_rss", T.UINT32, F.DEC),
        P("vm_swap", T.UINT32, F.DEC),
    )),
    E(166, "PPME_SYSCALL_SPLICE_E", "splice", C.IO_OTHER, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("fd_in", T.FD, F.DEC), P("fd_out", T.FD, F.DEC), P("size", T.UINT64, F.DEC),
        P("flags", T.FLAGS32, F.HEX, "splice_flags"),
    )),
    E(167, "PPME_SYSCALL_SPLICE_X", "splice", C.IO_OTHER, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(168, "PPME_SYSCALL_PTRACE_E", "ptrace", C.PROCESS, EF.NONE, (
        P("request", T.FLAGS16, F.DEC, "ptrace_requests"), P("pid", T.PID, F.DEC),
    )),
    E(169, "PPME_SYSCALL_PTRACE_X", "ptrace", C.PROCESS, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("addr", T.DYN, F.HEX, "ptrace_dynamic_param"),
        P("data", T.DYN, F.HEX, "ptrace_dynamic_param"),
    )),
    E(170, "PPME_SYSCALL_IOCTL_3_E", "ioctl", C.IO_OTHER, EF.USES_FD, (
        P("fd", T.FD, F.DEC), P("request", T.UINT64, F.HEX), P("argument", T.UINT64, F.HEX),
    )),
    E(171, "PPME_SYSCALL_IOCTL_3_X", "ioctl", C.IO_OTHER, EF.USES_FD, (P("res", T.ERRNO, F.DEC),)),
    E(172, "PPME_SYSCALL_EXECVE_14_E", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(173, "PPME_SYSCALL_EXECVE_14_X", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("env", T.BYTEBUF),
    )),
    E(174, "PPME_SYSCALL_RENAME_E", "rename", C.FILE, EF.NONE, ()),
    E(175, "PPME_SYSCALL_RENAME_X", "rename", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("oldpath", T.FSPATH), P("newpath", T.FSPATH),
    )),
    E(176, "PPME_SYSCALL_RENAMEAT_E", "renameat", C.FILE, EF.NONE, ()),
    E(177, "PPME_SYSCALL_RENAMEAT_X", "renameat", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("olddirfd", T.FD, F.DEC), P("oldpath", T.FSRELPATH, dirfd=1),
        P("newdirfd", T.FD, F.DEC), P("newpath", T.FSRELPATH, dirfd=3),
    )),
    E(178, "PPME_SYSCALL_SYMLINK_E", "symlink", C.FILE, EF.NONE, ()),
    E(179, "PPME_SYSCALL_SYMLINK_X", "symlink", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("target", T.CHARBUF), P("linkpath", T.FSPATH),
    )),
    E(180, "PPME_SYSCALL_SYMLINKAT_E", "symlinkat", C.FILE, EF.NONE, ()),
    E(181, "PPME_SYSCALL_SYMLINKAT_X", "symlinkat", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("target", T.CHARBUF), P("linkdirfd", T.FD, F.DEC),
        P("linkpath", T.FSRELPATH, dirfd=2),
    )),
    E(182, "PPME_SYSCALL_FORK_E", "fork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(183, "PPME_SYSCALL_FORK_X", "fork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC),
        P("flags", T.FLAGS32, F.HEX, "clone_flags"), P("uid", T.UINT32, F.DEC),
        P("gid", T.UINT32, F.DEC),
    )),
    E(184, "PPME_SYSCALL_VFORK_E", "vfork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(185, "PPME_SYSCALL_VFORK_X", "vfork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC),
        P("flags", T.FLAGS32, F.HEX, "clone_flags"), P("uid", T.UINT32, F.DEC),
        P("gid", T.UINT32, F.DEC),
    )),
    E(186, "PPME_PROCEXIT_1_E", "procexit", C.PROCESS, EF.MODIFIES_STATE, (
        P("status", T.ERRNO, F.DEC), P("ret", T.ERRNO, F.DEC), P("sig", T.SIGTYPE, F.DEC),
        P("core", T.UINT8, F.DEC),
    )),
    E(187, "PPME_PROCEXIT_1_X", "NA1", C.PROCESS, EF.UNUSED, ()),
    E(188, "PPME_SYSCALL_SENDFILE_E", "sendfile", C.IO_WRITE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("out_fd", T.FD, F.DEC), P("in_fd", T.FD, F.DEC), P("offset", T.UINT64, F.DEC),
        P("size", T.UINT64, F.DEC),
    )),
    E(189, "PPME_SYSCALL_SENDFILE_X", "sendfile", C.IO_WRITE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("offset", T.UINT64, F.DEC),
    )),
    E(190, "PPME_SYSCALL_QUOTACTL_E", "quotactl", C.USER, EF.NONE, (
        P("cmd", T.FLAGS16, F.DEC, "quotactl_cmds"), P("type", T.FLAGS8, F.DEC, "quotactl_types"),
        P("id", T.UINT32, F.DEC), P("quota_fmt", T.FLAGS8, F.DEC, "quotactl_quota_fmts"),
    )),
    E(191, "PPME_SYSCALL_QUOTACTL_X", "quotactl", C.USER, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("special", T.CHARBUF), P("quotafilepath", T.CHARBUF),
        P("dqb_bhardlimit", T.UINT64, F.DEC), P("dqb_bsoftlimit", T.UINT64, F.DEC),
        P("dqb_curspace", T.UINT64, F.DEC), P("dqb_ihardlimit", T.UINT64, F.DEC),
        P("dqb_isoftlimit", T.UINT64, F.DEC), P("dqb_btime", T.RELTIME, F.DEC),
        P("dqb_itime", T.RELTIME, F.DEC), P("dqi_bgrace", T.RELTIME, F.DEC),
        P("dqi_igrace", T.RELTIME, F.DEC), P("dqi_flags", T.FLAGS8, F.DEC, "quotactl_dqi_flags"),
        P("quota_fmt_out", T.FLAGS8, F.DEC, "quotactl_quota_fmts"),
    )),
    E(192, "PPME_SYSCALL_SETRESUID_E", "setresuid", C.USER, EF.MODIFIES_STATE, (
        P("ruid", T.UID, F.DEC), P("euid", T.UID, F.DEC), P("suid", T.UID, F.DEC),
    )),
    E(193, "PPME_SYSCALL_SETRESUID_X", "setresuid", C.USER, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(194, "PPME_SYSCALL_SETRESGID_E", "setresgid", C.USER, EF.MODIFIES_STATE, (
        P("rgid", T.GID, F.DEC), P("egid", T.GID, F.DEC), P("sgid", T.GID, F.DEC),
    )),
    E(195, "PPME_SYSCALL_SETRESGID_X", "setresgid", C.USER, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(196, "PPME_SYSDIGEVENT_E", "sysdigevent", C.INTERNAL, EF.SKIPPARSERESET, (
        P("event_type", T.UINT32, F.DEC), P("event_data", T.UINT64, F.DEC),
    )),
    E(197, "PPME_SYSDIGEVENT_X", "sysdigevent", C.INTERNAL, EF.UNUSED, ()),
    E(198, "PPME_SYSCALL_SETUID_E", "setuid", C.USER, EF.MODIFIES_STATE, (P("uid", T.UID, F.DEC),)),
    E(199, "PPME_SYSCALL_SETUID_X", "setuid", C.USER, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(200, "PPME_SYSCALL_SETGID_E", "setgid", C.USER, EF.MODIFIES_STATE, (P("gid", T.GID, F.DEC),)),
    E(201, "PPME_SYSCALL_SETGID_X", "setgid", C.USER, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(202, "PPME_SYSCALL_GETUID_E", "getuid", C.USER, EF.DROP_SIMPLE_CONS, ()),
    E(203, "PPME_SYSCALL_GETUID_X", "getuid", C.USER, EF.DROP_SIMPLE_CONS, (
        P("uid", T.UID, F.DEC),
    )),
    E(204, "PPME_SYSCALL_GETEUID_E", "geteuid", C.USER, EF.DROP_SIMPLE_CONS, ()),
    E(205, "PPME_SYSCALL_GETEUID_X", "geteuid", C.USER, EF.DROP_SIMPLE_CONS, (
        P("euid", T.UID, F.DEC),
    )),
    E(206, "PPME_SYSCALL_GETGID_E", "getgid", C.USER, EF.DROP_SIMPLE_CONS, ()),
    E(207, "PPME_SYSCALL_GETGID_X", "getgid", C.USER, EF.DROP_SIMPLE_CONS, (
        P("gid", T.GID, F.DEC),
    )),
    E(208, "PPME_SYSCALL_GETEGID_E", "getegid", C.USER, EF.DROP_SIMPLE_CONS, ()),
    E(209, "PPME_SYSCALL_GETEGID_X", "getegid", C.USER, EF.DROP_SIMPLE_CONS, (
        P("egid", T.GID, F.DEC),
    )),
    E(210, "PPME_SYSCALL_GETRESUID_E", "getresuid", C.USER, EF.DROP_SIMPLE_CONS, ()),
    E(211, "PPME_SYSCALL_GETRESUID_X", "getresuid", C.USER, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("ruid", T.UID, F.DEC), P("euid", T.UID, F.DEC),
        P("suid", T.UID, F.DEC),
    )),
    E(212, "PPME_SYSCALL_GETRESGID_E", "getresgid", C.USER, EF.DROP_SIMPLE_CONS, ()),
    E(213, "PPME_SYSCALL_GETRESGID_X", "getresgid", C.USER, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("rgid", T.GID, F.DEC), P("egid", T.GID, F.DEC),
        P("sgid", T.GID, F.DEC),
    )),
    E(214, "PPME_SYSCALL_EXECVE_15_E", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(215, "PPME_SYSCALL_EXECVE_15_X", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("env", T.BYTEBUF),
    )),
    E(216, "PPME_SYSCALL_CLONE_17_E", "clone", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(217, "PPME_SYSCALL_CLONE_17_X", "clone", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("flags", T.FLAGS32, F.HEX, "clone_flags"), P("uid", T.UINT32, F.DEC),
        P("gid", T.UINT32, F.DEC),
    )),
    E(218, "PPME_SYSCALL_FORK_17_E", "fork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(219, "PPME_SYSCALL_FORK_17_X", "fork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("flags", T.FLAGS32, F.HEX, "clone_flags"), P("uid", T.UINT32, F.DEC),
        P("gid", T.UINT32, F.DEC),
    )),
    E(220, "PPME_SYSCALL_VFORK_17_E", "vfork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(221, "PPME_SYSCALL_VFORK_17_X", "vfork", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("flags", T.FLAGS32, F.HEX, "clone_flags"), P("uid", T.UINT32, F.DEC),
        P("gid", T.UINT32, F.DEC),
    )),
    E(222, "PPME_SYSCALL_CLONE_20_E", "clone", C.PROCESS, EF.MODIFIES_STATE, ()),
    E(223, "PPME_SYSCALL_CLONE_20_X", "clone", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("flags", T.FLAGS32, F.HEX, "clone_flags"),
        P("uid", T.UINT32, F.DEC), P("gid", T.UINT32, F.DEC), P("vtid", T.PID, F.DEC),
        P("vpid", T.PID, F.DEC),
    )),
    E(224, "PPME_SYSCALL_FORK_20_E", "fork", C.PROCESS, EF.MODIFIES_STATE, ()),
    E(225, "PPME_SYSCALL_FORK_20_X", "fork", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("flags", T.FLAGS32, F.HEX, "clone_flags"),
        P("uid", T.UINT32, F.DEC), P("gid", T.UINT32, F.DEC), P("vtid", T.PID, F.DEC),
        P("vpid", T.PID, F.DEC),
    )),
    E(226, "PPME_SYSCALL_VFORK_20_E", "vfork", C.PROCESS, EF.MODIFIES_STATE, ()),
    E(227, "PPME_SYSCALL_VFORK_20_X", "vfork", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("flags", T.FLAGS32, F.HEX, "clone_flags"),
        P("uid", T.UINT32, F.DEC), P("gid", T.UINT32, F.DEC), P("vtid", T.PID, F.DEC),
        P("vpid", T.PID, F.DEC),
    )),
    E(228, "PPME_CONTAINER_E", "container", C.INTERNAL, EF.MODIFIES_STATE | EF.SKIPPARSERESET | EF.OLD_VERSION, (
        P("id", T.CHARBUF), P("type", T.UINT32, F.DEC), P("name", T.CHARBUF),
        P("image", T.CHARBUF),
    )),
    E(229, "PPME_CONTAINER_X", "container", C.INTERNAL, EF.UNUSED | EF.OLD_VERSION, ()),
    E(230, "PPME_SYSCALL_EXECVE_16_E", "execve", C.PROCESS, EF.MODIFIES_STATE, ()),
    E(231, "PPME_SYSCALL_EXECVE_16_X", "execve", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("env", T.BYTEBUF),
    )),
    E(232, "PPME_SIGNALDELIVER_E", "signaldeliver", C.SIGNAL, EF.DROP_SIMPLE_CONS, (
        P("spid", T.PID, F.DEC), P("dpid", T.PID, F.DEC), P("sig", T.SIGTYPE, F.DEC),
    )),
    E(233, "PPME_SIGNALDELIVER_X", "signaldeliver", C.SIGNAL, EF.UNUSED, ()),
    E(234, "PPME_PROCINFO_E", "procinfo", C.INTERNAL, EF.SKIPPARSERESET | EF.DROP_SIMPLE_CONS, (
        P("cpu_usr", T.UINT64, F.DEC), P("cpu_sys", T.UINT64, F.DEC),
    )),
    E(235, "PPME_PROCINFO_X", "NA2", C.INTERNAL, EF.UNUSED, ()),
    E(236, "PPME_SYSCALL_GETDENTS_E", "getdents", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD),
    )),
    E(237, "PPME_SYSCALL_GETDENTS_X", "getdents", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(238, "PPME_SYSCALL_GETDENTS64_E", "getdents64", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("fd", T.FD),
    )),
    E(239, "PPME_SYSCALL_GETDENTS64_X", "getdents64", C.FILE, EF.USES_FD | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(240, "PPME_SYSCALL_SETNS_E", "setns", C.PROCESS, EF.USES_FD, (
        P("fd", T.FD), P("nstype", T.FLAGS32, F.HEX, "clone_flags"),
    )),
    E(241, "PPME_SYSCALL_SETNS_X", "setns", C.PROCESS, EF.USES_FD, (P("res", T.ERRNO, F.DEC),)),
    E(242, "PPME_SYSCALL_FLOCK_E", "flock", C.FILE, EF.USES_FD, (
        P("fd", T.FD), P("operation", T.FLAGS32, F.HEX, "flock_flags"),
    )),
    E(243, "PPME_SYSCALL_FLOCK_X", "flock", C.FILE, EF.USES_FD, (P("res", T.ERRNO, F.DEC),)),
    E(244, "PPME_CPU_HOTPLUG_E", "cpu_hotplug", C.SYSTEM, EF.MODIFIES_STATE | EF.SKIPPARSERESET, (
        P("cpu", T.UINT32, F.DEC), P("action", T.UINT32, F.DEC),
    )),
    E(245, "PPME_CPU_HOTPLUG_X", "NA2", C.SYSTEM, EF.UNUSED, ()),
    E(246, "PPME_SOCKET_ACCEPT_5_E", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE, ()),
    E(247, "PPME_SOCKET_ACCEPT_5_X", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("tuple", T.SOCKTUPLE), P("queuepct", T.UINT8, F.DEC),
        P("queuelen", T.UINT32, F.DEC), P("queuemax", T.UINT32, F.DEC),
    )),
    E(248, "PPME_SOCKET_ACCEPT4_5_E", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("flags", T.INT32, F.HEX),
    )),
    E(249, "PPME_SOCKET_ACCEPT4_5_X", "accept", C.NET, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("tuple", T.SOCKTUPLE), P("queuepct", T.UINT8, F.DEC),
        P("queuelen", T.UINT32, F.DEC), P("queuemax", T.UINT32, F.DEC),
    )),
    E(250, "PPME_SYSCALL_SEMOP_E", "semop", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("semid", T.INT32, F.DEC),
    )),
    E(251, "PPME_SYSCALL_SEMOP_X", "semop", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("nsops", T.UINT32, F.DEC), P("sem_num_0", T.UINT16, F.DEC),
        P("sem_op_0", T.INT16, F.DEC), P("sem_flg_0", T.FLAGS16, F.HEX, "semop_flags"),
        P("sem_num_1", T.UINT16, F.DEC), P("sem_op_1", T.INT16, F.DEC),
        P("sem_flg_1", T.FLAGS16, F.HEX, "semop_flags"),
    )),
    E(252, "PPME_SYSCALL_SEMCTL_E", "semctl", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("semid", T.INT32, F.DEC), P("semnum", T.INT32, F.DEC),
        P("cmd", T.FLAGS16, F.HEX, "semctl_commands"), P("val", T.INT32, F.DEC),
    )),
    E(253, "PPME_SYSCALL_SEMCTL_X", "semctl", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(254, "PPME_SYSCALL_PPOLL_E", "ppoll", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("fds", T.FDLIST, F.DEC), P("timeout", T.RELTIME, F.DEC), P("sigmask", T.SIGSET, F.DEC),
    )),
    E(255, "PPME_SYSCALL_PPOLL_X", "ppoll", C.WAIT, EF.WAITS | EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("fds", T.FDLIST, F.DEC),
    )),
    E(256, "PPME_SYSCALL_MOUNT_E", "mount", C.FILE, EF.MODIFIES_STATE, (
        P("flags", T.FLAGS32, F.HEX, "mount_flags"),
    )),
    E(257, "PPME_SYSCALL_MOUNT_X", "mount", C.FILE, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("dev", T.CHARBUF), P("dir", T.FSPATH), P("type", T.CHARBUF),
    )),
    E(258, "PPME_SYSCALL_UMOUNT_E", "umount", C.FILE, EF.MODIFIES_STATE, (
        P("flags", T.FLAGS32, F.HEX, "umount_flags"),
    )),
    E(259, "PPME_SYSCALL_UMOUNT_X", "umount", C.FILE, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("name", T.FSPATH),
    )),
    E(260, "PPME_K8S_E", "k8s", C.INTERNAL, EF.MODIFIES_STATE | EF.SKIPPARSERESET, (
        P("json", T.CHARBUF),
    )),
    E(261, "PPME_K8S_X", "NA3", C.SYSTEM, EF.UNUSED, ()),
    E(262, "PPME_SYSCALL_SEMGET_E", "semget", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("key", T.INT32, F.HEX), P("nsems", T.INT32, F.DEC),
        P("semflg", T.FLAGS32, F.HEX, "semget_flags"),
    )),
    E(263, "PPME_SYSCALL_SEMGET_X", "semget", C.PROCESS, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(264, "PPME_SYSCALL_ACCESS_E", "access", C.FILE, EF.DROP_SIMPLE_CONS, (
        P("mode", T.FLAGS32, F.HEX, "access_flags"),
    )),
    E(265, "PPME_SYSCALL_ACCESS_X", "access", C.FILE, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC), P("name", T.FSPATH),
    )),
    E(266, "PPME_SYSCALL_CHROOT_E", "chroot", C.PROCESS, EF.MODIFIES_STATE, ()),
    E(267, "PPME_SYSCALL_CHROOT_X", "chroot", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(268, "PPME_TRACER_E", "tracer", C.OTHER, EF.NONE, (
        P("id", T.INT64, F.DEC), P("tags", T.CHARBUFARRAY), P("args", T.CHARBUF_PAIR_ARRAY),
    )),
    E(269, "PPME_TRACER_X", "tracer", C.OTHER, EF.NONE, (
        P("id", T.INT64, F.DEC), P("tags", T.CHARBUFARRAY), P("args", T.CHARBUF_PAIR_ARRAY),
    )),
    E(270, "PPME_MESOS_E", "mesos", C.INTERNAL, EF.MODIFIES_STATE | EF.SKIPPARSERESET, (
        P("json", T.CHARBUF),
    )),
    E(271, "PPME_MESOS_X", "NA4", C.SYSTEM, EF.UNUSED, ()),
    E(272, "PPME_CONTAINER_JSON_E", "container", C.PROCESS, EF.MODIFIES_STATE, (
        P("json", T.CHARBUF),
    )),
    E(273, "PPME_CONTAINER_JSON_X", "container", C.PROCESS, EF.UNUSED, ()),
    E(274, "PPME_SYSCALL_SETSID_E", "setsid", C.PROCESS, EF.MODIFIES_STATE, ()),
    E(275, "PPME_SYSCALL_SETSID_X", "setsid", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.PID, F.DEC),
    )),
    E(276, "PPME_SYSCALL_MKDIR_2_E", "mkdir", C.FILE, EF.NONE, (P("mode", T.UINT32, F.HEX),)),
    E(277, "PPME_SYSCALL_MKDIR_2_X", "mkdir", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(278, "PPME_SYSCALL_RMDIR_2_E", "rmdir", C.FILE, EF.NONE, ()),
    E(279, "PPME_SYSCALL_RMDIR_2_X", "rmdir", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(280, "PPME_NOTIFICATION_E", "notification", C.OTHER, EF.SKIPPARSERESET, (
        P("id", T.CHARBUF, F.DEC), P("desc", T.CHARBUF),
    )),
    E(281, "PPME_NOTIFICATION_X", "NA4", C.SYSTEM, EF.UNUSED, ()),
    E(282, "PPME_SYSCALL_EXECVE_17_E", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, ()),
    E(283, "PPME_SYSCALL_EXECVE_17_X", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("env", T.BYTEBUF), P("tty", T.INT32, F.DEC),
    )),
    E(284, "PPME_SYSCALL_UNSHARE_E", "unshare", C.PROCESS, EF.NONE, (
        P("flags", T.FLAGS32, F.HEX, "clone_flags"),
    )),
    E(285, "PPME_SYSCALL_UNSHARE_X", "unshare", C.PROCESS, EF.NONE, (P("res", T.ERRNO, F.DEC),)),
    E(286, "PPME_INFRASTRUCTURE_EVENT_E", "infra", C.INTERNAL, EF.SKIPPARSERESET, (
        P("source", T.CHARBUF, F.DEC), P("name", T.CHARBUF), P("description", T.CHARBUF),
        P("scope", T.CHARBUF),
    )),
    E(287, "PPME_INFRASTRUCTURE_EVENT_X", "NA4", C.SYSTEM, EF.UNUSED, ()),
    E(288, "PPME_SYSCALL_EXECVE_18_E", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("filename", T.FSPATH),
    )),
    E(289, "PPME_SYSCALL_EXECVE_18_X", "execve", C.PROCESS, EF.MODIFIES_STATE | EF.OLD_VERSION, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("env", T.BYTEBUF), P("tty", T.INT32, F.DEC),
    )),
    E(290, "PPME_PAGE_FAULT_E", "page_fault", C.OTHER, EF.SKIPPARSERESET | EF.DROP_SIMPLE_CONS, (
        P("addr", T.UINT64, F.HEX), P("ip", T.UINT64, F.HEX),
        P("error", T.FLAGS32, F.HEX, "pf_flags"),
    )),
    E(291, "PPME_PAGE_FAULT_X", "NA5", C.OTHER, EF.UNUSED, ()),
    E(292, "PPME_SYSCALL_EXECVE_19_E", "execve", C.PROCESS, EF.MODIFIES_STATE, (
        P("filename", T.FSPATH),
    )),
    E(293, "PPME_SYSCALL_EXECVE_19_X", "execve", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("env", T.BYTEBUF), P("tty", T.INT32, F.DEC),
        P("pgid", T.PID, F.DEC), P("loginuid", T.INT32, F.DEC),
        P("flags", T.FLAGS32, F.HEX, "execve_flags"),
    )),
    E(294, "PPME_SYSCALL_SETPGID_E", "setpgid", C.PROCESS, EF.MODIFIES_STATE, (
        P("pid", T.PID, F.DEC), P("pgid", T.PID, F.DEC),
    )),
    E(295, "PPME_SYSCALL_SETPGID_X", "setpgid", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.PID, F.DEC),
    )),
    E(296, "PPME_SYSCALL_BPF_E", "bpf", C.OTHER, EF.CREATES_FD, (P("cmd", T.INT64, F.DEC),)),
    E(297, "PPME_SYSCALL_BPF_X", "bpf", C.OTHER, EF.CREATES_FD, (
        P("res_or_fd", T.DYN, F.DEC, "bpf_dynamic_param"),
    )),
    E(298, "PPME_SYSCALL_SECCOMP_E", "seccomp", C.OTHER, EF.NONE, (P("op", T.UINT64, F.DEC),)),
    E(299, "PPME_SYSCALL_SECCOMP_X", "seccomp", C.OTHER, EF.NONE, (P("res", T.ERRNO, F.DEC),)),
    E(300, "PPME_SYSCALL_UNLINK_2_E", "unlink", C.FILE, EF.NONE, ()),
    E(301, "PPME_SYSCALL_UNLINK_2_X", "unlink", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("path", T.FSPATH),
    )),
    E(302, "PPME_SYSCALL_UNLINKAT_2_E", "unlinkat", C.FILE, EF.NONE, ()),
    E(303, "PPME_SYSCALL_UNLINKAT_2_X", "unlinkat", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("dirfd", T.FD, F.DEC), P("name", T.FSRELPATH, dirfd=1),
        P("flags", T.FLAGS32, F.HEX, "unlinkat_flags"),
    )),
    E(304, "PPME_SYSCALL_MKDIRAT_E", "mkdirat", C.FILE, EF.NONE, ()),
    E(305, "PPME_SYSCALL_MKDIRAT_X", "mkdirat", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("dirfd", T.FD, F.DEC), P("path", T.FSRELPATH, dirfd=1),
        P("mode", T.UINT32, F.HEX),
    )),
    E(306, "PPME_SYSCALL_OPENAT_2_E", "openat", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("dirfd", T.FD, F.DEC), P("name", T.FSRELPATH, dirfd=0),
        P("flags", T.FLAGS32, F.HEX, "file_flags"), P("mode", T.UINT32, F.OCT),
    )),
    E(307, "PPME_SYSCALL_OPENAT_2_X", "openat", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("dirfd", T.FD, F.DEC), P("name", T.FSRELPATH, dirfd=1),
        P("flags", T.FLAGS32, F.HEX, "file_flags"), P("mode", T.UINT32, F.OCT),
        P("dev", T.UINT32, F.HEX),
    )),
    E(308, "PPME_SYSCALL_LINK_2_E", "link", C.FILE, EF.NONE, ()),
    E(309, "PPME_SYSCALL_LINK_2_X", "link", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("oldpath", T.FSPATH), P("newpath", T.FSPATH),
    )),
    E(310, "PPME_SYSCALL_LINKAT_2_E", "linkat", C.FILE, EF.NONE, ()),
    E(311, "PPME_SYSCALL_LINKAT_2_X", "linkat", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("olddir", T.FD, F.DEC), P("oldpath", T.FSRELPATH, dirfd=1),
        P("newdir", T.FD, F.DEC), P("newpath", T.FSRELPATH, dirfd=3),
        P("flags", T.FLAGS32, F.HEX, "linkat_flags"),
    )),
    E(312, "PPME_SYSCALL_FCHMODAT_E", "fchmodat", C.FILE, EF.NONE, ()),
    E(313, "PPME_SYSCALL_FCHMODAT_X", "fchmodat", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("dirfd", T.FD, F.DEC), P("filename", T.FSRELPATH, dirfd=1),
        P("mode", T.MODE, F.OCT, "chmod_mode"),
    )),
    E(314, "PPME_SYSCALL_CHMOD_E", "chmod", C.FILE, EF.NONE, ()),
    E(315, "PPME_SYSCALL_CHMOD_X", "chmod", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("filename", T.FSPATH), P("mode", T.MODE, F.OCT, "chmod_mode"),
    )),
    E(316, "PPME_SYSCALL_FCHMOD_E", "fchmod", C.FILE, EF.NONE, ()),
    E(317, "PPME_SYSCALL_FCHMOD_X", "fchmod", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("fd", T.FD, F.DEC), P("mode", T.MODE, F.OCT, "chmod_mode"),
    )),
    E(318, "PPME_SYSCALL_RENAMEAT2_E", "renameat2", C.FILE, EF.NONE, ()),
    E(319, "PPME_SYSCALL_RENAMEAT2_X", "renameat2", C.FILE, EF.NONE, (
        P("res", T.ERRNO, F.DEC), P("olddirfd", T.FD, F.DEC), P("oldpath", T.FSRELPATH, dirfd=1),
        P("newdirfd", T.FD, F.DEC), P("newpath", T.FSRELPATH, dirfd=3),
        P("flags", T.FLAGS32, F.HEX, "renameat2_flags"),
    )),
    E(320, "PPME_SYSCALL_USERFAULTFD_E", "userfaultfd", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, ()),
    E(321, "PPME_SYSCALL_USERFAULTFD_X", "userfaultfd", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("flags", T.FLAGS32, F.HEX, "file_flags"),
    )),
    E(322, "PPME_PLUGINEVENT_E", "pluginevent", C.OTHER, EF.LARGE_PAYLOAD, (
        P("plugin ID", T.UINT32, F.DEC), P("event_data", T.BYTEBUF),
    )),
    E(323, "PPME_PLUGINEVENT_X", "pluginevent", C.OTHER, EF.UNUSED, ()),
    E(324, "PPME_CONTAINER_JSON_2_E", "container", C.PROCESS, EF.MODIFIES_STATE | EF.LARGE_PAYLOAD, (
        P("json", T.CHARBUF),
    )),
    E(325, "PPME_CONTAINER_JSON_2_X", "container", C.PROCESS, EF.UNUSED, ()),
    E(326, "PPME_SYSCALL_OPENAT2_E", "openat2", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("dirfd", T.FD, F.DEC), P("name", T.FSRELPATH, dirfd=1),
        P("flags", T.FLAGS32, F.HEX, "file_flags"), P("mode", T.UINT32, F.OCT),
        P("resolve", T.FLAGS32, F.HEX, "openat2_flags"),
    )),
    E(327, "PPME_SYSCALL_OPENAT2_X", "openat2", C.FILE, EF.CREATES_FD | EF.MODIFIES_STATE, (
        P("fd", T.FD, F.DEC), P("dirfd", T.FD, F.DEC), P("name", T.FSRELPATH, dirfd=1),
        P("flags", T.FLAGS32, F.HEX, "file_flags"), P("mode", T.UINT32, F.OCT),
        P("resolve", T.FLAGS32, F.HEX, "openat2_flags"),
    )),
    E(328, "PPME_SYSCALL_MPROTECT_E", "mprotect", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("addr", T.UINT64, F.HEX), P("length", T.UINT64, F.DEC),
        P("prot", T.FLAGS32, F.HEX, "prot_flags"),
    )),
    E(329, "PPME_SYSCALL_MPROTECT_X", "mprotect", C.MEMORY, EF.DROP_SIMPLE_CONS, (
        P("res", T.ERRNO, F.DEC),
    )),
    E(330, "PPME_SYSCALL_EXECVEAT_E", "execveat", C.PROCESS, EF.MODIFIES_STATE, (
        P("dirfd", T.FD, F.DEC), P("pathname", T.FSRELPATH, dirfd=0),
        P("flags", T.FLAGS32, F.HEX, "execveat_flags"),
    )),
    E(331, "PPME_SYSCALL_EXECVEAT_X", "execveat", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.ERRNO, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF),
        P("tid", T.PID, F.DEC), P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC),
        P("cwd", T.CHARBUF), P("fdlimit", T.UINT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("env", T.BYTEBUF), P("tty", T.INT32, F.DEC),
        P("pgid", T.PID, F.DEC), P("loginuid", T.INT32, F.DEC),
        P("flags", T.FLAGS32, F.HEX, "execve_flags"),
    )),
    E(332, "PPME_SYSCALL_COPY_FILE_RANGE_E", "copy_file_range", C.FILE, EF.USES_FD | EF.READS_FROM_FD | EF.WRITES_TO_FD, (
        P("fdin", T.FD, F.DEC), P("offin", T.UINT64, F.DEC), P("len", T.UINT64, F.DEC),
    )),
    E(333, "PPME_SYSCALL_COPY_FILE_RANGE_X", "copy_file_range", C.FILE, EF.USES_FD | EF.READS_FROM_FD | EF.WRITES_TO_FD, (
        P("res", T.ERRNO, F.DEC), P("fdout", T.FD, F.DEC), P("offout", T.UINT64, F.DEC),
    )),
    E(334, "PPME_SYSCALL_CLONE3_E", "clone3", C.PROCESS, EF.MODIFIES_STATE, ()),
    E(335, "PPME_SYSCALL_CLONE3_X", "clone3", C.PROCESS, EF.MODIFIES_STATE, (
        P("res", T.PID, F.DEC), P("exe", T.CHARBUF), P("args", T.BYTEBUF), P("tid", T.PID, F.DEC),
        P("pid", T.PID, F.DEC), P("ptid", T.PID, F.DEC), P("cwd", T.CHARBUF),
        P("fdlimit", T.INT64, F.DEC), P("pgft_maj", T.UINT64, F.DEC),
        P("pgft_min", T.UINT64, F.DEC), P("vm_size", T.UINT32, F.DEC),
        P("vm_rss", T.UINT32, F.DEC), P("vm_swap", T.UINT32, F.DEC), P("comm", T.CHARBUF),
        P("cgroups", T.BYTEBUF), P("flags", T.FLAGS32, F.HEX, "clone_flags"),
        P("uid", T.UINT32, F.DEC), P("gid", T.UINT32, F.DEC), P("vtid", T.PID, F.DEC),
        P("vpid", T.PID, F.DEC),
    )),
)
"""Every event type, indexed by event id (``EVENTS[i].id == i``)."""
# fmt: on

EVENT_BY_ENUM: dict[str, E] = {info.enum: info for info in EVENTS}
"""Event rows keyed by their ``PPME_*`` enumerator name."""


def _group_ids_by_name() -> dict[str, tuple[int, ...]]:
    grouped: dict[str, list[int]] = {}
    for info in EVENTS:
        grouped.setdefault(info.name, []).append(info.id)
    return {name: tuple(ids) for name, ids in grouped.items()}


_IDS_BY_NAME = _group_ids_by_name()


def event_ids_named(name: str) -> tuple[int, ...]:
    """Return every event id, in ascending order, whose table name is ``name``.

    Old versions of an event share its name (``open`` is 2/3 only, but ``execve`` spans
    several versions), so this is how ``evt.type=NAME`` maps to ids. Generic syscalls all live
    under the name ``syscall``; their per-syscall name comes from
    :data:`sysdive.schema.syscalls.SYSCALL_NAMES` at run time. Unknown names give ``()``.
    """
    return _IDS_BY_NAME.get(name, ())
