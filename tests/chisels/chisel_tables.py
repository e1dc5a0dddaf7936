"""Comparing top-N tables whose ties sysdig orders at random (used by the parity test and
``benchmarks/read_bench.py``; no pytest here)."""

from __future__ import annotations

_RULE = b"-" * 80


def normalize(data: bytes, top: int | tuple[int, ...]) -> bytes:
    """Output with top-N tables made independent of the order of equal values.

    In each table (a header line, then a rule of 80 dashes, then rows whose first 20 bytes
    are the value), rows of equal value are sorted; when the table has ``top`` rows, the
    last run of equal values may have been cut anywhere, so it becomes "value xCOUNT"
    (``top`` may list several sizes, for several chisels). Without ``top`` the output is
    returned unchanged.
    """
    if not top:
        return data
    tops = top if isinstance(top, tuple) else (top,)
    lines = data.split(b"\n")
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
