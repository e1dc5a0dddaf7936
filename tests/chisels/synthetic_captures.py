"""Small captures built in code for the chisels the sample captures do not exercise.

The sample captures have no HTTP server, no memcached, no syslog datagrams, no UDP payloads
worth the name and no shellshock attempt, so httplog/httptop, memcachelog, spy_syslog,
udp_extract and shellshock_detect would only ever be compared on empty output there. Each
function here tells one short story with the events those chisels look for (and some they
must ignore); both sysdig and sysdive read the written file.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from sysdive.capture.synthetic import (
    SyntheticCapture,
    file_fd,
    listen_fd,
    proc,
    sockaddr_in,
    sockaddr_un,
    socktuple_in,
    socktuple_un,
    tcp_fd,
)
from sysdive.scap import blocks as B

MS = 1_000_000
CRLF = "\r\n"


def _udp_fd(fd: int, sip: str, sport: int, dip: str, dport: int) -> B.FdEntry:
    return B.FdEntry(fd=fd, ino=0, type=B.FD_IPV4_SOCK, sip=socket.inet_aton(sip),
                     dip=socket.inet_aton(dip), sport=sport, dport=dport, l4proto=3)


def _unix_fd(fd: int, path: str, source: int, dest: int) -> B.FdEntry:
    return B.FdEntry(fd=fd, ino=0, type=B.FD_UNIX_SOCK, name=path, source=source, dest=dest)


def _users() -> list[B.UserEntry]:
    return [B.UserEntry(0, 0, "root", "/root", "/bin/bash"),
            B.UserEntry(33, 33, "www-data", "/var/www", "/usr/sbin/nologin")]


def _io(cap: SyntheticCapture, call: str, tid: int, fd: int, data: bytes,
        res: int | None = None, size: int = 4096) -> None:
    cap.syscall(call, tid, fd=fd, size=size, res=len(data) if res is None else res, data=data)


def http() -> SyntheticCapture:
    """A client and a server doing HTTP/1.1 on TCP and on a unix socket; a request that never
    gets an answer; a response-like buffer with no request before it; bytes on a file."""
    client, server, api = 200, 300, 400
    cap = SyntheticCapture(
        procs=[proc(1, "systemd", ptid=0), proc(client, "curl", args=["-s"], uid=0),
               proc(server, "nginx", uid=33, gid=33), proc(api, "gunicorn", uid=33)],
        fds={client: [tcp_fd(3, "10.0.0.1", 40000, "10.0.0.2", 80),
                      tcp_fd(4, "10.0.0.1", 40001, "10.0.0.2", 80),
                      file_fd(5, "/tmp/out.html")],
             server: [listen_fd(6, "0.0.0.0", 80), tcp_fd(7, "10.0.0.1", 40000, "10.0.0.2", 80),
                      _unix_fd(8, "/run/api.sock", 0xAA00, 0xBB00)],
             api: [_unix_fd(9, "/run/api.sock", 0xBB00, 0xAA00)]},
        users=_users())
    get = f"GET /index.html HTTP/1.1{CRLF}Host: example.com{CRLF}Accept: */*{CRLF}{CRLF}"
    ok = (f"HTTP/1.1 200 OK{CRLF}Content-Type: text/html{CRLF}Content-Length: 1234{CRLF}{CRLF}"
          "<html>")
    # client -> server, answered after 12.5 ms
    _io(cap, "write", client, 3, get.encode())
    _io(cap, "read", server, 7, get.encode())
    _io(cap, "write", server, 8, f"POST /v1/items HTTP/1.0{CRLF}{CRLF}{{}}".encode())
    _io(cap, "read", api, 9, f"POST /v1/items HTTP/1.0{CRLF}{CRLF}{{}}".encode())
    cap.sleep(3 * MS)
    _io(cap, "write", api, 9, f"HTTP/1.0 201 Created{CRLF}Content-Length: 17{CRLF}{CRLF}".encode())
    _io(cap, "read", server, 8, f"HTTP/1.0 201 Created{CRLF}Content-Length: 17{CRLF}{CRLF}"
        .encode())
    cap.sleep(9 * MS + 500_000)
    _io(cap, "write", server, 7, ok.encode())
    _io(cap, "read", client, 3, ok.encode())
    _io(cap, "write", client, 5, b"HTTP/1.1 200 OK but on a file")
    # The same URL again, faster, and a response without Content-Length.
    _io(cap, "write", client, 4, get.encode())
    _io(cap, "read", server, 7, get.encode())
    cap.sleep(2 * MS)
    _io(cap, "write", server, 7, f"HTTP/1.1 304 Not Modified{CRLF}{CRLF}".encode())
    _io(cap, "read", client, 4, f"HTTP/1.1 304 Not Modified{CRLF}{CRLF}".encode())
    # A response with nothing asked on this fd; then a request left unanswered.
    _io(cap, "read", client, 3, f"HTTP/1.1 500 Oops{CRLF}{CRLF}".encode())
    _io(cap, "write", client, 3, f"DELETE /x HTTP/1.1{CRLF}Host: b.example{CRLF}{CRLF}".encode())
    _io(cap, "read", client, 3, b"not a status line")
    # A failed read and an empty one: the filter wants buflen > 0.
    _io(cap, "read", client, 4, b"", res=-11)
    _io(cap, "read", client, 4, b"", res=0)
    cap.syscall("connect", client, fd=10, addr=sockaddr_in("10.0.0.9", 8080), res=0,
                tuple=socktuple_in("10.0.0.1", 40100, "10.0.0.9", 8080))
    _io(cap, "sendto", client, 10, f"PUT /a%20b HTTP/1.1{CRLF}Host: h:8080{CRLF}{CRLF}"
        .encode())
    cap.sleep(1 * MS)
    _io(cap, "recvfrom", client, 10, f"HTTP/1.1 204 No Content{CRLF}Content-Length: 0{CRLF}"
        f"{CRLF}".encode())
    return cap


def memcache() -> SyntheticCapture:
    """memcached serving get/set/gets/delete, and a client talking to port 11211."""
    mc, client = 500, 600
    cap = SyntheticCapture(
        procs=[proc(1, "systemd", ptid=0), proc(mc, "memcached", uid=33),
               proc(client, "php-fpm", uid=33)],
        fds={mc: [listen_fd(3, "0.0.0.0", 11211), tcp_fd(4, "10.0.0.5", 40000, "10.0.0.1", 11211)],
             client: [tcp_fd(5, "10.0.0.5", 40000, "10.0.0.1", 11211)]},
        users=_users())
    for call, tid, fd, text in (
            ("write", client, 5, f"get user:42{CRLF}"),
            ("read", mc, 4, f"get user:42{CRLF}"),
            ("write", mc, 4, f"VALUE user:42 0 5{CRLF}alice{CRLF}END{CRLF}"),
            ("read", mc, 4, f"set session:9 0 3600 12{CRLF}abcdefghijkl{CRLF}"),
            ("read", mc, 4, f"set big 0 0 5000 {CRLF}"),
            ("read", mc, 4, f"gets a b c{CRLF}"),
            ("read", mc, 4, f"delete user:42{CRLF}"),
            ("read", mc, 4, "set"),
            ("read", mc, 4, f"settle x 1 2 3{CRLF}"),
            ("write", mc, 4, f"STORED{CRLF}")):
        _io(cap, call, tid, fd, text.encode())
    return cap


def syslog() -> SyntheticCapture:
    """Processes writing to /dev/log: through an fd from the process list, through one they
    connect at run time, with bad priorities; plus log files for spy_logs."""
    logger, cron, app = 700, 800, 900
    cap = SyntheticCapture(
        procs=[proc(1, "systemd", ptid=0), proc(logger, "logger", uid=0),
               proc(cron, "cron", uid=0), proc(app, "app", uid=33)],
        fds={logger: [_unix_fd(3, "/dev/log", 0x1000, 0x2000)],
             app: [file_fd(4, "/var/log/app.log", open_flags=2),
                   file_fd(5, "/srv/data.log.gz", open_flags=2)]},
        users=_users())
    for data in (b"<13>Nov 14 22:13:20 root: hello world",
                 b"<11>Nov 14 22:13:21 root: disk error",
                 b"<12>Nov 14 22:13:22 root: low space warning",
                 b"<191>Nov 14 22:13:23 root: local7 debug",
                 b"<30>with a NUL\0and more",
                 b"<1000>facility past the table",
                 b"no priority at all",
                 b"<1x>bad digits",
                 b"<5>"):
        _io(cap, "write", logger, 3, data)
    cap.syscall("socket", cron, domain=1, type=2, proto=0, fd=6)
    cap.syscall("connect", cron, fd=6, addr=sockaddr_un("/dev/log"), res=0,
                tuple=socktuple_un(0x3000, 0x2000, "/dev/log"))
    _io(cap, "sendto", cron, 6, b"<78>Nov 14 22:13:30 CRON[800]: (root) CMD (run-parts)")
    _io(cap, "write", cron, 6, b"<86>Nov 14 22:13:31 CRON[800]: session closed")
    _io(cap, "write", cron, 6, b"<13>failed write", res=-32)
    _io(cap, "write", app, 4, b"started\nWARNING: slow disk\nerror: cannot open\n\nbye\n")
    _io(cap, "write", app, 5, b"compressed, not a log\n")
    return cap


def udp() -> SyntheticCapture:
    """statsd-like UDP traffic on two fds, a DNS query, and a TCP write that must be left out."""
    app, agent = 1000, 1100
    cap = SyntheticCapture(
        procs=[proc(1, "systemd", ptid=0), proc(app, "app"), proc(agent, "statsd")],
        fds={app: [_udp_fd(3, "10.0.0.1", 50000, "10.0.0.2", 8125),
                   _udp_fd(4, "10.0.0.1", 50001, "10.0.0.3", 53),
                   tcp_fd(5, "10.0.0.1", 40000, "10.0.0.2", 80)],
             agent: [_udp_fd(6, "10.0.0.1", 50000, "10.0.0.2", 8125)]},
        users=_users())
    _io(cap, "sendto", app, 3, b"api.requests:1|c\n")
    _io(cap, "sendto", app, 3, b"api.latency:12.5|ms\n")
    _io(cap, "recvfrom", agent, 6, b"api.requests:1|c\n")
    _io(cap, "sendto", app, 4, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www")
    _io(cap, "write", app, 5, b"GET / HTTP/1.1\r\n\r\n")
    _io(cap, "sendto", app, 3, b"x", res=-11)
    _io(cap, "sendto", app, 3, b"api.gauge:7|g")
    return cap


def shellshock() -> SyntheticCapture:
    """A web server running CGI scripts through bash, one with a shellshock payload."""
    web, sh1, sh2 = 1200, 1201, 1202
    cap = SyntheticCapture(
        procs=[proc(1, "systemd", ptid=0), proc(web, "httpd", uid=33)],
        users=_users())
    for child, env in ((sh1, ["PATH=/usr/bin", "HTTP_USER_AGENT=curl/7.0"]),
                       (sh2, ["PATH=/usr/bin",
                              "HTTP_USER_AGENT=() { :;}; /bin/cat /etc/passwd"])):
        cap.syscall("clone", web, res=child, exe="httpd", args=[], tid=web, pid=web, ptid=1,
                    cwd="/", fdlimit=1024, comm="httpd", flags=0, uid=33, gid=33, vtid=web,
                    vpid=web)
        cap.syscall("clone", child, res=0, exe="httpd", args=[], tid=child, pid=child,
                    ptid=web, cwd="/", fdlimit=1024, comm="httpd", flags=0, uid=33, gid=33,
                    vtid=child, vpid=child)
        cap.syscall("execve", child, filename="/bin/bash", res=0, exe="/bin/bash",
                    args=["-c", "/srv/cgi"], tid=child, pid=child, ptid=web, cwd="/",
                    fdlimit=1024, comm="bash", env=env, pgid=child, loginuid=-1)
    return cap


def _tracer(cap: SyntheticCapture, tid: int, fd: int, text: str | bytes,
            call: str = "write") -> None:
    data = text.encode() if isinstance(text, str) else text
    _io(cap, call, tid, fd, data)


def tracers() -> SyntheticCapture:
    """sysdig tracers: a web server whose main thread and worker thread emit nested spans
    (ids t/p/pp/g/numbers, tags, args, escapes, the JSON form, a text split over two
    writes, an invalid one) to /dev/null from its fd list, with log lines inside the spans;
    a shell script it runs opens /dev/null itself; a database emits spans on a /dev/null
    that first received something else (so never a tracer fd); a read of /dev/null."""
    web, worker, script, db = 2000, 2001, 2100, 3000
    cl_files_thread = (1 << 0) | (1 << 13)   # PPM_CL_CLONE_FILES | PPM_CL_CLONE_THREAD
    cap = SyntheticCapture(
        procs=[proc(1, "systemd", ptid=0), proc(web, "web", args=["--port", "80"]),
               proc(worker, "web", pid=web, flags=cl_files_thread, args=["--port", "80"]),
               proc(script, "sh", ptid=web, args=["/srv/job.sh"]), proc(db, "db")],
        fds={web: [file_fd(1, "/dev/pts/0", open_flags=2), file_fd(5, "/dev/null", open_flags=2),
                   file_fd(6, "/var/log/web.log", open_flags=2)],
             db: [file_fd(4, "/dev/null", open_flags=2), file_fd(7, "/var/lib/db.log")]},
        users=_users())
    log = b"GET /index.html 200\n"
    for rnd, slow in enumerate((3, 9)):
        _tracer(cap, web, 5, f">:t:req:method=GET,path=/r{rnd}:")
        _tracer(cap, worker, 5, ">:t:job:id=7:")
        cap.sleep(1 * MS)
        _tracer(cap, web, 5, ">:t:req.auth:user=alice:")
        _io(cap, "write", web, 6, b"auth ok for alice\n")
        cap.sleep(slow * MS)
        _tracer(cap, web, 5, "<:t:req.auth::")
        _io(cap, "write", worker, 1, b"job 7 step 1\n")
        _tracer(cap, web, 5, r">:t:req.db:q=select\:1,n=2:")
        _io(cap, "read", web, 6, b"x")
        cap.sleep(2 * MS)
        _tracer(cap, web, 5, "<:t:req.db:rows=3:")
        _tracer(cap, worker, 5, "<:t:job:done=yes:")
        _io(cap, "write", web, 1, log)
        _tracer(cap, web, 5, "<:t:req:status=200:")
    # a tracer split over two writes, the JSON form, and things that are no tracers
    _tracer(cap, worker, 5, ">:p:split.")
    _tracer(cap, worker, 5, "part:k=v:")
    _tracer(cap, worker, 5, '["<", 2000, ["split", "part"], [{"k": "w"}]]')
    _tracer(cap, worker, 5, '[">", 12345, ["json", "call"], [{"a": "1"}, {"b": "2"}]]')
    cap.sleep(4 * MS)
    _tracer(cap, worker, 5, '["<", 12345, ["json", "call"], []]')
    _tracer(cap, web, 5, "hello, not a tracer")
    _tracer(cap, web, 5, b"", call="read")
    _tracer(cap, web, 5, "<:t:never.opened::")
    _tracer(cap, web, 5, r">:g:esc\.aped:a\=b=c\,d:")
    _tracer(cap, web, 5, "<:g:esc.aped::")
    # a script started by the server: its own /dev/null, spans keyed by its parent's pid
    cap.syscall("open", script, name="/dev/null", flags=2, mode=0, fd=3, dev=5)
    _tracer(cap, script, 3, ">:pp:job.script:step=1:")
    _io(cap, "write", script, 1, b"script working\n")
    _tracer(cap, web, 5, ">:-42:neg::")
    cap.sleep(5 * MS)
    _tracer(cap, script, 3, "<:pp:job.script::")
    _tracer(cap, web, 5, "<:-42:neg::")
    # a database whose /dev/null first gets plain data: never a tracer fd
    _io(cap, "write", db, 4, b"plain data")
    _tracer(cap, db, 4, ">:t:db.query::")
    _io(cap, "write", db, 7, b"db log line\n")
    _tracer(cap, db, 4, "<:t:db.query::")
    # more of libsinsp's parsing: an argument without a value, the JSON form with blanks and
    # the thread as id, and a scope starting with the digit 0, which libsinsp takes for a
    # text cut short: it swallows every later write of the thread
    _tracer(cap, web, 5, "<:t:noval:x:")
    _tracer(cap, web, 5, ' [">", "t", ["sp"], []]')
    cap.sleep(1 * MS)
    _tracer(cap, web, 5, '["<", "t", ["sp"], []]')
    _tracer(cap, web, 5, ">:0:zero::")
    _tracer(cap, web, 5, "<:t:after::")
    return cap


BUILDERS: dict[str, Callable[[], SyntheticCapture]] = {
    "syn_http": http, "syn_memcache": memcache, "syn_syslog": syslog, "syn_udp": udp,
    "syn_shellshock": shellshock, "syn_tracers": tracers,
}


def write_all(folder: Path) -> dict[str, Path]:
    """Write every capture into ``folder``; their paths by name."""
    out = {}
    for name, build in BUILDERS.items():
        path = folder / f"{name}.scap"
        build().write(str(path))
        out[name] = path
    return out
