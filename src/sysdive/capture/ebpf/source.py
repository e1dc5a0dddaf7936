"""Identity of the probe's C sources, so a shipped object can be matched with them.

``make bpf`` compiles the probe with ``-DSYSDIVE_SOURCE_HASH="<sha256>"``, which lands in the
object's ``sysdive_meta`` section as ``sysdive-src-sha256:<hex>``. Rebuilding is not
byte-reproducible across compilers, so the tests compare this hash instead of object bytes.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
OBJECT = HERE / "probe.bpf.o"
# Everything that goes into the object; vmlinux.h is generated per machine and left out
# (CO-RE relocations make the object independent of the exact kernel it was built against).
SOURCES = ("probe.bpf.c", "builder.h", "helpers.h", "fill_io.h", "fill_net.h", "fill_proc.h",
           "fill_fs.h", "fill_sys.h", "fill_oom.h", "linux_defs.h", "schema_ids.h", "prefilter.h")
_MARK = re.compile(rb"sysdive-src-sha256:([0-9a-f]{64}|unknown)")


def source_hash(directory: Path = HERE) -> str:
    """SHA-256 over the probe's source files (name, NUL, contents, in a fixed order)."""
    h = hashlib.sha256()
    for name in SOURCES:
        h.update(name.encode() + b"\0")
        h.update((directory / name).read_bytes())
    return h.hexdigest()


def object_hash(path: Path = OBJECT) -> str | None:
    """The source hash recorded in a compiled object, or None if it carries none."""
    found = _MARK.search(path.read_bytes())
    return found.group(1).decode() if found else None


if __name__ == "__main__":
    print(source_hash(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
