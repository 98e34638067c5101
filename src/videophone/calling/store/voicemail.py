"""Video voicemail's rows (R-18): mailboxes, deposits and messages (``voicemail_*``), and the two things
voicemail reads or writes of a call record: the caller's number as the callee may see it, and the
outcome ``voicemail_left``.  The recordings are blobs (``services.voicemail``), never rows.

Caller ID (R-16) decides whether a callee sees who called.  The number of a message's caller is read
here, and only here, from the message's call record: :func:`_presented` is the one place that says
whether that call presented it to the mailbox's owner (``call_records.caller_presented``, ADR 0009).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallRecord, Contact, Subscriber
from videophone.adapters.db.models_voicemail import VoicemailBox, VoicemailDeposit, VoicemailMessage
from videophone.calling.domain.voicemail import Usage


def _presented() -> ColumnElement[bool]:
    """Whether a message's call presented the caller's number to the callee (caller ID, R-16)."""
    return CallRecord.caller_presented.is_(True)


@dataclass(frozen=True)
class MessageRow:
    """A message as its mailbox's owner sees it."""

    id: str
    caller_number: str  # "" when the call withheld it
    caller_name: str  # the callee's contact name for that number, "" if none (or withheld)
    duration_ms: int
    size_bytes: int
    content_type: str
    left_at: datetime
    read_at: datetime | None
    expires_at: datetime


# -- mailboxes ------------------------------------------------------------------------------------------
async def box_of(s: AsyncSession, subscriber_id: int) -> VoicemailBox | None:
    return await s.get(VoicemailBox, subscriber_id)


async def lock_box(s: AsyncSession, subscriber_id: int) -> VoicemailBox:
    """The subscriber's mailbox row, created if missing, locked for the transaction (deposits into one
    mailbox, and its greeting's changes, take turns)."""
    box = await s.scalar(select(VoicemailBox).where(VoicemailBox.subscriber_id == subscriber_id).with_for_update())
    if box is None:
        box = VoicemailBox(subscriber_id=subscriber_id, greeting_content_type="", greeting_bytes=0, greeting_seconds=0)
        s.add(box)
        await s.flush()
    return box


async def usage_of(s: AsyncSession, subscriber_id: int) -> Usage:
    count, size = (
        await s.execute(
            select(func.count(), func.coalesce(func.sum(VoicemailMessage.size_bytes), 0)).where(
                VoicemailMessage.callee_id == subscriber_id
            )
        )
    ).one()
    return Usage(int(count), int(size))


async def unread_count(s: AsyncSession, subscriber_id: int) -> int:
    return int(
        await s.scalar(
            select(func.count()).where(VoicemailMessage.callee_id == subscriber_id, VoicemailMessage.read_at.is_(None))
        )
        or 0
    )


# -- deposits -------------------------------------------------------------------------------------------
async def deposit(s: AsyncSession, token_hash: str) -> VoicemailDeposit | None:
    return await s.get(VoicemailDeposit, token_hash)


async def use_deposit(s: AsyncSession, token_hash: str, caller_id: int, now: datetime) -> bool:
    """Mark the deposit used — only if it is the caller's, unused and not expired (one conditional
    update: two uploads with one token cannot both pass)."""
    result = await s.execute(
        update(VoicemailDeposit)
        .where(
            VoicemailDeposit.token_hash == token_hash,
            VoicemailDeposit.caller_id == caller_id,
            VoicemailDeposit.used_at.is_(None),
            VoicemailDeposit.expires_at > now,
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def forget_deposits(s: AsyncSession, before: datetime) -> int:
    """Delete deposits that expired before ``before`` (used or not: they can do nothing any more)."""
    result = await s.execute(delete(VoicemailDeposit).where(VoicemailDeposit.expires_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def forget_deposits_of(s: AsyncSession, subscriber_id: int) -> None:
    await s.execute(delete(VoicemailDeposit).where(VoicemailDeposit.callee_id == subscriber_id))


# -- messages -------------------------------------------------------------------------------------------
def _as_row(r: Any) -> MessageRow:
    m: VoicemailMessage = r.VoicemailMessage
    presented = bool(r.presented)
    return MessageRow(
        id=m.id,
        caller_number=(r.caller_number or "") if presented else "",
        caller_name=(r.contact_name or "") if presented else "",
        duration_ms=m.duration_ms,
        size_bytes=m.size_bytes,
        content_type=m.content_type,
        left_at=m.left_at,
        read_at=m.read_at,
        expires_at=m.expires_at,
    )


def _with_caller(callee_id: int) -> Select[VoicemailMessage, str, bool, str]:
    return (
        select(
            VoicemailMessage,
            CallRecord.caller_number.label("caller_number"),
            _presented().label("presented"),
            Contact.name.label("contact_name"),
        )
        .outerjoin(CallRecord, CallRecord.id == VoicemailMessage.call_id)
        .outerjoin(Contact, and_(Contact.owner_id == callee_id, Contact.number == CallRecord.caller_number))
        .where(VoicemailMessage.callee_id == callee_id)
    )


async def messages_of(s: AsyncSession, callee_id: int, *, offset: int, limit: int) -> tuple[int, list[MessageRow]]:
    """The messages in ``callee_id``'s mailbox, newest first: how many in all, and this page."""
    total = await s.scalar(select(func.count()).where(VoicemailMessage.callee_id == callee_id))
    rows = await s.execute(
        _with_caller(callee_id)
        .order_by(VoicemailMessage.left_at.desc(), VoicemailMessage.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(total or 0), [_as_row(r) for r in rows]


async def message_of(s: AsyncSession, callee_id: int, message_id: str) -> MessageRow | None:
    """One message of ``callee_id``'s mailbox (``None`` if it is not theirs or does not exist)."""
    row = (await s.execute(_with_caller(callee_id).where(VoicemailMessage.id == message_id))).first()
    return None if row is None else _as_row(row)


async def mark_read(s: AsyncSession, callee_id: int, message_id: str, now: datetime) -> bool:
    result = await s.execute(
        update(VoicemailMessage)
        .where(
            VoicemailMessage.id == message_id,
            VoicemailMessage.callee_id == callee_id,
            VoicemailMessage.read_at.is_(None),
        )
        .values(read_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delete_messages(s: AsyncSession, callee_id: int, message_ids: Sequence[str]) -> int:
    if not message_ids:
        return 0
    result = await s.execute(
        delete(VoicemailMessage).where(
            VoicemailMessage.callee_id == callee_id, VoicemailMessage.id.in_(list(message_ids))
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def message_ids_of(s: AsyncSession, callee_id: int) -> list[str]:
    return list(await s.scalars(select(VoicemailMessage.id).where(VoicemailMessage.callee_id == callee_id)))


async def expired_messages(s: AsyncSession, now: datetime, *, limit: int) -> list[tuple[str, int]]:
    """``(message id, callee id)`` of messages whose retention is over, oldest first."""
    rows = await s.execute(
        select(VoicemailMessage.id, VoicemailMessage.callee_id)
        .where(VoicemailMessage.expires_at <= now)
        .order_by(VoicemailMessage.expires_at, VoicemailMessage.id)
        .limit(limit)
    )
    return [(str(i), int(c)) for i, c in rows]


async def closed_mailboxes(s: AsyncSession, *, limit: int) -> list[int]:
    """Subscribers whose account is terminated but who still have messages or a greeting."""
    has_message = select(VoicemailMessage.callee_id).where(VoicemailMessage.callee_id == Subscriber.id).exists()
    has_box = select(VoicemailBox.subscriber_id).where(VoicemailBox.subscriber_id == Subscriber.id).exists()
    rows = await s.scalars(
        select(Subscriber.id)
        .where(Subscriber.service_state == "terminated", or_(has_message, has_box))
        .order_by(Subscriber.id)
        .limit(limit)
    )
    return [int(i) for i in rows]


async def forget_box(s: AsyncSession, subscriber_id: int) -> None:
    await s.execute(delete(VoicemailBox).where(VoicemailBox.subscriber_id == subscriber_id))


# -- the call record --------------------------------------------------------------------------------------
async def caller_number_of_call(s: AsyncSession, call_id: str) -> str:
    """The caller's number on ``call_id``'s record as its callee may see it ("" when withheld)."""
    row = (
        await s.execute(
            select(CallRecord.caller_number, _presented().label("presented")).where(CallRecord.id == call_id)
        )
    ).first()
    return str(row.caller_number) if row is not None and row.presented else ""


async def record_message_left(
    s: AsyncSession, call_id: str, caller_id: int, callee_id: int, billable_seconds: int
) -> bool:
    """The call's record says a message was left (its own outcome), rated for ``billable_seconds``
    (0 when leaving a message is free).  Only the call of this caller to this callee."""
    result = await s.execute(
        update(CallRecord)
        .where(CallRecord.id == call_id, CallRecord.caller_id == caller_id, CallRecord.callee_id == callee_id)
        .values(outcome="voicemail_left", billable_seconds=billable_seconds)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def service_state_of(s: AsyncSession, subscriber_id: int) -> str | None:
    return await s.scalar(select(Subscriber.service_state).where(Subscriber.id == subscriber_id))
