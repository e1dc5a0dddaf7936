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
    BpfObject,
    LiveCaptureError,
    _explain_errno,
    _rodata_offsets,
)

__all__ = ["ALLOC_OBJECT", "AllocProbe"]

ALLOC_OBJECT = Path(__file__).with_name("allocstack.bpf.o")
_PROGRAMS = ("alloc_enter", "alloc_exit", "alloc_fork")


class AllocProbe(BpfObject):
    """The loaded allocation-stack probe. ``pids`` empty means every process on the host."""

    what = "the allocation-stack probe"

    def __init__(self, self_tgid: int, pids: frozenset[int], ring_bytes: int = 32 << 20,
                 path: Path = ALLOC_OBJECT) -> None:
        if not Path("/sys/kernel/btf/vmlinux").exists():
            raise LiveCaptureError("allocation stacks need a kernel with BTF "
                                   "(/sys/kernel/btf/vmlinux is missing)")
        if not path.exists():
            raise LiveCaptureError(f"the BPF probe {path} is missing; run 'make bpf'")
        if ring_bytes < 4096 or ring_bytes & (ring_bytes - 1):
            raise LiveCaptureError(f"ring buffer size {ring_bytes} is not a power of two")
        super().__init__(path)
        lib = self._lib.lib
        lib.bpf_map_update_elem.restype = ctypes.c_int
        lib.bpf_map_update_elem.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                            ctypes.c_uint64]
        self.ncpus = int(lib.libbpf_num_possible_cpus())
        try:
            lib.bpf_map__set_max_entries(self._map("ring"), ring_bytes)
            view = self._rodata()
            off = _rodata_offsets(path)
            struct.pack_into("<I", view, off["self_tgid"], self_tgid)
            struct.pack_into("<I", view, off["trace_all"], int(not pids))
            res = lib.bpf_object__load(self._obj)
            if res < 0:
                log = "".join(self._log).strip()[-3000:]
                raise LiveCaptureError(
                    _explain_errno(-res, "the kernel refused the allocation-stack probe")
                    + (f"\n...{log}" if log and res != -1 else ""))
            targets = self._map_fd("targets")
            for pid in sorted(pids):
                key, one = ctypes.c_uint32(pid), ctypes.c_uint8(1)
                if lib.bpf_map_update_elem(targets, ctypes.byref(key), ctypes.byref(one), 0):
                    raise LiveCaptureError(f"cannot add pid {pid} to the probe's targets")
            self.attach(_PROGRAMS)
            self.ring_fd = self._map_fd("ring")
            self._counters_fd = self._map_fd("counters")
        except BaseException:
            self.close()
            raise

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
