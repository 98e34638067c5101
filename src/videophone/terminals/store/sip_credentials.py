"""The ``sip_credentials`` of terminals and softphones, and what the SIP edge needs of their subscribers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_terminals import SipCredential, Terminal


async def active_of_terminal(s: AsyncSession, terminal_id: int) -> SipCredential | None:
    """The terminal's credential in force (not revoked), if any."""
    return await s.scalar(
        select(SipCredential).where(SipCredential.terminal_id == terminal_id, SipCredential.revoked_at.is_(None))
    )


async def active_of_terminals(s: AsyncSession, terminal_ids: Iterable[int]) -> dict[int, SipCredential]:
    rows = await s.scalars(
        select(SipCredential).where(
            SipCredential.terminal_id.in_(list(terminal_ids)), SipCredential.revoked_at.is_(None)
        )
    )
    return {int(r.terminal_id): r for r in rows if r.terminal_id is not None}


async def softphones_of(s: AsyncSession, subscriber_id: int) -> list[SipCredential]:
    """The subscriber's softphone credentials in force, oldest first."""
    return list(
        await s.scalars(
            select(SipCredential)
            .where(
                SipCredential.subscriber_id == subscriber_id,
                SipCredential.terminal_id.is_(None),
                SipCredential.revoked_at.is_(None),
            )
            .order_by(SipCredential.id)
        )
    )


async def count_softphones(s: AsyncSession, subscriber_id: int) -> int:
    return int(
        await s.scalar(
            select(func.count(SipCredential.id)).where(
                SipCredential.subscriber_id == subscriber_id,
                SipCredential.terminal_id.is_(None),
                SipCredential.revoked_at.is_(None),
            )
        )
        or 0
    )


async def lock_subscriber(s: AsyncSession, subscriber_id: int) -> None:
    """Lock the subscriber's row: concurrent creations queue, so the softphone limit holds."""
    await s.execute(select(Subscriber.id).where(Subscriber.id == subscriber_id).with_for_update())


async def lock_with_id(s: AsyncSession, credential_id: int) -> SipCredential | None:
    return await s.scalar(select(SipCredential).where(SipCredential.id == credential_id).with_for_update())


async def with_auth_user(s: AsyncSession, auth_user: str) -> SipCredential | None:
    return await s.scalar(select(SipCredential).where(SipCredential.auth_user == auth_user))


async def revoke_of_terminal(s: AsyncSession, terminal_id: int, now: datetime) -> list[str]:
    """Revoke the terminal's credentials in force; their digest users."""
    in_force = (SipCredential.terminal_id == terminal_id, SipCredential.revoked_at.is_(None))
    users = list(await s.scalars(select(SipCredential.auth_user).where(*in_force).with_for_update()))
    if users:
        await s.execute(update(SipCredential).where(*in_force).values(revoked_at=now, registered_until=None))
    return [str(u) for u in users]


async def set_terminal_version(s: AsyncSession, terminal_id: int, version: str) -> None:
    """The version the terminal's phone reported (its SIP User-Agent)."""
    await s.execute(update(Terminal).where(Terminal.id == terminal_id).values(reported_version=version[:32]))


async def active_of_subscriber(s: AsyncSession, subscriber_id: int) -> list[SipCredential]:
    """All the subscriber's credentials in force (terminals' and softphones')."""
    return list(
        await s.scalars(
            select(SipCredential).where(
                SipCredential.subscriber_id == subscriber_id, SipCredential.revoked_at.is_(None)
            )
        )
    )


async def service_of(s: AsyncSession, subscriber_id: int) -> tuple[str, str, str] | None:
    """The subscriber's number, service state and the reason of a restriction."""
    row = (
        await s.execute(
            select(Subscriber.number, Subscriber.service_state, Subscriber.service_reason).where(
                Subscriber.id == subscriber_id
            )
        )
    ).first()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2] or ""))


async def registered_at(s: AsyncSession, now: datetime) -> list[tuple[int, int, str, datetime]]:
    """The registrations in force at ``now``: (subscriber, credential, digest user, until)."""
    rows = await s.execute(
        select(SipCredential.subscriber_id, SipCredential.id, SipCredential.auth_user, SipCredential.registered_until)
        .where(SipCredential.revoked_at.is_(None), SipCredential.registered_until > now)
        .order_by(SipCredential.id)
    )
    return [(int(r[0]), int(r[1]), str(r[2]), r[3]) for r in rows if r[3] is not None]
