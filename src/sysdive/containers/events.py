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

__all__ = ["container_event_block", "container_events_source", "full_record"]

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


# container_to_json's keys and the values of a fresh sinsp_container_info.
_DEFAULTS: dict[str, Any] = {
    "id": "", "full_id": "", "type": 0, "name": "", "image": "", "imageid": "",
    "imagerepo": "", "imagetag": "", "imagedigest": "", "privileged": False,
    "is_pod_sandbox": False, "lookup_state": 1, "created_time": 0, "Mounts": [],
    "ip": "0.0.0.0", "port_mappings": [], "labels": None, "env": [], "memory_limit": 0,
    "swap_limit": 0, "cpu_shares": 1024, "cpu_quota": 0, "cpu_period": 100000,
    "cpuset_cpu_count": 0, "metadata_deadline": 0,
}
_PROBES = ("Healthcheck", "LivenessProbe", "ReadinessProbe")


def full_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A container record of the state as the complete object sysdig would write for it."""
    out = {k: record.get(k, v) for k, v in _DEFAULTS.items()}
    for key in (*_PROBES, "mesos_task_id"):
        if key in record:
            out[key] = record[key]
    if out["labels"] == {}:
        out["labels"] = None
    return out
