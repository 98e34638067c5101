"""Local days and months of UTC timestamps, in the database.

PostgreSQL converts with the operator's time zone (``timezone(zone, ts)``); SQLite (single node,
development) has no time-zone data and shifts by the zone's current UTC offset (exact for zones
without daylight saving, like Asia/Shanghai).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func
from sqlalchemy.ext.asyncio import AsyncSession


async def dialect_of(s: AsyncSession) -> str:
    """The database's dialect name (``postgresql``, ``sqlite``)."""
    return (await s.connection()).dialect.name


def local(dialect: str, column: Any, fmt: Literal["day", "month"], tz: ZoneInfo, now: datetime) -> ColumnElement[str]:
    """The local day (``fmt="day"``) or month (``"month"``) of a UTC timestamp column, as text."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(tz.key, column), "YYYY-MM-DD" if fmt == "day" else "YYYY-MM")
    offset = int((now.astimezone(tz).utcoffset() or timedelta()).total_seconds())
    return func.strftime("%Y-%m-%d" if fmt == "day" else "%Y-%m", column, f"{offset:+d} seconds")
