"""Chisels: small analysis scripts run over the events (sysdig's ``-c``).

The public API for writing one is re-exported here; see :mod:`sysdive.chisels.api` for the
hooks, :mod:`sysdive.chisels.output` and :mod:`sysdive.chisels.table` for the helpers, and
``docs/chisels-porting.md`` for the steps to add one. Chisels are a sink of the inspector:
the inspector never imports this package.
"""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext, Field
from sysdive.chisels.output import (
    Colors,
    columns,
    extend_string,
    format_bytes,
    format_time_interval,
    lua_str,
    parse_number,
    top_by_value,
)
from sysdive.chisels.table import KEY_SEP, TableChisel, TableSpec, render_sorted_table

__all__ = [
    "KEY_SEP",
    "Arg",
    "Chisel",
    "ChiselContext",
    "Colors",
    "Field",
    "TableChisel",
    "TableSpec",
    "columns",
    "extend_string",
    "format_bytes",
    "format_time_interval",
    "lua_str",
    "parse_number",
    "render_sorted_table",
    "top_by_value",
]
