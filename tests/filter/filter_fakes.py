"""A small fake field registry over dict events, for the filter tests.

An event is a plain dict: ``{"type": <event id>, "proc.name": "bash", ...}``. Each fake
field reads its own key (or derives it) and reports the event ids it can be extracted for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sysdive.schema.events import EVENTS, event_ids_named
from sysdive.schema.syscalls import SYSCALL_NAMES
from sysdive.schema.types import ParamType as PT

Event = dict[str, Any]

OPEN_IDS = frozenset(event_ids_named("open") + event_ids_named("openat"))
RW_IDS = frozenset(event_ids_named("read") + event_ids_named("write"))
NET_IDS = frozenset(event_ids_named("connect") + event_ids_named("accept")) | RW_IDS
GENERIC_IDS = frozenset(event_ids_named("syscall"))


@dataclass(frozen=True)
class FakeField:
    """A bound field: name, type, event ids and how to read it from a dict event."""

    name: str
    type: PT
    event_types: frozenset[int] | None
    getter: Callable[[Event], object | None]
    ne_requires_all: bool = False
    allowed_ops: frozenset[str] | None = None

    def extract(self, evt: Any) -> object | None:
        if self.event_types is not None and evt["type"] not in self.event_types:
            return None
        return self.getter(evt)


def _key(name: str) -> Callable[[Event], object | None]:
    return lambda evt: evt.get(name)


def _evt_type(evt: Event) -> str:
    if evt["type"] in GENERIC_IDS:
        return str(evt.get("syscall", SYSCALL_NAMES[0]))
    return EVENTS[evt["type"]].name


def _field(name: str, ptype: PT, ids: frozenset[int] | None = None, **kw: Any) -> FakeField:
    return FakeField(name, ptype, ids, _key(name), **kw)


FIELDS: dict[str, FakeField] = {
    f.name: f
    for f in [
        FakeField("evt.type", PT.CHARBUF, None, _evt_type),
        _field("proc.name", PT.CHARBUF),
        _field("fd.name", PT.CHARBUF, OPEN_IDS | RW_IDS),
        _field("evt.arg.path", PT.FSPATH, OPEN_IDS),
        _field("evt.buffer", PT.BYTEBUF, RW_IDS),
        _field("evt.rawres", PT.INT64),
        _field("evt.cpu", PT.INT16),
        _field("evt.count", PT.UINT8),
        _field("user.uid", PT.UINT32),
        _field("evt.flags", PT.FLAGS32),
        _field("evt.rawtime", PT.ABSTIME),
        _field("fd.num", PT.FD, OPEN_IDS | RW_IDS),
        _field("fd.sport", PT.PORT, NET_IDS),
        _field("fd.port", PT.PORT, NET_IDS, ne_requires_all=True),
        _field("evt.is_io", PT.BOOL),
        _field("thread.cpu", PT.DOUBLE),
        _field("fd.sip", PT.IPADDR, NET_IDS),
        _field("fd.v4", PT.IPV4ADDR, NET_IDS),
        _field("fd.v6", PT.IPV6ADDR, NET_IDS),
        _field("fd.net", PT.IPNET, NET_IDS, ne_requires_all=True),
        _field(
            "fd.ip",
            PT.IPADDR,
            NET_IDS,
            ne_requires_all=True,
            allowed_ops=frozenset({"=", "!=", "in", "intersects", "exists"}),
        ),
        _field("proc.aname", PT.CHARBUF),
        _field("evt.around", PT.UINT64, allowed_ops=frozenset({"="})),
        _field("proc.sigset", PT.SIGSET),
    ]
}

_ANAME = re.compile(r"proc\.aname\[(.*)\]")


class FakeResolver:
    """Resolves the fake fields; ``proc.aname[N]`` picks one ancestor."""

    def resolve(self, text: str) -> FakeField:
        field = FIELDS.get(text)
        if field is not None:
            return field
        m = _ANAME.fullmatch(text)
        if m is None:
            raise KeyError(text)
        if not m.group(1).isdigit():
            raise ValueError(f"bad ancestor index {m.group(1)!r}")
        index = int(m.group(1))

        def ancestor(evt: Event) -> object | None:
            names = evt.get("proc.aname")
            if not isinstance(names, tuple) or index >= len(names):
                return None
            value: object = names[index]
            return value

        return FakeField(text, PT.CHARBUF, None, ancestor)


RESOLVER = FakeResolver()


def event(type_name: str = "open", direction: str = "<", **fields: Any) -> Event:
    """An event of the named type (exit by default) with the given field values."""
    ids = event_ids_named(type_name)
    evt_id = next(i for i in ids if EVENTS[i].direction == direction)
    evt: Event = {"type": evt_id}
    for key, value in fields.items():
        evt[key.replace("__", ".").replace("_DOT_", ".")] = value
    return evt
