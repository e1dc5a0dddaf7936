"""fdbytes_by: the 30 values of any field with the most I/O bytes (sysdig's fdbytes_by.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 30


class FdBytesBy(TableChisel):
    name = "fdbytes_by"
    short_description = "I/O bytes, aggregated by an arbitrary filter field"
    category = "I/O"
    description = (
        "Groups FD activity based on the given filter field, and returns the key that "
        "generated the most input+output bytes. For example, this script can be used to list "
        "the processes or TCP ports that generated most traffic.")
    args = (Arg("key", "The filter field used for grouping"),)

    def table_spec(self) -> TableSpec:
        key = self.arg_values["key"]
        # The field name is also the column title (and split on commas, as table_generator
        # does with both).
        return TableSpec(tuple(key.split(",")), tuple(key.split(",")), "evt.rawarg.res",
                         "Bytes", "evt.is_io=true and evt.failed=false", TOP_NUMBER, "bytes")
