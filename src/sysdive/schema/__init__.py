"""The declarative schema every other layer derives from (sysdig 0.29.3 / libs e5c53d64).

* :mod:`~sysdive.schema.types` - the vocabulary: param types, print formats, categories,
  event flags, and the frozen :class:`ParamInfo` / :class:`EventInfo` rows.
* :mod:`~sysdive.schema.events` - :data:`EVENTS`, the event table indexed by event id.
* :mod:`~sysdive.schema.flags` - flag name tables, dynamic-param tables and
  :func:`render_flags`.
* :mod:`~sysdive.schema.syscalls` - generic syscall names and the x86_64 syscall routing.
* :mod:`~sysdive.schema.errnos`, :mod:`~sysdive.schema.signals` - name tables.
* :mod:`~sysdive.schema.listing` - the ``sysdig -L`` listing.

This package imports nothing else from sysdive, so any layer may depend on it.
"""

from __future__ import annotations

from sysdive.schema.errnos import ERRNO_NAMES, errno_name
from sysdive.schema.events import EVENT_BY_ENUM, EVENTS, event_ids_named
from sysdive.schema.flags import DYN_TABLES, FLAG_TABLES, format_flags_number, render_flags
from sysdive.schema.listing import param_type_name, render_event_list
from sysdive.schema.signals import SIGNAL_NAMES
from sysdive.schema.syscalls import (
    SYSCALL_FLAGS,
    SYSCALL_NAMES,
    SYSCALL_NR_TO_SC,
    SYSCALL_ROUTING,
    SyscallFlag,
)
from sysdive.schema.types import (
    Category,
    EventFlag,
    EventInfo,
    ParamInfo,
    ParamType,
    PrintFormat,
)

__all__ = [
    "DYN_TABLES",
    "ERRNO_NAMES",
    "EVENTS",
    "EVENT_BY_ENUM",
    "FLAG_TABLES",
    "SIGNAL_NAMES",
    "SYSCALL_FLAGS",
    "SYSCALL_NAMES",
    "SYSCALL_NR_TO_SC",
    "SYSCALL_ROUTING",
    "Category",
    "EventFlag",
    "EventInfo",
    "ParamInfo",
    "ParamType",
    "PrintFormat",
    "SyscallFlag",
    "errno_name",
    "event_ids_named",
    "format_flags_number",
    "param_type_name",
    "render_event_list",
    "render_flags",
]
