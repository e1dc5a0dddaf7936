"""Comparing top-N tables whose ties sysdig orders at random (used by the parity test and
``benchmarks/read_bench.py``; no pytest here).

Under ``-j`` the tables are JSON documents written by the Lua's dkjson, whose object members
also come in LuaJIT's random hash order: those are compared with members sorted by key and
the ``data`` rows handled like the rows of a text table, once the document is known to be
laid out exactly as dkjson lays it out (parsed here, written back, byte for byte the same).
"""

from __future__ import annotations

import re

_RULE = b"-" * 80
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+)')


class _Raw(str):
    """A scalar as its JSON text (string quotes and escapes kept)."""


class _Obj(list[tuple[str, object]]):
    """An object: its (raw key, value) members in document order."""


def _parse(tokens: list[str], i: int) -> tuple[object, int]:
    tok = tokens[i]
    if tok in ("{", "["):
        close = "}" if tok == "{" else "]"
        items: list[object] = []
        members = _Obj()
        i += 1
        while tokens[i] != close:
            if tok == "{":
                key = tokens[i]
                if tokens[i + 1] != ":":
                    raise ValueError("':' expected")
                value, i = _parse(tokens, i + 2)
                members.append((key, value))
            else:
                value, i = _parse(tokens, i)
                items.append(value)
            if tokens[i] == ",":
                i += 1
            elif tokens[i] != close:
                raise ValueError("',' expected")
        return (members if tok == "{" else items), i + 1
    if tok in ("}", "]", ",", ":"):
        raise ValueError(f"unexpected {tok}")
    return _Raw(tok), i + 1


def _emit(value: object, level: int = 0) -> str:
    """dkjson's indented layout (written apart from sysdive's encoder on purpose)."""
    if isinstance(value, _Obj):
        body = ",".join("\n" + "  " * (level + 1) + k + ":" + _emit(v, level + 1)
                        for k, v in value)
        return "{" + body + "\n" + "  " * level + "}"
    if isinstance(value, list):
        return "[" + ",".join(_emit(v, level + 1) for v in value) + "]"
    return str(value)


def _canonical(value: object, tops: tuple[int, ...]) -> object:
    if isinstance(value, _Obj):
        out = _Obj()
        for k, v in sorted(value, key=lambda m: m[0]):
            if k == '"data"' and isinstance(v, list):
                out.append((k, _tied_rows(v, tops)))
            else:
                out.append((k, _canonical(v, tops)))
        return out
    if isinstance(value, list):
        return [_canonical(v, tops) for v in value]
    return value


def _tied_rows(rows: list[object], tops: tuple[int, ...]) -> list[object]:
    """The rows of equal value (their last item) sorted; the last run as "value xCOUNT"
    when the table holds a top number of rows (the cut may fall anywhere in it)."""
    groups: list[list[object]] = []
    for row in rows:
        last = row[-1] if isinstance(row, list) and row else None
        if groups and groups[-1][0][-1] == last:  # type: ignore[index]
            groups[-1].append(row)
        else:
            groups.append([row])
    cut = len(rows) in tops
    out: list[object] = []
    for g in groups[:-1] if cut else groups:
        out.extend(sorted(g, key=_emit))
    if cut and groups:
        out.append(_Raw(f"{groups[-1][0][-1]} x{len(groups[-1])}"))  # type: ignore[index]
    return out


def _normalize_json(doc: str, tops: tuple[int, ...]) -> str | None:
    """The canonical text of one dkjson document, or None when it is not one."""
    tokens = _TOKEN.findall(doc)
    try:
        value, end = _parse(tokens, 0)
    except (ValueError, IndexError):
        return None
    if end != len(tokens) or _emit(value) != doc:
        return None
    return _emit(_canonical(value, tops))


def _normalize_json_docs(lines: list[bytes], tops: tuple[int, ...]) -> list[bytes]:
    out: list[bytes] = []
    i = 0
    while i < len(lines):
        if lines[i] == b"{":
            end = i + 1
            while end < len(lines) and lines[end] != b"}":
                end += 1
            if end < len(lines):
                doc = b"\n".join(lines[i:end + 1]).decode("utf-8", "surrogateescape")
                canon = _normalize_json(doc, tops)
                if canon is not None:
                    out.extend(canon.encode("utf-8", "surrogateescape").split(b"\n"))
                    i = end + 1
                    continue
        out.append(lines[i])
        i += 1
    return out


def normalize(data: bytes, top: int | tuple[int, ...]) -> bytes:
    """Output with top-N tables made independent of the order of equal values (and JSON
    tables of the order of object members).

    In each table (a header line, then a rule of 80 dashes, then rows whose first 20 bytes
    are the value), rows of equal value are sorted; when the table has ``top`` rows, the
    last run of equal values may have been cut anywhere, so it becomes "value xCOUNT"
    (``top`` may list several sizes, for several chisels). Without ``top`` the output is
    returned unchanged.
    """
    if not top:
        return data
    tops = top if isinstance(top, tuple) else (top,)
    lines = _normalize_json_docs(data.split(b"\n"), tops)
    out: list[bytes] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if lines[i] != _RULE:
            i += 1
            continue
        i += 1
        rows: list[bytes] = []
        # Rows end at a blank line, the end, or the header of the next table.
        while i < len(lines) and lines[i] and not (i + 1 < len(lines) and lines[i + 1] == _RULE):
            rows.append(lines[i])
            i += 1
        groups: list[list[bytes]] = []
        for row in rows:
            if groups and groups[-1][0][:20] == row[:20]:
                groups[-1].append(row)
            else:
                groups.append([row])
        cut = len(rows) in tops
        for g in groups[:-1] if cut else groups:
            out.extend(sorted(g))
        if cut and groups:
            out.append(groups[-1][0][:20].rstrip() + b" x%d" % len(groups[-1]))
    return b"\n".join(out)
