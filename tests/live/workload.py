"""A small program doing known system calls, for the live-capture integration test.

Run as ``python3 workload.py TOKEN DIR``. It prints one JSON object describing what it did
(paths, ports, pids, and the VmRSS it read from /proc right after its brk call), then exits
with status 3. Each step is one the test looks for in the capture:

1. open DIR/TOKEN.txt for writing, write ``payload-TOKEN``, close;
2. grow the heap with brk and touch the new pages, then a brk(0) whose exit reports vm_rss;
3. mmap 1 MiB anonymous and unmap it;
4. listen on a loopback port, connect to it, accept, send ``ping-TOKEN`` over it;
5. fork; the child execs ``/bin/sh -c 'exit 7'``; the parent waits for it.
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import socket
import sys

SYS_BRK = 12


def vm_rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main() -> int:
    token, directory = sys.argv[1], sys.argv[2]
    report: dict[str, object] = {"pid": os.getpid()}
    with open("/proc/self/comm") as f:  # python3, python3.11... depending on the interpreter
        report["comm"] = f.read().strip()

    path = os.path.join(directory, f"{token}.txt")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    os.write(fd, f"payload-{token}".encode())
    os.close(fd)
    report["path"] = path

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.syscall.argtypes = [ctypes.c_long, ctypes.c_long]
    start = libc.syscall(SYS_BRK, 0)
    grow = 8 << 20
    end = libc.syscall(SYS_BRK, start + grow)
    if end == start + grow:
        ctypes.memset(start, 1, grow)  # touch every page: RSS grows by ~8 MiB
    # /proc is read just before and just after the event whose vm_rss the test checks, so the
    # two readings bracket the moment the probe read the counters.
    report["rss_before_brk"] = vm_rss_kb()
    libc.syscall(SYS_BRK, 0)
    report["rss_after_brk"] = vm_rss_kb()
    report["brk"] = [start, end]

    m = mmap.mmap(-1, 1 << 20)
    m.write(b"x" * 4096)
    m.close()

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect(("127.0.0.1", port))
    conn, _ = server.accept()
    client.sendall(f"ping-{token}".encode())
    conn.recv(100)
    for s in (conn, client, server):
        s.close()
    report["port"] = port

    child = os.fork()
    if child == 0:
        os.execv("/bin/sh", ["/bin/sh", "-c", "exit 7"])
    _, status = os.waitpid(child, 0)
    report["child"] = child
    report["child_status"] = status

    print(json.dumps(report), flush=True)
    return 3


if __name__ == "__main__":
    sys.exit(main())
