"""The serving nodes of the signaling cluster (``signaling_nodes``) as the hub's cluster side
(``services.signaling_cluster``) reads them: which other nodes are alive, and the open calls of the
nodes that stopped heartbeating."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallRecord, SignalingNode


async def live_nodes_but(s: AsyncSession, node_id: str, fresh_since: datetime) -> list[str]:
    """The other nodes that heartbeat since ``fresh_since``."""
    return list(
        await s.scalars(
            select(SignalingNode.node_id).where(
                SignalingNode.node_id != node_id, SignalingNode.heartbeat_at >= fresh_since
            )
        )
    )


async def open_calls_of_lost_nodes(s: AsyncSession, node_id: str, stale_before: datetime) -> list[CallRecord]:
    """The open calls of the nodes (other than ``node_id``) that have not heartbeat since ``stale_before``."""
    return list(
        await s.scalars(
            select(CallRecord).where(
                CallRecord.ended_at.is_(None),
                CallRecord.node_id != node_id,
                ~exists().where(
                    SignalingNode.node_id == CallRecord.node_id, SignalingNode.heartbeat_at >= stale_before
                ),
            )
        )
    )


async def open_calls_of_node(s: AsyncSession, node_id: str) -> list[CallRecord]:
    """The open calls recorded under ``node_id``."""
    return list(await s.scalars(select(CallRecord).where(CallRecord.ended_at.is_(None), CallRecord.node_id == node_id)))


async def retire(s: AsyncSession, node_id: str) -> None:
    """Mark a node stopped: its heartbeat long past (the other nodes' sweep takes its calls over)."""
    await s.execute(
        update(SignalingNode)
        .where(SignalingNode.node_id == node_id)
        .values(heartbeat_at=datetime(2000, 1, 1, tzinfo=UTC))
    )
