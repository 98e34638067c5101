"""Bulk reads and writes below SQLAlchemy's per-row machinery.

* Reads: SQLAlchemy's results make a ``Row`` per row and run it through the result machinery: a
  few microseconds each, which is most of the cost of reading a month of calls (a million rows).
  For statements that select plain columns (``text()`` with no result types), the driver's own rows
  — tuples from sqlite3, records from asyncpg — are all the caller needs.
* Writes on PostgreSQL: ``COPY`` (binary) through asyncpg, the server's fastest way in; errors
  come out as SQLAlchemy's, like those of any statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import DBAPIError, IntegrityError
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


async def copy_rows(conn: AsyncConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``COPY`` ``rows`` into ``table`` on PostgreSQL, in the connection's transaction.  The values go
    to the driver as they are (no SQLAlchemy type processing: aware datetimes, JSON as its text).  A
    constraint violation raises ``sqlalchemy.exc.IntegrityError``; other database errors
    ``sqlalchemy.exc.DBAPIError``."""
    import asyncpg

    driver = (await conn.get_raw_connection()).driver_connection
    assert isinstance(driver, asyncpg.Connection)
    statement = f"COPY {table} ({', '.join(columns)})"
    try:
        await driver.copy_records_to_table(table, records=list(rows), columns=list(columns))
    except asyncpg.exceptions.IntegrityConstraintViolationError as exc:
        raise IntegrityError(statement, None, exc) from exc
    except asyncpg.PostgresError as exc:
        raise DBAPIError(statement, None, exc) from exc


def dense(ids: Sequence[int]) -> bool:
    """Whether ``ids`` (not empty) are best selected as the id range they span rather than as an ``IN``
    list: at least half the range is theirs (a chunk of a run over accounts in id order), so the
    rows of other ids read along are few.  SQLAlchemy renders an ``IN`` list one bound parameter at
    a time, a few microseconds each: most of a bill-run chunk's query time."""
    return max(ids) - min(ids) < 2 * len(ids)


def among(column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """A condition that selects at least the rows whose ``column`` is one of ``ids``: an id range
    when they are :func:`dense` — the caller then keeps only its own ids from the rows —, else an
    ``IN`` list."""
    if ids and dense(ids):
        return column.between(min(ids), max(ids))  # type: ignore[no-any-return]
    return column.in_(list(ids))  # type: ignore[no-any-return]
