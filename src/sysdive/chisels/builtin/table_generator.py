"""table_generator: group by key fields, sum a value field, print the top rows (hidden, as
in sysdig: the "top" chisels are this one with fixed arguments)."""

from __future__ import annotations

from sysdive.chisels.api import Arg
from sysdive.chisels.output import parse_number
from sysdive.chisels.table import TableChisel, TableSpec


class TableGenerator(TableChisel):
    name = "table_generator"
    short_description = "Filter on a key and value"
    category = "Filter"
    hidden = True
    description = ("Given two filter fields, a key and a value, this chisel creates and "
                   "renders a table to the screen.")
    args = (
        Arg("keys", "comma-separated list of filter fields to use for grouping"),
        Arg("keydescs", "comma separated list of human readable descriptions for the key"),
        Arg("value", "the value to count for every key"),
        Arg("valuedesc", "human readable description for the value"),
        Arg("filter", "the filter to apply"),
        Arg("top_number", "maximum number of elements to display"),
        Arg("value_units", "how to render the values in the result. Can be 'bytes', 'time', "
            "'timepct', or 'none'."),
    )

    def table_spec(self) -> TableSpec:
        v = self.arg_values
        return TableSpec(tuple(v["keys"].split(",")), tuple(v["keydescs"].split(",")),
                         v["value"], v["valuedesc"], v["filter"],
                         int(parse_number(v["top_number"], "top_number")), v["value_units"])
