"""Unwind a copied user stack with DWARF call-frame information (x86-64).

Input: the registers at the system call and a copy of the stack from ``sp`` up. Each step
finds the module holding the pc, its ``.eh_frame`` row for that pc, computes the canonical
frame address (CFA = rsp or rbp + offset), reads the return address and the saved callee
registers from the copy, and continues with rsp = CFA. Where a module has no unwind row the
frame-pointer chain is tried (rbp -> saved rbp, return address above it).

Return addresses point after the call instruction, so rows for frames other than the first are
looked up at pc - 1 (the call itself may be the last instruction of a function).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from sysdive.memory.elfmodule import CfiRow, ElfModule
from sysdive.memory.procmaps import Mapping, ProcessMaps

__all__ = ["Frame", "unwind"]

# DWARF x86-64 register numbers, and where each sits in the probe's regs tuple
# (ip sp bp bx r12 r13 r14 r15)
RSP, RBP, RA = 7, 6, 16
_REG_SLOTS = {16: 0, 7: 1, 6: 2, 3: 3, 12: 4, 13: 5, 14: 6, 15: 7}
MAX_FRAMES = 64
_U64 = struct.Struct("<Q")


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame: its pc and, when the pc is in a mapped file, that file and the link-time
    address of the pc (ready for the file's symbol table)."""

    pc: int
    mapping: Mapping | None
    vaddr: int | None


def unwind(regs: tuple[int, ...], stack: bytes, maps: ProcessMaps,
           module_of: Callable[[Mapping], ElfModule | None]) -> list[Frame]:
    """The call stack, innermost frame first."""
    sp0 = regs[1]
    top = sp0 + len(stack)

    def read(addr: int) -> int | None:
        if sp0 <= addr and addr + 8 <= top:
            return int(_U64.unpack_from(stack, addr - sp0)[0])
        return None

    values: dict[int, int] = {reg: regs[slot] for reg, slot in _REG_SLOTS.items()}
    frames: list[Frame] = []
    for depth in range(MAX_FRAMES):
        pc = values[RA]
        if pc == 0:
            break
        mapping = maps.find(pc)
        module = module_of(mapping) if mapping is not None else None
        vaddr = None
        if mapping is not None and module is not None:
            vaddr = module.vaddr_of_offset(pc - mapping.start + mapping.offset)
        frames.append(Frame(pc, mapping, vaddr))
        row = None
        if module is not None and vaddr is not None:
            row = module.cfi_row(vaddr if depth == 0 else vaddr - 1)
        if row is not None and row.ra_undefined:
            break  # the outermost frame
        nxt = _step_cfi(values, row, read) if row is not None else None
        if nxt is None:
            nxt = _step_frame_pointer(values, read)
        if nxt is None or nxt[RSP] <= values[RSP] and nxt[RA] == values[RA]:
            break
        values = nxt
    return frames


def _step_cfi(values: dict[int, int], row: CfiRow,
              read: Callable[[int], int | None]) -> dict[int, int] | None:
    if row.cfa_reg not in values:
        return None  # an expression, or a register the probe did not record
    cfa = values[row.cfa_reg] + row.cfa_offset
    nxt = dict(values)
    for reg, off in row.saved:
        v = read(cfa + off)
        if v is None:
            if reg == RA:
                return None
            continue
        nxt[reg] = v
    if not any(reg == RA for reg, _ in row.saved):
        return None
    nxt[RSP] = cfa
    return nxt


def _step_frame_pointer(values: dict[int, int],
                        read: Callable[[int], int | None]) -> dict[int, int] | None:
    bp = values[RBP]
    saved_bp, ra = read(bp), read(bp + 8)
    if saved_bp is None or ra is None or bp < values[RSP]:
        return None
    nxt = dict(values)
    nxt[RBP], nxt[RA], nxt[RSP] = saved_bp, ra, bp + 16
    return nxt
