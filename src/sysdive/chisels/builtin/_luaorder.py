"""The order in which sysdig's chisels walk ``get_thread_table`` with ``pairs``.

lsof and netstat print threads and fds in ``pairs`` order, which sysdig does not sort: it is
the layout of a LuaJIT table, filled in the iteration order of libsinsp's
``std::unordered_map`` thread and fd tables. Both are deterministic, so the order can be
recomputed: :func:`unordered_map_order` replays insertions into libstdc++'s hash table
(prime bucket counts, each new node at the front of its bucket, or of the list when the
bucket is empty), and :class:`LuaIntTable` replays ``lua_rawseti`` into a LuaJIT 2.1 table
(array part, hash part with Brent's variation, rehash on a full hash part).

Only what integer keys need is modelled (no strings, no deletions).
"""

from __future__ import annotations

import bisect
import math
import struct
from collections.abc import Iterable

__all__ = ["LuaIntTable", "lua_pairs_order", "unordered_map_order"]

# libstdc++'s bucket counts (hashtable-aux.cc), up to what a thread or fd table can reach.
_PRIMES = (
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
    89, 97, 103, 109, 113, 127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257,
    277, 293, 313, 337, 359, 383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761, 823, 887,
    953, 1031, 1109, 1193, 1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753,
    2971, 3209, 3469, 3739, 4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783,
    9497, 10273, 11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281,
    26267, 28411, 30727, 33223, 35933, 38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307,
    72817, 78779, 85229, 92203, 99733, 107897, 116731, 126271, 136607, 147793, 159871, 172933,
    187091, 202409, 218971, 236897, 256279, 277261, 299951, 324503, 351061, 379787, 410857,
    444487, 480881, 520241, 562841, 608903, 658753, 712697, 771049, 834181, 902483, 976369,
    1056323, 1142821, 1236397, 1337629, 1447153, 1565659, 1693859, 1832561, 1982627, 2144977,
)
_FAST_BKT = (2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13)
_U64 = (1 << 64) - 1


class _RehashPolicy:
    """libstdc++'s ``_Prime_rehash_policy`` with the default max load factor of 1."""

    def __init__(self) -> None:
        self.next_resize = 0

    def next_bkt(self, n: int) -> int:
        if n < len(_FAST_BKT):
            if n == 0:
                return 1
            self.next_resize = _FAST_BKT[n]
            return _FAST_BKT[n]
        i = bisect.bisect_left(_PRIMES, n, 6)
        if i >= len(_PRIMES):
            raise ValueError("table too large to model")
        self.next_resize = _PRIMES[i]
        return _PRIMES[i]

    def need_rehash(self, n_bkt: int, n_elt: int, n_ins: int) -> int | None:
        if n_elt + n_ins <= self.next_resize:
            return None
        min_bkts = float(max(n_elt + n_ins, 0 if self.next_resize else 11))
        if min_bkts >= n_bkt:
            return self.next_bkt(max(math.floor(min_bkts) + 1, n_bkt * 2))
        self.next_resize = n_bkt
        return None


def _place(order: list[int], first_of: dict[int, int], key: int, n_bkt: int) -> None:
    """Link ``key`` in: before the first node of its bucket, or at the front of the list."""
    bkt = (key & _U64) % n_bkt
    if bkt in first_of:
        pos = order.index(first_of[bkt])
        order.insert(pos, key)
    else:
        order.insert(0, key)
    first_of[bkt] = key


def unordered_map_order(keys: Iterable[int]) -> list[int]:
    """Iteration order of a ``std::unordered_map<int64_t, T>`` after inserting ``keys``
    (distinct, in this order) into an empty map."""
    policy = _RehashPolicy()
    n_bkt = 1
    order: list[int] = []
    first_of: dict[int, int] = {}
    for key in keys:
        new = policy.need_rehash(n_bkt, len(order), 1)
        if new is not None:
            n_bkt = new
            old, order, first_of = order, [], {}
            for k in old:
                _place(order, first_of, k, n_bkt)
        _place(order, first_of, key, n_bkt)
    return order


# -- LuaJIT tables --------------------------------------------------------------------------------

_MAX_ASIZE = (1 << 27) + 1
_MAX_ABITS = 28
_M32 = 0xFFFFFFFF
_DOUBLE = struct.Struct("<d")
_LOHI = struct.Struct("<II")


def _rol(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _M32


def _hashnum(key: int) -> int:
    lo, hi = _LOHI.unpack(_DOUBLE.pack(float(key)))
    hi = (hi << 1) & _M32
    lo ^= hi
    hi = _rol(hi, 14)
    lo = (lo - hi) & _M32
    hi = _rol(hi, 5)
    hi ^= lo
    hi = (hi - _rol(lo, 13)) & _M32
    return int(hi)


def _fls(x: int) -> int:
    return x.bit_length() - 1


def _hbits(total: int) -> int:
    if total == 0:
        return 0
    return 1 if total == 1 else 1 + _fls(total - 1)


class _Node:
    __slots__ = ("key", "next", "val")

    def __init__(self) -> None:
        self.key: int | None = None
        self.val = False
        self.next: int | None = None


class LuaIntTable:
    """A LuaJIT 2.1 table that only ever gets integer keys through ``lua_rawseti``."""

    def __init__(self) -> None:
        self.array: list[bool] = []
        self.nodes: list[_Node] = []
        self.freetop = 0

    # -- lookups

    def _main(self, key: int) -> int:
        return _hashnum(key) & (len(self.nodes) - 1)

    def _find(self, key: int) -> int | None:
        if not self.nodes:
            return None
        i: int | None = self._main(key)
        while i is not None:
            n = self.nodes[i]
            if n.key == key:
                return i
            i = n.next
        return None

    # -- insertion

    def rawseti(self, key: int) -> None:
        """``lua_rawseti(L, t, key)`` with a non-nil value."""
        if 0 <= key < len(self.array):
            self.array[key] = True
            return
        found = self._find(key)
        if found is not None:
            self.nodes[found].val = True
            return
        self._newkey(key)

    def _set(self, key: int) -> None:
        # lj_tab_set for an integer key: array slot or hash node.
        self.rawseti(key)

    def _newkey(self, key: int) -> None:
        nodes = self.nodes
        if not nodes:
            self._rehash(key)
            self._set(key)
            return
        n = self._main(key)
        if nodes[n].val:
            f = self.freetop
            while True:
                if f == 0:
                    self._rehash(key)
                    self._set(key)
                    return
                f -= 1
                if nodes[f].key is None:
                    break
            self.freetop = f
            other = nodes[n].key
            assert other is not None
            collide = self._main(other)
            if collide != n:
                while nodes[collide].next != n:
                    nxt = nodes[collide].next
                    assert nxt is not None
                    collide = nxt
                nodes[collide].next = f
                nodes[f].key, nodes[f].val, nodes[f].next = nodes[n].key, nodes[n].val, \
                    nodes[n].next
                nodes[n].next = None
                nodes[n].val = False
            else:
                nodes[f].next = nodes[n].next
                nodes[n].next = f
                n = f
        nodes[n].key = key
        nodes[n].val = True

    def _rehash(self, extra: int) -> None:
        bins = [0] * _MAX_ABITS
        na = self._count_array(bins)
        total = 1 + na
        for node in self.nodes:
            if node.val:
                assert node.key is not None
                na += _countint(node.key, bins)
                total += 1
        na += _countint(extra, bins)
        asize, in_array = _bestasize(bins, na)
        total -= in_array
        self._resize(asize, _hbits(total))

    def _count_array(self, bins: list[int]) -> int:
        asize = len(self.array)
        if asize == 0:
            return 0
        na = i = 0
        for b in range(_MAX_ABITS):
            top = 2 << b
            if top >= asize:
                top = asize - 1
                if i > top:
                    break
            n = 0
            while i <= top:
                if self.array[i]:
                    n += 1
                i += 1
            bins[b] += n
            na += n
        return na

    def _resize(self, asize: int, hbits: int) -> None:
        oldnodes = self.nodes
        oldasize = len(self.array)
        if asize > oldasize:
            self.array.extend([False] * (asize - oldasize))
        if hbits:
            self.nodes = [_Node() for _ in range(1 << hbits)]
            self.freetop = 1 << hbits
        else:
            self.nodes = []
            self.freetop = 0
        if asize < oldasize:
            old = self.array
            self.array = old[:asize]
            for i in range(asize, oldasize):
                if old[i]:
                    found = self._find(i)
                    if found is None:
                        self._newkey(i)
        for node in oldnodes:
            if node.val:
                assert node.key is not None
                self._set(node.key)

    # -- iteration

    def keys(self) -> list[int]:
        """``pairs`` order: the array part, then the hash nodes."""
        out = [i for i, v in enumerate(self.array) if v]
        out += [n.key for n in self.nodes if n.val and n.key is not None]
        return out


def _countint(key: int, bins: list[int]) -> int:
    if 0 <= key < _MAX_ASIZE:
        bins[_fls(key - 1) if key > 2 else 0] += 1
        return 1
    return 0


def _bestasize(bins: list[int], nn: int) -> tuple[int, int]:
    """(array size, keys it holds) for ``nn`` integer keys counted in ``bins``."""
    b = total = na = sz = 0
    while 2 * nn > (1 << b) and total != nn:
        if bins[b] > 0:
            total += bins[b]
            if 2 * total > (1 << b):
                sz = (2 << b) + 1
                na = total
        b += 1
    return sz, na


def lua_pairs_order(keys: Iterable[int]) -> list[int]:
    """The ``pairs`` order of a new table after ``lua_rawseti`` of each key in turn."""
    t = LuaIntTable()
    for k in keys:
        t.rawseti(k)
    return t.keys()
