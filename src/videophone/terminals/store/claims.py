"""The ``warranty_claims`` subscribers file and their ``warranty_photos``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models_terminals import WarrantyClaim, WarrantyPhoto
from videophone.terminals.domain import terminals as rules


async def pending_claim_id(s: AsyncSession, terminal_id: int) -> int | None:
    """The unit's claim still waiting for a decision, if any."""
    return await s.scalar(
        select(WarrantyClaim.id).where(
            WarrantyClaim.terminal_id == terminal_id, WarrantyClaim.state == rules.ClaimState.SUBMITTED.value
        )
    )


async def newest_claims_of(s: AsyncSession, subscriber_id: int, limit: int) -> list[WarrantyClaim]:
    """The subscriber's claims, newest first, at most ``limit``."""
    return list(
        await s.scalars(
            select(WarrantyClaim)
            .where(WarrantyClaim.subscriber_id == subscriber_id)
            .order_by(WarrantyClaim.id.desc())
            .limit(limit)
        )
    )


async def claim_with_id(s: AsyncSession, claim_id: int, limit: int) -> list[WarrantyClaim]:
    """The claim with this id, as a list (the statement of :func:`newest_claims_of`, by id)."""
    return list(
        await s.scalars(
            select(WarrantyClaim).where(WarrantyClaim.id == claim_id).order_by(WarrantyClaim.id.desc()).limit(limit)
        )
    )


async def claim_queue(s: AsyncSession, *, state: str, offset: int, limit: int) -> tuple[int, list[WarrantyClaim]]:
    """How many claims match ``state`` (if any), and the page of them from ``offset``: submitted claims
    first (oldest first), then decided ones (newest first)."""
    stmt = select(WarrantyClaim)
    if state:
        stmt = stmt.where(WarrantyClaim.state == state)
    is_open = WarrantyClaim.state == rules.ClaimState.SUBMITTED.value
    total = int(await s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    claims = list(
        await s.scalars(
            stmt.order_by(case((is_open, 0), else_=1), case((is_open, WarrantyClaim.id), else_=-WarrantyClaim.id))
            .offset(offset)
            .limit(limit)
        )
    )
    return total, claims


async def open_claim_count(s: AsyncSession) -> int:
    """How many claims wait for a decision."""
    is_open = WarrantyClaim.state == rules.ClaimState.SUBMITTED.value
    return int(await s.scalar(select(func.count(WarrantyClaim.id)).where(is_open)) or 0)


async def photos_of(s: AsyncSession, claim_ids: Sequence[int]) -> list[WarrantyPhoto]:
    """The photos of these claims, in the order they were uploaded."""
    return list(
        await s.scalars(select(WarrantyPhoto).where(WarrantyPhoto.claim_id.in_(claim_ids)).order_by(WarrantyPhoto.id))
    )
