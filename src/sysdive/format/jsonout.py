"""JSON lines as sysdig writes them (jsoncpp's FastWriter): sorted keys, no spaces."""

from __future__ import annotations

import json

_encoder = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), sort_keys=True)


def dumps_sorted(obj: dict[str, object]) -> str:
    """One object on one line, keys sorted, strings escaped as jsoncpp escapes them."""
    return _encoder.encode(obj)
