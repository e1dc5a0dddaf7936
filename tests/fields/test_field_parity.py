"""Field parity with sysdig 0.29.3 on the sample captures: CaptureReader -> Event -> Parser ->
fields, compared line by line with ``sysdig -r CAPTURE -p FORMAT`` (and ``-j``, ``-t``, the
buffer modes). Every case is checked against the stored output in ``expected/`` and, when
sysdig is installed, against sysdig itself (``SYSDIVE_REGEN_EXPECTED=1`` rewrites the stored
files)."""

from __future__ import annotations

import difflib
import gzip
import json
import os
from pathlib import Path

import pytest
from fieldhelpers import (
    CAPTURE_NAMES,
    as_lines,
    capture_or_skip,
    render_capture,
    render_capture_json,
    shown_events,
    sysdig_lines,
)
from test_field_contracts import ALL_DEFS, sample_name

from sysdive.fields import FieldOptions, FieldRegistry
from sysdive.filter import compile_filter
from sysdive.format.buffers import BufferFormat
from sysdive.state.tables import State

EXPECTED = Path(__file__).parent / "expected"

FORMATS = {
    "default": "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type "
               "%evt.info",
    "info": "*%evt.num %evt.info",
    "brief": "*%evt.num %evt.arg.fd %evt.arg[0] %evt.rawarg.res %evt.res %evt.failed %fd.sip "
             "%fd.sport %fd.l4proto %user.name %group.name %proc.pname %evt.latency %evt.time "
             "%evt.datetime %evt.rawtime %evt.buflen %evt.is_io",
    "evt": "*%evt.num %evt.time.s %evt.time.iso8601 %evt.datetime.s %evt.rawtime.s "
           "%evt.rawtime.ns %evt.reltime %evt.reltime.s %evt.reltime.ns %evt.latency.s "
           "%evt.latency.ns %evt.latency.human %evt.deltatime %evt.deltatime.s "
           "%evt.deltatime.ns %evt.dir %evt.type %syscall.type %evt.category %evt.cpu "
           "%evt.arg[1] %evt.arg.name %evt.arg.data %evt.rawarg.name %evt.buffer %evt.rawres "
           "%evt.is_io_read %evt.is_io_write %evt.io_dir %evt.is_wait %evt.wait_latency "
           "%evt.is_syslog %evt.count %evt.count.error %evt.count.error.file "
           "%evt.count.error.net %evt.count.error.memory %evt.count.error.other "
           "%evt.count.exit %evt.abspath %evt.is_open_read %evt.is_open_write "
           "%evt.is_open_exec %evt.buflen.in %evt.buflen.net %evt.latency.quantized",
    "proc": "*%evt.num %proc.pid %proc.exe %proc.name %proc.args %proc.cmdline %proc.exeline "
            "%proc.cwd %proc.nthreads %proc.nchilds %proc.ppid %proc.pcmdline %proc.apid "
            "%proc.aname %proc.apid[1] %proc.aname[2] %proc.loginshellid %proc.duration "
            "%proc.fdopencount %proc.fdlimit %proc.fdusage %proc.vmsize %proc.vmrss "
            "%proc.vmswap %thread.pfmajor %thread.pfminor %thread.tid %thread.ismain "
            "%thread.exectime %thread.totexectime %thread.cgroups %thread.cgroup.cpu "
            "%thread.vtid %proc.vpid %thread.vmsize %thread.vmrss %proc.sid %proc.sname "
            "%proc.tty %proc.exepath %thread.nametid %proc.vpgid %proc.is_exe_writable",
    "fd": "*%evt.num %fd.num %fd.type %fd.typechar %fd.name %fd.directory %fd.filename %fd.cip "
          "%fd.sip %fd.lip %fd.rip %fd.cport %fd.sport %fd.lport %fd.rport %fd.l4proto "
          "%fd.sockfamily %fd.is_server %fd.uid %fd.cproto %fd.sproto %fd.lproto %fd.rproto "
          "%fd.connected %fd.name_changed %fd.cip.name",
    "user": "*%evt.num %user.uid %user.name %user.homedir %user.shell %user.loginuid "
            "%user.loginname %group.gid %group.name",
    "container": "*%evt.num %container.id %container.name %container.image %container.type "
                 "%container.privileged %container.mounts %container.image.tag "
                 "%container.healthcheck %fd.containername %fd.containerdirectory",
}
OPTION_CASES = {
    "t_a": (["-t", "a"], FieldOptions(time_format="a")),
    "t_r": (["-t", "r"], FieldOptions(time_format="r")),
    "t_d": (["-t", "d"], FieldOptions(time_format="d")),
    "t_D": (["-t", "D"], FieldOptions(time_format="D")),
    "x": (["-x"], FieldOptions(buffer_format=BufferFormat.HEX)),
    "X": (["-X"], FieldOptions(buffer_format=BufferFormat.HEXASCII)),
    "A": (["-A"], FieldOptions(buffer_format=BufferFormat.EOLS)),
    "b": (["-b"], FieldOptions(buffer_format=BufferFormat.BASE64)),
    "v": (["-v"], FieldOptions(max_len=None)),
}
JSON_FORMAT = ("*%evt.num %evt.outputtime %evt.type %evt.dir %evt.info %evt.res %evt.rawres "
               "%evt.failed %evt.latency %evt.latency.human %evt.deltatime %evt.reltime "
               "%fd.num %fd.name %fd.sip %fd.sport %fd.l4proto %proc.name %proc.pid "
               "%thread.tid %thread.vtid %user.name %group.gid %evt.buflen %evt.is_io "
               "%evt.count")


def _diff(got: list[str], want: list[str]) -> str:
    return "\n".join(list(difflib.unified_diff(want, got, "sysdig", "sysdive", lineterm=""))[:40])


def _stored(case: str, capture: str, args: list[str]) -> list[str]:
    path = EXPECTED / f"{capture}__{case}.txt.gz"
    if os.environ.get("SYSDIVE_REGEN_EXPECTED"):
        lines = sysdig_lines("-r", str(capture_or_skip(capture)), *args)
        text = "\n".join(lines) + "\n"
        path.write_bytes(gzip.compress(text.encode("utf-8", "surrogateescape"), mtime=0))
    text = gzip.decompress(path.read_bytes()).decode("utf-8", "surrogateescape")
    return text.split("\n")[:-1]


def _check(got: list[str], want: list[str], capture: str, case: str) -> None:
    assert got == want, _diff(got, want)


@pytest.mark.parametrize("capture", CAPTURE_NAMES)
@pytest.mark.parametrize("case", sorted(FORMATS))
def test_formats(capture: str, case: str) -> None:
    fmt = FORMATS[case]
    got = as_lines(render_capture(capture_or_skip(capture), fmt))
    _check(got, _stored(case, capture, ["-p", fmt]), capture, case)


@pytest.mark.parametrize("capture", CAPTURE_NAMES[:2])  # the third one is large and alike
@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_output_options(capture: str, case: str) -> None:
    args, options = OPTION_CASES[case]
    fmt = FORMATS["default"]
    got = as_lines(render_capture(capture_or_skip(capture), fmt, options))
    _check(got, _stored(case, capture, [*args, "-p", fmt]), capture, case)


DEBUG_FORMAT = ("*%evt.num %evt.type %thread.cpu %thread.cpu.user %thread.cpu.system "
                "%evt.count.procinfo %evt.count.threadinfo %evt.latency %evt.latency.human "
                "%syscall.type %evt.category %evt.info %proc.name %evt.res %fd.num")


@pytest.mark.parametrize("capture", CAPTURE_NAMES)
def test_internal_events(capture: str) -> None:
    """``-D``: internal events (procinfo) are printed too."""
    got = as_lines(render_capture(capture_or_skip(capture), DEBUG_FORMAT, internal=True))
    _check(got, _stored("debug", capture, ["-D", "-p", DEBUG_FORMAT]), capture, "debug")


@pytest.mark.parametrize("capture", CAPTURE_NAMES)
def test_json(capture: str) -> None:
    options = FieldOptions(buffer_format=BufferFormat.JSON)
    got = render_capture_json(capture_or_skip(capture), JSON_FORMAT, options)
    _check(got, _stored("json", capture, ["-j", "-p", JSON_FORMAT]), capture, "json")


@pytest.mark.parametrize("capture", CAPTURE_NAMES)
@pytest.mark.parametrize("case", ["default", "brief", "fd"])
def test_live(capture: str, case: str) -> None:
    fmt = FORMATS[case]
    path = capture_or_skip(capture)
    got = as_lines(render_capture(path, fmt))
    want = sysdig_lines("-r", str(path), "-p", fmt)
    _check(got, want, capture, case)


@pytest.mark.parametrize("capture", CAPTURE_NAMES)
def test_event_types_are_sound(capture: str) -> None:
    """Whenever a field extracts a value, the event type is in its ``event_types``."""
    state = State()
    reg = FieldRegistry(state)
    bound = [reg.resolve(sample_name(f)) for f in ALL_DEFS]
    bound = [b for b in bound if b.event_types is not None]
    for evt in shown_events(capture_or_skip(capture), state):
        for b in bound:
            if b.extract(evt) is not None:
                assert b.event_types is not None and evt.type in b.event_types, (b.name, evt)


FILTERS = (
    "proc.aname=bash", "proc.aname!=bash", "proc.apid=3200", "proc.aname[1]=bash",
    "fd.ip=2001:4860:4860::8888", "fd.ip!=2001:4860:4860::8888", "fd.port=53",
    "fd.port!=53", "fd.port=1234", "fd.port!=1234", "fd.sip=2001:4860:4860::8888",
    "evt.around[1534527348514649386]=1", "evt.type.is.open=1", "evt.rawarg.res<0",
    "evt.rawarg.size>100", "evt.res=ENOENT", "evt.buffer contains HTTP", "fd.name contains lib",
    "evt.failed=true", "user.name=ubuntu", "user.name=root", "group.gid=1000",
    "thread.vtid exists", "proc.duration>1000", "fd.typechar=f", "evt.category=net",
    "fd.l4proto=udp", "evt.latency>10000", "fd.cport>1000", "fd.is_server=true",
    "fd.lip exists", "fd.sockfamily=unix", "fd.name_changed=true", "evt.buflen.net>0",
    "proc.loginshellid exists", "proc.sname=bash", "thread.totexectime>0",
    "proc.fdopencount>10", "syscall.type=open", "evt.arg[0] exists",
)


def _count(path: Path, text: str) -> int:
    state = State()
    flt = compile_filter(text, FieldRegistry(state))
    types = flt.event_types
    return sum(1 for evt in shown_events(path, state)
               if (types is None or evt.type in types) and flt.match(evt))


@pytest.mark.parametrize("capture", CAPTURE_NAMES)
def test_filters(capture: str) -> None:
    """The fields through the filter compiler, as ``sysdig -d FILTER`` (after parsing)."""
    path = capture_or_skip(capture)
    stored = EXPECTED / f"{capture}__filter_counts.json"
    if os.environ.get("SYSDIVE_REGEN_EXPECTED"):
        counts = {f: len(sysdig_lines("-r", str(path), "-d", f)) for f in FILTERS}
        stored.write_text(json.dumps(counts, indent=1) + "\n")
    want = json.loads(stored.read_text())
    got = {f: _count(path, f) for f in FILTERS}
    assert got == want
