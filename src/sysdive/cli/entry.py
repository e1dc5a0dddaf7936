"""The ``sysdive`` command's entry point: kept free of imports, so that a Ctrl-C while the
rest of sysdive is still being imported ends the command quietly, as it does later on."""

from __future__ import annotations


def main() -> int:
    try:
        from sysdive.cli.main import main as run
    except KeyboardInterrupt:
        return 130
    return run()
