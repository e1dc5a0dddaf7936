"""Top-N tables: sysdig's ``print_sorted_table`` and its ``table_generator`` chisel.

Most of sysdig's "top" chisels are ``table_generator`` with fixed arguments: group the
events that pass a filter by one or more key fields, sum a value field, print the top N
rows. Here that is :class:`TableChisel`; a chisel of that kind only declares its
:class:`TableSpec`::

    class TopFilesBytes(TableChisel):
        name = "topfiles_bytes"
        ...
        def table_spec(self) -> TableSpec:
            return TableSpec(keys=("fd.name",), key_descs=("Filename",),
                             value="evt.rawarg.res", value_desc="Bytes",
                             filter="fd.type=file and evt.is_io=true", top=10, units="bytes")

Chisels that aggregate by hand (``topprocs_cpu``) call :func:`render_sorted_table`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sysdive.chisels.api import Chisel, ChiselContext, Field
from sysdive.chisels.json_text import encode
from sysdive.chisels.output import (
    CLEAR_SCREEN,
    HIDE_CURSOR,
    SHOW_CURSOR,
    extend_string,
    format_bytes,
    format_time_interval,
    lua_fixed,
    lua_str,
    move_to,
    top_by_value,
)
from sysdive.errors import ChiselError
from sysdive.fields.registry import type_determined
from sysdive.records import record

if TYPE_CHECKING:
    from sysdive.event import Event

__all__ = ["KEY_SEP", "TableChisel", "TableSpec", "render_json_table", "render_sorted_table"]

KEY_SEP = "\x01\x01"
"""Joins the values of a multi-field key (as the Lua chisels do)."""

_COL = 20
_RULE = "-" * 80


@record
class TableSpec:
    """What to group, sum and show.

    ``keys`` are field names, ``key_descs`` their column titles; ``value`` is the field
    summed (only positive values count), ``value_desc`` its title; ``units`` is how values
    print: ``none`` (a number), ``bytes`` (:func:`format_bytes`), ``time``
    (:func:`format_time_interval`) or ``timepct`` (percent of the interval); ``top`` is how
    many rows (0: all); ``filter`` restricts the events (empty: all).
    """

    keys: tuple[str, ...]
    key_descs: tuple[str, ...]
    value: str
    value_desc: str
    filter: str = ""
    top: int = 0
    units: str = "none"


def _value_text(units: str, delta: float) -> Callable[[float], str]:
    if units == "none":
        return lua_str
    if units == "bytes":
        return format_bytes
    if units == "time":
        return format_time_interval
    if units == "timepct":
        def pct(v: float) -> str:
            return lua_fixed(v / delta * 100, 2) + "%" if delta > 0 else "0.00%"
        return pct
    raise ChiselError(f"unknown value units {units!r} (use bytes, time, timepct or none)")


def render_sorted_table(table: Mapping[str, float], spec: TableSpec, delta: float,
                        output_format: str = "normal", ts_s: int = 0) -> str:
    """The text of ``print_sorted_table``: a header of 20-column titles, a rule of 80
    dashes, then the top rows, value first; ``table`` maps :data:`KEY_SEP`-joined key
    values to sums; ``delta`` is the interval in nanoseconds (for ``timepct``).

    With ``output_format="json"`` (``-j``), the JSON document the Lua prints instead
    (:func:`render_json_table`; ``ts_s`` is the time it carries)."""
    if output_format == "json":
        return render_json_table(table, spec, ts_s)
    value_text = _value_text(spec.units, delta)
    header = extend_string(spec.value_desc, _COL) + "".join(
        extend_string(d, _COL) for d in spec.key_descs)
    lines = [header, _RULE]
    for key, value in top_by_value(table, spec.top):
        parts = key.split(KEY_SEP)
        # All but the last key are cut to their column; the last is printed whole.
        keystr = "".join(extend_string(_lua_sub(p, _COL), _COL) for p in parts[:-1]) + parts[-1]
        lines.append(extend_string(value_text(value), _COL) + keystr)
    return "\n".join(lines) + "\n"


def render_json_table(table: Mapping[str, float], spec: TableSpec, ts_s: int) -> str:
    """``print_sorted_table`` under ``-j``: one JSON document (dkjson's indented layout,
    :mod:`~sysdive.chisels.json_text`) with the members

    * ``ts``: ``sysdig.make_ts(ts_s, 0)``, a string of nanoseconds (whole seconds);
    * ``data``: the top rows, each the key's values (strings) then the raw sum (a number,
      whatever ``units`` says; no percentage, no unit);
    * ``info``: ``{name, desc, is_key: true}`` for each key field, then the value's
      ``{name, desc, is_key: false}``, which the Lua stores at index 3 whatever the
      number of keys: with one key the array has a ``null`` hole, with more than two the
      value's entry takes the place of the third key's.
    """
    data = [[*key.split(KEY_SEP), value] for key, value in top_by_value(table, spec.top)]
    info: list[object] = [{"name": k, "desc": d, "is_key": True}
                          for k, d in zip(spec.keys, spec.key_descs, strict=True)]
    value_info = {"name": spec.value, "desc": spec.value_desc, "is_key": False}
    while len(info) < 2:
        info.append(None)
    if len(info) > 2:
        info[2] = value_info
    else:
        info.append(value_info)
    ts = str((ts_s & 0xFFFFFFFF) * 1_000_000_000)
    return encode({"ts": ts, "data": data, "info": info}) + "\n"


def _lua_sub(s: str, n: int) -> str:
    # string.sub(s, 0, n): the first n bytes.
    if s.isascii():
        return s[:n]
    return s.encode("utf-8", "surrogateescape")[:n].decode("utf-8", "surrogateescape")


class TableChisel(Chisel):
    """A chisel that is sysdig's ``table_generator`` with fixed arguments.

    Override :meth:`table_spec` (it may look at ``self.ctx.print_container`` for the
    ``-pc`` variant). On a capture file the table is printed once, at the end; live, every
    second.
    """

    fields_only = True

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Kept across capture files, as the Lua chisel's global table is: with two -r files
        # the second table sums both.
        self.grtable: dict[str, float] = {}

    def table_spec(self) -> TableSpec:
        """The table this chisel prints."""
        raise NotImplementedError

    def on_init(self) -> None:
        spec = self.table_spec()
        if len(spec.keys) != len(spec.key_descs):
            raise ChiselError("number of entries in keys different from number entries in "
                              "keydescs")
        self.spec = spec
        keys = [self.request_field(k) for k in spec.keys]
        value = self.request_field(spec.value)
        if spec.filter:
            self.set_filter(spec.filter)
        self._fields = (keys, value)
        self.on_event = _table_adder(self.grtable, keys, value)  # type: ignore[method-assign,assignment]

    def fold(self) -> Callable[[Event, int], None] | None:
        keys, value = self._fields
        if self.ctx.is_live or not type_determined(f.bound for f in (*keys, value)):
            return None
        return _table_folder(self.grtable, keys, value)

    def on_capture_start(self) -> None:
        if self.ctx.is_live:
            self.set_interval_s(1)
            if self.ctx.output_format != "json":
                self.write(CLEAR_SCREEN + HIDE_CURSOR)

    def on_interval(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0))
        self.write(render_sorted_table(self.grtable, self.spec, delta, self.ctx.output_format,
                                       ts_s))
        self.grtable.clear()

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if self.ctx.is_live and self.ctx.output_format != "json":
            self.write(CLEAR_SCREEN + move_to(0, 0) + SHOW_CURSOR)
            return
        self.write(render_sorted_table(self.grtable, self.spec, delta, self.ctx.output_format,
                                       ts_s))


def _table_adder(table: dict[str, float], keys: list[Field],
                 value: Field) -> Callable[[Event], bool | None]:
    """table_generator's ``on_event``, specialised for one key (the common case)."""
    vget = value.value
    get = table.get
    if len(keys) == 1:
        kget = keys[0].value

        def add_one(evt: Event) -> bool | None:
            k = kget(evt)
            if k is None:
                return None
            v = vget(evt)
            if v is not None and v > 0:  # type: ignore[operator]
                key = k if type(k) is str else lua_str(k)
                table[key] = get(key, 0) + v  # type: ignore[operator]
            return True
        return add_one

    kgets = [f.value for f in keys]

    def add(evt: Event) -> bool | None:
        parts = []
        for kg in kgets:
            k = kg(evt)
            if k is None:
                return None
            parts.append(k if type(k) is str else lua_str(k))
        v = vget(evt)
        if v is not None and v > 0:  # type: ignore[operator]
            key = KEY_SEP.join(parts)
            table[key] = get(key, 0) + v  # type: ignore[operator]
        return True
    return add


def _table_folder(table: dict[str, float], keys: list[Field],
                  value: Field) -> Callable[[Event, int], None]:
    """``count`` calls of :func:`_table_adder`'s function on events like ``evt`` (values
    of type-determined fields are integers: the product is the sum)."""
    kgets = [f.value for f in keys]
    vget = value.value
    get = table.get

    def fold(evt: Event, count: int) -> None:
        parts = []
        for kg in kgets:
            k = kg(evt)
            if k is None:
                return
            parts.append(k if type(k) is str else lua_str(k))
        v = vget(evt)
        if v is not None and v > 0:  # type: ignore[operator]
            key = KEY_SEP.join(parts)
            table[key] = get(key, 0) + v * count  # type: ignore[operator]
    return fold
