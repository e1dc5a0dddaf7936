"""Live capture with eBPF: the probe (C, shipped compiled), its loader and the ring reader.

* ``probe.bpf.c`` (+ ``builder.h``, ``helpers.h``, ``fill_*.h``): the kernel side, emitting
  scap event blocks of the sysdig 0.29.3 event table; ``schema_ids.h`` is generated from
  :mod:`sysdive.schema` by :mod:`~sysdive.capture.ebpf.gen_header`; ``make bpf`` rebuilds
  ``probe.bpf.o``, and :mod:`~sysdive.capture.ebpf.source` ties the object to its sources.
* :mod:`~sysdive.capture.ebpf.loader`: ctypes over the system libbpf.
* :mod:`~sysdive.capture.ebpf.cpubuf`: the per-CPU event buffers, mapped and merged in bulk.

:mod:`sysdive.capture.live` puts them together.
"""

from sysdive.capture.ebpf.loader import LiveCaptureError

__all__ = ["LiveCaptureError"]
