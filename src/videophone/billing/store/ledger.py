"""The double-entry ledger (``ledger_transactions``, ``ledger_lines``; ADR 0004 "Ledger").

Balances are always derived from the lines; the unique ``idempotency_key`` makes a posting happen at
most once.  Lists of ids or keys go to the database ``BULK`` at a time (``adapters.db.writes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db.bulk import among
from videophone.adapters.db.models import LedgerLine, LedgerTransaction
from videophone.adapters.db.writes import BULK, write_rows
from videophone.billing.domain.ledger import RECEIVABLE


# -- postings -----------------------------------------------------------------------------------------------
async def transaction_id_by_key(s: AsyncSession, idempotency_key: str) -> int | None:
    return await s.scalar(select(LedgerTransaction.id).where(LedgerTransaction.idempotency_key == idempotency_key))


async def transaction_by_key(s: AsyncSession, idempotency_key: str) -> LedgerTransaction | None:
    return await s.scalar(select(LedgerTransaction).where(LedgerTransaction.idempotency_key == idempotency_key))


async def posted_keys(s: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` were posted already (one query per ``BULK`` keys)."""
    found: set[str] = set()
    for i in range(0, len(keys), BULK):
        found.update(
            await s.scalars(
                select(LedgerTransaction.idempotency_key).where(
                    LedgerTransaction.idempotency_key.in_(keys[i : i + BULK])
                )
            )
        )
    return found


async def insert_transactions(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Bulk insert of (at most ``BULK``) transactions; returns ``(id, idempotency_key)`` of each.  Not
    in a savepoint: a concurrent duplicate key raises ``IntegrityError``."""
    return await write_rows(conn, LedgerTransaction, rows, returning=("id", "idempotency_key"))


async def insert_lines(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of transaction lines."""
    await write_rows(conn, LedgerLine, rows)


# -- balances ----------------------------------------------------------------------------------------------
async def receivable_totals(s: AsyncSession, subscriber_ids: Sequence[int]) -> list[Row[int | None, int]]:
    """``(subscriber_id, sum of receivable lines)`` of ``subscriber_ids`` that have lines (one aggregate
    query per ``BULK`` ids; an id range may hold others: skip them)."""
    out: list[Row[int | None, int]] = []
    for i in range(0, len(subscriber_ids), BULK):
        rows = await s.execute(
            select(LedgerLine.subscriber_id, func.sum(LedgerLine.amount_fen))
            .where(LedgerLine.account == RECEIVABLE, among(LedgerLine.subscriber_id, subscriber_ids[i : i + BULK]))
            .group_by(LedgerLine.subscriber_id)
        )
        out.extend(rows)
    return out


async def receivable_total(s: AsyncSession, subscriber_id: int) -> int | None:
    """The sum of the subscriber's receivable lines (what they owe; negative: in their favour)."""
    return await s.scalar(
        select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)).where(
            LedgerLine.account == RECEIVABLE, LedgerLine.subscriber_id == subscriber_id
        )
    )


async def receivable_effect_of(s: AsyncSession, transaction_id: int) -> int | None:
    """The sum of the transaction's receivable lines: its effect on what the subscriber owes."""
    return await s.scalar(
        select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)).where(
            LedgerLine.transaction_id == transaction_id, LedgerLine.account == RECEIVABLE
        )
    )


async def sum_of_all_lines(s: AsyncSession) -> int | None:
    """The sum of every line of the ledger."""
    return await s.scalar(select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)))


async def unbalanced_transaction_ids(s: AsyncSession) -> list[int]:
    """Ids of transactions whose lines do not sum to zero."""
    rows = await s.execute(
        select(LedgerLine.transaction_id)
        .group_by(LedgerLine.transaction_id)
        .having(func.sum(LedgerLine.amount_fen) != 0)
    )
    return [int(r[0]) for r in rows]


# -- the bill run ------------------------------------------------------------------------------------------
async def pending_postings_among(
    s: AsyncSession, subscriber_ids: Sequence[int]
) -> list[Row[int | None, int, str, str, int]]:
    """The receivable postings not yet on any bill of ``subscriber_ids`` (and others of their id range):
    ``subscriber_id, id, kind, memo, amount_fen`` (the receivable line), by subscriber, oldest first."""
    return list(
        await s.execute(
            select(
                LedgerTransaction.subscriber_id,
                LedgerTransaction.id,
                LedgerTransaction.kind,
                LedgerTransaction.memo,
                LedgerLine.amount_fen,
            )
            .join(LedgerLine, LedgerLine.transaction_id == LedgerTransaction.id)
            .where(
                among(LedgerTransaction.subscriber_id, subscriber_ids),
                LedgerTransaction.bill_id.is_(None),
                LedgerTransaction.kind.in_(("adjustment", "credit", "payment", "late_fee", "refund")),
                LedgerLine.account == RECEIVABLE,
                LedgerLine.subscriber_id == LedgerTransaction.subscriber_id,
            )
            .order_by(LedgerTransaction.subscriber_id, LedgerTransaction.created_at, LedgerTransaction.id)
        )
    )


async def charge_keys_of_period(s: AsyncSession, subscriber_ids: Sequence[int], period: str) -> list[str]:
    """The idempotency keys of the charges of ``period`` posted to ``subscriber_ids`` (and others of
    their id range): by account range, not a list of keys."""
    return list(
        await s.scalars(
            select(LedgerTransaction.idempotency_key).where(
                LedgerTransaction.kind == "charge",
                LedgerTransaction.period == period,
                among(LedgerTransaction.subscriber_id, subscriber_ids),
            )
        )
    )


async def attach_to_bills(conn: AsyncConnection, attach: Sequence[dict[str, int]]) -> None:
    """Set the bill of transactions, one executemany: ``{"tx_id": …, "to_bill": …}`` each (not empty)."""
    await conn.execute(
        update(LedgerTransaction)
        .where(LedgerTransaction.id == bindparam("tx_id"))
        .values(bill_id=bindparam("to_bill")),
        attach,
    )
