"""In-app notifications and the contact details their copies go to (table ``notifications``; the
outbox rows are written here in bulk, delivered through ``store.outbox``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db.bulk import among
from videophone.adapters.db.models import Notification, OutboxMessage, Subscriber
from videophone.adapters.db.writes import write_rows

CHUNK = 5000  # subscribers per query (bound parameters)


async def contacts_of(s: AsyncSession, subscriber_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """``(email, contact phone, language)`` of each of ``subscriber_ids`` (sorted, distinct) that exists."""
    ids = subscriber_ids
    who: dict[int, tuple[str, str, str]] = {}
    for i in range(0, len(ids), CHUNK):
        wanted = set(ids[i : i + CHUNK])
        for sub_id, address, phone, language in await s.execute(
            select(Subscriber.id, Subscriber.email, Subscriber.contact_phone, Subscriber.language).where(
                among(Subscriber.id, ids[i : i + CHUNK])
            )
        ):
            if sub_id in wanted:  # an id range may hold others
                who[sub_id] = (address, phone, language)
    return who


async def write_notifications(
    conn: AsyncConnection, now: datetime, items: Sequence[tuple[int, str, Mapping[str, Any]]]
) -> dict[int, int]:
    """Bulk insert of one notification per ``(subscriber_id, kind, params)`` — at most one per
    subscriber, so that the ids returned can be matched by subscriber; returns ``{subscriber_id:
    notification id}``."""
    # PostgreSQL's bulk path binds arrays of the column type: JSON values go as their text.
    as_json = conn.dialect.name == "postgresql"
    returned = await write_rows(
        conn,
        Notification,
        [
            {
                "subscriber_id": s,
                "kind": k,
                "params": json.dumps(dict(p)) if as_json else dict(p),
                "created_at": now,
            }
            for s, k, p in items
        ],
        returning=("subscriber_id", "id"),
    )
    return {int(s): int(n) for s, n in returned}


async def write_outbox(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of ``outbox`` rows (column dicts)."""
    await write_rows(conn, OutboxMessage, rows)


async def notifications_of(
    s: AsyncSession, subscriber_id: int, *, limit: int, before_id: int | None = None
) -> Sequence[Notification]:
    """The subscriber's notifications, newest first (those older than ``before_id`` when given)."""
    query = select(Notification).where(Notification.subscriber_id == subscriber_id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return (await s.scalars(query.order_by(Notification.id.desc()).limit(limit))).all()


async def count_unread(s: AsyncSession, subscriber_id: int) -> int:
    count = await s.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.subscriber_id == subscriber_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(s: AsyncSession, subscriber_id: int, now: datetime, *, up_to_id: int | None = None) -> int:
    """Mark the subscriber's unread notifications read (all, or those with id ≤ ``up_to_id``); returns
    how many."""
    stmt = update(Notification).where(Notification.subscriber_id == subscriber_id, Notification.read_at.is_(None))
    if up_to_id is not None:
        stmt = stmt.where(Notification.id <= up_to_id)
    result = await s.execute(stmt.values(read_at=now))
    return int(getattr(result, "rowcount", 0) or 0)
