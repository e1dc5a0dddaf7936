"""Load, configure and attach the probe through the system libbpf (``libbpf.so.1``) with ctypes.

The sequence is libbpf's own: open the object, set map sizes and the ``.rodata`` settings,
load (the kernel verifies every program), attach the three dispatchers (the per-syscall
fillers are reached by tail calls and need no attachment), and later detach and close.
Everything a user can get wrong here (not root, no BTF, no libbpf, verifier rejection) raises
:class:`LiveCaptureError` with one sentence saying what is missing; the verifier log, which
libbpf prints through its print callback, is kept and attached to load failures.

libbpf 1.1 is the oldest version this was written against (Debian 12); its ABI for the calls
used here is unchanged in later 1.x releases.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from sysdive.capture.ebpf.source import OBJECT
from sysdive.errors import CaptureError

__all__ = ["BpfObject", "LiveCaptureError", "Probe", "ProbeSettings", "ProbeStats"]

_BTF_PATH = Path("/sys/kernel/btf/vmlinux")
SYSCALL_TABLE_SIZE = 512  # mirrors probe.bpf.c
CHUNK_BYTES = 1 << 21  # CHUNK_START of probe.bpf.c: what one chunk holds
CHUNK_STRIDE = CHUNK_BYTES + (1 << 17) + 4096  # CHUNK_SIZE: the element, with its slack
MAX_CHUNKS = 64
MAX_SUPPRESS = 8  # mirrors probe.bpf.c
MAX_COMMS = 8  # mirrors prefilter.h
MAX_CGROUPS = 8  # mirrors prefilter.h
# Programs attached directly; every other program is a tail-call target. The fork program
# goes first so that a selected process's children are followed from before the /proc walk
# that adds the ones already running (Probe's `follow`).
_FORK = "sched_process_fork"
_DISPATCHERS = ("sys_enter", "sys_exit", "sched_process_exit", "mark_victim")
_STATS = struct.Struct("<4Q")  # struct stats in probe.bpf.c


class LiveCaptureError(CaptureError):
    """Live capture cannot start or continue (privileges, kernel support, libbpf, verifier)."""


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """What the probe is told at load time (all of it ends up in its ``.rodata``)."""

    self_tgid: int
    boot_to_epoch_ns: int
    sc_ppm: Mapping[int, int]
    snaplen: int = 80
    filter_tgid: int = 0
    nchunks: int = 16  # per-CPU buffer chunks of CHUNK_BYTES each (a power of two, 2..64)
    suppress_comms: tuple[str, ...] = ()  # threads with these comms are not traced (-U)
    # in-kernel pre-filters (prefilter.h); see sysdive.capture.prefilter for their meaning
    select_procs: bool = False        # only the processes in select_tgids / select_comms
    select_tgids: tuple[int, ...] = ()
    select_comms: tuple[str, ...] = ()
    cgroup_ssid: int = -1             # the v1 hierarchy of cgroup_ids (-1: cgroup v2)
    cgroup_ids: tuple[int, ...] = ()  # kernfs ids (directory inodes); empty: no filter
    syscalls: frozenset[int] | None = None  # native syscall numbers traced; None: all


@dataclass(frozen=True, slots=True)
class ProbeStats:
    """The probe's counters summed over CPUs; ``per_cpu`` keeps each CPU's
    (suppressed, copy_fail, truncated, bad_size). Delivered and dropped events are counted
    in the event buffers' control blocks (cpubuf.py)."""

    suppressed: int
    copy_fail: int
    truncated: int
    bad_size: int
    per_cpu: tuple[tuple[int, int, int, int], ...]


_PRINT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)


class _Lib:
    """The libbpf entry points used, with their C signatures."""

    def __init__(self) -> None:
        # The soname pins the ABI (1.x); find_library only helps where it lives elsewhere.
        lib = None
        for name in ("libbpf.so.1", ctypes.util.find_library("bpf")):
            try:
                lib = ctypes.CDLL(name, use_errno=True) if name else None
            except OSError:
                continue
            if lib is not None:
                break
        if lib is None:
            raise LiveCaptureError(
                "live capture needs libbpf 1.x (libbpf.so.1; Debian/Ubuntu: apt-get install "
                "libbpf1)")
        vp, cp, i, u = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint32
        sigs: dict[str, tuple[object, list[object]]] = {
            "libbpf_set_print": (vp, [_PRINT_FN]),
            "bpf_object__open_file": (vp, [cp, vp]),
            "bpf_object__load": (i, [vp]),
            "bpf_object__close": (None, [vp]),
            "bpf_object__find_map_by_name": (vp, [vp, cp]),
            "bpf_object__find_program_by_name": (vp, [vp, cp]),
            "bpf_object__next_map": (vp, [vp, vp]),
            "bpf_map__name": (cp, [vp]),
            "bpf_map__fd": (i, [vp]),
            "bpf_map__set_max_entries": (i, [vp, u]),
            "bpf_map__initial_value": (vp, [vp, ctypes.POINTER(ctypes.c_size_t)]),
            "bpf_program__attach": (vp, [vp]),
            "bpf_link__destroy": (i, [vp]),
            "bpf_map_lookup_elem": (i, [i, vp, vp]),
            "bpf_map_update_elem": (i, [i, vp, vp, ctypes.c_uint64]),
            "libbpf_num_possible_cpus": (i, []),
        }
        for fname, (res, args) in sigs.items():
            fn = getattr(lib, fname)
            fn.restype = res
            fn.argtypes = args
        self.lib = lib
        libc = ctypes.CDLL(None)
        self.vsnprintf = libc.vsnprintf
        self.vsnprintf.restype = ctypes.c_int
        self.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                   ctypes.c_void_p]


def _rodata_offsets(path: Path) -> dict[str, int]:
    """Offsets of the ``.rodata`` variables, from the object's ELF symbol table.

    libbpf 1.1 has no API for variable offsets (skeletons compute them at build time), and the
    symbol table is the simplest place that records them.
    """
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise LiveCaptureError(f"{path} is not a 64-bit ELF object")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + k * shentsize)
                for k in range(shnum)]

    def name_at(table: int, off: int) -> str:
        start = sections[table][4] + off
        return data[start:data.index(b"\0", start)].decode()

    names = [name_at(shstrndx, s[0]) for s in sections]
    rodata = names.index(".rodata")
    symtab = names.index(".symtab")
    sym_off, sym_size, strtab, entsize = (sections[symtab][4], sections[symtab][5],
                                          sections[symtab][6], sections[symtab][9])
    out: dict[str, int] = {}
    for k in range(sym_size // entsize):
        st_name, _info, _other, shndx, value, _size = struct.unpack_from(
            "<IBBHQQ", data, sym_off + k * entsize)
        if shndx == rodata and st_name:
            out[name_at(strtab, st_name)] = value
    return out


def _explain_errno(err: int, what: str) -> str:
    if err == 1:  # EPERM (EACCES from a load means the verifier said no, see _load_failure)
        return (f"{what}: operation not permitted; live capture needs root (or CAP_BPF and "
                "CAP_PERFMON)")
    if err == 22:
        return f"{what}: invalid argument (kernel too old for tp_btf programs?)"
    return f"{what}: {os.strerror(err)}"


class BpfObject:
    """A BPF object opened through libbpf: its maps, its attached programs and what libbpf
    printed. Use as a context manager or call :meth:`close`; closing detaches every program.

    Subclasses name the object in messages (:attr:`what`), configure it, load it and
    :meth:`attach` their programs inside a ``try`` that closes on failure."""

    what = "the BPF probe"

    def __init__(self, path: Path) -> None:
        self._lib = _Lib()
        self._log: list[str] = []
        self._print_cb = _PRINT_FN(self._on_print)  # keep a reference for libbpf's lifetime
        self._lib.lib.libbpf_set_print(self._print_cb)
        self._obj: int | None = None
        self._links: list[int] = []
        self._path = path
        ctypes.set_errno(0)
        obj = self._lib.lib.bpf_object__open_file(str(path).encode(), None)
        if not obj:
            raise LiveCaptureError(_explain_errno(ctypes.get_errno(), f"cannot open {path}"))
        self._obj = obj

    def _on_print(self, level: int, fmt: bytes, va: int) -> int:
        # The verifier log arrives as one message of up to megabytes. Measure it first on a
        # copy of the va_list: on x86-64 a va_list is a pointer to a 24-byte record, and
        # copying the record is exactly what va_copy does.
        saved = ctypes.create_string_buffer(24)
        ctypes.memmove(saved, va, 24)
        need = self._lib.vsnprintf(None, 0, fmt, ctypes.addressof(saved))
        buf = ctypes.create_string_buffer(max(need, 0) + 1)
        self._lib.vsnprintf(buf, len(buf), fmt, va)
        self._log.append(buf.value.decode("utf-8", "replace"))
        return 0

    def _map(self, name: str) -> int:
        m = self._lib.lib.bpf_object__find_map_by_name(self._obj, name.encode())
        if not m:
            raise LiveCaptureError(f"{self.what} has no map {name!r} (stale {self._path.name}?)")
        return int(m)

    def _map_fd(self, name: str) -> int:
        return int(self._lib.lib.bpf_map__fd(self._map(name)))

    def _rodata(self) -> ctypes.Array[ctypes.c_char]:
        """The ``.rodata`` settings as writable bytes (before the object is loaded)."""
        lib = self._lib.lib
        m = lib.bpf_object__next_map(self._obj, None)
        while m and not lib.bpf_map__name(m).endswith(b".rodata"):
            m = lib.bpf_object__next_map(self._obj, m)
        if not m:
            raise LiveCaptureError(f"{self.what} has no .rodata map")
        size = ctypes.c_size_t(0)
        base = lib.bpf_map__initial_value(m, ctypes.byref(size))
        if not base:
            raise LiveCaptureError(f"cannot reach the .rodata settings of {self.what}")
        return (ctypes.c_char * size.value).from_address(base)

    def attach(self, names: tuple[str, ...]) -> None:
        """Attach the named programs (each where its section says)."""
        lib = self._lib.lib
        for name in names:
            prog = lib.bpf_object__find_program_by_name(self._obj, name.encode())
            ctypes.set_errno(0)
            link = lib.bpf_program__attach(prog) if prog else None
            if not link:
                raise LiveCaptureError(_explain_errno(
                    ctypes.get_errno() or 2, f"cannot attach the {name} program"))
            self._links.append(link)

    @property
    def log(self) -> str:
        """Everything libbpf printed (warnings, the verifier log on failure)."""
        return "".join(self._log)

    def detach(self) -> None:
        """Stop new events; the maps (and what is in the rings) stay readable."""
        for link in self._links:
            self._lib.lib.bpf_link__destroy(link)
        self._links.clear()

    def close(self) -> None:
        """Detach and free everything; safe to call twice."""
        self.detach()
        if self._obj:
            self._lib.lib.bpf_object__close(self._obj)
            self._obj = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Probe(BpfObject):
    """The loaded capture probe: its maps and attached programs."""

    def __init__(self, settings: ProbeSettings, path: Path = OBJECT,
                 follow: Callable[[], Iterable[int]] | None = None,
                 before_attach: Callable[[], None] | None = None,
                 below_suppressed: Callable[[], Iterable[int]] | None = None) -> None:
        """Load and attach. With ``settings.select_procs``, ``follow`` is called once the
        fork program runs and returns the tgids of processes to add to the selection (the
        running descendants of the selected ones); with ``settings.suppress_comms``,
        ``below_suppressed`` returns the tids below the suppressed processes then.
        ``before_attach`` runs just before the programs that make events are attached."""
        if not _BTF_PATH.exists():
            raise LiveCaptureError(
                "live capture needs a kernel with BTF (CONFIG_DEBUG_INFO_BTF, "
                "/sys/kernel/btf/vmlinux is missing)")
        if not path.exists():
            raise LiveCaptureError(f"the BPF probe {path} is missing; run 'make bpf'")
        super().__init__(path)
        lib = self._lib.lib
        try:
            self.ncpus = lib.libbpf_num_possible_cpus()
            self._configure(settings, path)
            res = lib.bpf_object__load(self._obj)
            if res < 0:
                raise LiveCaptureError(self._load_failure(-res))
            self.select(settings.select_tgids)
            if settings.select_procs or settings.suppress_comms:
                self.attach((_FORK,))
            if settings.select_procs and follow is not None:
                # twice: a process started during the first walk by one that was not yet
                # selected is found by the second
                self.select(follow())
                self.select(follow())
            if settings.suppress_comms and below_suppressed is not None:
                self._mark("suppressed", below_suppressed(), "suppress")
                self._mark("suppressed", below_suppressed(), "suppress")
            if before_attach is not None:
                before_attach()
            self.attach(_DISPATCHERS)
            self.chunks_fd = self._map_fd("chunks")
            self.ctl_fd = self._map_fd("ctl")
            self.nchunks = settings.nchunks
            self._counters_fd = self._map_fd("counters")
        except BaseException:
            self.close()
            raise

    def _configure(self, s: ProbeSettings, path: Path) -> None:
        lib = self._lib.lib
        n = s.nchunks
        if not 2 <= n <= MAX_CHUNKS or n & (n - 1):
            raise LiveCaptureError(f"{n} buffer chunks per CPU: not a power of two in 2..64")
        lib.bpf_map__set_max_entries(self._map("chunks"), self.ncpus * n)
        lib.bpf_map__set_max_entries(self._map("ctl"), self.ncpus)
        view = self._rodata()
        off = _rodata_offsets(path)
        struct.pack_into("<I", view, off["self_tgid"], s.self_tgid)
        struct.pack_into("<I", view, off["filter_tgid"], s.filter_tgid)
        struct.pack_into("<I", view, off["snaplen"], s.snaplen)
        struct.pack_into("<I", view, off["nchunks"], n)
        if len(s.suppress_comms) > MAX_SUPPRESS:
            raise LiveCaptureError(f"at most {MAX_SUPPRESS} -U process names")
        struct.pack_into("<I", view, off["n_suppress"], len(s.suppress_comms))
        for k, comm in enumerate(s.suppress_comms):
            raw = comm.encode()[:15]
            struct.pack_into("16s", view, off["suppress_comm"] + 16 * k, raw)
        struct.pack_into("<Q", view, off["boot_to_epoch_ns"], s.boot_to_epoch_ns)
        self._configure_prefilters(s, view, off)
        for nr, sc in s.sc_ppm.items():
            if 0 <= nr < SYSCALL_TABLE_SIZE:
                struct.pack_into("<H", view, off["sc_ppm"] + 2 * nr, sc)

    @staticmethod
    def _configure_prefilters(s: ProbeSettings, view: ctypes.Array[ctypes.c_char],
                              off: dict[str, int]) -> None:
        if len(s.select_comms) > MAX_COMMS:
            raise LiveCaptureError(f"at most {MAX_COMMS} --comm process names")
        if len(s.cgroup_ids) > MAX_CGROUPS:
            raise LiveCaptureError(f"at most {MAX_CGROUPS} cgroups (--cgroup, --container)")
        struct.pack_into("<I", view, off["select_procs"], int(s.select_procs))
        struct.pack_into("<I", view, off["n_select_comm"], len(s.select_comms))
        for k, comm in enumerate(s.select_comms):
            struct.pack_into("16s", view, off["select_comm"] + 16 * k, comm.encode()[:15])
        struct.pack_into("<I", view, off["n_cgroups"], len(s.cgroup_ids))
        struct.pack_into("<i", view, off["cgroup_ssid"], s.cgroup_ssid)
        for k, cg in enumerate(s.cgroup_ids):
            struct.pack_into("<Q", view, off["cgroup_ids"] + 8 * k, cg)
        if s.syscalls is not None:
            struct.pack_into("<I", view, off["sc_filter"], 1)
            bits = bytearray(SYSCALL_TABLE_SIZE // 8)
            for nr in s.syscalls:
                if 0 <= nr < SYSCALL_TABLE_SIZE:
                    bits[nr >> 3] |= 1 << (nr & 7)
            struct.pack_into(f"{len(bits)}s", view, off["sc_wanted"], bytes(bits))

    def select(self, tgids: Iterable[int]) -> None:
        """Add processes to the --pid/--comm selection (the probe follows their children)."""
        self._mark("selected", tgids, "select process")

    def _mark(self, name: str, ids: Iterable[int], what: str) -> None:
        """Set ``ids`` (u32 keys) in the probe's map ``name``."""
        fd = self._map_fd(name)
        one = ctypes.c_uint8(1)
        for i in ids:
            key = ctypes.c_uint32(i)
            if self._lib.lib.bpf_map_update_elem(fd, ctypes.byref(key), ctypes.byref(one),
                                                 0) != 0:
                raise LiveCaptureError(f"cannot {what} {i} in the probe "
                                       f"({os.strerror(ctypes.get_errno())})")

    def _load_failure(self, err: int) -> str:
        if err in (13, 7):  # EACCES, E2BIG: the verifier rejected a program
            head = "the kernel's BPF verifier rejected the probe"
        else:
            head = _explain_errno(err, "the kernel refused to load the BPF probe")
        # The end of the verifier log says why (the last instruction, "processed N insns").
        log = "".join(self._log).strip()[-4000:]
        return f"{head}\n...{log}" if log and err != 1 else head

    def stats(self) -> ProbeStats:
        """Read the per-CPU counters now."""
        buf = ctypes.create_string_buffer(_STATS.size * self.ncpus)
        key = ctypes.c_uint32(0)
        if self._lib.lib.bpf_map_lookup_elem(self._counters_fd, ctypes.byref(key), buf) != 0:
            raise LiveCaptureError("cannot read the probe's counters")
        per_cpu = tuple(_STATS.unpack_from(buf, k * _STATS.size) for k in range(self.ncpus))
        sums = [sum(c[i] for c in per_cpu) for i in range(4)]
        return ProbeStats(sums[0], sums[1], sums[2], sums[3], per_cpu)
