"""The credit-limit warnings sent (``credit_warnings``: one row per subscriber, period and level)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CreditWarning


async def levels_warned(s: AsyncSession, subscriber_id: int, period: str) -> Sequence[int]:
    """The warning levels the subscriber was sent in ``period``."""
    return (
        await s.scalars(
            select(CreditWarning.level).where(
                CreditWarning.subscriber_id == subscriber_id, CreditWarning.period == period
            )
        )
    ).all()


async def forget_levels_except(s: AsyncSession, subscriber_id: int, period: str, kept: Sequence[int]) -> None:
    """Delete the subscriber's warnings of ``period`` but those of the levels ``kept``."""
    await s.execute(
        delete(CreditWarning).where(
            CreditWarning.subscriber_id == subscriber_id,
            CreditWarning.period == period,
            CreditWarning.level.not_in(kept or [0]),
        )
    )
