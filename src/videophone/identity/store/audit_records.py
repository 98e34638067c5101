"""The audit records about a subscriber, as the subscriber's data export reads them (the table is the
shared audit log of ``common``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import AuditRecord


async def history_of_subscriber(s: AsyncSession, subscriber_id: int) -> Sequence[AuditRecord]:
    """In no particular order."""
    return (
        await s.scalars(
            select(AuditRecord).where(
                AuditRecord.subject_type == "subscriber", AuditRecord.subject_id == str(subscriber_id)
            )
        )
    ).all()
