"""The ``-S`` table order: :func:`sysdive.cli.summary.introsort` must leave equal elements
exactly where libstdc++'s ``std::sort`` leaves them.

Checked against a real ``std::sort`` (and ``std::partial_sort``, whose heap sort is
introsort's depth-limit fallback) compiled with g++ when one is installed; the ordering
property itself is checked everywhere. The parity suite compares whole ``-S`` tables with
sysdig.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from sysdive.cli.summary import (
    PPM_EVENT_MAX,
    PPM_SC_MAX,
    introsort,
    render_summary,
    summary_rows,
)
from sysdive.cli.summary import _heap_sort as heap_sort
from sysdive.schema.events import EVENT_BY_ENUM

CPP = r"""
#include <algorithm>
#include <cstdio>
#include <vector>
struct E { unsigned long n; int id; };
int main() {
    int mode, len;
    while (std::scanf("%d %d", &mode, &len) == 2) {
        std::vector<E> v(len);
        for (int i = 0; i < len; i++) { std::scanf("%lu", &v[i].n); v[i].id = i; }
        auto more = [](const E& a, const E& b) { return a.n > b.n; };
        if (mode == 0) std::sort(v.begin(), v.end(), more);
        else std::partial_sort(v.begin(), v.end(), v.end(), more);
        for (int i = 0; i < len; i++) std::printf("%d ", v[i].id);
        std::printf("\n");
    }
    return 0;
}
"""


def _arrays(seed: int) -> list[list[int]]:
    rnd = random.Random(seed)
    out: list[list[int]] = [[], [5], [3, 3], list(range(17)), [0] * 40,
                            list(range(100, 0, -1)), [7] * 16 + [1] + [7] * 16]
    for _ in range(60):
        n = rnd.choice([5, 15, 16, 17, 18, 33, 100, 257, 994, 1988])
        distinct = rnd.choice([1, 2, 3, 10, 1000])
        zeros = rnd.random() < 0.5
        out.append([0 if zeros and rnd.random() < 0.9 else rnd.randrange(distinct)
                    for _ in range(n)])
    return out


def _python_order(values: list[int], heap: bool) -> list[int]:
    items = list(enumerate(values))

    def more(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return a[1] > b[1]

    if heap:
        heap_sort(items, 0, len(items), more)
    else:
        introsort(items, more)
    return [i for i, _ in items]


@pytest.fixture(scope="module")
def std_sort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ is not installed")
    work = tmp_path_factory.mktemp("stdsort")
    (work / "sort.cpp").write_text(CPP)
    exe = work / "sort"
    subprocess.run([gxx, "-O2", "-o", str(exe), str(work / "sort.cpp")], check=True,
                   timeout=300)
    return exe


@pytest.mark.parametrize("heap", [False, True], ids=["std_sort", "std_partial_sort"])
def test_same_order_as_libstdcxx(std_sort: Path, heap: bool) -> None:
    arrays = _arrays(seed=29 if heap else 3)
    feed = "".join(f"{int(heap)} {len(a)} {' '.join(map(str, a))}\n" for a in arrays)
    done = subprocess.run([str(std_sort)], input=feed, capture_output=True, text=True,
                          check=True, timeout=300)
    for values, line in zip(arrays, done.stdout.splitlines(), strict=True):
        assert _python_order(values, heap) == [int(x) for x in line.split()], values


@pytest.mark.parametrize("seed", range(20))
def test_sorted_permutation(seed: int) -> None:
    values = _arrays(seed)[-1]
    order = _python_order(values, heap=False)
    assert sorted(order) == list(range(len(values)))
    result = [values[i] for i in order]
    assert result == sorted(values, reverse=True)


def test_table_shape() -> None:
    procinfo = EVENT_BY_ENUM["PPME_PROCINFO_E"].id
    counts = {(0, 3): 5, (1, 2 * 10 + 1): 5, (0, procinfo): 9}
    rows = summary_rows(counts)
    assert len(rows) == PPM_EVENT_MAX + 2 * PPM_SC_MAX
    assert [r.calls for r in rows[:3]] == [9, 5, 5]
    assert len(summary_rows(counts, copies=2)) == 2 * len(rows)
    text = render_summary(counts)
    lines = text.splitlines()
    assert lines[:3] == ["----------------------", "Event           #Calls",
                         "----------------------"]
    assert lines[3] == "> procinfo        9"
    assert len(lines) == 6
    assert all(len(line.split()[1]) <= 16 for line in lines[3:])
