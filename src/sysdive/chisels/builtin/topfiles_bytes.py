"""topfiles_bytes: the 10 files with the most bytes read + written (topfiles_bytes.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

TOP_NUMBER = 10


class TopFilesBytes(TableChisel):
    name = "topfiles_bytes"
    short_description = "Top files by R+W bytes"
    category = "I/O"
    description = (
        "Shows the top files in terms of disk usage. This chisel is compatible with "
        "containers using the sysdig -pc or -pcontainer argument, otherwise no container "
        "information will be shown.")

    def table_spec(self) -> TableSpec:
        flt = "fd.type=file and evt.is_io=true"
        if self.ctx.print_container:
            return TableSpec(("container.name", "fd.name"), ("container.name", "Filename"),
                             "evt.rawarg.res", "Bytes", flt, TOP_NUMBER, "bytes")
        return TableSpec(("fd.name",), ("Filename",), "evt.rawarg.res", "Bytes", flt,
                         TOP_NUMBER, "bytes")
