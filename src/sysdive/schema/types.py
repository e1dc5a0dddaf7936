"""The vocabulary of the event table: parameter types, print formats, categories and flags.

These mirror the enums of the driver that sysdig 0.29.3 is built on; their numeric values are
part of the file format and must not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag


class ParamType(IntEnum):
    """How a parameter is laid out on the wire and how it renders (``PT_*``)."""

    NONE = 0
    INT8 = 1
    INT16 = 2
    INT32 = 3
    INT64 = 4
    UINT8 = 5
    UINT16 = 6
    UINT32 = 7
    UINT64 = 8
    CHARBUF = 9
    BYTEBUF = 10
    ERRNO = 11
    SOCKADDR = 12
    SOCKTUPLE = 13
    FD = 14
    PID = 15
    FDLIST = 16
    FSPATH = 17
    SYSCALLID = 18
    SIGTYPE = 19
    RELTIME = 20
    ABSTIME = 21
    PORT = 22
    L4PROTO = 23
    SOCKFAMILY = 24
    BOOL = 25
    IPV4ADDR = 26
    DYN = 27
    FLAGS8 = 28
    FLAGS16 = 29
    FLAGS32 = 30
    UID = 31
    GID = 32
    DOUBLE = 33
    SIGSET = 34
    CHARBUFARRAY = 35
    CHARBUF_PAIR_ARRAY = 36
    IPV4NET = 37
    IPV6ADDR = 38
    IPV6NET = 39
    IPADDR = 40
    IPNET = 41
    MODE = 42
    FSRELPATH = 43


class PrintFormat(IntEnum):
    """How a numeric parameter is printed (``PF_*``)."""

    NA = 0
    DEC = 1
    HEX = 2
    PADDED_DEC = 3
    ID = 4
    DIR = 5
    OCT = 6


class Category(IntEnum):
    """Event category (``EC_*``); the I/O values share a base of 32."""

    UNKNOWN = 0
    OTHER = 1
    FILE = 2
    NET = 3
    IPC = 4
    MEMORY = 5
    PROCESS = 6
    SLEEP = 7
    SYSTEM = 8
    SIGNAL = 9
    USER = 10
    TIME = 11
    PROCESSING = 12
    IO_READ = 32
    IO_WRITE = 33
    IO_OTHER = 34
    WAIT = 64
    SCHEDULER = 128
    INTERNAL = 256


class EventFlag(IntFlag):
    """Event flags (``EF_*``)."""

    NONE = 0
    CREATES_FD = 1 << 0
    DESTROYS_FD = 1 << 1
    USES_FD = 1 << 2
    READS_FROM_FD = 1 << 3
    WRITES_TO_FD = 1 << 4
    MODIFIES_STATE = 1 << 5
    UNUSED = 1 << 6
    WAITS = 1 << 7
    SKIPPARSERESET = 1 << 8
    OLD_VERSION = 1 << 9
    DROP_SIMPLE_CONS = 1 << 10
    LARGE_PAYLOAD = 1 << 11


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """One parameter of an event type.

    ``table`` names the flag table (FLAGS*/MODE params, see :mod:`sysdive.schema.flags`) or the
    dynamic-parameter table (DYN params, see :data:`sysdive.schema.flags.DYN_TABLES`).
    ``dirfd`` is, for FSRELPATH params, the index of the param holding the directory fd.
    """

    name: str
    type: ParamType
    fmt: PrintFormat = PrintFormat.NA
    table: str | None = None
    dirfd: int | None = None


@dataclass(frozen=True, slots=True)
class EventInfo:
    """One row of the event table: an event id with its name, category, flags and params."""

    id: int
    enum: str
    name: str
    category: Category
    flags: EventFlag
    params: tuple[ParamInfo, ...]

    @property
    def is_enter(self) -> bool:
        """Even ids are enter events (``>``), odd ids exit events (``<``)."""
        return self.id % 2 == 0

    @property
    def direction(self) -> str:
        return ">" if self.id % 2 == 0 else "<"

    @property
    def large_payload(self) -> bool:
        """Param lengths are u32 instead of u16 for these types."""
        return bool(self.flags & EventFlag.LARGE_PAYLOAD)
