"""EventRows: events of one type handed on together, as columns, without building Events.

The inspector's batch loop (:mod:`sysdive.fastloop`) hands a bulk sink the events of a type
that passes the capture filter and changes no state (``procinfo``) as one :class:`EventRows`
per stretch of the capture in which no other event is parsed. Within such a stretch the
thread table and the container table do not change, so every event of one thread sees the
same thread and whatever a field reads from it (a *thread-determined* field,
:func:`~sysdive.fields.registry.thread_determined`) is the same for all of them: a sink
evaluates those once per thread, on :meth:`EventRows.event` of the thread's first row, and
reads what differs per event (the params) as columns, e.g. a field's
:attr:`~sysdive.fields.registry.BoundField.column`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sysdive.event import Event
from sysdive.schema.events import EVENTS
from sysdive.schema.types import Category

if TYPE_CHECKING:
    from sysdive.state.threads import ThreadInfo

__all__ = ["EventRows"]


@dataclass(frozen=True, slots=True)
class EventRows:
    """Events of type ``etype``, in capture order, all in ``buf``.

    The arrays (numpy, one element per event) are the header columns of
    :meth:`~sysdive.scap.scan.Columns.fields` plus ``num``, the event numbers. ``threads``
    holds the thread of each distinct tid (None where the table has none), in order of
    first appearance; ``thread_index[i]`` is the position in ``threads`` of event ``i``'s
    thread and ``first[j]`` the first event of thread ``j``. Tids are below 2**63.
    """

    etype: int
    buf: bytes
    num: Any
    ts: Any
    tid: Any
    cpu: Any
    dflags: Any
    hdr: Any
    end: Any
    npar: Any
    threads: list[ThreadInfo | None]
    thread_index: Any
    first: Any

    def __len__(self) -> int:
        return len(self.ts)

    def subset(self, keep: Any) -> EventRows:
        """The events where ``keep`` (a boolean array) is true, with only their threads."""
        idx = np.flatnonzero(keep)
        ti = self.thread_index[idx]
        used, first_pos, inv = np.unique(ti, return_index=True, return_inverse=True)
        # np.unique sorts by thread index, which is already the order of first appearance.
        return EventRows(self.etype, self.buf, self.num[idx], self.ts[idx], self.tid[idx],
                         self.cpu[idx], self.dflags[idx], self.hdr[idx], self.end[idx],
                         self.npar[idx], [self.threads[j] for j in used.tolist()],
                         inv.reshape(-1), first_pos)

    def thread_events(self, with_missing: bool = False) -> Iterator[tuple[int, Event]]:
        """``(j, evt)`` for each thread ``j`` that is in the table (each thread, with
        ``with_missing``): an Event of this type as a thread-determined field sees it (made
        from the first row; the *same* object each time, only its thread and tid changed, so
        read it before the next)."""
        evt: Event | None = None
        tids = self.tid[self.first].tolist()
        for j, t in enumerate(self.threads):
            if t is None and not with_missing:
                continue
            if evt is None:
                evt = self.event(0)
            evt.thread = t
            evt.tid = tids[j]
            yield j, evt

    def event(self, i: int) -> Event:
        """Event ``i`` with its thread attached, as the parser hands it on (the thread's
        pairing bookkeeping, which later rows may have moved on, is not copied in)."""
        evt = Event(int(self.num[i]), self.etype, int(self.ts[i]), int(self.tid[i]),
                    int(self.cpu[i]), int(self.dflags[i]), self.buf, int(self.hdr[i]),
                    int(self.end[i]), int(self.npar[i]))
        evt.thread = self.threads[int(self.thread_index[i])]
        if EVENTS[self.etype].category & Category.INTERNAL:
            evt.latency = None
        return evt
