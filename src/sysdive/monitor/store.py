"""The embedded time-series store: one sqlite file in WAL mode, no server.

Three tiers per kind of series (host, container, process): ``raw`` (every sample), ``m1``
(one row per minute) and ``h1`` (one per hour). Every completed minute is folded into
``m1`` and every completed hour into ``h1`` as soon as it ends, so a query over a long
range reads few rows; old rows leave each tier when they pass its retention. Memory and
counters fold as the maximum over the bucket (a memory peak is what matters near a
limit), free/available memory as the minimum.

Crash safety comes from sqlite itself: each sampling round, each fold and each prune is
one transaction, and in WAL mode a killed writer (``kill -9``) leaves the last committed
transaction intact; the next open replays or discards the WAL. The fold watermarks live
in the same transactions, so a fold is never done twice or skipped.
"""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sysdive.monitor.model import Event, Snapshot

HOST_COLUMNS = ("mem_total", "mem_used", "mem_available", "mem_free", "buffers", "cached",
                "swap_total", "swap_used", "cpu_seconds", "proc_rss")
CONTAINER_COLUMNS = ("usage", "working_set", "rss", "cache", "mapped_file", "swap",
                     "mem_limit", "failcnt", "oom_kills", "cpu_seconds", "blk_read",
                     "blk_write", "net_rx", "net_tx", "proc_rss", "nprocs")
_MIN_COLUMNS = frozenset({"mem_available", "mem_free"})
TIERS = (("raw", 0), ("m1", 60), ("h1", 3600))
_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
          86400, 172800, 604800)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long each tier keeps rows, in seconds."""

    raw: float = 6 * 3600
    m1: float = 8 * 86400
    h1: float = 400 * 86400

    def of(self, tier: str) -> float:
        """Retention of a tier by name."""
        return float(getattr(self, tier))


@dataclass(frozen=True, slots=True)
class Series:
    """Columns over time: ``ts`` and one list per requested column, same length."""

    ts: list[float]
    columns: dict[str, list[float | None]]


def _schema() -> str:
    parts = ["CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);",
             "CREATE TABLE IF NOT EXISTS containers(cid TEXT PRIMARY KEY, name TEXT, "
             "image TEXT, runtime TEXT, first_seen REAL, last_seen REAL, stopped REAL, "
             "mem_limit INTEGER);",
             "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY AUTOINCREMENT, "
             "ts REAL, kind TEXT, cid TEXT, name TEXT, severity TEXT, message TEXT, "
             "data TEXT);",
             "CREATE INDEX IF NOT EXISTS events_ts ON events(ts);"]
    host_cols = ", ".join(f"{c} REAL" for c in HOST_COLUMNS)
    ctr_cols = ", ".join(f"{c} REAL" for c in CONTAINER_COLUMNS)
    for tier, _ in TIERS:
        parts.append(f"CREATE TABLE IF NOT EXISTS host_{tier}(ts REAL PRIMARY KEY, "
                     f"{host_cols}) WITHOUT ROWID;")
        parts.append(f"CREATE TABLE IF NOT EXISTS ctr_{tier}(cid TEXT, ts REAL, {ctr_cols}, "
                     "PRIMARY KEY(cid, ts)) WITHOUT ROWID;")
        parts.append(f"CREATE INDEX IF NOT EXISTS ctr_{tier}_ts ON ctr_{tier}(ts);")
        parts.append(f"CREATE TABLE IF NOT EXISTS proc_{tier}(cid TEXT, ts REAL, pid INTEGER, "
                     "comm TEXT, rss REAL, PRIMARY KEY(cid, ts, pid)) WITHOUT ROWID;")
    return "\n".join(parts)


class Store:
    """Writes snapshots and events; answers range queries. One writer, many readers (each
    thread gets its own connection)."""

    def __init__(self, path: str, retention: Retention | None = None) -> None:
        self.path = path
        self.retention = retention or Retention()
        self._local = threading.local()
        conn = self._conn()
        conn.executescript(_schema())

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a killed process loses nothing committed; only a power
            # cut may lose the last transactions, never the file's integrity.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # ---- writing -------------------------------------------------------------------
    def write_snapshot(self, snap: Snapshot) -> None:
        """Record one sampling round (one transaction)."""
        h = snap.host
        host_row = (snap.ts, h.mem_total, h.mem_used, h.mem_available, h.mem_free, h.buffers,
                    h.cached, h.swap_total, h.swap_used, h.cpu_seconds, snap.host_proc_rss)
        ctr_rows = []
        proc_rows = [("", snap.ts, p.pid, p.comm, p.rss) for p in snap.host_top]
        meta_rows = []
        for c in snap.containers:
            s = c.stats
            ctr_rows.append((c.cid, snap.ts, s.usage, s.working_set, s.rss, s.cache,
                             s.mapped_file, s.swap, s.limit, s.failcnt, s.oom_kills,
                             s.cpu_seconds, s.blk_read, s.blk_write, c.net_rx, c.net_tx,
                             c.proc_rss, c.nprocs))
            proc_rows.extend((c.cid, snap.ts, p.pid, p.comm, p.rss) for p in c.top)
            meta_rows.append((c.cid, c.name, c.image, c.runtime, snap.ts, snap.ts, s.limit))
        conn = self._conn()
        with _transaction(conn):
            conn.execute(f"INSERT OR REPLACE INTO host_raw VALUES ({_marks(11)})", host_row)
            conn.executemany(f"INSERT OR REPLACE INTO ctr_raw VALUES ({_marks(18)})", ctr_rows)
            conn.executemany("INSERT OR REPLACE INTO proc_raw VALUES (?,?,?,?,?)", proc_rows)
            conn.executemany(
                "INSERT INTO containers(cid,name,image,runtime,first_seen,last_seen,mem_limit)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(cid) DO UPDATE SET"
                # A name that is still the id (runtime not asked yet) keeps the known one.
                " name=CASE WHEN excluded.name = excluded.cid THEN name ELSE excluded.name END,"
                " image=CASE WHEN excluded.name = excluded.cid THEN image"
                " ELSE excluded.image END, last_seen=excluded.last_seen, stopped=NULL,"
                " mem_limit=excluded.mem_limit", meta_rows)

    def mark_stopped(self, cid: str, ts: float) -> None:
        """Record that a container is gone."""
        conn = self._conn()
        with _transaction(conn):
            conn.execute("UPDATE containers SET stopped=? WHERE cid=?", (ts, cid))

    def add_event(self, event: Event) -> None:
        """Record a marker or alert."""
        conn = self._conn()
        with _transaction(conn):
            conn.execute("INSERT INTO events(ts,kind,cid,name,severity,message,data) "
                         "VALUES (?,?,?,?,?,?,?)",
                         (event.ts, event.kind, event.cid, event.name, event.severity,
                          event.message, json.dumps(event.data, sort_keys=True)))

    def get_meta(self, key: str) -> str | None:
        """A value the agent kept across restarts."""
        row = self._conn().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Keep a value across restarts."""
        conn = self._conn()
        with _transaction(conn):
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def maintain(self, now: float | None = None) -> None:
        """Fold completed minutes and hours into the coarser tiers, then prune each tier."""
        now = time.time() if now is None else now
        conn = self._conn()
        for (src, _), (dst, res) in itertools.pairwise(TIERS):
            upto = float(res * int(now // res))
            with _transaction(conn):
                row = conn.execute("SELECT value FROM meta WHERE key=?",
                                   (f"folded_{dst}",)).fetchone()
                start = float(row[0]) if row else 0.0
                if upto <= start:
                    continue
                self._fold(conn, src, dst, res, start, upto)
                conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)",
                             (f"folded_{dst}", repr(upto)))
        with _transaction(conn):
            for tier, _ in TIERS:
                cutoff = now - self.retention.of(tier)
                for table in ("host", "ctr", "proc"):
                    conn.execute(f"DELETE FROM {table}_{tier} WHERE ts < ?", (cutoff,))
            conn.execute("DELETE FROM events WHERE ts < ?", (now - self.retention.h1,))

    @staticmethod
    def _fold(conn: sqlite3.Connection, src: str, dst: str, res: int, start: float,
              upto: float) -> None:
        bucket = f"CAST(ts / {res} AS INTEGER) * {res}"
        host = ", ".join(f"{'MIN' if c in _MIN_COLUMNS else 'MAX'}({c})" for c in HOST_COLUMNS)
        ctr = ", ".join(f"MAX({c})" for c in CONTAINER_COLUMNS)
        where = "WHERE ts >= ? AND ts < ?"
        conn.execute(f"INSERT OR REPLACE INTO host_{dst} SELECT {bucket} AS b, {host} "
                     f"FROM host_{src} {where} GROUP BY b", (start, upto))
        conn.execute(f"INSERT OR REPLACE INTO ctr_{dst} SELECT cid, {bucket} AS b, {ctr} "
                     f"FROM ctr_{src} {where} GROUP BY cid, b", (start, upto))
        conn.execute(f"INSERT OR REPLACE INTO proc_{dst} SELECT cid, {bucket} AS b, pid, "
                     f"MAX(comm), MAX(rss) FROM proc_{src} {where} GROUP BY cid, b, pid",
                     (start, upto))

    # ---- reading -------------------------------------------------------------------
    def plan(self, t0: float, t1: float, points: int) -> tuple[str, float]:
        """The finest tier that still holds ``t0``, and the bucket width for ``points``.

        Widths come from a fixed ladder, so two queries over nearly the same range (the
        dashboard refreshing) put samples in the same buckets."""
        now = time.time()
        for tier, res in TIERS:
            if t0 >= now - self.retention.of(tier) or tier == "h1":
                want = max(float(res), (t1 - t0) / max(points, 1))
                if want < 1:
                    return tier, max(math.ceil(want * 1000) / 1000, 0.001)
                return tier, next((float(s) for s in _STEPS if s >= want), want)
        raise AssertionError("unreachable")

    def host_series(self, t0: float, t1: float, columns: Sequence[str] = HOST_COLUMNS,
                    points: int = 600) -> Series:
        """Host columns over [t0, t1], at most about ``points`` buckets; ``ts`` holds each
        bucket's start, the same for every kind of series of one range."""
        cols = [c for c in columns if c in HOST_COLUMNS]
        tier, step = self.plan(t0, t1, points)
        agg = ", ".join(f"{'MIN' if c in _MIN_COLUMNS else 'MAX'}({c})" for c in cols)
        rows = self._conn().execute(
            f"SELECT CAST(ts / ? AS INTEGER) AS b, {agg} FROM host_{tier} "
            f"WHERE ts >= ? AND ts <= ? GROUP BY b ORDER BY b", (step, t0, t1)).fetchall()
        return Series([r[0] * step for r in rows], {c: [r[i + 1] for r in rows]
                                             for i, c in enumerate(cols)})

    def container_series(self, t0: float, t1: float,
                         columns: Sequence[str] = ("usage", "working_set", "mem_limit"),
                         points: int = 600, cid: str | None = None) -> dict[str, Series]:
        """Per container (by short id), columns over [t0, t1]."""
        cols = [c for c in columns if c in CONTAINER_COLUMNS]
        tier, step = self.plan(t0, t1, points)
        agg = ", ".join(f"MAX({c})" for c in cols)
        sql = (f"SELECT cid, CAST(ts / ? AS INTEGER) AS b, {agg} FROM ctr_{tier} "
               "WHERE ts >= ? AND ts <= ? " + ("AND cid = ? " if cid is not None else "")
               + "GROUP BY cid, b ORDER BY cid, b")
        args: tuple[object, ...] = (step, t0, t1, cid) if cid is not None else (step, t0, t1)
        out: dict[str, Series] = {}
        for row in self._conn().execute(sql, args):
            series = out.get(row[0])
            if series is None:
                series = out[row[0]] = Series([], {c: [] for c in cols})
            series.ts.append(row[1] * step)
            for i, c in enumerate(cols):
                series.columns[c].append(row[i + 2])
        return out

    def process_series(self, cid: str, t0: float, t1: float,
                       points: int = 600) -> dict[str, Series]:
        """RSS over time of the processes recorded for a container (``""`` = the host),
        keyed ``"comm (pid)"`` with the last name the pid had (exec renames it)."""
        tier, step = self.plan(t0, t1, points)
        where = f"FROM proc_{tier} WHERE cid = ? AND ts >= ? AND ts <= ?"
        rows = self._conn().execute(
            f"SELECT pid, CAST(ts / ? AS INTEGER) AS b, MAX(rss) {where} GROUP BY pid, b "
            "ORDER BY pid, b", (step, cid, t0, t1)).fetchall()
        # With a single MAX() sqlite takes the bare column from the row holding the maximum.
        names = {pid: comm for pid, comm, _ in self._conn().execute(
            f"SELECT pid, comm, MAX(ts) {where} GROUP BY pid", (cid, t0, t1))}
        out: dict[str, Series] = {}
        for pid, b, rss in rows:
            key = f"{names.get(pid, '?')} ({pid})"
            series = out.get(key)
            if series is None:
                series = out[key] = Series([], {"rss": []})
            series.ts.append(b * step)
            series.columns["rss"].append(rss)
        return out

    def containers(self) -> list[dict[str, object]]:
        """Every container the store knows, newest first."""
        cur = self._conn().execute("SELECT cid, name, image, runtime, first_seen, last_seen, "
                                   "stopped, mem_limit FROM containers ORDER BY first_seen "
                                   "DESC")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def container(self, cid: str) -> dict[str, object] | None:
        """One container by short id (or a prefix of it)."""
        cur = self._conn().execute("SELECT cid, name, image, runtime, first_seen, last_seen, "
                                   "stopped, mem_limit FROM containers WHERE cid = ? OR "
                                   "cid = substr(?, 1, 12)", (cid, cid))
        row = cur.fetchone()
        return None if row is None else dict(zip([d[0] for d in cur.description], row,
                                                 strict=True))

    def events(self, t0: float, t1: float, kinds: Iterable[str] | None = None) -> list[Event]:
        """Markers and alerts in [t0, t1], oldest first."""
        rows = self._conn().execute("SELECT ts, kind, cid, name, severity, message, data "
                                    "FROM events WHERE ts >= ? AND ts <= ? ORDER BY ts, id",
                                    (t0, t1)).fetchall()
        wanted = set(kinds) if kinds is not None else None
        return [Event(ts=r[0], kind=r[1], cid=r[2], name=r[3], severity=r[4], message=r[5],
                      data=json.loads(r[6] or "{}"))
                for r in rows if wanted is None or r[1] in wanted]

    def integrity(self) -> str:
        """``PRAGMA integrity_check``'s answer (``ok`` when the file is sound)."""
        return str(self._conn().execute("PRAGMA integrity_check").fetchone()[0])


def _marks(n: int) -> str:
    return ",".join("?" * n)


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
