"""Typing of the compiled fast rejections (_rowparse.c)."""

from typing import Any

from sysdive.event import Event

class Rows:
    event: Event | None
    def __init__(self, parser: Any, state: Any, event_cls: type, thread_type: type,
                 fdinfo_type: type, preds: list[Any], may_pass: Any, uses_fd: bytes,
                 ts_only: bytes, stores: bytes, accept: bytes, consts: dict[str, int], concatenate: Any,
                 opened_fd: Any) -> None: ...
    def load(self, buf: bytes, num: int, sel: Any, kind: Any, type: Any, ts: Any, tid: Any,
             cpu: Any, dflags: Any, hdr: Any, end: Any, npar: Any, /) -> int: ...
    def advance(self, j: int, /) -> int: ...
    def row(self, j: int, /) -> tuple[int, int, int, int, int, int, int, int, int]: ...
    def release(self) -> None: ...
