"""The store survives ``kill -9`` of a running agent and its restarts."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from monhelpers import AgentProcess, wait_for


def _rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_kill_9_mid_write_then_restart(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    # --top 50: many process rows per round, so a kill lands inside a write often.
    agent = AgentProcess(db, "--interval", "1", "--top", "50", "--no-docker").start()
    kills = 0
    try:
        for round_ in range(3):
            wait_for("samples to accumulate", lambda: agent.get(
                f"/api/overview?from={time.time() - 600}&to={time.time()}")["ts"], 30)
            time.sleep(2.3 + 0.37 * round_)   # land at different points of a round
            before = agent.get(f"/api/overview?from={time.time() - 600}&to={time.time()}"
                               "&points=5000")
            agent.kill9()
            kills += 1
            assert Path(f"{db}-wal").exists()   # killed before any clean close/checkpoint
            # A killed writer leaves the WAL behind; sqlite must open and check it clean.
            with sqlite3.connect(db) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            agent.start()
            after = agent.get(f"/api/overview?from={time.time() - 600}&to={time.time()}"
                              "&points=5000")
            # Every sample answered before the kill is still there after it.
            assert set(before["ts"]) <= set(after["ts"])
        n = _rows(db, "host_raw")
        wait_for("sampling to continue", lambda: _rows(db, "host_raw") > n + 2, 20)
    finally:
        agent.stop()
    assert kills == 3
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
