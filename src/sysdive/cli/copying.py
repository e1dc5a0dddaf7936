"""``-w``: the events a read keeps, copied into a capture that sysdig 0.29.3 reads.

Each section's header is written when its first event arrives (the reader announces a
section before its header blocks are all read). The container events that lead a section
follow it as they were: sysdig writes its container table there instead, one event per
container, which renumbers the events of a capture that led with two events for one
container.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sysdive.scap.writer import CaptureWriter
from sysdive.state.parse_tables import CONTAINER_EVENTS, F_STATE, SCAP_DF_STATE_ONLY

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.scap.blocks import CaptureHeader

__all__ = ["CaptureCopy"]


class CaptureCopy:
    """The inspector's ``on_section``/``on_dump`` for ``-w PATH``; with ``fatfile`` (-F), the
    state-changing events the filter drops go in as state-only events. It is also the
    inspector's ``raw_dump``: compiled code may append the kept events' blocks itself to
    :meth:`buffer`, after the header."""

    def __init__(self, path: str, compress: bool = False, fatfile: bool = False) -> None:
        self.writer = CaptureWriter(path, compress=compress)
        self.fatfile = fatfile
        self._unwritten: list[CaptureHeader] = []
        self._leading: list[tuple[bytes, int, int]] = []  # (raw v2 event, cpu, flags)

    def on_section(self, hdr: CaptureHeader) -> None:
        self._flush_header()
        self._unwritten.append(hdr)

    def on_dump(self, evt: Event, keep: bool) -> None:
        if self._unwritten:
            if evt.type in CONTAINER_EVENTS:
                self._leading.append((evt.raw(), evt.cpu, evt.dflags))
                return
            self._flush_header()
        if keep:
            self.writer.write_event(evt.raw(), evt.cpu, evt.dflags)
        elif self.fatfile and evt.info.flags & F_STATE:
            self.writer.write_event(evt.raw(), evt.cpu, SCAP_DF_STATE_ONLY)

    def buffer(self) -> bytearray:
        """Where event blocks may be appended now: the pending header is written first."""
        self._flush_header()
        return self.writer.pending_blocks()

    def wrote(self, events: int) -> None:
        """``events`` blocks were appended to :meth:`buffer`."""
        self.writer.added(events)

    def close(self) -> None:
        self._flush_header()
        self.writer.close()

    def _flush_header(self) -> None:
        if self._unwritten:
            w = self.writer
            w.write_header(self._unwritten.pop())
            for raw, cpu, dflags in self._leading:
                w.write_event(raw, cpu, dflags)
            self._leading.clear()
