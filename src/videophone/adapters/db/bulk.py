"""Bulk reads: the rows of a plain-SQL statement as the driver returns them.

SQLAlchemy's results make a ``Row`` per row and run it through the result machinery: a few
microseconds each, which is most of the cost of reading a month of calls (a million rows) in the
bill run.  For statements that select plain columns (``text()`` with no result types), the driver's
own rows — tuples from sqlite3, records from asyncpg — are all the caller needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import TextClause


async def plain_rows(conn: AsyncConnection, statement: TextClause, params: Mapping[str, Any]) -> list[Sequence[Any]]:
    """Every row of ``statement``, unprocessed (values as the driver decodes them; SQLite returns date
    and time columns as their stored text)."""
    result = await conn.execute(statement, params)
    try:
        return list(result.cursor.fetchall())  # the DB-API cursor: the driver's rows, buffered
    finally:
        result.close()
