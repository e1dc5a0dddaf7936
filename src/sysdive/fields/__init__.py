"""Fields: every ``sysdig -l`` field of the evt, process, user, group, container and fd classes.

* :mod:`~sysdive.fields.registry` - :class:`FieldDef`, :class:`FieldRegistry` (parses and
  binds field names like sysdig), :func:`render_field_list` (``sysdig -l``).
* :mod:`~sysdive.fields.params` - event params as text (``evt.info``, ``evt.arg``).
* one module per field class: ``evt_general`` (evt, all event types), ``evt`` (+ ``evt_args``,
  ``evt_misc``; evt, syscall events), ``proc`` (+ ``thread``; process), ``user`` (user and
  group), ``container``, ``fd``.
"""

from __future__ import annotations

from sysdive.fields.params import RenderContext, render_args, render_info, render_param
from sysdive.fields.registry import (
    ArgKind,
    BoundField,
    FieldArg,
    FieldDef,
    FieldFlag,
    FieldOptions,
    FieldRegistry,
    render_field_list,
)
from sysdive.fields.text import FieldValueError

__all__ = [
    "ArgKind",
    "BoundField",
    "FieldArg",
    "FieldDef",
    "FieldFlag",
    "FieldOptions",
    "FieldRegistry",
    "FieldValueError",
    "RenderContext",
    "render_args",
    "render_field_list",
    "render_info",
    "render_param",
]
