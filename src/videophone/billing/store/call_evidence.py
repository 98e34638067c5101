"""What billing staff read of calls to decide a dispute: the call records, their charges, their quality
samples and the signaling nodes that carried them (``calling``'s tables, read here)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallCharge, CallQualitySample, CallRecord, SignalingNode


async def records(s: AsyncSession, call_ids: Sequence[str]) -> list[CallRecord]:
    return list(await s.scalars(select(CallRecord).where(CallRecord.id.in_(call_ids))))


async def charges(s: AsyncSession, call_ids: Sequence[str]) -> list[CallCharge]:
    return list(await s.scalars(select(CallCharge).where(CallCharge.call_id.in_(call_ids))))


async def samples(s: AsyncSession, call_ids: Sequence[str]) -> list[CallQualitySample]:
    """The calls' quality samples, in time order."""
    return list(
        await s.scalars(
            select(CallQualitySample)
            .where(CallQualitySample.call_id.in_(call_ids))
            .order_by(CallQualitySample.at, CallQualitySample.id)
        )
    )


async def nodes(s: AsyncSession, node_ids: Collection[str]) -> list[SignalingNode]:
    return list(await s.scalars(select(SignalingNode).where(SignalingNode.node_id.in_(node_ids))))
