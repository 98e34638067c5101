"""The statements of the signaling hub (``services.signaling``): built once, with bound parameters, so
the hot paths (connect, invite) construct no SQL per call; and the rows they read as rules parties."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Exists, Select, and_, bindparam, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from videophone.adapters.db.models import Block, CallRecord, SignalingNode, Subscriber
from videophone.calling.domain.call_rules import Party
from videophone.calling.domain.calls import CallState


def party_of(sub: Any) -> Party:
    """A subscriber row (ORM object or a selected row with the same column names) as a rules party."""
    return Party(sub.id, sub.number, sub.review_state, sub.service_state, sub.service_reason)


def open_call_of(subscriber_id: int | BindParameter[int]) -> Exists:
    """Whether the subscriber is in a call that has not ended (on any node)."""
    # Through the state index: open calls are few, whatever the length of anyone's history.
    return exists().where(
        CallRecord.state.in_((CallState.RINGING.value, CallState.ANSWERED.value)),
        CallRecord.ended_at.is_(None),
        or_(CallRecord.caller_id == subscriber_id, CallRecord.callee_id == subscriber_id),
    )


# A connecting device: its subscriber; the calls it is part of that are still going.
CONNECT_SUBSCRIBER = select(Subscriber.number, Subscriber.name).where(Subscriber.id == bindparam("id"))
CONNECT_OPEN_CALLS = select(
    CallRecord.id,
    CallRecord.caller_id,
    CallRecord.callee_id,
    CallRecord.caller_number,
    CallRecord.callee_number,
    CallRecord.state,
    CallRecord.answered_at,
    CallRecord.node_id,
).where(
    CallRecord.ended_at.is_(None),
    or_(
        and_(CallRecord.caller_id == bindparam("sub"), CallRecord.caller_device == bindparam("device")),
        and_(CallRecord.callee_id == bindparam("sub"), CallRecord.callee_device == bindparam("device")),
    ),
)


async def peer_names(conn: AsyncConnection, subscriber_id: int, rows: Sequence[Any]) -> dict[int, Any]:
    """The names of the other parties of the open calls ``rows`` (of ``CONNECT_OPEN_CALLS``), by id."""
    if not rows:
        return {}
    peer_ids = [r.callee_id if r.caller_id == subscriber_id else r.caller_id for r in rows]
    return {
        p.id: p for p in await conn.execute(select(Subscriber.id, Subscriber.name).where(Subscriber.id.in_(peer_ids)))
    }


# The invite's two reads: both parties; then duplicate id / caller in a call / callee in a call /
# callee blocked the caller (contacts.blocked_clause, with the caller's number normalized the same way).
INVITE_PARTIES = select(
    Subscriber.id,
    Subscriber.number,
    Subscriber.name,
    Subscriber.review_state,
    Subscriber.service_state,
    Subscriber.service_reason,
    Subscriber.credit_limit_fen,
).where(or_(Subscriber.id == bindparam("caller_id"), Subscriber.number == bindparam("to")))
_DUPLICATE = exists().where(CallRecord.id == bindparam("call_id"))
INVITE_FLAGS_NO_CALLEE = select(_DUPLICATE, open_call_of(bindparam("caller_id")))
INVITE_FLAGS_UNBLOCKABLE = select(
    _DUPLICATE, open_call_of(bindparam("caller_id")), open_call_of(bindparam("callee_id")), false()
)
INVITE_FLAGS = select(
    _DUPLICATE,
    open_call_of(bindparam("caller_id")),
    open_call_of(bindparam("callee_id")),
    exists().where(Block.owner_id == bindparam("callee_id"), Block.blocked_number == bindparam("blocked_number")),
)


def live_nodes_but(node_id: str, fresh_since: datetime) -> Select[str]:
    """The other nodes that heartbeat since ``fresh_since``."""
    return select(SignalingNode.node_id).where(
        SignalingNode.node_id != node_id, SignalingNode.heartbeat_at >= fresh_since
    )


def open_calls_of_lost_nodes(node_id: str, stale_before: datetime) -> Select[CallRecord]:
    """The open calls of the nodes (other than ``node_id``) that have not heartbeat since ``stale_before``."""
    return select(CallRecord).where(
        CallRecord.ended_at.is_(None),
        CallRecord.node_id != node_id,
        ~exists().where(SignalingNode.node_id == CallRecord.node_id, SignalingNode.heartbeat_at >= stale_before),
    )
