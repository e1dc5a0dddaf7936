"""Typing of the compiled fast rejections (_rowparse.c)."""

from typing import Any

from sysdive.event import Event

class Rows:
    event: Event | None
    last_selected: int
    end_ts: int
    def __init__(self, parser: Any, state: Any, event_cls: type, thread_type: type,
                 fdinfo_type: type, preds: list[Any], may_pass: Any, uses_fd: bytes,
                 ts_only: bytes, stores: bytes, accept: bytes, consts: dict[str, int], concatenate: Any,
                 objects: dict[str, Any]) -> None: ...
    def load_walk(self, buf: bytes, num: int, start: int, wi: Any, type: Any, flagged: Any,
                  kinds: bytes, sc_ok: bytes | None, /) -> int: ...
    def advance(self, j: int, /) -> int: ...
    def event_at(self, j: int, /) -> Event: ...
    def release(self) -> None: ...
    def set_predicates(self, never: Any, op: int, src: int, needle: str, types: bytes,
                       event_filter: Any, /) -> None: ...
