"""Load and attach the allocation-stack probe (``allocstack.bpf.c``) through the system libbpf.

The probe is separate from the capture probe: it writes raw records (layout in
:mod:`sysdive.memory.records`), not scap events, and only at brk, anonymous mmap, execve and
executable mmap. The same ctypes bindings as :mod:`~sysdive.capture.ebpf.loader` are used.
"""

from __future__ import annotations

import ctypes
import struct
from pathlib import Path

from sysdive.capture.ebpf.loader import (
    _PRINT_FN,
    LiveCaptureError,
    _explain_errno,
    _Lib,
    _rodata_offsets,
)

__all__ = ["ALLOC_OBJECT", "AllocProbe"]

ALLOC_OBJECT = Path(__file__).with_name("allocstack.bpf.o")
_PROGRAMS = ("alloc_enter", "alloc_exit", "alloc_fork")


class AllocProbe:
    """The loaded allocation-stack probe. ``pids`` empty means every process on the host."""

    def __init__(self, self_tgid: int, pids: frozenset[int], ring_bytes: int = 32 << 20,
                 path: Path = ALLOC_OBJECT) -> None:
        if not Path("/sys/kernel/btf/vmlinux").exists():
            raise LiveCaptureError("allocation stacks need a kernel with BTF "
                                   "(/sys/kernel/btf/vmlinux is missing)")
        if not path.exists():
            raise LiveCaptureError(f"the BPF probe {path} is missing; run 'make bpf'")
        if ring_bytes < 4096 or ring_bytes & (ring_bytes - 1):
            raise LiveCaptureError(f"ring buffer size {ring_bytes} is not a power of two")
        self._lib = _Lib()
        lib = self._lib.lib
        lib.bpf_map_update_elem.restype = ctypes.c_int
        lib.bpf_map_update_elem.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                            ctypes.c_uint64]
        self._log: list[str] = []
        self._print_cb = _PRINT_FN(self._on_print)
        lib.libbpf_set_print(self._print_cb)
        self._links: list[int] = []
        self.ncpus = int(lib.libbpf_num_possible_cpus())
        ctypes.set_errno(0)
        obj = lib.bpf_object__open_file(str(path).encode(), None)
        if not obj:
            raise LiveCaptureError(_explain_errno(ctypes.get_errno(), f"cannot open {path}"))
        self._obj: int | None = obj
        try:
            lib.bpf_map__set_max_entries(self._map("ring"), ring_bytes)
            self._set_rodata(path, self_tgid, not pids)
            res = lib.bpf_object__load(obj)
            if res < 0:
                log = "".join(self._log).strip()[-3000:]
                raise LiveCaptureError(
                    _explain_errno(-res, "the kernel refused the allocation-stack probe")
                    + (f"\n...{log}" if log and res != -1 else ""))
            targets = int(lib.bpf_map__fd(self._map("targets")))
            for pid in sorted(pids):
                key, one = ctypes.c_uint32(pid), ctypes.c_uint8(1)
                if lib.bpf_map_update_elem(targets, ctypes.byref(key), ctypes.byref(one), 0):
                    raise LiveCaptureError(f"cannot add pid {pid} to the probe's targets")
            for name in _PROGRAMS:
                prog = lib.bpf_object__find_program_by_name(obj, name.encode())
                ctypes.set_errno(0)
                link = lib.bpf_program__attach(prog) if prog else None
                if not link:
                    raise LiveCaptureError(_explain_errno(
                        ctypes.get_errno() or 2, f"cannot attach the {name} program"))
                self._links.append(link)
            self.ring_fd = int(lib.bpf_map__fd(self._map("ring")))
            self._counters_fd = int(lib.bpf_map__fd(self._map("counters")))
        except BaseException:
            self.close()
            raise

    def _on_print(self, level: int, fmt: bytes, va: int) -> int:
        buf = ctypes.create_string_buffer(4096)
        self._lib.vsnprintf(buf, len(buf), fmt, va)
        self._log.append(buf.value.decode("utf-8", "replace"))
        return 0

    def _map(self, name: str) -> int:
        m = self._lib.lib.bpf_object__find_map_by_name(self._obj, name.encode())
        if not m:
            raise LiveCaptureError(f"the allocation-stack probe has no map {name!r}")
        return int(m)

    def _set_rodata(self, path: Path, self_tgid: int, trace_all: bool) -> None:
        lib = self._lib.lib
        m = lib.bpf_object__next_map(self._obj, None)
        while m and not lib.bpf_map__name(m).endswith(b".rodata"):
            m = lib.bpf_object__next_map(self._obj, m)
        if not m:
            raise LiveCaptureError("the allocation-stack probe has no .rodata map")
        size = ctypes.c_size_t(0)
        base = lib.bpf_map__initial_value(m, ctypes.byref(size))
        view = (ctypes.c_char * size.value).from_address(base)
        off = _rodata_offsets(path)
        struct.pack_into("<I", view, off["self_tgid"], self_tgid)
        struct.pack_into("<I", view, off["trace_all"], int(trace_all))

    def counters(self) -> tuple[int, int]:
        """(records lost because the ring was full, stacks that could not be copied)."""
        out = []
        for which in (0, 1):
            buf = (ctypes.c_uint64 * self.ncpus)()
            key = ctypes.c_uint32(which)
            if self._lib.lib.bpf_map_lookup_elem(self._counters_fd, ctypes.byref(key), buf):
                raise LiveCaptureError("cannot read the allocation-stack probe's counters")
            out.append(sum(buf))
        return out[0], out[1]

    def detach(self) -> None:
        """Stop new records; the ring stays readable."""
        for link in self._links:
            self._lib.lib.bpf_link__destroy(link)
        self._links.clear()

    def close(self) -> None:
        """Detach and free everything; safe to call twice."""
        self.detach()
        if self._obj:
            self._lib.lib.bpf_object__close(self._obj)
            self._obj = None

    def __enter__(self) -> AllocProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
