"""What calling reads of the subscribers (identity's table, read through the shared model): a
subscriber's number, the subscriber a number belongs to, the service state that decides their calls.
(The signaling hub's prebuilt reads of subscribers are in ``store.signaling``.)"""

from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import PhoneNumber, Subscriber


async def number_of(s: AsyncSession, subscriber_id: int) -> str | None:
    """The subscriber's number; None if there is no such subscriber."""
    return await s.scalar(select(Subscriber.number).where(Subscriber.id == subscriber_id))


async def subscriber_of_number(s: AsyncSession, number: str) -> int | None:
    """The id of the subscriber whose number ``number`` is — as their number or as their second number
    (第二号码, R-19) — if any."""
    found = await s.scalar(select(Subscriber.id).where(Subscriber.number == number))
    if found is not None:
        return found
    return await s.scalar(
        select(PhoneNumber.subscriber_id).where(
            PhoneNumber.number == number, PhoneNumber.role == "second", PhoneNumber.state == "assigned"
        )
    )


async def service_state_of(s: AsyncSession, subscriber_id: int) -> Row[str, str] | None:
    """The subscriber's (service_state, service_reason); None if there is no such subscriber."""
    return (
        await s.execute(
            select(Subscriber.service_state, Subscriber.service_reason).where(Subscriber.id == subscriber_id)
        )
    ).one_or_none()


async def second_number_of(s: AsyncSession, subscriber_id: int) -> str | None:
    """The second number (第二号码, R-19) the subscriber holds now, if any."""
    return await s.scalar(
        select(PhoneNumber.number)
        .where(
            PhoneNumber.subscriber_id == subscriber_id, PhoneNumber.role == "second", PhoneNumber.state == "assigned"
        )
        .limit(1)
    )
