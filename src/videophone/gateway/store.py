"""The gateway's own store: one SQLite file with its trades (never the service's database)."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS trades (
    merchant_id TEXT NOT NULL,
    out_trade_no TEXT NOT NULL,
    trade_no TEXT UNIQUE,
    amount_fen INTEGER NOT NULL,
    subject TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    return_url TEXT NOT NULL,
    status TEXT NOT NULL,            -- pending | paid | closed
    created_at TEXT NOT NULL,
    paid_at TEXT,
    closed_at TEXT,
    notify_id TEXT,
    notify_state TEXT NOT NULL,      -- none | due | acknowledged | gave_up
    notify_attempts INTEGER NOT NULL DEFAULT 0,
    next_notify_at TEXT,
    last_notify_error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (merchant_id, out_trade_no)
)
"""


@dataclass(frozen=True)
class Trade:
    merchant_id: str
    out_trade_no: str
    trade_no: str | None
    amount_fen: int
    subject: str
    notify_url: str
    return_url: str
    status: str
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None
    notify_id: str | None
    notify_state: str
    notify_attempts: int
    next_notify_at: datetime | None
    last_notify_error: str


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _trade(row: sqlite3.Row) -> Trade:
    data: dict[str, Any] = dict(row)
    for key in ("created_at", "paid_at", "closed_at", "next_notify_at"):
        data[key] = _time(data[key])
    return Trade(**data)


class TradeStore:
    """Thread-safe access to the trades table (statements are tiny; one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, merchant_id: str, out_trade_no: str) -> Trade | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM trades WHERE merchant_id = ? AND out_trade_no = ?", (merchant_id, out_trade_no)
            ).fetchone()
        return _trade(row) if row else None

    def open(
        self,
        *,
        merchant_id: str,
        out_trade_no: str,
        amount_fen: int,
        subject: str,
        notify_url: str,
        return_url: str,
        now: datetime,
    ) -> Trade:
        """The trade for this checkout, created pending the first time the link is opened."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO trades (merchant_id, out_trade_no, amount_fen, subject, notify_url,"
                " return_url, status, created_at, notify_state) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, 'none')",
                (merchant_id, out_trade_no, amount_fen, subject, notify_url, return_url, _iso(now)),
            )
            row = self._db.execute(
                "SELECT * FROM trades WHERE merchant_id = ? AND out_trade_no = ?", (merchant_id, out_trade_no)
            ).fetchone()
        return _trade(row)

    def finish(
        self, merchant_id: str, out_trade_no: str, *, status: str, trade_no: str, notify_id: str, now: datetime
    ) -> bool:
        """pending → paid | closed, with a notification due now; False if the trade was not pending."""
        column = "paid_at" if status == "paid" else "closed_at"
        with self._lock:
            cursor = self._db.execute(
                f"UPDATE trades SET status = ?, trade_no = ?, {column} = ?, notify_id = ?, notify_state = 'due',"  # noqa: S608
                " notify_attempts = 0, next_notify_at = ? WHERE merchant_id = ? AND out_trade_no = ?"
                " AND status = 'pending'",
                (status, trade_no, _iso(now), notify_id, _iso(now), merchant_id, out_trade_no),
            )
        return cursor.rowcount == 1

    def due_notifications(self, now: datetime, limit: int = 50) -> list[Trade]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM trades WHERE notify_state = 'due' AND next_notify_at <= ? ORDER BY next_notify_at"
                " LIMIT ?",
                (_iso(now), limit),
            ).fetchall()
        return [_trade(r) for r in rows]

    def notified(
        self, merchant_id: str, out_trade_no: str, *, state: str, attempts: int, next_at: datetime | None, error: str
    ) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE trades SET notify_state = ?, notify_attempts = ?, next_notify_at = ?, last_notify_error = ?"
                " WHERE merchant_id = ? AND out_trade_no = ?",
                (state, attempts, _iso(next_at), error[:500], merchant_id, out_trade_no),
            )
