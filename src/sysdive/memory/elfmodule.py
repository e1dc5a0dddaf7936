"""One mapped ELF file: its load segments, symbols and ``.eh_frame`` unwind table (pyelftools).

Symbols come from ``.symtab`` when the file has one, else from ``.dynsym`` (all a stripped
shared library keeps: its exported functions), merged with a separate debug file found by
build-id under ``/usr/lib/debug/.build-id/`` (Debian's ``*-dbg`` packages, e.g. libc6-dbg, which
names glibc's internal functions such as ``_int_malloc``).

The unwind table is indexed once (sorted FDE start addresses) and each FDE is decoded the
first time a stack needs it.
"""

from __future__ import annotations

import bisect
import io
import os
from dataclasses import dataclass
from typing import Any

from elftools.common.exceptions import ELFError
from elftools.dwarf.callframe import FDE
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

__all__ = ["CfiRow", "ElfModule", "load_module"]

DEBUG_ROOT = "/usr/lib/debug/.build-id"
_PT_LOAD = "PT_LOAD"


@dataclass(frozen=True, slots=True)
class CfiRow:
    """How to find the caller's frame at one address (x86-64 DWARF register numbers).

    ``cfa_reg``/``cfa_offset``: CFA = register + offset (``cfa_reg`` -1: an expression we do
    not evaluate). ``saved``: register -> offset from the CFA where its value is stored.
    ``ra_undefined``: the outermost frame (``_start``, thread entry).
    """

    cfa_reg: int
    cfa_offset: int
    saved: tuple[tuple[int, int], ...]
    ra_undefined: bool


class ElfModule:
    """Symbols and unwind rules of one ELF file, addressed by its link-time virtual addresses."""

    def __init__(self, data: bytes, name: str, debug_root: str = DEBUG_ROOT) -> None:
        self.name = name
        self._elf = ELFFile(io.BytesIO(data))
        self.segments = [(s["p_offset"], s["p_vaddr"], s["p_filesz"])
                         for s in self._elf.iter_segments() if s["p_type"] == _PT_LOAD]
        self.build_id = self._build_id()
        self._sym_starts: list[int] = []
        self._sym_ends: list[int] = []
        self._sym_names: list[str] = []
        self._load_symbols(debug_root)
        self._fde_starts: list[int] = []
        self._fde_ends: list[int] = []
        self._fdes: list[Any] = []
        self._rows: dict[int, list[tuple[int, CfiRow]]] = {}
        self._cfi_loaded = False

    def _build_id(self) -> str:
        for sec in self._elf.iter_sections():
            if sec["sh_type"] == "SHT_NOTE":
                for note in sec.iter_notes():
                    if note["n_type"] == "NT_GNU_BUILD_ID":
                        return str(note["n_desc"])
        return ""

    def _load_symbols(self, debug_root: str) -> None:
        found: dict[int, tuple[int, str]] = {}
        elves = [self._elf]
        if self.build_id and len(self.build_id) > 2:
            debug = os.path.join(debug_root, self.build_id[:2], self.build_id[2:] + ".debug")
            try:
                with open(debug, "rb") as f:
                    elves.append(ELFFile(io.BytesIO(f.read())))
            except (OSError, ELFError):
                pass
        for elf in elves:
            tables = [s for s in elf.iter_sections() if isinstance(s, SymbolTableSection)]
            # .symtab is a superset of .dynsym; read both where both are there (cheap)
            for table in tables:
                for sym in table.iter_symbols():
                    if sym["st_info"]["type"] not in ("STT_FUNC", "STT_GNU_IFUNC"):
                        continue
                    start = sym["st_value"]
                    if not start or sym["st_shndx"] == "SHN_UNDEF":
                        continue
                    size = max(int(sym["st_size"]), 1)
                    old = found.get(start)
                    # prefer the sized, public (no leading underscore) name at an address
                    if old is None or (old[0] <= 1 < size) or (
                            old[1].startswith("_") and not sym.name.startswith("_")):
                        found[start] = (size, sym.name)
        for start in sorted(found):
            size, name = found[start]
            self._sym_starts.append(start)
            self._sym_ends.append(start + size)
            self._sym_names.append(name)

    def vaddr_of_offset(self, offset: int) -> int | None:
        """The link-time virtual address of a file offset inside a loaded segment."""
        for p_offset, p_vaddr, p_filesz in self.segments:
            if p_offset <= offset < p_offset + max(p_filesz, 1):
                return offset - p_offset + p_vaddr
        return None

    def symbol(self, vaddr: int) -> tuple[str, int] | None:
        """(function name, offset into it) for a virtual address, or None."""
        k = bisect.bisect_right(self._sym_starts, vaddr) - 1
        if k < 0:
            return None
        if vaddr < self._sym_ends[k]:
            return self._sym_names[k], vaddr - self._sym_starts[k]
        return None

    def _load_cfi(self) -> None:
        self._cfi_loaded = True
        try:
            dwarf = self._elf.get_dwarf_info(follow_links=False)
            if not dwarf.has_EH_CFI():
                return
            entries = [e for e in dwarf.EH_CFI_entries() if isinstance(e, FDE)]
        except (ELFError, ValueError, KeyError, AssertionError):
            return  # damaged or unusual unwind data: frame pointers are the fallback
        entries.sort(key=lambda e: e.header["initial_location"])
        for e in entries:
            start = int(e.header["initial_location"])
            self._fde_starts.append(start)
            self._fde_ends.append(start + int(e.header["address_range"]))
            self._fdes.append(e)

    def cfi_row(self, vaddr: int) -> CfiRow | None:
        """The unwind rule in force at ``vaddr``, or None where the file has none."""
        if not self._cfi_loaded:
            self._load_cfi()
        k = bisect.bisect_right(self._fde_starts, vaddr) - 1
        if k < 0 or vaddr >= self._fde_ends[k]:
            return None
        rows = self._rows.get(k)
        if rows is None:
            rows = self._rows[k] = self._decode(self._fdes[k])
        j = bisect.bisect_right([pc for pc, _ in rows], vaddr) - 1
        return rows[j][1] if j >= 0 else None

    @staticmethod
    def _decode(fde: Any) -> list[tuple[int, CfiRow]]:
        out: list[tuple[int, CfiRow]] = []
        try:
            table = fde.get_decoded().table
        except (ValueError, KeyError, AssertionError):
            return out
        for row in table:
            cfa = row["cfa"]
            reg = -1 if cfa.expr is not None or cfa.reg is None else int(cfa.reg)
            saved = []
            ra_undefined = False
            for regno, rule in row.items():
                if not isinstance(regno, int):
                    continue
                if rule.type == "OFFSET":
                    saved.append((regno, int(rule.arg)))
                elif rule.type == "UNDEFINED" and regno == 16:
                    ra_undefined = True
            out.append((int(row["pc"]), CfiRow(reg, int(cfa.offset or 0), tuple(saved),
                                               ra_undefined)))
        return out


def load_module(fd: int, name: str) -> ElfModule | None:
    """Parse the ELF file behind an open descriptor; None if it is not one."""
    try:
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0)
        return ElfModule(data, name)
    except (OSError, ELFError, ValueError):
        return None
