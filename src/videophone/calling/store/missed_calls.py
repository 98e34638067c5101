"""The calls that a subscriber missed, among calls that just ended (``services.missed_calls``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallRecord
from videophone.calling.domain.calls import EndReason

MISSED_REASONS = (EndReason.NO_ANSWER.value, EndReason.OFFLINE.value, EndReason.CANCELLED.value)

Missed = Row[str, int, str, bool, str, datetime]
"""id, callee_id, caller_number, caller_presented, callee_number, started_at."""


async def missed_among(s: AsyncSession, call_ids: Sequence[str]) -> Sequence[Missed]:
    """The records among ``call_ids`` whose callee was rung and did not answer: ended for no answer,
    offline or cancelled by the caller, and not forwarded on (a forwarded call is missed by the last
    callee it rang, whose leg is among them)."""
    if not call_ids:
        return []
    return (
        await s.execute(
            select(
                CallRecord.id,
                CallRecord.callee_id,
                CallRecord.caller_number,
                CallRecord.caller_presented,
                CallRecord.callee_number,
                CallRecord.started_at,
            ).where(
                CallRecord.id.in_(list(call_ids)),
                CallRecord.callee_id.is_not(None),
                CallRecord.answered_at.is_(None),
                CallRecord.end_reason.in_(MISSED_REASONS),
                CallRecord.forwarded_to == "",
            )
        )
    ).all()  # type: ignore[return-value]
