"""wsysdig_summary: the JSON of wsysdig's summary page (sysdig's hidden
wsysdig_summary.lua).

Two passes, as in sysdig. Without arguments the chisel only measures the capture and then
runs itself again (``sysdig.run_app``: here a second sysdive process on the same file and
filter) with ``SAMPLES,DURATION``. That pass cuts the capture into 400 equal slices of
capture time (precise intervals), counts per slice what wsysdig charts (system calls, file
and network bytes, connections, processes, containers, log messages, errors...), prints a
progress line every 12 slices and at the end the whole summary as JSON.

Where sysdig's own output varies between runs this one picks one order: the keys of every
JSON object (LuaJIT's hash order is seeded per run), the order of the per-protocol and
per-docker-event metrics and of the ports in a protocol's filter. The progress values are
the share of the file read so far, which depends on how the reader buffers the file.
"""

from __future__ import annotations

import math
import re
import shlex
import struct
import subprocess
import sys
import zlib
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._dkjson import encode
from sysdive.chisels.output import lua_str
from sysdive.errors import ChiselError
from sysdive.event import Event
from sysdive.scap import blocks
from sysdive.state.fds import FdType

if TYPE_CHECKING:
    from sysdive.state.fds import FdInfo
    from sysdive.state.threads import ThreadInfo

N_SAMPLES = 400
_READ_X = 7  # PPME_SYSCALL_READ_X: the event a thread-table filter is run on
# The field classes libsinsp can run on the thread table (FL_WORKS_ON_THREAD_TABLE).
_THREAD_TABLE_FIELDS = ("fd.", "proc.", "thread.", "user.", "group.", "container.",
                        "fdlist.", "k8s.", "mesos.")
INDEX_FORMAT_VERSION = 1

SERVICES: dict[int, str] = {
    80: "HTTP", 8080: "HTTP", 443: "HTTPs", 22: "SSH", 53: "DNS", 6666: "Sysdig Agent",
    6667: "Sysdig Agent", 6443: "Sysdig Agent", 2379: "etcd", 22379: "etcd", 3306: "mysql",
    5432: "postgres", 6379: "redis", 5984: "couchdb", 9880: "fluentd", 8125: "statsd",
    4730: "gearman", 50070: "hadoop", 8020: "hadoop", 9000: "hadoop", 60000: "hbase",
    60010: "hbase", 60020: "hbase", 60030: "hbase", 2181: "kafka", 1978: "Kyoto Tycoon",
    11211: "memcached", 27017: "mongodb", 27018: "mongodb", 27019: "mongodb",
    28017: "mongodb", 5672: "rabbitmq", 8087: "riak", 8098: "riak", 8983: "solr",
    5555: "voltdb",
    **dict.fromkeys(range(9200, 9401), "elasticsearch"),
}
PROTOCOLS: dict[str, list[int]] = {}
for _port, _proto in sorted(SERVICES.items()):
    PROTOCOLS.setdefault(_proto, []).append(_port)

# The summary categories: (name, holds a table of distinct keys, excludable, noteworthy,
# aggregation); an excludable category with a zero total is left out of the output.
_CATEGORIES: tuple[tuple[str, bool, bool, bool, str], ...] = (
    ("procCount", True, False, False, "avg"),
    ("containerCount", True, False, False, "avg"),
    ("executedCommands", False, False, True, "sum"),
    ("executedInteractiveCommands", False, True, True, "sum"),
    ("syscallCount", False, False, False, "sum"),
    ("fileCount", True, True, False, "sum"),
    ("fileBytes", False, False, False, "sum"),
    ("fileBytesR", False, False, False, "sum"),
    ("fileBytesW", False, False, False, "sum"),
    ("fileCountW", True, True, False, "sum"),
    ("sysFileCountW", True, True, True, "sum"),
    ("connectionCount", True, True, False, "sum"),
    ("netBytes", False, False, False, "sum"),
    ("netBytesR", False, False, False, "sum"),
    ("netBytesW", False, False, False, "sum"),
    ("notifications", False, True, True, "sum"),
    ("listeningPortCount", True, True, False, "avg"),
    ("newConnectionsO", False, True, False, "sum"),
    ("newConnectionsI", False, True, False, "sum"),
    ("newConnectionsSsh", False, True, True, "sum"),
    ("newListeningPorts", False, True, True, "sum"),
    ("fileDeletionsCount", False, True, True, "sum"),
    ("newSymLinksCount", False, True, True, "sum"),
    ("forkCount", False, True, False, "sum"),
    ("openErrorCount", False, True, False, "sum"),
    ("connectErrorCount", False, True, True, "sum"),
    ("sudoInvocations", False, True, True, "sum"),
    ("setnsInvocations", False, True, True, "sum"),
    ("signalCount", False, True, False, "sum"),
    ("segfaultCount", False, True, True, "sum"),
    ("over1msFileIoCount", False, True, False, "sum"),
    ("over10msFileIoCount", False, True, False, "sum"),
    ("over100msFileIoCount", False, True, True, "sum"),
    ("appLogCount", False, True, False, "sum"),
    ("appLogCountW", False, True, False, "sum"),
    ("appLogCountE", False, True, True, "sum"),
    ("sysLogCount", False, True, False, "sum"),
    ("sysLogCountW", False, True, False, "sum"),
    ("sysLogCountE", False, True, True, "sum"),
    ("dockerEvtsCount", False, True, True, "sum"),
    ("sysReqCountHttp", False, True, True, "sum"),
    ("sysErrCountHttp", False, True, True, "sum"),
    *((f"protoBytes_{p}", False, True, False, "sum") for p in PROTOCOLS),
)
_DOCKER = "dockerEvtsCount"

# The fixed metrics, in output order: (category, condition, entry fields without ``data``,
# the output category it turns on). Condition "container": left out when the filter
# mentions containers.
_METRICS: tuple[tuple[str, str, tuple[tuple[str, Any], ...], str], ...] = (
    ('notifications', '', (('name', 'Sysdig Secure Notifications'), ('desc', 'Sysdig Secure notifications. Sysdig secure inserts a "notification" event in the capture stream each time a policy triggers. This metric counts the notifications. Chart it over time to compare the other metrics with the point in time where policies were triggered.'), ('category', 'general'), ('targetView', 'notifications'), ('drillDownKey', 'NONE')), ''),
    ('procCount', '', (('name', 'Running Processes'), ('desc', 'Total number of processes that were running during the capture'), ('category', 'general'), ('targetView', 'procs'), ('drillDownKey', '')), ''),
    ('containerCount', 'container', (('name', 'Running Containers'), ('desc', 'Total number of containers that were running during the capture'), ('category', 'general'), ('targetView', 'containers'), ('drillDownKey', '')), ''),
    ('syscallCount', '', (('name', 'System Calls'), ('desc', 'Number of system calls performed by any process/container in the system'), ('category', 'general'), ('targetView', 'syscalls'), ('drillDownKey', '')), ''),
    ('fileBytes', '', (('name', 'File Bytes In+Out'), ('desc', 'Amount of bytes read from or written to the file system'), ('category', 'file'), ('targetView', 'files'), ('drillDownKey', 'fd.directory'), ('targetViewSortingCol', 2)), ''),
    ('fileBytesR', '', (('name', 'File Bytes In'), ('desc', 'Amount of bytes read from the file system'), ('category', 'file'), ('targetView', 'files'), ('drillDownKey', 'fd.directory'), ('targetViewSortingCol', 0)), ''),
    ('fileBytesW', '', (('name', 'File Bytes Out'), ('desc', 'Amount of bytes written to the file system'), ('category', 'file'), ('targetView', 'files'), ('drillDownKey', 'fd.directory'), ('targetViewSortingCol', 1)), ''),
    ('fileCount', '', (('name', 'Accessed Files'), ('desc', 'Number of files that have been accessed during the capture'), ('category', 'file'), ('targetView', 'files'), ('targetViewFilter', 'evt.is_io_read=true'), ('drillDownKey', 'fd.directory'), ('targetViewSortingCol', 2)), ''),
    ('fileCountW', '', (('name', 'Modified Files'), ('desc', 'Number of files that have been received writes during the capture'), ('category', 'file'), ('targetView', 'files'), ('drillDownKey', 'fd.directory'), ('targetViewSortingCol', 1), ('targetViewFilter', 'evt.is_io_write=true')), ''),
    ('netBytes', '', (('name', 'Net Bytes In+Out'), ('desc', 'Amount of bytes read from or written to the network'), ('category', 'network'), ('targetView', 'sports'), ('drillDownKey', 'fd.directory'), ('targetViewSortingCol', 4)), ''),
    ('netBytesR', '', (('name', 'Net Bytes In'), ('desc', 'Amount of bytes read from the network'), ('category', 'network'), ('targetView', 'sports'), ('drillDownKey', 'fd.sport'), ('targetViewSortingCol', 2)), ''),
    ('netBytesW', '', (('name', 'Net Bytes Out'), ('desc', 'Amount of bytes written to the network'), ('category', 'network'), ('targetView', 'sports'), ('drillDownKey', 'fd.sport'), ('targetViewSortingCol', 3)), ''),
    ('connectionCount', '', (('name', 'Active Network Connections'), ('desc', 'Number of network connections that have been accessed during the capture'), ('category', 'network'), ('targetView', 'connections'), ('targetViewFilter', 'evt.is_io=true'), ('drillDownKey', 'fd.sport'), ('targetViewSortingCol', 8)), ''),
    ('listeningPortCount', '', (('name', 'Listening Ports'), ('desc', 'Number of open ports on this system'), ('category', 'network'), ('targetView', 'port_bindings'), ('drillDownKey', 'fd.sport')), ''),
    ('newListeningPorts', '', (('name', 'New Listening Ports'), ('desc', 'Number of open ports that have been added during the observation interval'), ('category', 'network'), ('targetView', 'port_bindings'), ('drillDownKey', 'fd.sport')), ''),
    ('newConnectionsO', '', (('name', 'New Outbound Connections'), ('desc', 'New client network connections'), ('category', 'network'), ('targetView', 'dig'), ('targetViewTitle', 'Connect events'), ('targetViewFilter', 'evt.type=connect and evt.dir=< and fd.sport exists'), ('drillDownKey', 'NONE')), ''),
    ('newConnectionsI', '', (('name', 'New Inbound Connections'), ('desc', 'New server network connections'), ('category', 'network'), ('targetView', 'dig'), ('targetViewTitle', 'Connect events'), ('targetViewFilter', 'evt.type=accept and evt.dir=< and fd.sport exists'), ('drillDownKey', '')), ''),
    ('executedCommands', '', (('name', 'Executed Commands'), ('desc', 'Number of new programs that have been executed during the observed interval'), ('category', 'security'), ('targetView', 'spy_users_wsysdig'), ('drillDownKey', '')), ''),
    ('executedInteractiveCommands', '', (('name', 'Executed Interactive Commands'), ('desc', 'Number of new programs that have been executed from a shell during the observed interval'), ('category', 'security'), ('targetView', 'spy_users_wsysdig'), ('targetViewFilter', 'proc.pname=bash'), ('drillDownKey', 'NONE')), ''),
    ('newSymLinksCount', '', (('name', 'New Symlinks'), ('desc', 'Number of new symbolic links that were created'), ('category', 'security'), ('targetView', 'dig'), ('targetViewTitle', 'Symlink creations'), ('targetViewFilter', '(evt.type=symlink or evt.type=symlinkat) and evt.dir=< and evt.failed = false'), ('drillDownKey', 'NONE')), ''),
    ('sysFileCountW', '', (('name', 'Modified System Files'), ('desc', 'Number of files that have been accessed during the capture'), ('category', 'security'), ('targetViewSortingCol', 1), ('targetView', 'files'), ('targetViewFilter', 'evt.is_io_write=true'), ('drillDownKey', 'NONE')), ''),
    ('sudoInvocations', '', (('name', 'Sudo Invocations'), ('desc', 'Number of times the sudo program has been called'), ('category', 'security'), ('targetView', 'dig'), ('targetViewTitle', 'Sudo executions'), ('targetViewFilter', 'evt.type=execve and evt.arg.exe=sudo'), ('drillDownKey', 'NONE')), ''),
    ('setnsInvocations', '', (('name', 'Setns Invocations'), ('desc', 'Number of times the setns system call has been called. Setns is typically used to "enter" in another container'), ('category', 'security'), ('targetView', 'dig'), ('targetViewTitle', 'Setns executions'), ('targetViewFilter', 'evt.type=setns'), ('drillDownKey', 'NONE')), ''),
    ('newConnectionsSsh', '', (('name', 'New SSH Connections'), ('desc', 'Client or server connections'), ('category', 'security'), ('targetView', 'dig'), ('targetViewTitle', 'Connect events'), ('targetViewFilter', '(evt.type=accept or evt.type=connect) and evt.dir=< and fd.sport=22'), ('drillDownKey', '')), ''),
    ('fileDeletionsCount', '', (('name', 'Deleted Files'), ('desc', 'Number of files that were deleted'), ('category', 'security'), ('targetView', 'dig'), ('targetViewTitle', 'File deletions'), ('targetViewFilter', 'evt.type=unlink or evt.type=unlinkat'), ('drillDownKey', 'NONE')), ''),
    ('sysReqCountHttp', '', (('name', 'HTTP Requests'), ('desc', 'Number of HTTP requests'), ('category', 'performance'), ('targetView', 'echo'), ('targetViewTitle', 'HTTP responses'), ('targetViewFilter', '(fd.type=ipv4 or fd.type=ipv6) and evt.buffer contains "HTTP/"'), ('drillDownKey', 'fd.directory')), ''),
    ('sysErrCountHttp', '', (('name', 'HTTP Errors'), ('desc', 'Number of HTTP responses with code different from 400'), ('category', 'performance'), ('targetView', 'echo'), ('targetViewTitle', 'HTTP responses'), ('targetViewFilter', '(fd.type=ipv4 or fd.type=ipv6) and evt.arg.data startswith "HTTP/" and not evt.arg.data contains "200"'), ('drillDownKey', 'fd.directory')), ''),
    ('openErrorCount', '', (('name', 'File Open Errors'), ('desc', 'Count of failed file opens'), ('category', 'performance'), ('targetView', 'dig'), ('targetViewTitle', 'Failed open() calls'), ('targetViewFilter', 'evt.type=open and evt.rawres<0'), ('drillDownKey', 'fd.directory')), ''),
    ('forkCount', '', (('name', 'Fork Count'), ('desc', 'Count of processes and threads that have been created'), ('category', 'performance'), ('targetView', 'dig'), ('targetViewTitle', 'Clone executions'), ('targetViewFilter', 'evt.type=clone and evt.rawres=0'), ('drillDownKey', 'NONE')), ''),
    ('connectErrorCount', '', (('name', 'Failed Connection Attempts'), ('desc', 'Count of failed network connect calls'), ('category', 'performance'), ('targetView', 'dig'), ('targetViewTitle', 'Failed connect() calls'), ('targetViewFilter', 'evt.type=connect and (fd.type=ipv4 or fd.type=ipv6) and evt.rawres<0 and evt.res!=EINPROGRESS'), ('drillDownKey', 'NONE')), ''),
    ('signalCount', '', (('name', 'Received Signals'), ('desc', 'Number of unix signals that have been received by the processes on the system'), ('category', 'performance'), ('targetView', 'dig'), ('targetViewTitle', 'Received signals'), ('targetViewFilter', 'evt.type=signaldeliver'), ('drillDownKey', 'NONE')), ''),
    ('segfaultCount', '', (('name', 'Segmentation Faults'), ('desc', 'Number of process segfaults'), ('category', 'performance'), ('targetView', 'dig'), ('targetViewTitle', 'List of segfault events'), ('targetViewFilter', 'evt.type=signaldeliver and evt.arg.sig=SIGSEV'), ('drillDownKey', 'NONE')), ''),
    ('over1msFileIoCount', '', (('name', 'Slow File I/O calls (1ms+)'), ('desc', 'Number of file read or write calls that took more than 1ms to return'), ('category', 'performance'), ('targetView', 'slow_io'), ('targetViewSortingCol', 1), ('drillDownKey', 'NONE')), ''),
    ('over10msFileIoCount', '', (('name', 'Slow File I/O calls (10ms+)'), ('desc', 'Number of file read or write calls that took more than 10ms to return'), ('category', 'performance'), ('targetView', 'slow_io'), ('targetViewSortingCol', 1), ('drillDownKey', 'NONE')), ''),
    ('over100msFileIoCount', '', (('name', 'Slow File I/O calls (100ms+)'), ('desc', 'Number of file read or write calls that took more than 100ms to return'), ('category', 'performance'), ('targetView', 'slow_io'), ('targetViewSortingCol', 1), ('drillDownKey', 'NONE')), ''),
    ('appLogCount', '', (('name', 'App Log Messages'), ('desc', 'Number of writes to application log files'), ('category', 'logs'), ('targetView', 'echo'), ('targetViewTitle', 'Application Log Messages'), ('targetViewFilter', '((fd.name contains .log or fd.name contains _log or fd.name contains /var/log) and not (fd.name contains .gz or fd.name contains .tgz)) and evt.is_io_write=true'), ('drillDownKey', 'NONE')), 'logs'),
    ('appLogCountW', '', (('name', 'App Log Warning Messages'), ('desc', 'Number of writes to application log files containing the word "warning"'), ('category', 'logs'), ('targetView', 'echo'), ('targetViewTitle', 'Warning Application Log Messages'), ('targetViewFilter', '((fd.name contains .log or fd.name contains _log or fd.name contains /var/log) and not (fd.name contains .gz or fd.name icontains .tgz)) and evt.is_io_write=true and evt.arg.data icontains warn'), ('drillDownKey', 'NONE')), 'logs'),
    ('appLogCountE', '', (('name', 'App Log Error Messages'), ('desc', 'Number of writes to application log files containing the word "error"'), ('category', 'logs'), ('targetView', 'echo'), ('targetViewTitle', 'Error Application Log Messages'), ('targetViewFilter', '((fd.name contains .log or fd.name contains _log or fd.name contains /var/log) and not (fd.name contains .gz or fd.name contains .tgz)) and evt.is_io_write=true and (evt.arg.data icontains error or evt.arg.data icontains critic or evt.arg.data icontains emerg or evt.arg.data icontains alert)'), ('drillDownKey', 'NONE')), 'logs'),
    ('sysLogCount', '', (('name', 'Syslog Messages'), ('desc', 'Number of entries written to syslog'), ('category', 'logs'), ('targetView', 'spy_syslog'), ('targetViewTitle', 'Syslog Messages'), ('drillDownKey', 'NONE')), 'logs'),
    ('sysLogCountW', '', (('name', 'Syslog Warning Messages'), ('desc', 'Number of entries with severity WARNING written to syslog'), ('category', 'logs'), ('targetView', 'spy_syslog'), ('targetViewTitle', 'Syslog Messages'), ('targetViewFilter', 'syslog.severity=4'), ('drillDownKey', 'NONE')), 'logs'),
    ('sysLogCountE', '', (('name', 'Syslog Error Messages'), ('desc', 'Number of entries with severity ERROR or lower written to syslog'), ('category', 'logs'), ('targetView', 'spy_syslog'), ('targetViewTitle', 'Syslog Messages'), ('targetViewFilter', 'syslog.severity<4'), ('drillDownKey', 'NONE')), 'logs'),
    ('dockerEvtsCount', '', (('name', 'Docker Events'), ('desc', 'Total number of events generated by docker activity'), ('category', 'infrastructure'), ('targetView', 'docker_events'), ('drillDownKey', 'NONE')), 'infrastructure'),
)

_SYSTEM_DIRS = ("/bin/", "/sbin/", "/boot/", "/etc/", "/lib", "/usr/bin/", "/usr/sbin/",
                "/usr/share/", "/usr/lib")

Category = dict[str, Any]


def _category(table: bool, excludable: bool, noteworthy: bool, aggregation: str) -> Category:
    cat: Category = {"tot": 0, "max": 0, "timeLine": []}
    if table:
        cat["table"] = {}
    cat.update(excludable=excludable, noteworthy=noteworthy, aggregation=aggregation)
    return cat


def _is_log_file(name: str) -> bool:
    return (".log" in name or "_log" in name or "/var/log" in name) and not (
        ".gz" in name or ".tgz" in name)


class WsysdigSummary(Chisel):
    name = "wsysdig_summary"
    short_description = "wsysdig summary generator"
    category = "NA"
    hidden = True
    description = "internal chisel, creates the json for the wsysdig summary page."
    args = (Arg("composite_args",
                "The number of events in the file. If this argument is not specified, the "
                "chisel will just scan the file, compute the number of events and then "
                "relaunch itself with the number as argument.", "int", optional=True),)

    n_timeline_samples = N_SAMPLES
    file_duration: str | None = None

    def on_set_arg(self, name: str, value: str) -> None:
        if name != "composite_args":
            return
        vals = value.split(",")
        n = float(vals[0])
        if n != 0 and n < N_SAMPLES:
            self.n_timeline_samples = int(n)
        if len(vals) > 1:
            self.file_duration = vals[1]

    # -- set-up -----------------------------------------------------------------------------

    def on_init(self) -> None:
        self.evtcnt = 0
        if self.file_duration is None:
            return
        sampling_period = float(self.file_duration) / (N_SAMPLES - 1)
        self.set_precise_interval_ns(int(sampling_period))
        self.progress_every = max(math.floor(N_SAMPLES / 100 * 3), 1)
        self.gsummary: dict[str, Category] = {}
        self.ssummary: dict[str, Category] = {}
        self._reset(self.gsummary)
        self._reset(self.ssummary)
        self.nintervals = 0
        self.ports_loaded = False
        self.progress: _ReadProgress | None = None
        self.fd_match: object = False  # not built yet
        f = self.request_field
        self.etype = f("evt.type").value
        self.dir = f("evt.dir").value
        self.rawres = f("evt.rawres").value
        self.fdcontname = f("fd.containername").value
        self.fdname = f("fd.name").value
        self.fdtype = f("fd.type").value
        self.iswrite = f("evt.is_io_write").value
        self.isread = f("evt.is_io_read").value
        self.buffer = f("evt.buffer").value
        self.buflen = f("evt.buflen").value
        self.sport = f("fd.sport").value
        self.typechar = f("fd.typechar").value
        self.exe = f("evt.arg.exe").value
        self.signal = f("evt.arg.sig").value
        self.latency = f("evt.latency").value
        self.infrasource = f("evt.arg.source").value
        self.infraname = f("evt.arg.name").value
        self.pname = f("proc.pname").value
        self.print('{"slices": [')

    def _reset(self, s: dict[str, Category]) -> None:
        for name, table, excl, note, agg in _CATEGORIES:
            # The listening ports carry over from one slice to the next.
            if name == "listeningPortCount" and name in s:
                continue
            s[name] = _category(table, excl, note, agg)
        for name in s:
            if name.startswith(_DOCKER) and name != _DOCKER:
                s[name] = _category(False, True, True, "sum")

    def _fd_matcher(self) -> Callable[[ThreadInfo, int, FdInfo], bool] | None:
        """``get_thread_table(sysdig.get_filter())``'s test: the command-line filter run on a
        read exit of the thread on one of its fds (None: no filter)."""
        if self.fd_match is not False:
            return self.fd_match  # type: ignore[return-value]
        text = self.ctx.filter
        if not text:
            self.fd_match = None
            return None
        from sysdive.filter import compile_filter
        from sysdive.filter.ast import And, Check, Node, Not, Or
        from sysdive.filter.parser import parse

        def fields(node: Node) -> list[str]:
            if isinstance(node, Check):
                return [node.field]
            if isinstance(node, Not):
                return fields(node.operand)
            if isinstance(node, And | Or):
                return [f for n in node.operands for f in fields(n)]
            return []
        if any(not f.startswith(_THREAD_TABLE_FIELDS) for f in fields(parse(text))):
            raise ChiselError("invalid filter argument for get_thread_table in chisel "
                              f"{self.name}: the given filter is not supported for thread "
                              "table filtering")
        match = compile_filter(text, self.ctx.registry).match
        state = self.ctx.state

        def fd_match(t: ThreadInfo, fd: int, fdi: FdInfo) -> bool:
            evt = Event(0, _READ_X, state.lastevent_ts if state else 0, t.tid, 0, 0, b"", 0,
                        0, 0)
            evt.thread = t
            evt.fd = fd
            evt.fdinfo = fdi
            return bool(match(evt))
        self.fd_match = fd_match
        return fd_match

    def _threads(self) -> list[tuple[ThreadInfo, dict[int, FdInfo]]]:
        """The thread table with each thread's fds; with a filter only the threads with an
        fd that passes it."""
        state = self.ctx.state
        if state is None:
            return []
        match = self._fd_matcher()
        out = []
        for t in list(state.threads.values()):
            fds = state.fd_table(t) or {}
            if match is not None and not any(match(t, n, f) for n, f in fds.items()):
                continue
            out.append((t, fds))
        return out

    def _load_listening_ports(self) -> None:
        # sysdig reads the thread table in on_capture_start, once the capture's process
        # table is loaded; here that table is only there once events flow.
        self.ports_loaded = True
        match = self._fd_matcher()
        ports: dict[int, int] = {}
        for t, fds in self._threads():
            for n, fdi in fds.items():
                if match is not None and not match(t, n, fdi):
                    continue
                if fdi.type in (FdType.IPV4_SOCK, FdType.IPV6_SOCK):
                    if fdi.is_role_server:
                        ports[fdi.dport] = 1
                elif fdi.type in (FdType.IPV4_SERVSOCK, FdType.IPV6_SERVSOCK):
                    ports[fdi.sport] = 1
        cat = self.ssummary["listeningPortCount"]
        cat["tot"] = len(ports)
        cat["table"] = ports

    # -- events -----------------------------------------------------------------------------

    def on_event(self, evt: Event) -> bool | None:
        if self.file_duration is None:
            self.evtcnt += 1
            return True
        if not self.ports_loaded:
            self._load_listening_ports()
        s = self.ssummary
        s["syscallCount"]["tot"] += 1
        direction = self.dir(evt)
        if direction is None:
            return True
        if direction != "<":
            self._enter(evt, s)
            return True
        rawres = self.rawres(evt)
        etype = self.etype(evt)
        if rawres is not None and rawres >= 0:  # type: ignore[operator]
            iswrite = self.iswrite(evt)
            isread = self.isread(evt)
            if iswrite or isread:
                self._io(evt, s, bool(iswrite))
            elif etype == "execve":
                s["executedCommands"]["tot"] += 1
                pname = self.pname(evt)
                if pname is not None and "bash" in lua_str(pname):
                    s["executedInteractiveCommands"]["tot"] += 1
                if self.exe(evt) == "sudo":
                    s["sudoInvocations"]["tot"] += 1
            elif etype == "bind":
                sport = self.sport(evt)
                if sport is not None:
                    self._distinct(s["listeningPortCount"], sport)
                    s["newListeningPorts"]["tot"] += 1
            elif etype in ("connect", "accept"):
                self._new_connection(evt, s, etype)
            elif etype in ("unlink", "unlinkat"):
                s["fileDeletionsCount"]["tot"] += 1
            elif etype in ("symlink", "symlinkat"):
                s["newSymLinksCount"]["tot"] += 1
            elif etype in ("clone", "fork"):
                if rawres > 0:  # type: ignore[operator]
                    s["forkCount"]["tot"] += 1
            elif etype == "setns":
                s["setnsInvocations"]["tot"] += 1
        elif etype == "connect":
            self._new_connection(evt, s, etype)
            # EINPROGRESS is how a non-blocking connect starts, not a failure.
            if rawres != -115 and self.fdtype(evt) in ("ipv4", "ipv6"):
                s["connectErrorCount"]["tot"] += 1
        elif etype == "accept":
            self._new_connection(evt, s, etype)
        elif etype == "open":
            s["openErrorCount"]["tot"] += 1
        return True

    def _enter(self, evt: Event, s: dict[str, Category]) -> None:
        etype = self.etype(evt)
        if etype == "close":
            sport = self.sport(evt)
            # fd.typechar is never "2", so a closed listening port is never removed (as in
            # sysdig).
            if sport is not None and self.typechar(evt) == "2":
                table = s["listeningPortCount"]["table"]
                if sport in table:
                    del table[sport]
                    s["listeningPortCount"]["tot"] -= 1
        elif etype == "signaldeliver":
            s["signalCount"]["tot"] += 1
            if self.signal(evt) == "SIGSEGV":
                s["segfaultCount"]["tot"] += 1
        elif etype == "notification":
            s["notifications"]["tot"] += 1
        elif etype == "infra" and self.infrasource(evt) == "docker":
            s[_DOCKER]["tot"] += 1
            cat = _DOCKER + lua_str(self.infraname(evt))
            if cat not in s:
                s[cat] = _category(False, True, True, "sum")
            s[cat]["tot"] += 1

    def _new_connection(self, evt: Event, s: dict[str, Category], etype: object) -> None:
        sport = self.sport(evt)
        if sport is None:
            return
        s["newConnectionsO" if etype == "connect" else "newConnectionsI"]["tot"] += 1
        if sport == 22:
            s["newConnectionsSsh"]["tot"] += 1

    @staticmethod
    def _distinct(cat: Category, key: object) -> None:
        if key is None:
            return
        if key not in cat["table"]:
            cat["table"][key] = 1
            cat["tot"] += 1

    def _io(self, evt: Event, s: dict[str, Category], iswrite: bool) -> None:
        fdtype = self.fdtype(evt)
        fdcontname = self.fdcontname(evt)
        fdname = self.fdname(evt)
        if fdtype == "file":
            buflen = self.buflen(evt) or 0
            self._distinct(s["fileCount"], fdcontname)
            if iswrite:
                self._distinct(s["fileCountW"], fdcontname)
                s["fileBytes"]["tot"] += buflen
                s["fileBytesW"]["tot"] += buflen
                name = lua_str(fdname)
                if name.startswith(_SYSTEM_DIRS):
                    self._distinct(s["sysFileCountW"], fdname)
                severity = self._syslog_severity(evt, fdname)
                if severity is not None:
                    self._syslog(s, severity)
                elif _is_log_file(name):
                    self._app_log(s, self.buffer(evt))
            else:
                s["fileBytes"]["tot"] += buflen
                s["fileBytesR"]["tot"] += buflen
            latency = self.latency(evt)
            if latency is not None and not lua_str(fdname).startswith("/dev/"):
                if latency > 100_000_000:  # type: ignore[operator]
                    s["over100msFileIoCount"]["tot"] += 1
                if latency > 10_000_000:  # type: ignore[operator]
                    s["over10msFileIoCount"]["tot"] += 1
                if latency > 1_000_000:  # type: ignore[operator]
                    s["over1msFileIoCount"]["tot"] += 1
        elif fdtype in ("ipv4", "ipv6"):
            buflen = self.buflen(evt) or 0
            self._distinct(s["connectionCount"], fdcontname)
            s["netBytes"]["tot"] += buflen
            s["netBytesW" if iswrite else "netBytesR"]["tot"] += buflen
            sport = self.sport(evt)
            if sport is not None and sport in SERVICES:
                s["protoBytes_" + SERVICES[sport]]["tot"] += buflen
            buf = _text(self.buffer(evt))
            if buf.startswith("HTTP/"):
                s["sysReqCountHttp"]["tot"] += 1
                parts = buf.split(" ")
                if len(parts) < 2 or _lua_tonumber(parts[1]) != 200:
                    s["sysErrCountHttp"]["tot"] += 1
        elif fdtype == "unix" and iswrite:
            severity = self._syslog_severity(evt, fdname)
            if severity is not None:
                self._syslog(s, severity)

    def _syslog_severity(self, evt: Event, fdname: object) -> int | None:
        """syslog.severity: libsinsp decodes the ``<PRI>`` of writes to fds named after
        ``/dev/log``."""
        if "/dev/log" not in lua_str(fdname):
            return None
        data = self.buffer(evt)
        if not isinstance(data, bytes | bytearray) or len(data) < 3:
            return None
        m = re.match(rb"<(\d{1,15})>", data)
        if m is None:
            return None
        return int(m.group(1)) & 7

    @staticmethod
    def _syslog(s: dict[str, Category], severity: int) -> None:
        s["sysLogCount"]["tot"] += 1
        if severity == 4:
            s["sysLogCountW"]["tot"] += 1
        elif severity < 4:
            s["sysLogCountE"]["tot"] += 1

    @staticmethod
    def _app_log(s: dict[str, Category], buf: object) -> None:
        for msg in _text(buf).split("\n"):
            if not msg:
                continue
            s["appLogCount"]["tot"] += 1
            low = msg.lower()
            if "warn" in low:
                s["appLogCountW"]["tot"] += 1
            elif any(w in low for w in ("error", "critic", "emergency", "alert")):
                s["appLogCountE"]["tot"] += 1

    # -- slices -----------------------------------------------------------------------------

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if not self.ports_loaded:
            self._load_listening_ports()
        state = self.ctx.state
        s = self.ssummary
        procs = {t.pid: 1 for t, _ in self._threads() if t.tid == t.pid}
        s["procCount"]["tot"] = len(procs)
        s["procCount"]["table"] = procs
        containers = ({str(c.get("id", "")): str(c.get("name", ""))
                       for c in state.containers.values()} if state else {})
        s["containerCount"]["tot"] = len(containers)
        s["containerCount"]["table"] = containers
        self._add_summaries(ts_s, ts_ns)
        self._reset(s)
        if self.nintervals % self.progress_every == 0:
            progress = self._read_progress()
            if progress == 100:
                progress = 99.99
            self.print(f'{{"progress": {lua_str(progress)} }},')
            self.out.flush()
        self.nintervals += 1

    def _read_progress(self) -> float:
        """``sysdig.get_read_progress()`` when the current event was read: the share of
        the file zlib had consumed then (see :class:`_ReadProgress`)."""
        path = self.ctx.evtsource_name
        state = self.ctx.state
        if not path or state is None:
            return 0.0
        if self.progress is None:
            try:
                self.progress = _ReadProgress(path)
            except (OSError, zlib.error, struct.error):
                return 0.0
        return self.progress.at(state.lastevent_ts)

    def _add_summaries(self, ts_s: int, ts_ns: int) -> None:
        time = str(ts_s * 1_000_000_000 + ts_ns)
        dst = self.gsummary
        for k, v in self.ssummary.items():
            if k not in dst:
                dst[k] = _category(False, True, True, "sum")
            d = dst[k]
            d["tot"] += v["tot"]
            if v["tot"] > d["max"]:
                d["max"] = v["tot"]
            d["timeLine"].append({"t": time, "v": v["tot"]})
            if "table" in v:
                d["table"].update(v["table"])

    # -- the end ------------------------------------------------------------------------------

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.file_duration is None:
            self._run_second_pass(delta)
            return
        self._add_summaries(ts_s, ts_ns)
        text = encode(self._build_output(delta))
        self.print(f'{{"progress": 100, "data": {text}}}')
        self.print("]}")

    def _run_second_pass(self, delta: int) -> None:
        """``sysdig.run_app``: the same capture and filter again, with the measured span."""
        args = shlex.split(f'-r "{self.ctx.evtsource_name}" -c wsysdig_summary '
                           f"{self.n_timeline_samples},{lua_str(float(delta))} "
                           f"{self.ctx.filter}")
        self.out.flush()
        done = subprocess.run([sys.executable, "-m", "sysdive", *args], capture_output=True,
                              check=False)
        self.write(done.stdout.decode("utf-8", "surrogateescape"))
        err = done.stderr.decode("utf-8", "replace").strip()
        if done.returncode != 0:
            # The second pass failed (sysdig fails the same way): report its error as ours.
            prefix = f"sysdive: chisel {self.name}: "
            lines = err.splitlines() or ["the second pass failed"]
            raise ChiselError(lines[-1].removeprefix(prefix))
        if err:
            sys.stderr.write(err + "\n")

    def _build_output(self, duration: int) -> dict[str, Any]:
        g = self.gsummary
        state = self.ctx.state
        containers = dict(g["containerCount"]["table"])
        metrics: list[dict[str, Any]] = []
        info: dict[str, Any] = {
            "IndexFormatVersion": INDEX_FORMAT_VERSION, "containers": containers,
            "durationNs": duration,
            "startTs": str(state.first_event_ts if state else 0),
            "endTs": str(state.lastevent_ts if state else 0)}
        out = {"info": info, "metrics": metrics}
        flt = self.ctx.filter
        for cat in g.values():
            if "table" in cat:
                cat["tot"] = len(cat["table"])
                del cat["table"]
        flags = {"napps": False, "logs": False, "infrastructure": False}

        def include(cat: Category) -> bool:
            return not cat["excludable"] or cat["tot"] != 0

        for key, cond, fields, flag in _METRICS:
            if cond == "container" and "container" in flt:
                continue
            if include(g[key]):
                metrics.append({**dict(fields), "data": g[key]})
                if flag:
                    flags[flag] = True
        for key in sorted(k for k in g if k.startswith(_DOCKER) and k != _DOCKER):
            if include(g[key]):
                event = key[len(_DOCKER):]
                metrics.append({
                    "name": f"{event} Events",
                    "desc": f"Total number of docker events of type {event}",
                    "category": "infrastructure", "targetView": "docker_events",
                    "targetViewFilter": f'evt.arg.name="{event}"', "drillDownKey": "NONE",
                    "data": g[key]})
                flags["infrastructure"] = True
        for proto, ports in PROTOCOLS.items():
            cat = g["protoBytes_" + proto]
            if include(cat):
                metrics.append({
                    "name": f"{proto} Bytes",
                    "desc": f"Total number of network bytes generated by the {proto} protocol",
                    "category": "napps", "targetView": "connections",
                    "targetViewFilter": " or ".join(f"fd.sport={p}" for p in ports),
                    "drillDownKey": "NONE", "data": cat})
                flags["napps"] = True
        cats = [{"id": "general", "name": "General"}, {"id": "file", "name": "File"},
                {"id": "network", "name": "Network"}]
        if flags["napps"]:
            cats.append({"id": "napps", "name": "Network Apps"})
        cats += [{"id": "security", "name": "Security"},
                 {"id": "performance", "name": "Performance"}]
        if flags["logs"]:
            cats.append({"id": "logs", "name": "Logs"})
        if flags["infrastructure"]:
            cats.append({"id": "infrastructure", "name": "Infrastructure"})
        info["categories"] = cats
        return out


_IN_CHUNK = 8192  # zlib's default gzip buffer: input read 8 KiB at a time...
_OUT_UNIT = 16384  # ...and inflated into a 16 KiB buffer that small reads are served from
_BLOCK_HEAD = struct.Struct("<II")
_TS = struct.Struct("<Q")


class _ReadProgress:
    """libscap's read offset, which sysdig's progress is made of: ``gzoffset``, the
    compressed bytes zlib had consumed when an event had been read.

    libscap reads every block through ``gzread`` in small pieces, so zlib inflates the file
    16 KiB at a time from input it loads 8 KiB at a time; the offset after an event is what
    inflating the 16 KiB units up to that event's end consumed. This replays that with the
    same zlib, once, and keeps per event block its time and that offset (plain files: the
    8 KiB first load, then 16 KiB loads). It assumes no header block is read in one piece of
    16 KiB or more (zlib then inflates straight into the caller's buffer).
    """

    def __init__(self, path: str) -> None:
        with open(path, "rb") as f:
            raw = f.read()
        self.size = len(raw)
        self.ts = array("Q")
        self.offset = array("Q")
        self.cursor = 0
        units = self._units(raw)  # (uncompressed end, compressed bytes consumed) per unit
        data = b"".join(u[0] for u in units)
        ends = [0]
        consumed = [0]
        for chunk, used in units:
            ends.append(ends[-1] + len(chunk))
            consumed.append(used)
        pos, unit = 0, 1
        while pos + 8 <= len(data):
            btype, blen = _BLOCK_HEAD.unpack_from(data, pos)
            if blen < 12:
                break
            end = pos + blen
            if btype in blocks.EVENT_BLOCKS:
                head = pos + 8 + 2 + (4 if btype in _FLAGGED else 0)
                if head + 8 <= len(data):
                    while unit < len(ends) - 1 and ends[unit] < end:
                        unit += 1
                    self.ts.append(_TS.unpack_from(data, head)[0])
                    self.offset.append(consumed[unit])
            pos = end

    @staticmethod
    def _units(raw: bytes) -> list[tuple[bytes, int]]:
        if raw[:2] != b"\x1f\x8b":
            first = [(raw[:_IN_CHUNK], min(_IN_CHUNK, len(raw)))]
            rest = [(raw[i:i + _OUT_UNIT], min(i + _OUT_UNIT, len(raw)))
                    for i in range(_IN_CHUNK, len(raw), _OUT_UNIT)]
            return first + rest
        d = zlib.decompressobj(31)
        units: list[tuple[bytes, int]] = []
        pos = 0
        pending = b""
        while not d.eof:
            parts: list[bytes] = []
            room = _OUT_UNIT
            while room and not d.eof:
                if not pending:
                    if pos >= len(raw):
                        break
                    pending = raw[pos:pos + _IN_CHUNK]
                    pos += len(pending)
                out = d.decompress(pending, room)
                pending = d.unconsumed_tail
                parts.append(out)
                room -= len(out)
            chunk = b"".join(parts)
            if not chunk:
                break
            units.append((chunk, pos - len(pending)))
        return units

    def at(self, ts: int) -> float:
        """The progress (percent) when the first event at ``ts`` from the last one found on
        was read."""
        i = self.cursor
        n = len(self.ts)
        while i < n and self.ts[i] != ts:
            i += 1
        if i == n:
            return 0.0
        self.cursor = i
        return self.offset[i] * 100 / self.size


_FLAGGED = frozenset({blocks.EVF, blocks.EVF_V2, blocks.EVF_V2_LARGE})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return lua_str(value)


def _lua_tonumber(text: str) -> float | None:
    try:
        return float(int(text, 0)) if text.strip().lower().startswith("0x") else float(text)
    except ValueError:
        return None
