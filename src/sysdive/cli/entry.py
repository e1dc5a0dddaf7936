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
    interrupted: list[bool] = []

    def on_interrupt(signum: int, frame: object) -> None:
        interrupted.append(True)
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, on_interrupt)
    # numpy's OpenBLAS starts a thread per core at import, which then spin; sysdive does no
    # linear algebra.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # The thresholds main() sets for reading, already for the imports: they create many
    # objects and no garbage, and the default thresholds rescan them about twenty times.
    gc.set_threshold(100_000, 50, 50)
    try:
        from sysdive.cli.main import main as run
        code = run()
    except KeyboardInterrupt:
        return 130
    except Exception:
        # An import the Ctrl-C broke: C code that imports a module on its way in (numpy's
        # PyCapsule_Import of datetime) turns the KeyboardInterrupt into an ImportError.
        if interrupted:
            return 130
        raise
    # The interpreter's last collection would walk every object still alive (the schema,
    # the field registry, caches: tens of thousands) only to free them: they are freed at
    # exit without it.
    gc.freeze()
    return code
