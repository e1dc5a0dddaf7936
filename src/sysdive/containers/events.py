"""Container metadata as capture events: PPME_CONTAINER_JSON_2_E blocks, as sysdig 0.29.3
writes them (tid -1, cpu 0, one NUL-terminated JSON param with a 4-byte length)."""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sysdive.containers.runtime import container_json
from sysdive.scap.writer import event_block
from sysdive.schema.events import EVENT_BY_ENUM

__all__ = ["container_event_block", "container_events_source"]

_JSON_2 = EVENT_BY_ENUM["PPME_CONTAINER_JSON_2_E"].id
_HDR = struct.Struct("<QQIHI")
_NO_TID = (1 << 64) - 1


def container_event_block(doc: Mapping[str, Any], ts: int) -> bytes:
    """One container event block for the ``container`` object ``doc`` at time ``ts`` (ns)."""
    payload = container_json(doc).encode() + b"\0"
    body = struct.pack("<I", len(payload)) + payload
    raw = _HDR.pack(ts, _NO_TID, 26 + len(body), _JSON_2, 1) + body
    return event_block(raw, 0)


def container_events_source(take: Callable[[], Iterable[Mapping[str, Any]]]
                            ) -> Callable[[], bytes]:
    """A ``side_events`` callable for live capture: the blocks of the documents ``take``
    returns, stamped with the current time."""
    def blocks() -> bytes:
        docs = list(take())
        if not docs:
            return b""
        now = time.time_ns()
        return b"".join(container_event_block(d, now) for d in docs)
    return blocks
