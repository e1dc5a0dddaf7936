"""Command-line parsing: sysdig 0.29.3's options, permuted like GNU getopt.

Only parsing lives here; :mod:`sysdive.cli.main` wires the parsed options together.
"""

from __future__ import annotations

import getopt
import re
from dataclasses import dataclass, field

from sysdive.cli.chisel_args import ChiselSpec, extract_chisels
from sysdive.errors import UsageError

SHORT = "AbB:c:C:dDEe:FG:hH:I:i:jk:K:lLm:M:n:Pp:qRr:Ss:t:TU:uvW:w:xXz"
LONG = [
    "print-ascii", "print-base64", "bpf=", "chisel=", "list-chisels", "displayflt", "debug",
    "exclude-users", "event-limit=", "fatfile", "filter-proclist", "seconds=", "help",
    "chisel-info=", "file-size=", "json", "list", "list-events", "list-markdown",
    "libs-version", "numevents=", "progress", "print=", "quiet", "resolve-ports",
    "readfile=", "snaplen=", "summary", "suppress-comm=", "timetype=", "unbuffered",
    "verbose", "version", "writefile=", "limit=", "print-hex", "print-hex-ascii", "compress",
    "alloc-stacks", "flamegraph=", "top=", "buffer-size=", "memory-story", "cri=",
    "cri-timeout=",
]
_LONG_TO_SHORT = {
    "print-ascii": "-A", "print-base64": "-b", "bpf": "-B", "chisel": "-c", "displayflt": "-d",
    "debug": "-D", "exclude-users": "-E", "event-limit": "-e", "fatfile": "-F", "seconds": "-G",
    "help": "-h", "chisel-info": "-i", "file-size": "-C", "json": "-j", "list": "-l",
    "list-events": "-L", "numevents": "-n", "progress": "-P", "print": "-p", "quiet": "-q",
    "resolve-ports": "-R", "readfile": "-r", "snaplen": "-s", "summary": "-S",
    "suppress-comm": "-U", "timetype": "-t", "verbose": "-v", "writefile": "-w", "limit": "-W",
    "print-hex": "-x", "print-hex-ascii": "-X", "compress": "-z",
}


@dataclass(slots=True)
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
    cri_sockets: list[str] = field(default_factory=list)     # --cri: CRI socket paths
    cri_timeout_ms: int | None = None     # --cri-timeout: per CRI call


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
    for opt, val in pairs:
        if opt.startswith("--"):
            name = opt[2:]
            if name == "version":
                o.show_version = True
                continue
            if name == "libs-version":
                o.show_libs_version = True
                continue
            if name == "list-markdown":
                o.list_fields = o.list_fields_markdown = True
                continue
            if name == "unbuffered":
                o.unbuffered = True
                continue
            if name == "filter-proclist":
                continue
            if name == "alloc-stacks":
                o.alloc_stacks = True
                continue
            if name == "memory-story":
                o.memory_story = True
                continue
            if name == "flamegraph":
                o.flamegraph = val
                continue
            if name == "top":
                o.top = _positive(val, "--top count")
                continue
            if name == "buffer-size":
                o.buffer_size = _size(val)
                continue
            if name == "cri":
                o.cri_sockets.append(val)
                continue
            if name == "cri-timeout":
                o.cri_timeout_ms = _positive(val, "--cri-timeout milliseconds")
                continue
            opt = _LONG_TO_SHORT[name]
        _apply(o, opt[1], val)
    o.filter = " ".join(rest)
    return o


def _apply(o: Options, letter: str, val: str) -> None:
    buffer_modes = {"A": "ascii", "b": "base64", "x": "hex", "X": "hexascii"}
    if letter in buffer_modes:
        if o.buffer_mode != "normal":
            raise UsageError("you cannot specify more than one output format")
        o.buffer_mode = buffer_modes[letter]
    elif letter == "r":
        o.read_files.append(val)
    elif letter == "w":
        o.write_file = val
        o.quiet = True
    elif letter == "z":
        o.compress = True
    elif letter == "p":
        if val == "p":
            o.print_default_format = True
        elif val in ("c", "container", "k", "kubernetes", "m", "mesos"):
            from sysdive.format.formatter import PRESETS
            o.output_format = PRESETS[val]
            o.container_preset = True
        else:
            o.output_format = val
    elif letter == "j":
        o.json = True
    elif letter == "q":
        o.quiet = True
    elif letter == "v":
        o.verbose = True
    elif letter == "S":
        o.summary = True
        o.summary_copies += 1
    elif letter == "D":
        o.debug = True
    elif letter == "d":
        o.display_filter = True
    elif letter == "P":
        o.progress = True
    elif letter == "n":
        o.count = _positive(val, "event count")
    elif letter == "M":
        o.duration_s = _positive(val, "duration")
    elif letter == "s":
        # sysdig reads it with atoi(): leading digits count, anything else is 0, no error.
        m = re.match(r"\s*([+-]?\d+)", val)
        o.snaplen = int(m.group(1)) if m else 0
    elif letter == "t":
        if val not in ("h", "a", "r", "d", "D"):
            raise UsageError("invalid modifier for flag -t (use h, a, r, d or D)")
        o.time_format = val
    elif letter == "l":
        o.list_fields = True
    elif letter == "L":
        o.list_events = True
    elif letter == "h":
        o.help = True
    elif letter == "F":
        o.fatfile = True
    elif letter == "E":
        o.exclude_users = True
    elif letter == "R":
        o.resolve_ports = True
    elif letter == "c":
        pass  # taken with its arguments by extract_chisels
    elif letter == "i":
        o.chisel_info = val
    elif letter == "C":
        o.file_size_mb = _positive(val, "file size")
    elif letter == "G":
        o.rotate_seconds = _positive(val, "rotation seconds")
    elif letter == "W":
        o.file_limit = _positive(val, "file limit")
    elif letter == "e":
        o.events_per_file = _positive(val, "event limit")
    elif letter == "U":
        if len(val.encode()) > 15:
            raise UsageError(f"-U {val!r}: a process name (comm) has at most 15 bytes")
        o.suppress_comms.append(val)
    else:
        raise UsageError(f"option -{letter} is not supported when reading captures")
