"""Typing of the compiled block walk (_blockwalk.c)."""

def walk(buf: bytes, pos: int, window: int, /) -> tuple[
    int, bytearray | None, bytearray | None, bytearray | None, bytearray | None]: ...
