"""Thread lookups shared by the process, user, group, container and fd fields.

They follow libsinsp's ``sinsp_threadinfo`` helpers: the event's thread (or a lookup that
never creates one), the main thread of its process, the parent, and the parent walk with its
loop detection (``traverse_parent_state``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.state.tables import State
    from sysdive.state.threads import ThreadInfo

__all__ = ["ancestors", "is_main", "main_of", "thread_of"]

# PPM_CL_IS_MAIN_THREAD (ppm_events_public.h): set on main threads whose tid != pid.
CL_IS_MAIN_THREAD = 1 << 30


def thread_of(evt: Event, state: State) -> ThreadInfo | None:
    """The event's thread: the one the parser attached, else a lookup (never a creation)."""
    t = evt.thread
    if t is None:
        t = state.threads.get(evt.tid)
    return t


def is_main(thread: ThreadInfo) -> bool:
    """Whether ``thread`` leads its process."""
    return thread.tid == thread.pid or bool(thread.flags & CL_IS_MAIN_THREAD)


def main_of(thread: ThreadInfo, state: State) -> ThreadInfo | None:
    """The main thread of ``thread``'s process (``thread`` itself for a main thread)."""
    if is_main(thread):
        return thread
    return state.threads.get(thread.pid)


def ancestors(thread: ThreadInfo, state: State) -> Iterator[ThreadInfo]:
    """The parent, grandparent... of ``thread`` (not ``thread`` itself), oldest last.

    Stops at an unknown parent or tid -1, and at a loop in the parent links, detected the
    way libsinsp does it (a fast pointer running two steps per step).
    """
    threads = state.threads
    slow = threads.get(thread.ptid)
    fast = threads.get(slow.ptid) if slow is not None else None
    while slow is not None and slow.tid != -1:
        yield slow
        slow = threads.get(slow.ptid)
        for _ in range(2):
            fast = threads.get(fast.ptid) if fast is not None else None
            if slow is not None and (slow is fast or slow.tid == slow.ptid):
                return
