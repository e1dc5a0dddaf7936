"""topfiles_errors: the 100 files with the most failed system calls
(sysdig's topfiles_errors.lua)."""

from __future__ import annotations

from sysdive.chisels.table import TableChisel, TableSpec

FILTER = "fd.type=file and evt.failed=true"


class TopFilesErrors(TableChisel):
    name = "topfiles_errors"
    short_description = "Top files by number of errors"
    category = "Errors"
    description = (
        "Shows the top files in terms of I/O errors. This chisel is compatible with containers "
        "using the sysdig -pc or -pcontainer argument, otherwise no container information will "
        "be shown.")

    def table_spec(self) -> TableSpec:
        if self.ctx.print_container:
            return TableSpec(("fd.name", "container.name"),
                             ("Filename", "container.name"),
                             "evt.count", "#Errors", FILTER, 100, "none")
        return TableSpec(("fd.name",),
                         ("Filename",),
                         "evt.count", "#Errors", FILTER, 100, "none")
