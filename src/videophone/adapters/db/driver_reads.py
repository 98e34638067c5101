"""Hot reads run straight on the driver (PostgreSQL): a Core statement compiled once, its rows as tuples.

SQLAlchemy's execution of a prebuilt statement — its cache key, compiled-cache lookup, parameter
processing, cursor adaptation and the greenlet hand-offs of the asyncio adapter — cost the signaling node
0.47 ms of CPU for the invite's two reads, against 0.09 ms for asyncpg running the same SQL
(docs/performance.md, Signaling, Round 9).  For the few statements on the call path, :class:`DriverRead`
compiles the statement once for PostgreSQL and runs it with asyncpg on the connection it is given (its
prepared-statement cache prepares it once per connection).  On SQLite it is executed as any statement:
its calls are in-process and cheap already.

Only for SELECTs whose parameters asyncpg binds as they are (numbers, text, dates: the compiled SQL
carries the casts) and whose columns need no result processing (no custom column types).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

# What a connection that is gone raises, depending on when the driver learns of it: the socket's error,
# the connection closed, the server's notice that it ended the session (read while idle or with the
# next statement), or the protocol confused by that notice arriving between two statements.
BROKEN_CONNECTION: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
)


class DriverRead:
    """``await read.all(conn, params)`` / ``read.one(...)``: the rows of ``statement`` as named tuples (by
    column label, and by index)."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        names = [c.key or f"c{i}" for i, c in enumerate(statement.selected_columns)]
        self._make: Any = namedtuple("Row", names, rename=True)._make  # type: ignore[attr-defined]
        self._compiled: tuple[str, tuple[str, ...], dict[str, Any]] | None = None

    def _postgresql(self, dialect: Dialect) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        if self._compiled is None:
            compiled = self.statement.compile(dialect=dialect)
            self._compiled = (str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params))
        return self._compiled

    async def all(self, conn: AsyncConnection, params: Mapping[str, Any]) -> list[Any]:
        if conn.dialect.name != "postgresql":
            return [self._make(row) for row in await conn.execute(self.statement, dict(params))]
        sql, order, defaults = self._postgresql(conn.dialect)
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        try:
            rows = await driver.fetch(sql, *[params[k] if k in params else defaults[k] for k in order])
        except Exception as exc:
            if isinstance(exc, BROKEN_CONNECTION) or driver.is_closed():
                # The connection is gone (the server restarted or ended it, a network fault): out of the
                # pool with it, as SQLAlchemy does with one that failed so, or the next user gets it broken.
                await conn.invalidate()
            raise
        make = self._make
        return [make(row) for row in rows]

    async def one(self, conn: AsyncConnection, params: Mapping[str, Any]) -> Any:
        rows = await self.all(conn, params)
        if len(rows) != 1:
            raise LookupError(f"expected one row, got {len(rows)}")
        return rows[0]
