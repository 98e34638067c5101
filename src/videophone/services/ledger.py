"""The double-entry ledger (ADR 0004 "Ledger") and staff adjustments.

Every posting is one ``LedgerTransaction`` with ``LedgerLine`` rows that sum to zero (debit positive,
credit negative).  ``receivable`` lines carry the subscriber: what they owe (negative: credit in their
favour).  Balances are always derived from the lines.  The ``idempotency_key`` (unique index) makes a
posting happen at most once: posting the same key again returns ``None`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Integer, func, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from videophone.adapters.db.bulk import among, copy_rows
from videophone.adapters.db.models import LedgerLine, LedgerTransaction, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.domain.errors import FieldError, NotFound, ValidationFailed
from videophone.domain.money import Money, parse_yuan
from videophone.services import audit
from videophone.services.deps import Actor, Deps

RECEIVABLE = "receivable"
REVENUE_RENT = "revenue:rent"
REVENUE_VAS = "revenue:vas"
REVENUE_USAGE = "revenue:usage"
ADJUSTMENT = "adjustment"
ACCOUNTS = frozenset(
    {
        RECEIVABLE,
        REVENUE_RENT,
        REVENUE_VAS,
        REVENUE_USAGE,
        "revenue:late_fee",
        ADJUSTMENT,
        "cash:gateway",
        "cash:counter",
        "refund",
    }
)
KINDS = frozenset({"charge", "payment", "adjustment", "credit", "late_fee", "refund"})
MAX_REASON = 200
MAX_KEY = 80
MAX_ADJUSTMENT = Money.of_yuan(100_000)

Line = tuple[str, int | None, Money]


async def post(
    uow: UnitOfWork,
    kind: str,
    idempotency_key: str,
    lines: Sequence[Line],
    *,
    subscriber_id: int | None,
    period: str | None = None,
    bill_id: int | None = None,
    memo: str = "",
    created_by: int | None = None,
    at: datetime | None = None,
) -> LedgerTransaction | None:
    """Add a balanced transaction to ``uow``; ``None`` if ``idempotency_key`` was posted before.

    Unbalanced or malformed lines raise ``ValueError`` (a programming error, never user input).
    The insert runs in a savepoint, so a concurrent duplicate leaves the outer transaction usable.
    """
    _check(kind, lines)
    existing = await uow.session.scalar(
        select(LedgerTransaction.id).where(LedgerTransaction.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return None
    row = LedgerTransaction(
        kind=kind,
        subscriber_id=subscriber_id,
        bill_id=bill_id,
        period=period,
        idempotency_key=idempotency_key,
        memo=memo,
        created_at=at or datetime.now(UTC),
        created_by=created_by,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(row)
            await uow.session.flush()
            uow.session.add_all(
                LedgerLine(transaction_id=row.id, account=a, subscriber_id=s, amount_fen=m.fen) for a, s, m in lines
            )
            await uow.session.flush()
    except IntegrityError:
        return None
    return row


@dataclass(frozen=True)
class Posting:
    """One balanced transaction for :func:`post_many`."""

    kind: str
    idempotency_key: str
    lines: Sequence[Line]
    subscriber_id: int | None
    period: str | None = None
    bill_id: int | None = None
    memo: str = ""


def _check(kind: str, lines: Sequence[Line]) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    if not lines:
        raise ValueError("a transaction needs lines")
    for account, _, amount in lines:
        if account not in ACCOUNTS:
            raise ValueError(f"unknown ledger account {account!r}")
        if not isinstance(amount, Money):
            raise TypeError("ledger amounts are Money")
    if sum(amount.fen for _, _, amount in lines) != 0:
        raise ValueError("unbalanced ledger transaction")


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


async def posted_keys(uow: UnitOfWork, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` were posted already."""
    found: set[str] = set()
    for i in range(0, len(keys), BULK):
        found.update(
            await uow.session.scalars(
                select(LedgerTransaction.idempotency_key).where(
                    LedgerTransaction.idempotency_key.in_(keys[i : i + BULK])
                )
            )
        )
    return found


async def post_many(
    uow: UnitOfWork, postings: Sequence[Posting], *, at: datetime, checked: bool = False
) -> dict[str, int]:
    """Bulk :func:`post`: the same checks, postings whose key exists are skipped.  Returns
    ``idempotency_key → transaction id`` of the transactions written.  ``checked``: the caller has
    just left out the keys :func:`posted_keys` found, in the same transaction.  Not in a savepoint: a
    concurrent duplicate raises ``IntegrityError`` (the caller retries row by row)."""
    for p in postings:
        _check(p.kind, p.lines)
    done = set() if checked else await posted_keys(uow, [p.idempotency_key for p in postings])
    todo = [p for p in postings if p.idempotency_key not in done]
    if len(todo) != len({p.idempotency_key for p in todo}):
        raise ValueError("duplicate idempotency key in one batch")
    conn = await uow.session.connection()
    ids: dict[str, int] = {}
    for i in range(0, len(todo), BULK):
        rows = await write_rows(
            conn,
            LedgerTransaction,
            [
                {
                    "kind": p.kind,
                    "subscriber_id": p.subscriber_id,
                    "bill_id": p.bill_id,
                    "period": p.period,
                    "idempotency_key": p.idempotency_key,
                    "memo": p.memo,
                    "created_at": at,
                    "created_by": None,
                }
                for p in todo[i : i + BULK]
            ],
            returning=("id", "idempotency_key"),
        )
        ids.update((key, tx_id) for tx_id, key in rows)
    lines = [
        {"transaction_id": ids[p.idempotency_key], "account": a, "subscriber_id": s, "amount_fen": m.fen}
        for p in todo
        for a, s, m in p.lines
    ]
    await write_rows(conn, LedgerLine, lines)
    return ids


async def balances(uow: UnitOfWork, subscriber_ids: Sequence[int]) -> dict[int, Money]:
    """:func:`balance` of many subscribers at once (one aggregate query per ``BULK`` ids)."""
    out = {i: Money.zero() for i in subscriber_ids}
    for i in range(0, len(subscriber_ids), BULK):
        rows = await uow.session.execute(
            select(LedgerLine.subscriber_id, func.sum(LedgerLine.amount_fen))
            .where(LedgerLine.account == RECEIVABLE, among(LedgerLine.subscriber_id, subscriber_ids[i : i + BULK]))
            .group_by(LedgerLine.subscriber_id)
        )
        for sub_id, total in rows:
            if sub_id in out:  # an id range may hold others
                out[sub_id] = Money(int(total or 0))
    return out


async def balance(uow: UnitOfWork, subscriber_id: int) -> Money:
    """What the subscriber owes (their receivable balance; negative = in their favour)."""
    total = await uow.session.scalar(
        select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)).where(
            LedgerLine.account == RECEIVABLE, LedgerLine.subscriber_id == subscriber_id
        )
    )
    return Money(int(total or 0))


async def trial_balance(uow: UnitOfWork) -> Money:
    """The sum of every line of the ledger — zero unless something is badly wrong."""
    total = await uow.session.scalar(select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)))
    return Money(int(total or 0))


async def unbalanced_transactions(uow: UnitOfWork) -> list[int]:
    """Ids of transactions whose lines do not sum to zero (should always be empty)."""
    rows = await uow.session.execute(
        select(LedgerLine.transaction_id)
        .group_by(LedgerLine.transaction_id)
        .having(func.sum(LedgerLine.amount_fen) != 0)
    )
    return [int(r[0]) for r in rows]


@dataclass(frozen=True)
class AdjustmentView:
    transaction_id: int
    subscriber_id: int
    kind: str  # adjustment | credit
    amount_yuan: str  # effect on what the subscriber owes (credits negative)
    reason: str
    created_at: datetime
    balance_yuan: str


class AdjustmentService:
    """Staff adjustments (either sign) and credits (reduce what is owed), posted to the ledger and
    shown on the next bill (R-22)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def adjust(
        self,
        actor: Actor,
        subscriber_id: int,
        amount_yuan: object,
        reason: str,
        *,
        kind: str = "adjustment",
        idempotency_key: str,
    ) -> AdjustmentView:
        errors: list[FieldError] = []
        if kind not in ("adjustment", "credit"):
            errors.append(FieldError("kind", "invalid_choice"))
        text = (reason or "").strip()
        if not text:
            errors.append(FieldError("reason", "required"))
        elif len(text) > MAX_REASON:
            errors.append(FieldError("reason", "too_long", {"max": MAX_REASON}))
        amount = Money.zero()
        try:
            amount = parse_yuan(amount_yuan, field="amount_yuan", allow_negative=kind == "adjustment")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        else:
            if not amount:
                errors.append(FieldError("amount_yuan", "amount_zero"))
            elif abs(amount.fen) > MAX_ADJUSTMENT.fen:
                errors.append(FieldError("amount_yuan", "amount_too_large", {"max": str(MAX_ADJUSTMENT.yuan)}))
        key = (idempotency_key or "").strip()
        if not key or len(key) > MAX_KEY:
            errors.append(FieldError("idempotency_key", "idempotency_key_required"))
        if errors:
            raise ValidationFailed(errors)
        effect = amount if kind == "adjustment" else -amount
        full_key = f"adj:{subscriber_id}:{key}"
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if await uow.session.get(Subscriber, subscriber_id) is None:
                raise NotFound()
            posted = await post(
                uow,
                kind,
                full_key,
                [(RECEIVABLE, subscriber_id, effect), (ADJUSTMENT, None, -effect)],
                subscriber_id=subscriber_id,
                memo=text,
                created_by=actor.id if actor.type == "staff" else None,
                at=now,
            )
            if posted is not None:
                audit.record(
                    uow,
                    now,
                    actor,
                    f"billing.{kind}",
                    "subscriber",
                    subscriber_id,
                    {"amount_yuan": str(effect.yuan), "reason": text, "transaction_id": posted.id},
                )
            await uow.commit()
            row = posted or await uow.session.scalar(
                select(LedgerTransaction).where(LedgerTransaction.idempotency_key == full_key)
            )
            assert row is not None
            effect_fen = await uow.session.scalar(
                select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)).where(
                    LedgerLine.transaction_id == row.id, LedgerLine.account == RECEIVABLE
                )
            )
            owed = await balance(uow, subscriber_id)
        return AdjustmentView(
            transaction_id=row.id,
            subscriber_id=subscriber_id,
            kind=row.kind,
            amount_yuan=str(Money(int(effect_fen or 0)).yuan),
            reason=row.memo,
            created_at=row.created_at,
            balance_yuan=str(owed.yuan),
        )
