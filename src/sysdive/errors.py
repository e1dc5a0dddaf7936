"""The one exception tree of sysdive.

::

    SysdiveError                 root; the CLI prints ``str(err)`` once and exits non-zero
    ├── CaptureError             a capture file cannot be opened or read
    │   ├── CorruptCaptureError  damaged framing/contents; carries the byte offset
    │   └── LiveCaptureError     live capture cannot start (no root, BTF, libbpf, probe);
    │                            defined in sysdive.capture.ebpf.loader
    ├── FilterError              a filter does not parse or names an unknown field
    ├── FormatError              a -p format is invalid (unknown field, dangling ``%``)
    ├── UsageError               command-line arguments that do not fit together
    └── ChiselError              a chisel failed to load or raised

Library code raises these (translating lower-level errors with ``raise ... from``) and never
prints or exits; only :mod:`sysdive.cli` reports them.
"""

from __future__ import annotations


class SysdiveError(Exception):
    """Root of every error sysdive reports to a user."""

    exit_code = 1


class CaptureError(SysdiveError):
    """A capture cannot be opened or read."""


class CorruptCaptureError(CaptureError):
    """The capture is damaged at ``offset`` (bytes from the start of the uncompressed stream)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at byte offset {offset}")
        self.offset = offset


class FilterError(SysdiveError):
    """A filter expression is invalid; the message names the token and its column."""


class FormatError(SysdiveError):
    """A ``-p`` output format is invalid."""


class UsageError(SysdiveError):
    """Command-line arguments that cannot be honoured."""

    exit_code = 1


class ChiselError(SysdiveError):
    """A chisel could not be loaded, or raised while running."""
