"""fdtime_by: the 10 values of any field with the most time spent in I/O calls (sysdig's
fdtime_by.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 10


class FdTimeBy(TableChisel):
    name = "fdtime_by"
    short_description = "FD time group by"
    category = "I/O"
    description = (
        "Groups FD activity based on the given filter field, and returns the keys where most "
        "time was spent. For example, this script can be used to list the processes or files "
        "that caused the biggest I/O latency.")
    args = (Arg("key", "The filter field used for grouping"),)

    def table_spec(self) -> TableSpec:
        key = self.arg_values["key"]
        # The field name is also the column title (both split on commas by table_generator).
        return TableSpec(tuple(key.split(",")), tuple(key.split(",")), "evt.latency", "Time",
                         "evt.is_io=true", TOP_NUMBER, "time")
