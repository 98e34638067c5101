"""Subscribers' rows: finding an account by login, e-mail or search, and locking one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber


async def subscriber_by_number_or_email(s: AsyncSession, number: str, email: str) -> Subscriber | None:
    """The account a login names: its number, or its (normalized) e-mail address."""
    return await s.scalar(select(Subscriber).where(or_(Subscriber.number == number, Subscriber.email == email)))


async def subscriber_id_with_email(s: AsyncSession, email: str) -> int | None:
    return await s.scalar(select(Subscriber.id).where(Subscriber.email == email))


async def lock_subscriber(s: AsyncSession, subscriber_id: int) -> Subscriber | None:
    """The subscriber, its row locked until the transaction ends."""
    return await s.scalar(select(Subscriber).where(Subscriber.id == subscriber_id).with_for_update())


async def terminated_holders_of(s: AsyncSession, number: str) -> list[Subscriber]:
    """Terminated accounts that still carry ``number`` (their row stays while arrears are collected)."""
    return list(
        await s.scalars(select(Subscriber).where(Subscriber.number == number, Subscriber.service_state == "terminated"))
    )


async def search_subscribers(
    s: AsyncSession,
    text: str,
    *,
    id_number_indexes: Sequence[str],
    review_state: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[Subscriber]]:
    """How many subscribers match, and a page of them (newest first).  ``text`` (stripped; empty matches
    everyone) is looked for in the number, name, e-mail and contact phone; ``id_number_indexes`` (the blind
    indexes of an ID number typed in full, under each data key: a key rotation recomputes them row by
    row) find an exact ID number without decrypting anything."""
    stmt = select(Subscriber)
    if text:
        like = f"%{text}%"
        conditions: list[ColumnElement[bool]] = [
            Subscriber.number.like(like),
            Subscriber.name.like(like),
            Subscriber.email.like(like.lower()),
            Subscriber.contact_phone.like(like),
        ]
        if id_number_indexes:
            conditions.append(Subscriber.id_number_index.in_(list(id_number_indexes)))
        stmt = stmt.where(or_(*conditions))
    if review_state:
        stmt = stmt.where(Subscriber.review_state == review_state)
    total = await s.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = list(await s.scalars(stmt.order_by(Subscriber.id.desc()).offset(offset).limit(limit)))
    return int(total or 0), rows
