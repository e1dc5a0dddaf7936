"""``-S``: the event summary table, in the exact row order sysdig 0.29.3 prints.

sysdig keeps one counter per event id (``PPM_EVENT_MAX`` of them) followed by two per
generic syscall id (``PPM_SC_MAX * 2``: enter, exit), sorts that whole array with
``std::sort`` and a comparator that looks at the call count only, and prints the first
100 rows with a non-zero count. ``std::sort`` is not stable, so rows with equal counts come
out in an order that only the algorithm itself defines. :func:`introsort` replays
libstdc++'s algorithm (GCC 12, as in Debian's sysdig build) step by step on the same
initial array, which makes the tie order identical.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableSequence
from typing import TypeVar

from sysdive.records import record
from sysdive.schema.events import EVENTS
from sysdive.schema.syscalls import SYSCALL_NAMES

T = TypeVar("T")
Less = Callable[[T, T], bool]

# Sizes of sysdig's table at falcosecurity/libs e5c53d64 (driver/ppm_events_public.h).
PPM_EVENT_MAX = 336
PPM_SC_MAX = 329
MAX_ROWS = 100

_THRESHOLD = 16  # libstdc++ _S_threshold: below this, partitions are left to insertion sort


@record
class SummaryKey:
    """One counter of the table: an event id, or a generic syscall's ``id * 2 + exit``."""

    generic: bool
    id: int


@record
class SummaryRow:
    """One counter with its count, as stored in sysdig's ``summary_table_entry``."""

    key: SummaryKey
    calls: int


def _cdiv2(n: int) -> int:
    """C++ signed ``n / 2`` (truncates toward zero)."""
    return -((-n) // 2) if n < 0 else n // 2


# --- heap operations (the depth-limit fallback of introsort) --------------------------------


def _push_heap(a: MutableSequence[T], first: int, hole: int, top: int, value: T,
               less: Less[T]) -> None:
    parent = _cdiv2(hole - 1)
    while hole > top and less(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = _cdiv2(hole - 1)
    a[first + hole] = value


def _adjust_heap(a: MutableSequence[T], first: int, hole: int, length: int, value: T,
                 less: Less[T]) -> None:
    top = hole
    child = hole
    while child < _cdiv2(length - 1):
        child = 2 * (child + 1)
        if less(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length & 1 == 0 and child == _cdiv2(length - 2):
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    _push_heap(a, first, hole, top, value, less)


def _make_heap(a: MutableSequence[T], first: int, last: int, less: Less[T]) -> None:
    length = last - first
    if length < 2:
        return
    parent = _cdiv2(length - 2)
    while True:
        _adjust_heap(a, first, parent, length, a[first + parent], less)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(a: MutableSequence[T], first: int, last: int, result: int,
              less: Less[T]) -> None:
    value = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, value, less)


def _heap_sort(a: MutableSequence[T], first: int, last: int, less: Less[T]) -> None:
    # std::__partial_sort(first, last, last): heap-select over an empty tail, then sort_heap.
    _make_heap(a, first, last, less)
    while last - first > 1:
        last -= 1
        _pop_heap(a, first, last, last, less)


# --- quicksort part ------------------------------------------------------------------------


def _move_median_to_first(a: MutableSequence[T], result: int, x: int, y: int, z: int,
                          less: Less[T]) -> None:
    if less(a[x], a[y]):
        if less(a[y], a[z]):
            pick = y
        elif less(a[x], a[z]):
            pick = z
        else:
            pick = x
    elif less(a[x], a[z]):
        pick = x
    elif less(a[y], a[z]):
        pick = z
    else:
        pick = y
    a[result], a[pick] = a[pick], a[result]


def _unguarded_partition(a: MutableSequence[T], first: int, last: int, pivot: int,
                         less: Less[T]) -> int:
    while True:
        while less(a[first], a[pivot]):
            first += 1
        last -= 1
        while less(a[pivot], a[last]):
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _introsort_loop(a: MutableSequence[T], first: int, last: int, depth: int,
                    less: Less[T]) -> None:
    while last - first > _THRESHOLD:
        if depth == 0:
            _heap_sort(a, first, last, less)
            return
        depth -= 1
        mid = first + (last - first) // 2
        _move_median_to_first(a, first, first + 1, mid, last - 1, less)
        cut = _unguarded_partition(a, first + 1, last, first, less)
        _introsort_loop(a, cut, last, depth, less)
        last = cut


# --- final insertion sort ------------------------------------------------------------------


def _unguarded_linear_insert(a: MutableSequence[T], last: int, less: Less[T]) -> None:
    value = a[last]
    prev = last - 1
    while less(value, a[prev]):
        a[last] = a[prev]
        last = prev
        prev -= 1
    a[last] = value


def _insertion_sort(a: MutableSequence[T], first: int, last: int, less: Less[T]) -> None:
    if first == last:
        return
    for i in range(first + 1, last):
        if less(a[i], a[first]):
            value = a[i]
            a[first + 1:i + 1] = a[first:i]
            a[first] = value
        else:
            _unguarded_linear_insert(a, i, less)


def _final_insertion_sort(a: MutableSequence[T], first: int, last: int,
                          less: Less[T]) -> None:
    if last - first > _THRESHOLD:
        _insertion_sort(a, first, first + _THRESHOLD, less)
        for i in range(first + _THRESHOLD, last):
            _unguarded_linear_insert(a, i, less)
    else:
        _insertion_sort(a, first, last, less)


def introsort(a: MutableSequence[T], less: Less[T]) -> None:
    """Sort ``a`` in place exactly as libstdc++'s ``std::sort(begin, end, less)`` does.

    Not stable; elements that compare equal end up where libstdc++ would leave them.
    """
    n = len(a)
    if n == 0:
        return
    _introsort_loop(a, 0, n, 2 * (n.bit_length() - 1), less)
    _final_insertion_sort(a, 0, n, less)


# --- the table -----------------------------------------------------------------------------


def _more_calls(x: SummaryRow, y: SummaryRow) -> bool:
    return x.calls > y.calls


def summary_rows(counts: Mapping[tuple[int, int], int], copies: int = 1) -> list[SummaryRow]:
    """sysdig's whole summary array after sorting (zero rows included).

    ``counts`` maps ``(0, event_id)`` and ``(1, syscall_id * 2 + exit)`` to call counts.
    ``copies`` is how many times ``-S`` was given: sysdig appends the full set of entries once
    per occurrence but only ever counts into the first set.
    """
    table: list[SummaryRow] = []
    for copy in range(copies):
        for generic, size in ((0, PPM_EVENT_MAX), (1, PPM_SC_MAX * 2)):
            for i in range(size):
                n = counts.get((generic, i), 0) if copy == 0 else 0
                table.append(SummaryRow(SummaryKey(bool(generic), i), n))
    introsort(table, _more_calls)
    return table


def render_summary(counts: Mapping[tuple[int, int], int], copies: int = 1) -> str:
    """The text sysdig prints for ``-S`` after the event lines."""
    lines = ["----------------------", "Event           #Calls", "----------------------"]
    for row in summary_rows(counts, copies)[:MAX_ROWS]:
        if row.calls == 0:
            break
        key = row.key
        name = SYSCALL_NAMES[key.id // 2] if key.generic else EVENTS[key.id].name
        # std::string::resize(16): longer names are cut, shorter ones padded.
        lines.append(f"{'> ' if key.id % 2 == 0 else '< '}{name[:16].ljust(16)}{row.calls}")
    return "\n".join(lines) + "\n"


__all__ = ["PPM_EVENT_MAX", "PPM_SC_MAX", "SummaryKey", "SummaryRow", "introsort",
           "render_summary", "summary_rows"]
