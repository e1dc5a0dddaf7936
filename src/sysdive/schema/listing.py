"""The event listing printed by ``sysdig -L``.

sysdig 0.29.3 prints one line per event type (libsinsp ``list_events``): the direction
marker, the name, and the params as ``TYPE name`` pairs. Unused slots, old event versions and
internal events are left out.
"""

from __future__ import annotations

from sysdive.schema.events import EVENTS
from sysdive.schema.types import Category, EventFlag, EventInfo, ParamType

__all__ = ["PARAM_TYPE_NAMES", "is_listed", "param_type_name", "render_event_list"]

PARAM_TYPE_NAMES: dict[ParamType, str] = {t: t.name for t in ParamType}
"""The type names sysdig uses in listings (libsinsp ``param_type_to_string``).

They are the ``PT_*`` names without the prefix, except that ``DYN`` is spelt ``DYNAMIC`` and
the two IPv6 types have no name of their own in 0.29.3 and print as ``<NA>``.
"""
PARAM_TYPE_NAMES[ParamType.DYN] = "DYNAMIC"
PARAM_TYPE_NAMES[ParamType.IPV6ADDR] = "<NA>"
PARAM_TYPE_NAMES[ParamType.IPV6NET] = "<NA>"

_HIDDEN_FLAGS = EventFlag.UNUSED | EventFlag.OLD_VERSION


def param_type_name(ptype: ParamType) -> str:
    """Return the name sysdig shows for a param type (``FLAGS32``, ``DYNAMIC``, ...)."""
    return PARAM_TYPE_NAMES[ptype]


def is_listed(info: EventInfo) -> bool:
    """Tell whether ``sysdig -L`` shows this event type.

    Hidden are unused slots, superseded versions and internal events (the category test is
    a bit test, as in sysdig, though no other category shares the INTERNAL bit).
    """
    if info.flags & _HIDDEN_FLAGS:
        return False
    return not info.category & Category.INTERNAL


def render_event_list() -> str:
    """Return exactly what ``sysdig -L`` writes to stdout, trailing newline included."""
    lines = []
    for info in EVENTS:
        if not is_listed(info):
            continue
        params = ", ".join(f"{param_type_name(p.type)} {p.name}" for p in info.params)
        lines.append(f"{info.direction} {info.name}({params})\n")
    return "".join(lines)
