"""Identity documents the subscribers upload (R-03): encrypted ID copies and business licences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import IdentityDocument


async def has_document_since(s: AsyncSession, subscriber_id: int, since: datetime | None) -> bool:
    """Whether the subscriber uploaded a document at or after ``since`` (any document if ``None``)."""
    stmt = select(IdentityDocument.id).where(IdentityDocument.subscriber_id == subscriber_id)
    if since is not None:
        stmt = stmt.where(IdentityDocument.uploaded_at >= since)
    return (await s.scalar(stmt.limit(1))) is not None


async def documents_in_upload_order(s: AsyncSession, subscriber_id: int) -> Sequence[IdentityDocument]:
    return (
        await s.scalars(
            select(IdentityDocument)
            .where(IdentityDocument.subscriber_id == subscriber_id)
            .order_by(IdentityDocument.id)
        )
    ).all()


async def documents_of(s: AsyncSession, subscriber_id: int) -> Sequence[IdentityDocument]:
    """In no particular order (the data export)."""
    return (await s.scalars(select(IdentityDocument).where(IdentityDocument.subscriber_id == subscriber_id))).all()
