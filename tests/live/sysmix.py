"""Known system calls of the file, directory, signal, credential and socket kinds, for
test_live_syscalls.py. Run as ``python3 sysmix.py DIR``; it makes them after reading one byte
from stdin (so the capture can start first), then leaves with _exit(0)."""

import contextlib
import ctypes
import fcntl
import mmap
import os
import select
import signal
import socket
import sys
import threading

d = sys.argv[1]
os.read(0, 1)
p = os.path.join(d, "mix-file")
fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)
os.stat(p)
os.lstat(p)
os.fstat(fd)
os.lseek(fd, 5, os.SEEK_SET)
os.access(p, os.R_OK | os.W_OK)
os.mkdir(os.path.join(d, "mix-dir"), 0o711)
os.chdir(os.path.join(d, "mix-dir"))
dfd = os.open(d, os.O_RDONLY)
os.fchdir(dfd)
os.rmdir(os.path.join(d, "mix-dir"))
os.rename(p, p + "2")
os.rename(p + "2", p)
fd2 = os.dup(fd)
os.dup2(fd, 50)
os.close(50)
r, w = os.pipe()
fcntl.fcntl(fd, fcntl.F_GETFL)
with contextlib.suppress(OSError):
    fcntl.ioctl(fd, 0x5401)  # TCGETS on a file: ENOTTY
efd = os.eventfd(7)
libc = ctypes.CDLL(None)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
area = libc.mmap(None, 8192, mmap.PROT_READ | mmap.PROT_WRITE,
                 mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
libc.mprotect(area, 4096, mmap.PROT_READ)


class IOVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_char_p), ("len", ctypes.c_size_t)]


# pwritev and preadv as such (glibc may route its wrappers to the *v2 calls)
iov = (IOVec * 2)(IOVec(b"ab", 2), IOVec(b"cd", 2))
libc.syscall(296, fd, iov, 2, 2, 0)
got = ctypes.create_string_buffer(3)
riov = (IOVec * 1)(IOVec(ctypes.cast(got, ctypes.c_char_p), 3))
libc.syscall(295, fd, riov, 1, 1, 0)
select.select([r], [], [], 0)
poller = select.poll()
poller.register(w, select.POLLOUT)
poller.poll(0)
os.sendfile(w, fd, 0, 4)
ep = select.epoll()
ep.poll(0)
os.kill(os.getpid(), 0)
signal.pthread_kill(threading.get_ident(), 0)
os.setuid(0)
os.setresuid(0, 0, 0)
os.setgid(0)
os.setresgid(0, 0, 0)
a, b = socket.socketpair()
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u2.sendmsg([b"msg-", b"one"], [], 0, u1.getsockname())
u1.recvmsg(64)
u1.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
u1.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
u1.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, b"\x02" + b"\0" * 15)
a.shutdown(socket.SHUT_WR)
os.unlink(p)
libc.syscall(35, ctypes.byref((ctypes.c_long * 2)(0, 1000)), None)  # nanosleep, 1 us
os._exit(0)
