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

__all__ = ["Frame", "PcInfo", "unwind", "unwind_pcs"]

# DWARF x86-64 register numbers. Only rsp and rbp take part in finding frames (CFAs are
# rsp- or rbp-based in compiler output); the probe's regs tuple is ip sp bp bx r12-r15.
RSP, RBP, RA = 7, 6, 16
MAX_FRAMES = 64
_U64 = struct.Struct("<Q")


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame: its pc and, when the pc is in a mapped file, that file and the link-time
    address of the pc (ready for the file's symbol table)."""

    pc: int
    mapping: Mapping | None
    vaddr: int | None


PcInfo = tuple[Mapping | None, int | None, CfiRow | None]


def unwind(regs: tuple[int, ...], stack: bytes, maps: ProcessMaps,
           module_of: Callable[[Mapping], ElfModule | None],
           cache: dict[tuple[int, bool], PcInfo] | None = None) -> list[Frame]:
    """The call stack, innermost frame first, with each pc's file and link-time address."""
    if cache is None:
        cache = {}
    pcs = unwind_pcs(regs, stack, maps, module_of, cache)
    return [Frame(pc, *cache[(pc, k == 0)][:2]) for k, pc in enumerate(pcs)]


def unwind_pcs(regs: tuple[int, ...], stack: bytes, maps: ProcessMaps,
               module_of: Callable[[Mapping], ElfModule | None],
               cache: dict[tuple[int, bool], PcInfo]) -> list[int]:
    """The pcs of the call stack, innermost first: the hot path, one per allocation.

    ``cache`` (per process: keyed by pc and whether it is the innermost frame) remembers each
    pc's mapping, link-time address and unwind row; the same few dozen pcs recur in every
    stack of a process.
    """
    sp0 = regs[1]
    size = len(stack)
    unpack = _U64.unpack_from
    pc, sp, bp = regs[0], regs[1], regs[2]
    frames: list[int] = []
    for depth in range(MAX_FRAMES):
        if pc == 0:
            break
        key = (pc, depth == 0)
        info = cache.get(key)
        if info is None:
            info = cache[key] = _pc_info(pc, depth == 0, maps, module_of)
        row = info[2]
        frames.append(pc)
        if row is not None:
            if row.ra_undefined:
                break  # the outermost frame
            if row.cfa_reg == RSP:
                cfa = sp + row.cfa_offset
            elif row.cfa_reg == RBP:
                cfa = bp + row.cfa_offset
            else:
                break  # an expression, or a register the probe did not record
            off = row.ra_offset
            if off is None:
                break
            at = cfa + off - sp0
            if not 0 <= at <= size - 8:
                break  # the copy ends before this frame's return address
            ra = unpack(stack, at)[0]
            off = row.bp_offset
            if off is not None:
                at = cfa + off - sp0
                if 0 <= at <= size - 8:
                    bp = unpack(stack, at)[0]
            if cfa <= sp and ra == pc:
                break
            pc, sp = ra, cfa
            continue
        # no unwind row: the frame-pointer chain (rbp -> saved rbp, return address above)
        at = bp - sp0
        if bp < sp or not 0 <= at <= size - 16:
            break
        bp, pc, sp = unpack(stack, at)[0], unpack(stack, at + 8)[0], bp + 16
    return frames


def _pc_info(pc: int, first: bool, maps: ProcessMaps,
             module_of: Callable[[Mapping], ElfModule | None]) -> PcInfo:
    mapping = maps.find(pc)
    if mapping is None:
        return None, None, None
    module = module_of(mapping)
    if module is None:
        return mapping, None, None
    vaddr = module.vaddr_of_offset(pc - mapping.start + mapping.offset)
    if vaddr is None:
        return mapping, None, None
    # a return address points after its call: look the call itself up
    return mapping, vaddr, module.cfi_row(vaddr if first else vaddr - 1)
