"""A subscriber's call-forwarding rules (``forwarding_rules``, R-17) as the settings use case reads and
writes them; the signaling hub reads them through ``store.signaling``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import ForwardingRule, Subscriber
from videophone.calling.domain.forwarding import Rule


async def rules_of(s: AsyncSession, subscriber_id: int) -> list[ForwardingRule]:
    return list(
        await s.scalars(
            select(ForwardingRule)
            .where(ForwardingRule.subscriber_id == subscriber_id)
            .order_by(ForwardingRule.condition)
        )
    )


async def replace_rules(s: AsyncSession, subscriber_id: int, rules: Sequence[Rule], now: datetime) -> None:
    """The subscriber's rules become ``rules`` (none: forwarding off)."""
    await s.execute(delete(ForwardingRule).where(ForwardingRule.subscriber_id == subscriber_id))
    for rule in rules:
        s.add(
            ForwardingRule(
                subscriber_id=subscriber_id,
                condition=rule.condition.value,
                target=rule.target.value,
                target_number=rule.number,
                delay_seconds=rule.delay_seconds,
                updated_at=now,
            )
        )
    await s.flush()


async def subscriber_of_number(s: AsyncSession, number: str) -> int | None:
    """The id of the subscriber who has ``number``, if any."""
    found: int | None = await s.scalar(select(Subscriber.id).where(Subscriber.number == number))
    return found


async def number_of(s: AsyncSession, subscriber_id: int) -> str:
    return str(await s.scalar(select(Subscriber.number).where(Subscriber.id == subscriber_id)) or "")
