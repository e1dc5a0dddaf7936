"""The chisel engine against sysdig's: intervals in capture time, end-of-capture arguments,
chisel filters and formatters, user chisel directories, errors.

The engine cases run a probe chisel written twice, in Lua for sysdig (found through
``SYSDIG_CHISEL_DIR``) and in Python for sysdive (``SYSDIVE_CHISEL_DIR``), on the sample
captures; both print every hook call with its arguments, and the outputs must be equal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CAPTURES_DIR = Path(os.environ.get("SYSDIVE_CAPTURES", "/work/shared/captures"))
CAPTURES = ("curl_google", "single_ipv6_conn", "run_as_user_0_container")

PROBE_LUA = """
description = "Prints every hook call"
short_description = "hook probe"
category = "Test"
args = {
    {name = "ns", description = "interval", argtype = "int"},
    {name = "mode", description = "plain, precise or none", argtype = "string"},
    {name = "filter", description = "chisel filter", argtype = "string", optional = true},
}
local ns = 0
local mode = "plain"
local flt = ""
function on_set_arg(name, val)
    if name == "ns" then ns = tonumber(val)
    elseif name == "mode" then mode = val
    elseif name == "filter" then flt = val end
    return true
end
function on_init()
    fnum = chisel.request_field("evt.num")
    if mode == "plain" then chisel.set_interval_ns(ns)
    elseif mode == "precise" then chisel.set_precise_interval_ns(ns) end
    if flt ~= "" then chisel.set_filter(flt) end
    if mode == "none" then chisel.set_event_formatter("%evt.num %evt.type %proc.name") end
    print("init")
    return true
end
function on_capture_start() print("start") return true end
function on_event()
    if mode ~= "none" then print(string.format("event %d", evt.field(fnum))) end
    return true
end
function on_interval(ts_s, ts_ns, delta)
    print(string.format("interval %d %09d %d", ts_s, ts_ns, delta))
    return true
end
function on_capture_end(ts_s, ts_ns, delta)
    print(string.format("end %d %09d %d", ts_s, ts_ns, delta))
    return true
end
"""

PROBE_PY = '''
from sysdive.chisels import Arg, Chisel


class HookProbe(Chisel):
    name = "hookprobe"
    description = "Prints every hook call"
    short_description = "hook probe"
    category = "Test"
    args = (Arg("ns", "interval", "int"), Arg("mode", "plain, precise or none"),
            Arg("filter", "chisel filter", optional=True))

    def on_init(self):
        self.num = self.request_field("evt.num")
        ns = int(self.arg_values["ns"])
        mode = self.mode = self.arg_values["mode"]
        if mode == "plain":
            self.set_interval_ns(ns)
        elif mode == "precise":
            self.set_precise_interval_ns(ns)
        if self.arg_values.get("filter"):
            self.set_filter(self.arg_values["filter"])
        if mode == "none":
            self.set_event_formatter("%evt.num %evt.type %proc.name")
        self.print("init")

    def on_capture_start(self):
        self.print("start")

    def on_event(self, evt):
        if self.mode != "none":
            self.print(f"event {self.num.value(evt)}")
        return True

    def on_interval(self, ts_s, ts_ns, delta):
        self.print(f"interval {ts_s} {ts_ns:09d} {delta}")

    def on_capture_end(self, ts_s, ts_ns, delta):
        self.print(f"end {ts_s} {ts_ns:09d} {delta}")
'''


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("probe")
    (d / "hookprobe.lua").write_text(PROBE_LUA)
    (d / "hookprobe.py").write_text(PROBE_PY)
    return d


def _run(argv: list[str], chisel_dir: Path | None, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src")
    env.pop("SYSDIVE_CHISEL_DIR", None)
    if chisel_dir is not None:
        env["SYSDIVE_CHISEL_DIR"] = str(chisel_dir)
        env["SYSDIG_CHISEL_DIR"] = str(chisel_dir)
    return subprocess.run(argv, capture_output=True, cwd=cwd, env=env, timeout=300, check=False)


def _both(args: list[str], probes: Path, tmp_path: Path) -> tuple[bytes, bytes]:
    sysdig = shutil.which("sysdig")
    if sysdig is None:
        _unavailable("sysdig is not installed")
    assert sysdig is not None
    theirs = _run([sysdig, *args], probes, tmp_path)
    ours = _run([sys.executable, "-m", "sysdive", *args], probes, tmp_path)
    assert theirs.returncode == 0, theirs.stderr.decode(errors="replace")
    assert ours.returncode == 0, ours.stderr.decode(errors="replace")
    return theirs.stdout, ours.stdout


ENGINE_CASES = [
    # (chisel args, command-line filter)
    ("100000000 plain", ""),
    ("7000000 plain", "proc.name=curl"),           # rejected events still move the clock
    ("250000000 precise", ""),
    ("3000000 precise", "evt.type=read"),
    ("0 none", ""),                                 # formatter lines
    ("0 none 'evt.type=open and evt.dir=<'", ""),   # chisel filter, quoted argument
    ("50000000 plain 'evt.type in (read, write)'", "proc.name!=zzz"),
]


@pytest.mark.parametrize("capture", CAPTURES)
@pytest.mark.parametrize(("chisel_args", "flt"), ENGINE_CASES)
def test_engine_matches_sysdig(capture: str, chisel_args: str, flt: str, probes: Path,
                               tmp_path: Path) -> None:
    path = CAPTURES_DIR / f"{capture}.scap"
    if not path.is_file():
        _unavailable(f"sample capture {path} is missing")
    args = ["-r", str(path), "-c", "hookprobe", chisel_args, *([flt] if flt else [])]
    theirs, ours = _both(args, probes, tmp_path)
    assert theirs.startswith(b"init\nstart\n") and b"\nend " in theirs
    assert ours == theirs


def test_two_files_run_hooks_per_file(probes: Path, tmp_path: Path) -> None:
    caps = [CAPTURES_DIR / f"{c}.scap" for c in ("single_ipv6_conn", "curl_google")]
    args = ["-r", str(caps[0]), "-r", str(caps[1]), "-c", "hookprobe", "0 none"]
    theirs, ours = _both(args, probes, tmp_path)
    assert ours.count(b"init") == 2
    assert ours == theirs


def test_user_dirs_are_searched_first(tmp_path: Path) -> None:
    """./chisels shadows a built-in of the same name; -cl lists the user's chisel."""
    (tmp_path / "chisels").mkdir()
    (tmp_path / "chisels" / "topscalls.py").write_text(
        "from sysdive.chisels import Chisel\n\n"
        "class Mine(Chisel):\n"
        "    short_description = 'mine'\n"
        "    category = 'Mine'\n"
        "    def on_capture_end(self, ts_s, ts_ns, delta):\n"
        "        self.print('shadowed')\n")
    cap = CAPTURES_DIR / "curl_google.scap"
    done = _run([sys.executable, "-m", "sysdive", "-r", str(cap), "-c", "topscalls"], None,
                tmp_path)
    assert done.stdout == b"shadowed\n", done.stderr
    listing = _run([sys.executable, "-m", "sysdive", "-cl"], None, tmp_path).stdout.decode()
    assert "\nCategory: Mine\n--------------\ntopscalls       mine\n" in listing


@pytest.mark.parametrize(("source", "args", "message"), [
    ("    def on_event(self, evt):\n        return 1 / 0\n", [],
     "sysdive: chisel boom: error in on_event(): ZeroDivisionError: division by zero"),
    ("    def on_init(self):\n        self.request_field('no.such')\n", [],
     "sysdive: chisel boom: chisel requesting nonexistent field no.such"),
    ("    def on_init(self):\n        self.set_filter('evt.type=')\n", [],
     "sysdive: chisel boom: filter error at column 10"),
    ("    def on_capture_end(self, a, b, c):\n        raise KeyError('x')\n", [],
     "sysdive: chisel boom: error in on_capture_end(): KeyError: 'x'"),
    ("    args = (Arg('n', 'a number', 'int'),)\n", [],
     "sysdive: missing arguments for chisel boom"),
    ("    args = (Arg('n', 'a number', 'int', optional=True),)\n", ["1 2"],
     "sysdive: too many parameters for chisel boom, 0 required, 1 optional, 2 given"),
    ("    def on_set_arg(self, name, value):\n        raise ValueError('bad ' + value)\n"
     "    args = (Arg('n', 'a number', 'int'),)\n", ["x"],
     "sysdive: chisel boom: error in on_set_arg(): ValueError: bad x"),
])
def test_chisel_errors_are_one_line(source: str, args: list[str], message: str,
                                    tmp_path: Path) -> None:
    d = tmp_path / "user"
    d.mkdir()
    (d / "boom.py").write_text("from sysdive.chisels import Arg, Chisel\n\n"
                               "class Boom(Chisel):\n    short_description = 'boom'\n" + source)
    cap = CAPTURES_DIR / "curl_google.scap"
    done = _run([sys.executable, "-m", "sysdive", "-r", str(cap), "-c", "boom", *args], d,
                tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(message), err


def test_unknown_chisel_and_info(tmp_path: Path) -> None:
    cap = CAPTURES_DIR / "curl_google.scap"
    done = _run([sys.executable, "-m", "sysdive", "-r", str(cap), "-c", "nosuch"], None, tmp_path)
    assert done.returncode == 1
    assert done.stderr == b"sysdive: can't open chisel nosuch (use -cl to list them)\n"
    done = _run([sys.executable, "-m", "sysdive", "-i", "table_generator"], None, tmp_path)
    assert done.stderr == b"sysdive: chisel table_generator not found - use -cl to list them.\n"


FMT_LUA = """
description = "set_output_format and sysdig.set_filter"
short_description = "format probe"
category = "Test"
args = {{name = "fmt", description = "buffer format", argtype = "string"}}
local fmt = ""
function on_set_arg(name, val) fmt = val return true end
function on_init()
    sysdig.set_output_format(fmt)
    sysdig.set_filter("proc.name=curl")
    chisel.set_filter("evt.is_io=true and evt.dir=<")
    chisel.set_event_formatter("%evt.num %fd.name %evt.arg.data")
    return true
end
"""

FMT_PY = '''
from sysdive.chisels import Arg, Chisel


class FmtProbe(Chisel):
    name = "fmtprobe"
    short_description = "format probe"
    args = (Arg("fmt", "buffer format"),)

    def on_init(self):
        self.set_output_format(self.arg_values["fmt"])
        self.set_capture_filter("proc.name=curl")
        self.set_filter("evt.is_io=true and evt.dir=<")
        self.set_event_formatter("%evt.num %fd.name %evt.arg.data")
'''


@pytest.mark.parametrize("extra", [["hex"], ["ascii"], ["base64"], ["hex", "-A"]])
def test_output_format_and_capture_filter(extra: list[str], tmp_path: Path) -> None:
    d = tmp_path / "probe"
    d.mkdir()
    (d / "fmtprobe.lua").write_text(FMT_LUA)
    (d / "fmtprobe.py").write_text(FMT_PY)
    cap = CAPTURES_DIR / "curl_google.scap"
    args = ["-r", str(cap), "-c", "fmtprobe", *extra]
    sysdig = shutil.which("sysdig")
    if sysdig is None:
        _unavailable("sysdig is not installed")
    assert sysdig is not None
    theirs = _run([sysdig, *args], d, tmp_path)
    ours = _run([sys.executable, "-m", "sysdive", *args], d, tmp_path)
    assert theirs.returncode == 0 and ours.returncode == 0, ours.stderr
    assert theirs.stdout.count(b"\n") > 20
    assert ours.stdout == theirs.stdout


def test_capture_filter_only_once(tmp_path: Path) -> None:
    """sysdig refuses a chisel's sysdig.set_filter when the command line has a filter."""
    d = tmp_path / "probe"
    d.mkdir()
    (d / "fmtprobe.py").write_text(FMT_PY)
    cap = CAPTURES_DIR / "curl_google.scap"
    done = _run([sys.executable, "-m", "sysdive", "-r", str(cap), "-c", "fmtprobe", "hex",
                 "proc.name=zzz"], d, tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(b"sysdive: invalid filter in chisel: filter can only be set")
