"""The agreement's versions and the subscribers' acceptances of them (R-06, 003 §15)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import AgreementAcceptance, AgreementVersion, Subscriber
from videophone.adapters.db.models_announcements import AgreementObjection


async def has_any_version(s: AsyncSession) -> bool:
    return (await s.scalar(select(AgreementVersion.version).limit(1))) is not None


async def newest_version(s: AsyncSession) -> int | None:
    """The highest version number (the version in force), or ``None`` before the first one is stored."""
    return await s.scalar(select(AgreementVersion.version).order_by(AgreementVersion.version.desc()).limit(1))


async def latest_acceptance(s: AsyncSession, subscriber_id: int) -> AgreementAcceptance | None:
    """The subscriber's acceptance of the highest version they accepted (the version they are on)."""
    return await s.scalar(
        select(AgreementAcceptance)
        .where(AgreementAcceptance.subscriber_id == subscriber_id)
        .order_by(AgreementAcceptance.agreement_version.desc(), AgreementAcceptance.id.desc())
        .limit(1)
    )


async def last_recorded_acceptance(s: AsyncSession, subscriber_id: int) -> AgreementAcceptance | None:
    """The acceptance recorded last (highest id), whatever its version."""
    return await s.scalar(
        select(AgreementAcceptance)
        .where(AgreementAcceptance.subscriber_id == subscriber_id)
        .order_by(AgreementAcceptance.id.desc())
        .limit(1)
    )


async def first_accepted_version(s: AsyncSession, subscriber_id: int) -> int | None:
    return await s.scalar(
        select(func.min(AgreementAcceptance.agreement_version)).where(
            AgreementAcceptance.subscriber_id == subscriber_id
        )
    )


async def acceptances_in_version_order(s: AsyncSession, subscriber_id: int) -> list[AgreementAcceptance]:
    return list(
        await s.scalars(
            select(AgreementAcceptance)
            .where(AgreementAcceptance.subscriber_id == subscriber_id)
            .order_by(AgreementAcceptance.agreement_version, AgreementAcceptance.id)
        )
    )


async def acceptances_of(s: AsyncSession, subscriber_id: int) -> Sequence[AgreementAcceptance]:
    """Every acceptance of the subscriber, in no particular order (their data export)."""
    return (
        await s.scalars(select(AgreementAcceptance).where(AgreementAcceptance.subscriber_id == subscriber_id))
    ).all()


async def subscribers_to_deem(s: AsyncSession, version: int, limit: int) -> list[int]:
    """Up to ``limit`` subscribers (lowest ids first) still on a version older than ``version`` who neither
    accepted it (or a newer one) nor objected to it, and whose account is not terminated.  Whoever already
    accepted ``version`` is skipped, so the deemed acceptances are written once however often this runs."""
    on_newer = exists().where(
        AgreementAcceptance.subscriber_id == Subscriber.id,
        AgreementAcceptance.agreement_version >= version,
    )
    on_older = exists().where(
        AgreementAcceptance.subscriber_id == Subscriber.id,
        AgreementAcceptance.agreement_version < version,
    )
    objected = exists().where(
        AgreementObjection.subscriber_id == Subscriber.id,
        AgreementObjection.agreement_version == version,
    )
    return [
        int(i)
        for i in await s.scalars(
            select(Subscriber.id)
            .where(on_older, ~on_newer, ~objected, Subscriber.service_state != "terminated")
            .order_by(Subscriber.id)
            .limit(limit)
        )
    ]
