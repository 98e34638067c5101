"""The call records (``call_records``) as history, missed calls and the console's views read them
(``services.calls``), and whether a call is a subscriber's own (``services.contacts``).  The signaling
hub writes them (``store.call_records``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallQualitySample, CallRecord, SignalingNode

LIVE_STATES = ("ringing", "answered")


def is_party(subscriber_id: int) -> ColumnElement[bool]:
    """The calls ``subscriber_id`` made or received."""
    return or_(CallRecord.caller_id == subscriber_id, CallRecord.callee_id == subscriber_id)


def unseen_missed(subscriber_id: int) -> ColumnElement[bool]:
    """The missed calls to ``subscriber_id`` they have not looked at yet."""
    return and_(
        CallRecord.callee_id == subscriber_id,
        CallRecord.outcome == "missed",
        CallRecord.callee_seen_at.is_(None),
    )


def _started_within(stmt: Select[Any], start: datetime | None, end: datetime | None) -> Select[Any]:
    """Calls started at or after ``start`` and before ``end`` (either may be open)."""
    if start is not None:
        stmt = stmt.where(CallRecord.started_at >= start)
    if end is not None:
        stmt = stmt.where(CallRecord.started_at < end)
    return stmt


async def _page(s: AsyncSession, stmt: Select[Any], offset: int, limit: int) -> tuple[int, list[CallRecord]]:
    """How many calls ``stmt`` selects, and those from ``offset`` (at most ``limit``), newest first."""
    total = await s.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = list(
        await s.scalars(stmt.order_by(CallRecord.started_at.desc(), CallRecord.id.desc()).offset(offset).limit(limit))
    )
    return int(total or 0), rows


async def history_of(
    s: AsyncSession,
    subscriber_id: int,
    *,
    direction: str,
    start: datetime | None,
    end: datetime | None,
    offset: int,
    limit: int,
) -> tuple[int, list[CallRecord]]:
    """The subscriber's calls in one ``direction`` (incoming | outgoing | missed | anything else: all),
    started in [``start``, ``end``): how many, and a page of them, newest first."""
    stmt = select(CallRecord)
    if direction == "incoming":
        stmt = stmt.where(CallRecord.callee_id == subscriber_id)
    elif direction == "outgoing":
        stmt = stmt.where(CallRecord.caller_id == subscriber_id)
    elif direction == "missed":
        stmt = stmt.where(CallRecord.callee_id == subscriber_id, CallRecord.outcome == "missed")
    else:
        stmt = stmt.where(is_party(subscriber_id))
    return await _page(s, _started_within(stmt, start, end), offset, limit)


async def count_unseen_missed(s: AsyncSession, subscriber_id: int) -> int:
    """How many missed calls the subscriber has not looked at yet."""
    count = await s.scalar(select(func.count()).select_from(CallRecord).where(unseen_missed(subscriber_id)))
    return int(count or 0)


async def mark_missed_seen(s: AsyncSession, subscriber_id: int, at: datetime) -> int:
    """Mark every unseen missed call of the subscriber as seen ``at``; how many were marked."""
    result = await s.execute(
        update(CallRecord)
        .where(unseen_missed(subscriber_id))
        .values(callee_seen_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def search(
    s: AsyncSession,
    *,
    number: str,
    outcome: str | None,
    start: datetime | None,
    end: datetime | None,
    offset: int,
    limit: int,
) -> tuple[int, list[CallRecord]]:
    """Calls with ``number`` in either party's number (unless empty), of ``outcome`` (unless empty),
    started in [``start``, ``end``): how many, and a page of them, newest first."""
    stmt = select(CallRecord)
    if number:
        like = f"%{number}%"
        stmt = stmt.where(or_(CallRecord.caller_number.like(like), CallRecord.callee_number.like(like)))
    if outcome:
        stmt = stmt.where(CallRecord.outcome == outcome)
    return await _page(s, _started_within(stmt, start, end), offset, limit)


async def live_calls(s: AsyncSession) -> Sequence[Row[CallRecord, datetime | None, str | None]]:
    """Calls ringing or answered now, oldest first, each with its node's last heartbeat (None if the
    node has no row) and the media path of the call's latest sample that reported one (None if none
    did), in one query."""
    latest_path = (
        select(CallQualitySample.media_path)
        .where(CallQualitySample.call_id == CallRecord.id, CallQualitySample.media_path.is_not(None))
        .order_by(CallQualitySample.at.desc(), CallQualitySample.id.desc())
        .limit(1)
        .correlate(CallRecord)
        .scalar_subquery()
    )
    return (
        await s.execute(
            select(CallRecord, SignalingNode.heartbeat_at, latest_path)
            .outerjoin(SignalingNode, SignalingNode.node_id == CallRecord.node_id)
            .where(CallRecord.state.in_(LIVE_STATES), CallRecord.ended_at.is_(None))
            .order_by(CallRecord.started_at, CallRecord.id)
        )
    ).all()


async def call_of_party(s: AsyncSession, call_id: str, subscriber_id: int) -> str | None:
    """``call_id`` if ``subscriber_id`` took part in that call (as caller or callee), else None."""
    return await s.scalar(select(CallRecord.id).where(CallRecord.id == call_id, is_party(subscriber_id)))
