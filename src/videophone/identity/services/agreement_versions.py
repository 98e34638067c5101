"""The agreement's versions as both halves of the agreement service read them: the version in force (the
newest) and a subscriber's latest acceptance."""

from __future__ import annotations

from sqlalchemy import select

from videophone.adapters.db.models import AgreementAcceptance, AgreementVersion
from videophone.adapters.db.uow import UnitOfWork
from videophone.kernel.errors import NotFound


async def current_version_number(uow: UnitOfWork) -> int:
    row = await uow.session.scalar(select(AgreementVersion.version).order_by(AgreementVersion.version.desc()).limit(1))
    if row is None:
        raise NotFound("agreement_missing")
    return int(row)


async def latest_acceptance(uow: UnitOfWork, subscriber_id: int) -> AgreementAcceptance | None:
    return await uow.session.scalar(
        select(AgreementAcceptance)
        .where(AgreementAcceptance.subscriber_id == subscriber_id)
        .order_by(AgreementAcceptance.agreement_version.desc(), AgreementAcceptance.id.desc())
        .limit(1)
    )
