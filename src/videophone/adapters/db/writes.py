"""Bulk writes in one statement (or COPY) per batch, per database: the writer the bill run, rating and
the ledger share (ADR 0006).  Identifiers come from table metadata only, never from data."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Integer, func, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from videophone.adapters.db.bulk import copy_rows

BULK = 5000  # rows per bulk statement / keys per IN list


async def write_rows(
    conn: AsyncConnection,
    model: Any,
    rows: Sequence[dict[str, Any]],
    *,
    upsert_on: str | None = None,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Bulk ``INSERT`` (or, with ``upsert_on``, ``INSERT … ON CONFLICT (upsert_on) DO UPDATE`` of the
    other columns) of ``rows`` (dicts with the same keys), returning ``returning`` columns
    (:func:`write_tuples` with the dicts' keys as the columns)."""
    if not rows:
        return []
    columns = list(rows[0])
    values = itemgetter(*columns)  # in C: a tuple of the row's values in column order
    tuples = [values(r) for r in rows] if len(columns) > 1 else [(values(r),) for r in rows]
    return await write_tuples(conn, model, columns, tuples, upsert_on=upsert_on, returning=returning)


async def write_tuples(
    conn: AsyncConnection,
    model: Any,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    upsert_on: str | None = None,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Bulk ``INSERT`` of ``rows`` (values in the order of ``columns``) into ``model`` (a mapped class or
    a table); see :func:`write_rows`.

    PostgreSQL: ``COPY`` for plain inserts; with ``upsert_on`` or ``returning``, one
    ``INSERT … SELECT * FROM unnest(<one array per column>)`` per ``BULK`` rows (a constant statement,
    one round trip; asyncpg's row-by-row ``executemany`` is ~10× slower).  SQLite: the driver's
    ``executemany`` with plain tuples; new integer ids allocated here when they are to be returned."""
    if not rows:
        return []
    table = getattr(model, "__table__", model)  # a mapped class or a Table
    columns = list(columns)
    unknown = [c for c in (*columns, *returning, *([upsert_on] if upsert_on else [])) if c not in table.c]
    if unknown:  # identifiers below come from the table's metadata only, never from data
        raise ValueError(f"not columns of {table.name}: {unknown}")
    out: list[tuple[Any, ...]] = []
    if conn.dialect.name == "postgresql" and not upsert_on and not returning:
        # COPY (binary): the server's fastest way in, and no arrays to build on either side — half
        # the time of the unnest INSERT below for a month of call charges.
        await copy_rows(conn, table.name, columns, rows)
        return out
    if conn.dialect.name == "postgresql":
        casts = ", ".join(
            f"CAST(:c{i} AS {table.c[c].type.compile(dialect=conn.dialect)}[])" for i, c in enumerate(columns)
        )
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({casts})"  # noqa: S608
        if upsert_on:
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != upsert_on)
            sql += f" ON CONFLICT ({upsert_on}) DO UPDATE SET {sets}"
        if returning:
            sql += f" RETURNING {', '.join(returning)}"
        statement = text(sql)
        for i in range(0, len(rows), BULK):
            arrays = list(zip(*rows[i : i + BULK], strict=True))
            result = await conn.execute(statement, {f"c{k}": list(arrays[k]) for k in range(len(columns))})
            if returning:
                out.extend(tuple(r) for r in result)
        return out
    key = _integer_key(table)
    if returning and key is not None and key not in columns and set(returning) <= {key, *columns}:
        # SQLite, new rows with integer ids: the transaction holds the write lock from its BEGIN
        # IMMEDIATE (adapters.db.engine), so the ids after the largest are this transaction's to
        # give — the same ones SQLite would pick —, and the rows go in by executemany, not one
        # SQLAlchemy INSERT … RETURNING per row.
        start = int(await conn.scalar(select(func.coalesce(func.max(table.c[key]), 0))) or 0) + 1
        full = [(start + k, *row) for k, row in enumerate(rows)]
        await write_tuples(conn, table, [key, *columns], full)
        at = {c: k for k, c in enumerate([key, *columns])}
        picks = [at[c] for c in returning]
        return [tuple(row[k] for k in picks) for row in full]
    if not returning:
        # SQLite without RETURNING: the driver's executemany with plain tuples; only the columns whose
        # type converts values (dates, UTC datetimes) go through their bind processor.
        processors = [table.c[c].type._cached_bind_processor(conn.dialect) for c in columns]
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608
        if upsert_on:
            sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c != upsert_on)
            sql += f" ON CONFLICT ({upsert_on}) DO UPDATE SET {sets}"
        converted = [(k, f) for k, f in enumerate(processors) if f is not None]
        for i in range(0, len(rows), BULK):
            part: list[Any] = list(rows[i : i + BULK])
            if converted:  # column by column (e.g. one ``rated_at`` for the whole batch: converted once)
                by_column = list(zip(*part, strict=True))
                for k, f in converted:
                    by_column[k] = _converted(by_column[k], f)
                part = list(zip(*by_column, strict=True))
            await conn.exec_driver_sql(sql, part)
        return out
    stmt: Any
    if upsert_on:
        ins = sqlite_insert(model)
        stmt = ins.on_conflict_do_update(
            index_elements=[upsert_on], set_={c: ins.excluded[c] for c in columns if c != upsert_on}
        )
    else:
        stmt = insert(model)
    if returning:
        stmt = stmt.returning(*(table.c[c] for c in returning))
    for i in range(0, len(rows), BULK):
        result = await conn.execute(stmt, [dict(zip(columns, r, strict=True)) for r in rows[i : i + BULK]])
        if returning:
            out.extend(tuple(r) for r in result)
    return out


def _integer_key(table: Any) -> str | None:
    """The name of the table's primary key if it is a single integer column."""
    columns = list(table.primary_key.columns)
    if len(columns) == 1 and isinstance(columns[0].type, Integer):
        return str(columns[0].name)
    return None


def _converted(values: Sequence[Any], convert: Any) -> tuple[Any, ...]:
    """``convert`` applied to each value, once per distinct (hashable) value."""
    memo: dict[Any, Any] = {}
    out = []
    for x in values:
        try:
            y = memo[x]
        except KeyError:
            y = memo[x] = convert(x)
        except TypeError:  # unhashable (a JSON document): converted each time
            y = convert(x)
        out.append(y)
    return tuple(out)
