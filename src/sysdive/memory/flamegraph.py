"""A self-contained SVG flame graph of allocation stacks (bytes as widths).

Classic layout: the outermost frame (``_start``) at the bottom, callees above their callers,
each box as wide as the bytes allocated under it; hovering a box shows its function, module,
bytes and share (an SVG ``<title>``), so the file needs no script and opens in any browser.
Frames of the C library are drawn grey, so the program's own code stands out.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from sysdive.memory.report import human_bytes
from sysdive.memory.stacks import AllocReport, SymFrame

__all__ = ["flamegraph_svg"]

WIDTH = 1200
ROW = 17
PAD = 10
CHAR = 7.0  # approximate width of a 12 px monospace character


@dataclass(slots=True)
class _Node:
    bytes: int = 0
    children: dict[SymFrame, _Node] = field(default_factory=dict)


def _colour(f: SymFrame) -> str:
    if f.is_runtime or f.function == "??":
        return "rgb(190,190,190)"
    h = zlib.crc32(f.module.encode()) & 0xFFFF
    return f"rgb({205 + h % 50},{80 + (h >> 4) % 120},{40 + (h >> 8) % 40})"


def flamegraph_svg(report: AllocReport, title: str = "Allocation flame graph") -> str:
    """The SVG document."""
    root = _Node()
    for s in report.stacks:
        root.bytes += s.bytes
        node = root
        for f in reversed(s.frames):  # outermost first
            node = node.children.setdefault(f, _Node())
            node.bytes += s.bytes
    depth = _depth(root)
    height = (depth + 1) * ROW + 3 * PAD + 20
    total = root.bytes or 1
    scale = (WIDTH - 2 * PAD) / total
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="monospace" font-size="12">',
           f'<rect width="{WIDTH}" height="{height}" fill="#fdfdf6"/>',
           f'<text x="{WIDTH // 2}" y="{PAD + 12}" text-anchor="middle" font-size="15">'
           f'{escape(title)}: {escape(report.target)}, {human_bytes(report.total_bytes)} in '
           f'{report.total_count} calls</text>']
    base = height - PAD - ROW

    def draw(node: _Node, f: SymFrame | None, x: float, level: int) -> None:
        w = node.bytes * scale
        if f is not None:
            y = base - (level - 1) * ROW
            label = str(f)
            tip = f"{label}: {human_bytes(node.bytes)} ({100.0 * node.bytes / total:.1f} %)"
            out.append(f'<g><title>{escape(tip)}</title><rect x="{x:.1f}" y="{y}" '
                       f'width="{max(w - 0.5, 0.1):.1f}" height="{ROW - 1}" rx="2" '
                       f'fill="{_colour(f)}"/>')
            chars = int((w - 6) / CHAR)
            if chars >= 3:
                text = label if len(label) <= chars else label[:chars - 2] + ".."
                out.append(f'<text x="{x + 3:.1f}" y="{y + 12}">{escape(text)}</text>')
            out.append("</g>")
        cx = x
        for child_f, child in sorted(node.children.items(), key=lambda kv: kv[0]):
            draw(child, child_f, cx, level + 1)
            cx += child.bytes * scale

    draw(root, None, PAD, 0)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _depth(node: _Node) -> int:
    return 1 + max((_depth(c) for c in node.children.values()), default=0) if node.children \
        else 0
