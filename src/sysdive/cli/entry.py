"""The ``sysdive`` command's entry point: kept free of imports, so that a Ctrl-C while the
rest of sysdive is still being imported ends the command quietly, as it does later on."""

from __future__ import annotations

import gc


def main() -> int:
    # The thresholds main() sets for reading, already for the imports: they create many
    # objects and no garbage, and the default thresholds rescan them about twenty times.
    gc.set_threshold(100_000, 50, 50)
    try:
        from sysdive.cli.main import main as run
    except KeyboardInterrupt:
        return 130
    return run()
