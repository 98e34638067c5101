"""The writes of call records (``call_records``): the signaling hub's insert at invite, answer and end,
committed in batches by ``services.call_records.CallRecordWriter`` (one ``executemany`` per statement
kind), and the end the sweep gives the open calls of a node that stopped.

Updates keep their ``WHERE ended_at IS NULL`` guard (a record is finalized exactly once)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db.models import CallRecord

_INSERT = insert(CallRecord)
_ANSWER = (
    update(CallRecord)
    .where(CallRecord.id == bindparam("b_id"), CallRecord.ended_at.is_(None))
    .values(state=bindparam("b_state"), answered_at=bindparam("b_answered_at"), callee_device=bindparam("b_device"))
)
_END = (
    update(CallRecord)
    .where(CallRecord.id == bindparam("b_id"), CallRecord.ended_at.is_(None))
    .values(
        state=bindparam("b_state"),
        answered_at=bindparam("b_answered_at"),
        callee_device=bindparam("b_device"),
        ended_at=bindparam("b_ended_at"),
        outcome=bindparam("b_outcome"),
        end_reason=bindparam("b_end_reason"),
        billable_seconds=bindparam("b_billable_seconds"),
    )
)
# A call (or leg) forwarded on: where it went.
_FORWARD = update(CallRecord).where(CallRecord.id == bindparam("b_id")).values(forwarded_to=bindparam("b_to"))
# Statements in the order a batch runs them: a call's insert is always committed before its answer
# or end is even queued (the hub awaits each write), so this order is only a safety net.
_STATEMENTS: tuple[Any, ...] = (_INSERT, _ANSWER, _END, _FORWARD)
# The kinds of write, as indexes into a batch's groups (``write_batch``): the row of an insert (its
# columns by name); an answer (``b_id``, ``b_state``, ``b_answered_at``, ``b_device``); an end (the
# answer's and ``b_ended_at``, ``b_outcome``, ``b_end_reason``, ``b_billable_seconds``); a forward
# (``b_id``, ``b_to``).
INSERT, ANSWER, END, FORWARD = 0, 1, 2, 3


async def write_batch(conn: AsyncConnection, groups: Sequence[Sequence[Mapping[str, Any]]]) -> None:
    """Run a batch of writes: ``groups[kind]`` are the parameters of each write of that kind, one
    ``executemany`` per kind that has any, inserts first."""
    for statement, rows in zip(_STATEMENTS, groups, strict=True):
        if rows:
            await conn.execute(statement, rows)


async def end_if_open(
    s: AsyncSession,
    call_id: str,
    *,
    state: str,
    ended_at: datetime,
    outcome: str,
    end_reason: str,
    billable_seconds: int,
) -> bool:
    """Finalize the record of ``call_id`` unless it already ended; whether it did now."""
    result = await s.execute(
        update(CallRecord)
        .where(CallRecord.id == call_id, CallRecord.ended_at.is_(None))
        .values(
            state=state,
            ended_at=ended_at,
            outcome=outcome,
            end_reason=end_reason,
            billable_seconds=billable_seconds,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def take_over(s: AsyncSession, call_id: str, from_node: str, to_node: str) -> bool:
    """Move an open call from ``from_node`` to ``to_node`` unless another node did first (ADR 0013)."""
    result = await s.execute(
        update(CallRecord)
        .where(CallRecord.id == call_id, CallRecord.node_id == from_node, CallRecord.ended_at.is_(None))
        .values(node_id=to_node)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def owned_elsewhere(s: AsyncSession, call_ids: list[str], node_id: str) -> list[str]:
    """Which of these calls another node now holds (it took them over while this one was silent)."""
    if not call_ids:
        return []
    rows = await s.scalars(select(CallRecord.id).where(CallRecord.id.in_(call_ids), CallRecord.node_id != node_id))
    return [str(r) for r in rows]
