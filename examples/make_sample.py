"""Generate ``examples/php-leak.scap``: a small, believable capture for the README.

The story: nginx (worker 813) proxies six ``GET /status`` requests to a php-fpm pool on
127.0.0.1:9000. The php-fpm worker (1431, child of master 905) accepts each connection, reads
the request, runs ``status.php`` (which parses /etc/php/php.ini and, once, shells out to
``uptime``), and answers. Every request grows its heap with ``brk`` and the memory is never
given back: ``vm_rss`` on each brk exit is higher than the last. The 2 MiB arena it maps and
unmaps per request leaves rss flat, and nginx stays flat throughout. After five requests
(pm.max_requests) the worker exits and the master forks a fresh one, whose rss starts low::

    sysdive -r examples/php-leak.scap -p "%evt.num %proc.name %evt.type %proc.vmrss" \\
        "evt.type in (brk,mmap) and proc.name contains php"

Run ``python3 examples/make_sample.py [OUT]``; the output is the same bytes every time.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from sysdive.capture.synthetic import (
    Params,
    SyntheticCapture,
    Value,
    file_fd,
    listen_fd,
    proc,
    socktuple_in,
)
from sysdive.scap.blocks import FD_EVENTPOLL, FdEntry, GroupEntry, MachineInfo, UserEntry

OUT = Path(__file__).with_name("php-leak.scap")
START = 1_710_236_467_000_000_000  # 2024-03-12 09:41:07 UTC
NGINX_MASTER, NGINX, FPM_MASTER, WORKER, NEW_WORKER = 812, 813, 905, 1431, 1472
SH = 1458
SNAPLEN = 80  # the driver captures this many bytes of I/O buffers by default

# Flag values in the driver's PPM_* encodings.
O_RDONLY, O_CLOEXEC, O_WRONLY, O_APPEND, O_CREAT = 1, 0x1000, 2, 8, 4
PROT_RW, PROT_RX, MAP_PRIVATE, MAP_ANON, MAP_DENYWRITE = 3, 5, 2, 8, 0x400
FORK_FLAGS = 0x1800000  # CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID
SOCK_NONBLOCK = 0x800
AT_FDCWD = -100
WAIT4, WAIT4_NR = 69, 61  # generic syscall id and x86_64 number

PHP_CGROUPS = [f"{c}=/system.slice/php-fpm.service" for c in ("cpu", "cpuacct", "memory", "pids")]
NGINX_CGROUPS = [f"{c}=/system.slice/nginx.service" for c in ("cpu", "cpuacct", "memory", "pids")]
ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"]
FPM_EXE = "php-fpm: master process (/etc/php/php-fpm.conf)"
CLIENT_REQ = (b"GET /status HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: curl/8.5.0\r\n"
              b"Accept: */*\r\n\r\n")
UPSTREAM_REQ = (b"GET /status HTTP/1.1\r\nHost: shop.example.com\r\nX-Real-IP: 203.0.113.7\r\n"
                b"X-Forwarded-For: 203.0.113.7\r\nConnection: close\r\nUser-Agent: curl/8.5.0"
                b"\r\nAccept: */*\r\n\r\n")
STATUS_PHP = (b"<?php\n// health and config report for the load balancer\n$ini = "
              b"parse_ini_file('/etc/php/php.ini');\n$GLOBALS['history'][] = $ini;  // kept "
              b"forever\nheader('Content-Type: application/json');\necho json_encode([...]);\n")
PHP_INI = (b"[PHP]\nengine = On\nshort_open_tag = Off\nprecision = 14\noutput_buffering = 4096\n"
           b"memory_limit = 256M\nmax_execution_time = 30\nerror_reporting = E_ALL\n") * 6
PCRE = "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0.11.2"
ELF = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x03\x00>\x00\x01\x00\x00\x00" + bytes(56)


class Story:
    """The capture under construction, with the per-process memory counters it reports."""

    def __init__(self) -> None:
        self.rng = random.Random(20240312)
        users = [UserEntry(0, 0, "root", "/root", "/bin/bash"),
                 UserEntry(33, 33, "www-data", "/var/www", "/usr/sbin/nologin")]
        groups = [GroupEntry(0, "root"), GroupEntry(33, "www-data")]
        ngx_args = ["-g", "daemon on; master_process on;"]
        procs = [
            proc(1, "systemd", ptid=0, exe="/sbin/init", args=["splash"], vmsize_kb=167780,
                 vmrss_kb=12904),
            proc(NGINX_MASTER, "nginx", exe="nginx: master process /usr/sbin/nginx",
                 exepath="/usr/sbin/nginx", args=ngx_args, vmsize_kb=55284, vmrss_kb=1620,
                 cgroups=NGINX_CGROUPS, env=ENV),
            proc(NGINX, "nginx", ptid=NGINX_MASTER, exe="nginx: worker process",
                 exepath="/usr/sbin/nginx", uid=33, gid=33, vmsize_kb=55960, vmrss_kb=6208,
                 cgroups=NGINX_CGROUPS, env=ENV),
            proc(FPM_MASTER, "php-fpm", exe=FPM_EXE, exepath="/usr/sbin/php-fpm8.1",
                 vmsize_kb=201404, vmrss_kb=18516, cgroups=PHP_CGROUPS, env=ENV),
            proc(WORKER, "php-fpm", ptid=FPM_MASTER, exe="php-fpm: pool www",
                 exepath="/usr/sbin/php-fpm8.1", uid=33, gid=33, vmsize_kb=226384,
                 vmrss_kb=19432, cgroups=PHP_CGROUPS, env=ENV),
        ]
        fpm_fds = [file_fd(0, "/dev/null", O_RDONLY), file_fd(1, "/dev/null", O_WRONLY),
                   file_fd(2, "/var/log/php-fpm.log", O_WRONLY | O_APPEND | O_CREAT),
                   listen_fd(7, "127.0.0.1", 9000)]
        fds = {
            NGINX: [file_fd(2, "/var/log/nginx/error.log", O_WRONLY | O_APPEND | O_CREAT),
                    file_fd(4, "/var/log/nginx/access.log", O_WRONLY | O_APPEND | O_CREAT),
                    listen_fd(6, "0.0.0.0", 80), FdEntry(8, 0, FD_EVENTPOLL, "")],
            FPM_MASTER: [*fpm_fds, FdEntry(8, 0, FD_EVENTPOLL, "")],
            WORKER: fpm_fds,
        }
        self.cap = SyntheticCapture(
            machine=MachineInfo(2, 4 << 30, 4194304, "web-01"), procs=procs, fds=fds,
            users=users, groups=groups, start_ts=START)
        self.mem = {WORKER: [226384, 19432], NEW_WORKER: [201404, 18516]}
        self.brk = {WORKER: 0x55D4C8A1E000, NEW_WORKER: 0x55D4C8A1E000}
        self.requests = 0

    # -- helpers ------------------------------------------------------------------------------

    def gap(self, lo: int = 2_000, hi: int = 30_000) -> None:
        """Some user-space time between two syscalls."""
        self.cap.sleep(self.rng.randrange(lo, hi))

    def sys(self, call: str, tid: int, args: Params | None = None, /, lat: int = 0,
            **params: Value) -> None:
        self.gap()
        cpu = 0 if tid in (NGINX, NGINX_MASTER) else 1
        self.cap.syscall(call, tid, {**(args or {}), **params}, on_cpu=cpu,
                         latency_ns=lat or self.rng.randrange(600, 9_000))

    def vm(self, tid: int) -> dict[str, int]:
        size, rss = self.mem[tid]
        return {"vm_size": size, "vm_rss": rss, "vm_swap": 0}

    def brk_grow(self, tid: int, kb: int, leak_kb: int) -> None:
        self.brk[tid] += kb * 1024
        self.mem[tid][0] += kb
        self.mem[tid][1] += leak_kb
        self.sys("brk", tid, self.vm(tid), addr=self.brk[tid], res=self.brk[tid])

    def open_read_close(self, tid: int, path: str, content: bytes, fd: int = 4) -> None:
        self.sys("openat", tid, dirfd=AT_FDCWD, name=path, flags=O_RDONLY | O_CLOEXEC, mode=0,
                 fd=fd, dev=0x803)
        self.sys("fstat", tid, fd=fd, res=0)
        self.sys("read", tid, fd=fd, size=8192, res=len(content), data=content[:SNAPLEN])
        self.sys("read", tid, fd=fd, size=8192, res=0, data=b"")
        self.sys("close", tid, fd=fd, res=0)

    # -- the actors ---------------------------------------------------------------------------

    def nginx_accept(self, port: int) -> bytes:
        client = socktuple_in("203.0.113.7", port, "10.0.2.15", 80)
        self.sys("epoll_wait", NGINX, lat=self.rng.randrange(40_000_000, 90_000_000),
                 maxevents=512, res=1)
        self.sys("accept", NGINX, flags=SOCK_NONBLOCK, fd=12, tuple=client, queuepct=0,
                 queuelen=0, queuemax=511)
        self.sys("recvfrom", NGINX, fd=12, size=1024, res=len(CLIENT_REQ),
                 data=CLIENT_REQ[:SNAPLEN], tuple=client)
        self.sys("socket", NGINX, domain=2, type=1, proto=0, fd=13)
        upstream = socktuple_in("127.0.0.1", 41000 + port % 1000, "127.0.0.1", 9000)
        self.sys("connect", NGINX, fd=13, addr=b"\x02\x7f\x00\x00\x01\x28\x23", res=-115,
                 tuple=upstream)
        self.sys("epoll_wait", NGINX, maxevents=512, res=1)
        self.sys("writev", NGINX, fd=13, size=len(UPSTREAM_REQ), res=len(UPSTREAM_REQ),
                 data=UPSTREAM_REQ[:SNAPLEN])
        return upstream

    def nginx_reply(self, response: bytes, port: int) -> None:
        client = socktuple_in("203.0.113.7", port, "10.0.2.15", 80)
        self.sys("epoll_wait", NGINX, lat=self.rng.randrange(10_000, 60_000), maxevents=512,
                 res=1)
        self.sys("recvfrom", NGINX, fd=13, size=4096, res=len(response),
                 data=response[:SNAPLEN], tuple=b"")
        self.sys("writev", NGINX, fd=12, size=len(response), res=len(response),
                 data=response[:SNAPLEN])
        second = 7 + (self.cap.ts - START) // 1_000_000_000
        line = (f'203.0.113.7 - - [12/Mar/2024:09:41:{second:02d} +0000] '
                f'"GET /status HTTP/1.1" 200 {len(response)} "-" "curl/8.5.0"\n').encode()
        self.sys("write", NGINX, fd=4, size=len(line), res=len(line), data=line[:SNAPLEN])
        self.sys("close", NGINX, fd=13, res=0)
        self.sys("close", NGINX, fd=12, res=0)
        del client

    def php_request(self, tid: int, upstream_port: int, first: bool, shell: bool) -> bytes:
        self.gap(20_000, 60_000)
        self.cap.exit("accept", tid, on_cpu=1, fd=3,
                      tuple=socktuple_in("127.0.0.1", upstream_port, "127.0.0.1", 9000),
                      queuepct=0, queuelen=0, queuemax=511)
        self.sys("read", tid, fd=3, size=8192, res=len(UPSTREAM_REQ), data=UPSTREAM_REQ[:SNAPLEN])
        self.sys("stat", tid, res=-2, path="/var/www/html/.user.ini")
        self.open_read_close(tid, "/var/www/html/status.php", STATUS_PHP)
        self.brk_grow(tid, 132, 128)
        self.gap()
        self.cap.syscall("mmap", tid, on_cpu=1, addr=0, length=2 << 20, prot=PROT_RW,
                         flags=MAP_PRIVATE | MAP_ANON, fd=-1, offset=0, res=0x7F3A5C000000,
                         vm_size=self.mem[tid][0] + 2048, vm_rss=self.mem[tid][1], vm_swap=0)
        self.mem[tid][0] += 2048
        if first:
            self.open_pcre(tid)
        self.open_read_close(tid, "/etc/php/php.ini", PHP_INI)
        self.brk_grow(tid, 264, 260)
        if shell:
            self.shell_exec(tid)
        self.brk_grow(tid, 528, 516 + 64 * self.requests)
        body = (f'{{"status":"ok","pool":"www","requests":{self.requests + 1},'
                f'"memory_kb":{self.mem[tid][1]}}}').encode()
        response = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Powered-By: "
                    b"PHP/8.1.2\r\nConnection: close\r\n\r\n" + body)
        self.sys("write", tid, fd=3, size=len(response), res=len(response),
                 data=response[:SNAPLEN])
        self.mem[tid][0] -= 2048
        self.sys("munmap", tid, self.vm(tid), addr=0x7F3A5C000000, length=2 << 20, res=0)
        self.sys("close", tid, fd=3, res=0)
        self.gap()
        self.cap.enter("accept", tid, on_cpu=1, flags=0)
        self.requests += 1
        return response

    def open_pcre(self, tid: int) -> None:
        """First use of preg_*: the regex library is loaded on demand."""
        self.sys("openat", tid, dirfd=AT_FDCWD, name=PCRE, flags=O_RDONLY | O_CLOEXEC, mode=0,
                 fd=4, dev=0x803)
        self.sys("read", tid, fd=4, size=832, res=832, data=ELF[:SNAPLEN])
        self.sys("fstat", tid, fd=4, res=0)
        self.mem[tid][0] += 620
        self.gap()
        self.cap.syscall("mmap", tid, self.vm(tid), on_cpu=1, addr=0, length=634880,
                         prot=PROT_RX, flags=MAP_PRIVATE | MAP_DENYWRITE, fd=4, offset=0,
                         res=0x7F3A5E6A1000)
        self.sys("close", tid, fd=4, res=0)

    def shell_exec(self, tid: int) -> None:
        """status.php runs ``shell_exec("uptime")``: pipe, fork, sh, exec uptime, read."""
        self.sys("pipe", tid, res=0, fd1=5, fd2=6, ino=88213)
        size, rss = self.mem[tid]
        common: dict[str, Value] = {"cwd": "/", "fdlimit": 65536, "pgft_maj": 0, "pgft_min": 0, "vm_size": size,
                  "vm_rss": rss, "vm_swap": 0, "comm": "php-fpm", "cgroups": PHP_CGROUPS,
                  "flags": FORK_FLAGS, "uid": 33, "gid": 33, "exe": "php-fpm: pool www",
                  "args": []}
        self.sys("clone", tid, common, res=SH, tid=tid, pid=tid, ptid=FPM_MASTER, vtid=tid,
                 vpid=tid)
        self.cap.exit("clone", SH, common, on_cpu=1, res=0, tid=SH, pid=SH, ptid=tid, vtid=SH,
                      vpid=SH)
        self.sys("dup", SH, fd=6, res=1)
        self.sys("close", SH, fd=5, res=0)
        self.sys("close", SH, fd=6, res=0)
        for exe, args, comm, vm in (("/bin/sh", ["-c", "uptime"], "sh", (2616, 924)),
                                    ("/usr/bin/uptime", [], "uptime", (7532, 3012))):
            self.sys("execve", SH, lat=self.rng.randrange(150_000, 400_000), filename=exe,
                     res=0, exe=exe, args=args, tid=SH, pid=SH, ptid=tid, cwd="/",
                     fdlimit=65536, pgft_maj=0, pgft_min=31, vm_size=vm[0], vm_rss=vm[1],
                     vm_swap=0, comm=comm, cgroups=PHP_CGROUPS, env=ENV, tty=0, pgid=FPM_MASTER,
                     loginuid=-1, flags=0)
        self.open_read_close(SH, "/proc/uptime", b"1040212.33 2071349.18\n", fd=3)
        out = b" 09:41:08 up 12 days,  1:56,  0 users,  load average: 0.21, 0.18, 0.11\n"
        self.sys("write", SH, fd=1, size=len(out), res=len(out), data=out[:SNAPLEN])
        self.gap()
        self.cap.event("procexit", SH, on_cpu=1, status=0, ret=0, sig=0, core=0)
        self.sys("close", tid, fd=6, res=0)
        self.sys("read", tid, fd=5, size=4096, res=len(out), data=out[:SNAPLEN])
        self.sys("read", tid, fd=5, size=4096, res=0, data=b"")
        self.sys("close", tid, fd=5, res=0)
        self.sys("syscall", tid, ID=WAIT4, nativeID=WAIT4_NR)

    def recycle(self) -> None:
        """pm.max_requests reached: the worker exits, the master forks a fresh one."""
        self.gap(200_000, 400_000)
        self.cap.event("procexit", WORKER, on_cpu=1, status=0, ret=0, sig=0, core=0)
        self.sys("epoll_wait", FPM_MASTER, lat=1_000_000, maxevents=1, res=-4)
        self.sys("syscall", FPM_MASTER, ID=WAIT4, nativeID=WAIT4_NR)
        size, rss = self.mem[NEW_WORKER]
        common: dict[str, Value] = {"exe": FPM_EXE, "args": [], "cwd": "/", "fdlimit": 65536, "pgft_maj": 0,
                  "pgft_min": 0, "vm_size": size, "vm_rss": rss, "vm_swap": 0,
                  "comm": "php-fpm", "cgroups": PHP_CGROUPS, "flags": FORK_FLAGS, "uid": 0,
                  "gid": 0}
        self.sys("clone", FPM_MASTER, common, res=NEW_WORKER, tid=FPM_MASTER, pid=FPM_MASTER,
                 ptid=1, vtid=FPM_MASTER, vpid=FPM_MASTER)
        self.cap.exit("clone", NEW_WORKER, common, on_cpu=1, res=0, tid=NEW_WORKER,
                      pid=NEW_WORKER, ptid=FPM_MASTER, vtid=NEW_WORKER, vpid=NEW_WORKER)
        self.gap()
        self.cap.enter("accept", NEW_WORKER, on_cpu=1, flags=0)

    def run(self) -> SyntheticCapture:
        self.cap.enter("accept", WORKER, on_cpu=1, flags=0)
        for i in range(6):
            port = 51234 + 7 * i
            if i == 5:
                self.recycle()
            tid = NEW_WORKER if i == 5 else WORKER
            upstream = self.nginx_accept(port)
            response = self.php_request(tid, int.from_bytes(upstream[5:7], "little"),
                                        first=i in (0, 5), shell=i == 2)
            self.nginx_reply(response, port)
            self.cap.sleep(self.rng.randrange(700_000_000, 1_100_000_000))
        return self.cap


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    Story().run().write(str(out), compress=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
