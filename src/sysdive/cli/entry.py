"""The ``sysdive`` command's entry point: kept free of imports, so that a Ctrl-C while the
rest of sysdive is still being imported ends the command quietly, as it does later on."""

from __future__ import annotations

import gc
import os
import signal


def main() -> int:
    # Ctrl-C and kill -INT stop sysdive whatever it was started with: a shell script's
    # background job inherits SIGINT ignored, which would make an early one vanish while a
    # capture's own handler later honours it (sysdig's handler, too, is unconditional).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # numpy's OpenBLAS starts a thread per core at import, which then spin; sysdive does no
    # linear algebra.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # The thresholds main() sets for reading, already for the imports: they create many
    # objects and no garbage, and the default thresholds rescan them about twenty times.
    gc.set_threshold(100_000, 50, 50)
    try:
        from sysdive.cli.main import main as run
    except KeyboardInterrupt:
        return 130
    code = run()
    # The interpreter's last collection would walk every object still alive (the schema,
    # the field registry, caches: tens of thousands) only to free them: they are freed at
    # exit without it.
    gc.freeze()
    return code
