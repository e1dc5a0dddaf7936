"""Command-line parsing: sysdig 0.29.3's options, permuted like GNU getopt.

Every option is one row of :data:`OPTIONS` (its letter, its long name, whether it takes a
value, and what it sets); the getopt strings are derived from the table. Only parsing lives
here; :mod:`sysdive.cli.main` wires the parsed options together.
"""

from __future__ import annotations

import getopt
import re
from collections.abc import Callable
from dataclasses import field

from sysdive.cli.chisel_args import ChiselSpec, extract_chisels
from sysdive.errors import UsageError
from sysdive.records import record


@record(frozen=False)
class Options:
    """Everything the command line said."""

    read_files: list[str] = field(default_factory=list)
    write_file: str | None = None
    compress: bool = False
    output_format: str | None = None      # -p (a preset letter already expanded)
    container_preset: bool = False        # -pc/-pk/-pm
    json: bool = False
    buffer_mode: str = "normal"           # normal | ascii | hex | hexascii | base64
    quiet: bool = False
    verbose: bool = False
    summary: bool = False
    summary_copies: int = 0               # sysdig appends a full table per -S given
    debug: bool = False
    display_filter: bool = False
    progress: bool = False
    count: int | None = None
    duration_s: int | None = None
    snaplen: int = 0
    time_format: str = "h"
    list_fields: bool = False
    list_fields_markdown: bool = False
    list_events: bool = False
    print_default_format: bool = False
    show_version: bool = False
    show_libs_version: bool = False
    help: bool = False
    unbuffered: bool = False
    fatfile: bool = False
    exclude_users: bool = False
    resolve_ports: bool = False
    chisels: list[ChiselSpec] = field(default_factory=list)   # -c NAME [ARGS], in order
    list_chisels: bool = False            # -cl, --list-chisels
    chisel_info: str | None = None        # -i NAME
    filter: str = ""
    alloc_stacks: bool = False            # --alloc-stacks: live allocation stacks (memory/)
    flamegraph: str | None = None         # --flamegraph FILE: SVG of the allocation stacks
    top: int = 10                         # --top N: stacks shown by --alloc-stacks
    memory_story: bool = False            # --memory-story: growth, stacks and OOM kills
    # live capture
    file_size_mb: int | None = None       # -C: rotate when the file passes this many 10^6 bytes
    rotate_seconds: int | None = None     # -G: rotate every so many seconds
    file_limit: int | None = None         # -W: with -C/-e a ring of files, with -G a count
    events_per_file: int | None = None    # -e: rotate after so many events
    buffer_size: int | None = None        # --buffer-size: bytes of event buffer per CPU
    suppress_comms: list[str] = field(default_factory=list)  # -U: comms the probe skips
    # in-kernel pre-filters (live capture)
    pids: list[int] = field(default_factory=list)        # --pid: these processes + children
    comms: list[str] = field(default_factory=list)       # --comm: threads named so + children
    cgroups: list[str] = field(default_factory=list)     # --cgroup: cgroup paths (subtrees)
    containers: list[str] = field(default_factory=list)  # --container: names or ids
    syscalls: list[str] = field(default_factory=list)    # --syscalls: names and @sets
    # container runtimes (live capture)
    cri_sockets: list[str] = field(default_factory=list)     # --cri: CRI socket paths
    cri_timeout_ms: int | None = None     # --cri-timeout: per CRI call

    @property
    def prefilters(self) -> bool:
        """Whether any in-kernel pre-filter was asked for."""
        return bool(self.pids or self.comms or self.cgroups or self.containers
                    or self.syscalls)


def _positive(text: str, what: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise UsageError(f"invalid {what}: {text!r} is not a number") from None
    if value <= 0:
        raise UsageError(f"invalid {what}: {text} (must be positive)")
    return value


def _size(text: str) -> int:
    """A byte count, optionally with a K/M/G suffix (powers of 1024)."""
    m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)[iI]?[bB]?\s*", text)
    if not m or int(m.group(1)) <= 0:
        raise UsageError(f"invalid buffer size: {text!r} (a positive number of bytes, "
                         "K, M or G allowed)")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def _list(text: str, what: str) -> list[str]:
    """A comma-separated value (``--pid 1,2``); empty items are an error."""
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise UsageError(f"invalid {what}: {text!r} (a comma-separated list)")
    return items


def _buffer_mode(mode: str) -> Callable[[Options, str], None]:
    def apply(o: Options, _val: str) -> None:
        if o.buffer_mode != "normal":
            raise UsageError("you cannot specify more than one output format")
        o.buffer_mode = mode
    return apply


def _flag(name: str) -> Callable[[Options, str], None]:
    def apply(o: Options, _val: str) -> None:
        setattr(o, name, True)
    return apply



def _write(o: Options, val: str) -> None:
    o.write_file = val
    o.quiet = True


def _print(o: Options, val: str) -> None:
    if val == "p":
        o.print_default_format = True
    elif val in ("c", "container", "k", "kubernetes", "m", "mesos"):
        from sysdive.format.formatter import PRESETS
        o.output_format = PRESETS[val]
        o.container_preset = True
    else:
        o.output_format = val


def _summary(o: Options, _val: str) -> None:
    o.summary = True
    o.summary_copies += 1


def _snaplen(o: Options, val: str) -> None:
    # sysdig reads it with atoi(): leading digits count, anything else is 0, no error.
    m = re.match(r"\s*([+-]?\d+)", val)
    o.snaplen = int(m.group(1)) if m else 0


def _timetype(o: Options, val: str) -> None:
    if val not in ("h", "a", "r", "d", "D"):
        raise UsageError("invalid modifier for flag -t (use h, a, r, d or D)")
    o.time_format = val


def _list_markdown(o: Options, _val: str) -> None:
    o.list_fields = o.list_fields_markdown = True


def _comm(text: str, opt: str) -> str:
    if len(text.encode()) > 15:
        raise UsageError(f"{opt} {text!r}: a process name (comm) has at most 15 bytes")
    return text


def _suppress(o: Options, val: str) -> None:
    o.suppress_comms.append(_comm(val, "-U"))


def _pids(o: Options, val: str) -> None:
    o.pids.extend(_positive(p, "--pid") for p in _list(val, "--pid"))


def _comms(o: Options, val: str) -> None:
    o.comms.extend(_comm(c, "--comm") for c in _list(val, "--comm"))


def _syscalls(o: Options, val: str) -> None:
    o.syscalls.extend(_list(val, "--syscalls"))


Apply = Callable[[Options, str], None]


@record
class Opt:
    """One command-line option: ``-letter`` and/or ``--long``, whether it takes a value, and
    what it does to :class:`Options` (``None``: sysdig has it, sysdive does not)."""

    letter: str | None
    long: str | None
    takes_value: bool
    apply: Apply | None


def _set(name: str, convert: Callable[[str], object] = str) -> Apply:
    def apply(o: Options, val: str) -> None:
        setattr(o, name, convert(val))
    return apply


def _append(name: str) -> Apply:
    def apply(o: Options, val: str) -> None:
        getattr(o, name).append(val)
    return apply


def _pos(what: str) -> Callable[[str], int]:
    return lambda text: _positive(text, what)


OPTIONS: tuple[Opt, ...] = (
    # input and output
    Opt("r", "readfile", True, _append("read_files")),
    Opt("w", "writefile", True, _write),
    Opt("z", "compress", False, _flag("compress")),
    Opt("F", "fatfile", False, _flag("fatfile")),
    Opt("n", "numevents", True, _set("count", _pos("event count"))),
    Opt("M", None, True, _set("duration_s", _pos("duration"))),
    Opt("s", "snaplen", True, _snaplen),
    # printing
    Opt("p", "print", True, _print),
    Opt("j", "json", False, _flag("json")),
    Opt("A", "print-ascii", False, _buffer_mode("ascii")),
    Opt("b", "print-base64", False, _buffer_mode("base64")),
    Opt("x", "print-hex", False, _buffer_mode("hex")),
    Opt("X", "print-hex-ascii", False, _buffer_mode("hexascii")),
    Opt("q", "quiet", False, _flag("quiet")),
    Opt("v", "verbose", False, _flag("verbose")),
    Opt("S", "summary", False, _summary),
    Opt("D", "debug", False, _flag("debug")),
    Opt("d", "displayflt", False, _flag("display_filter")),
    Opt("P", "progress", False, _flag("progress")),
    Opt("t", "timetype", True, _timetype),
    Opt("E", "exclude-users", False, _flag("exclude_users")),
    Opt("R", "resolve-ports", False, _flag("resolve_ports")),
    Opt(None, "unbuffered", False, _flag("unbuffered")),
    Opt(None, "filter-proclist", False, lambda o, v: None),  # sysdig's no-op too
    # listing and help
    Opt("l", "list", False, _flag("list_fields")),
    Opt(None, "list-markdown", False, _list_markdown),
    Opt("L", "list-events", False, _flag("list_events")),
    Opt("h", "help", False, _flag("help")),
    Opt(None, "version", False, _flag("show_version")),
    Opt(None, "libs-version", False, _flag("show_libs_version")),
    # chisels (-c and its arguments are taken by extract_chisels first)
    Opt("c", "chisel", True, lambda o, v: None),
    Opt(None, "list-chisels", False, lambda o, v: None),
    Opt("i", "chisel-info", True, _set("chisel_info")),
    # memory
    Opt(None, "memory-story", False, _flag("memory_story")),
    Opt(None, "alloc-stacks", False, _flag("alloc_stacks")),
    Opt(None, "flamegraph", True, _set("flamegraph")),
    Opt(None, "top", True, _set("top", _pos("--top count"))),
    # live capture
    Opt("C", "file-size", True, _set("file_size_mb", _pos("file size"))),
    Opt("G", "seconds", True, _set("rotate_seconds", _pos("rotation seconds"))),
    Opt("W", "limit", True, _set("file_limit", _pos("file limit"))),
    Opt("e", "event-limit", True, _set("events_per_file", _pos("event limit"))),
    Opt("U", "suppress-comm", True, _suppress),
    Opt(None, "buffer-size", True, _set("buffer_size", _size)),
    Opt(None, "pid", True, _pids),
    Opt(None, "comm", True, _comms),
    Opt(None, "cgroup", True, _append("cgroups")),
    Opt(None, "container", True, _append("containers")),
    Opt(None, "syscalls", True, _syscalls),
    Opt(None, "cri", True, _append("cri_sockets")),
    Opt(None, "cri-timeout", True, _set("cri_timeout_ms", _pos("--cri-timeout milliseconds"))),
    # sysdig options that sysdive does not have
    Opt("B", "bpf", True, None),
    Opt("H", None, True, None),
    Opt("I", None, True, None),
    Opt("k", None, True, None),
    Opt("K", None, True, None),
    Opt("m", None, True, None),
    Opt("T", None, False, None),
    Opt("u", None, False, None),
)

SHORT = "".join(f"{o.letter}{':' if o.takes_value else ''}" for o in OPTIONS if o.letter)
LONG = [f"{o.long}{'=' if o.takes_value else ''}" for o in OPTIONS if o.long]
_BY_FLAG = {**{f"-{o.letter}": o for o in OPTIONS if o.letter},
            **{f"--{o.long}": o for o in OPTIONS if o.long}}
LIVE_ONLY = ("--pid", "--comm", "--cgroup", "--container", "--syscalls")


def parse_args(argv: list[str]) -> Options:
    """Parse ``argv`` (without the program name) the way sysdig does."""
    argv, chisels, list_chisels = extract_chisels(
        argv, SHORT, {n[:-1] for n in LONG if n.endswith("=")})
    o = Options(chisels=chisels, list_chisels=list_chisels)
    if list_chisels:
        return o
    try:
        pairs, rest = getopt.gnu_getopt(argv, SHORT, LONG)
    except getopt.GetoptError as err:
        raise UsageError(str(err)) from None
    for flag, val in pairs:
        opt = _BY_FLAG[flag]
        if opt.apply is None:
            name = f"-{opt.letter}" if opt.letter else flag
            raise UsageError(f"option {name} is not supported when reading captures")
        opt.apply(o, val)
    o.filter = " ".join(rest)
    return o
