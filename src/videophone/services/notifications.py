"""Notifications to subscribers (R-35) through one outbox.

:func:`notify` writes, in the caller's transaction, the in-app notification and one ``outbox`` row per
outside channel (email now; SMS through the same table) — so a notification exists exactly when its
cause committed, and none is lost if the process dies before delivery.  :class:`NotificationService`
delivers due outbox rows (a scheduler job on every node; a row is claimed before it is sent, so two
nodes never send one twice), retrying with back-off, and serves the in-app list.

Texts: ``TEXTS[kind][language] = (subject, body)`` with ``str.format`` fields from ``params``; each
feature keeps its kinds in its own ``notice_texts_*.py`` module, merged here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select, update

from videophone.adapters.db.models import Notification, OutboxMessage, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.mail import Mail
from videophone.services import (
    notice_texts_announcements,
    notice_texts_arrears,
    notice_texts_credit,
    notice_texts_disputes,
    notice_texts_enforcement,
    notice_texts_outages,
    notice_texts_payments,
    notice_texts_terminals,
    notice_texts_termination,
)
from videophone.services.deps import Deps

log = structlog.get_logger(__name__)

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    **notice_texts_payments.TEXTS,
    **notice_texts_arrears.TEXTS,
    **notice_texts_credit.TEXTS,
    **notice_texts_disputes.TEXTS,
    **notice_texts_enforcement.TEXTS,
    **notice_texts_termination.TEXTS,
    **notice_texts_announcements.TEXTS,
    **notice_texts_outages.TEXTS,
    **notice_texts_terminals.TEXTS,
}
BACKOFF = (60, 300, 1800, 7200, 21600, 86400)  # seconds before attempt 2, 3, …
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM_SECONDS = 120  # a claimed row is someone's for this long (then due again if they died)
MAX_PAGE = 100


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(kind: str, language: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of ``kind`` in ``language`` (zh-CN when unknown)."""
    entry = TEXTS.get(kind)
    if entry is None:
        raise KeyError(f"no text for notification kind {kind!r}")
    subject, body = entry.get(language) or entry["zh-CN"]
    values = _Default(params)
    return subject.format_map(values), body.format_map(values)


async def notify(
    uow: UnitOfWork,
    now: datetime,
    subscriber_id: int,
    kind: str,
    params: Mapping[str, Any],
    *,
    email: bool = True,
) -> Notification:
    """Add the notification (in-app) and its email to the current transaction."""
    if kind not in TEXTS:
        raise KeyError(f"no text for notification kind {kind!r}")
    row = Notification(subscriber_id=subscriber_id, kind=kind, params=dict(params), created_at=now)
    uow.session.add(row)
    await uow.session.flush()
    if email:
        sub = await uow.session.get(Subscriber, subscriber_id)
        if sub is not None and sub.email:
            subject, body = render(kind, sub.language, params)
            uow.session.add(
                OutboxMessage(
                    notification_id=row.id,
                    channel="email",
                    recipient=sub.email,
                    subject=subject,
                    body=body,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    last_error="",
                    created_at=now,
                )
            )
    return row


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    params: dict[str, Any]
    created_at: datetime
    read: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class NotificationService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # -- in-app -------------------------------------------------------------------------------------------
    async def list(
        self, subscriber_id: int, language: str, *, limit: int = 50, before_id: int | None = None
    ) -> list[NotificationView]:
        limit = max(1, min(MAX_PAGE, limit))
        query = select(Notification).where(Notification.subscriber_id == subscriber_id)
        if before_id is not None:
            query = query.where(Notification.id < before_id)
        async with self.deps.uow() as uow:
            rows = (await uow.session.scalars(query.order_by(Notification.id.desc()).limit(limit))).all()
        out = []
        for r in rows:
            title, body = render(r.kind, language, r.params or {}) if r.kind in TEXTS else (r.kind, "")
            out.append(
                NotificationView(r.id, r.kind, title, body, dict(r.params or {}), r.created_at, r.read_at is not None)
            )
        return out

    async def unread_count(self, subscriber_id: int) -> int:
        async with self.deps.uow() as uow:
            count = await uow.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.subscriber_id == subscriber_id, Notification.read_at.is_(None))
            )
        return int(count or 0)

    async def mark_read(self, subscriber_id: int, *, up_to_id: int | None = None) -> int:
        """Mark the subscriber's notifications read (all, or those with id ≤ ``up_to_id``)."""
        now = self.deps.clock.now()
        stmt = update(Notification).where(Notification.subscriber_id == subscriber_id, Notification.read_at.is_(None))
        if up_to_id is not None:
            stmt = stmt.where(Notification.id <= up_to_id)
        async with self.deps.uow() as uow:
            result = await uow.session.execute(stmt.values(read_at=now))
            await uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    # -- delivery -----------------------------------------------------------------------------------------
    async def deliver_due(self, *, limit: int = 100) -> dict[str, int]:
        """Send the outbox rows that are due; returns counts of sent / retried / failed."""
        now = self.deps.clock.now()
        counts = {"sent": 0, "retry": 0, "failed": 0}
        async with self.deps.uow() as uow:
            due = (
                await uow.session.execute(
                    select(OutboxMessage.id, OutboxMessage.next_attempt_at)
                    .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                    .limit(limit)
                )
            ).all()
        for row_id, seen_at in due:
            lease = now + timedelta(seconds=CLAIM_SECONDS)
            async with self.deps.uow() as uow:
                claimed = await uow.session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == row_id,
                        OutboxMessage.state == "pending",
                        OutboxMessage.next_attempt_at == seen_at,
                    )
                    .values(next_attempt_at=lease)
                )
                await uow.commit()
                if not getattr(claimed, "rowcount", 0):
                    continue  # another node took it
                msg = await uow.session.get(OutboxMessage, row_id)
                assert msg is not None
                channel, recipient, subject, body = msg.channel, msg.recipient, msg.subject, msg.body
                attempts = msg.attempts
            error = ""
            try:
                await self._send(channel, recipient, subject, body)
            except Exception as exc:  # any delivery failure is retried
                error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("notification delivery failed", outbox_id=row_id, error=error)
            attempts += 1
            async with self.deps.uow() as uow:
                msg = await uow.session.get(OutboxMessage, row_id)
                assert msg is not None
                msg.attempts = attempts
                if not error:
                    msg.state, msg.sent_at, msg.last_error = "sent", self.deps.clock.now(), ""
                    counts["sent"] += 1
                elif attempts >= MAX_ATTEMPTS:
                    msg.state, msg.last_error = "failed", error
                    counts["failed"] += 1
                else:
                    msg.last_error = error
                    msg.next_attempt_at = self.deps.clock.now() + timedelta(seconds=BACKOFF[attempts - 1])
                    counts["retry"] += 1
                await uow.commit()
        return counts

    async def _send(self, channel: str, recipient: str, subject: str, body: str) -> None:
        if channel == "email":
            await self.deps.mailer.send(Mail(to=recipient, subject=subject, body=body))
            return
        raise RuntimeError(f"no adapter for channel {channel!r}")
