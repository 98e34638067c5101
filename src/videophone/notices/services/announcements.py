"""Service announcements (R-33, R-02; rules in ``domain.announcements``).

Staff (``manage_announcements``) publish an announcement now or at a later time, to every subscriber
or to a list of numbers (resolved to subscribers when it is created; an unknown number is refused).
The portal lists what is published for the subscriber, newest first, with an unread marker.

Delivery is the job ``announcements`` (:meth:`AnnouncementService.deliver_due`): for every announcement
that is due it notifies the targeted subscribers in chunks of :data:`CHUNK`, one transaction per chunk,
each notification written with an ``announcement_deliveries`` row whose unique (announcement,
subscriber) pair makes a second run — or a second node — skip whoever already has it.  An
announcement is ``delivered`` once a pass finds nobody left.  Subscribers whose service is terminated
are not notified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models_announcements import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementRead,
    AnnouncementTarget,
)
from videophone.adapters.db.uow import UnitOfWork
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, ValidationFailed
from videophone.notices.domain import announcements as rules
from videophone.notices.services import notifications
from videophone.notices.store import announcements as store
from videophone.notices.store import subscribers

CHUNK = 200
MAX_PAGE = 200
MAX_ROUNDS = 1000  # chunks per announcement per run (200 000 subscribers); the next run goes on
CLOSED_STATES = ("terminated",)


@dataclass(frozen=True)
class AnnouncementView:
    id: int
    kind: str
    title: str
    body: str
    title_en: str
    body_en: str
    audience: str
    publish_at: datetime
    effective_at: datetime
    state: str
    agreement_version: int | None
    objection_window_end: datetime | None
    read: bool = False
    numbers: tuple[str, ...] = ()
    delivered: int = 0


def view_of(row: Announcement, **extra: Any) -> AnnouncementView:
    return AnnouncementView(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        title_en=row.title_en,
        body_en=row.body_en,
        audience=row.audience,
        publish_at=row.publish_at,
        effective_at=row.effective_at,
        state=row.state,
        agreement_version=row.agreement_version,
        objection_window_end=row.objection_window_end,
        **extra,
    )


def notice_params(row: Announcement, operator_tz: Any) -> dict[str, Any]:
    effective = row.effective_at.astimezone(operator_tz).strftime("%Y-%m-%d %H:%M")
    params: dict[str, Any] = {
        "announcement_id": row.id,
        "announcement_kind": row.kind,
        "title": row.title,
        "body": row.body,
        "title_en": row.title_en or row.title,
        "body_en": row.body_en or row.body,
        "effective": effective,
    }
    if row.agreement_version is not None and row.objection_window_end is not None:
        params["version"] = row.agreement_version
        params["window_end"] = row.objection_window_end.astimezone(operator_tz).strftime("%Y-%m-%d %H:%M")
    return params


async def add_announcement(
    uow: UnitOfWork,
    now: datetime,
    actor: Actor,
    draft: rules.AnnouncementDraft,
    *,
    agreement_version: int | None = None,
    objection_window_end: datetime | None = None,
) -> tuple[Announcement, tuple[str, ...]]:
    """Store a checked announcement (and its targets) in the caller's transaction, audited."""
    targets: list[tuple[int, str]] = []
    if draft.audience is rules.Audience.NUMBERS:
        found = await subscribers.ids_by_number(uow.session, draft.numbers)
        unknown = [n for n in draft.numbers if n not in found]
        if unknown:
            raise ValidationFailed(
                [FieldError("numbers", "announcement_number_unknown", {"numbers": ", ".join(unknown[:10])})]
            )
        targets = [(found[n], n) for n in draft.numbers]
    row = Announcement(
        kind=draft.kind.value,
        title=draft.title,
        body=draft.body,
        title_en=draft.title_en,
        body_en=draft.body_en,
        audience=draft.audience.value,
        publish_at=draft.publish_at,
        effective_at=draft.effective_at,
        state="scheduled",
        agreement_version=agreement_version,
        objection_window_end=objection_window_end,
        created_by=actor.id if actor.type == "staff" else None,
        created_at=now,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.session.add_all(AnnouncementTarget(announcement_id=row.id, subscriber_id=s, number=n) for s, n in targets)
    audit.record(
        uow,
        now,
        actor,
        "announcement.create",
        "announcement",
        row.id,
        {
            "kind": row.kind,
            "title": row.title,
            "audience": row.audience,
            "numbers": [n for _, n in targets][:50],
            "targets": len(targets),
            "publish_at": row.publish_at.isoformat(),
            "effective_at": row.effective_at.isoformat(),
            "agreement_version": agreement_version,
        },
    )
    return row, tuple(n for _, n in targets)


class AnnouncementService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # -- staff ----------------------------------------------------------------------------------------------
    async def create(self, actor: Actor, raw: dict[str, Any]) -> AnnouncementView:
        """Publish (now or at ``publish_at``) an announcement of any kind but an agreement change
        (that one is published with its new text by ``AgreementService.publish_version``)."""
        now = self.deps.clock.now()
        if raw.get("kind") == rules.AnnouncementKind.AGREEMENT_CHANGE.value:
            raise ValidationFailed([FieldError("kind", "announcement_agreement_via_version")])
        async with self.deps.uow() as uow:
            _, pol = await policy_service.current(uow)
            draft = rules.validate_announcement(
                kind=raw.get("kind"),
                title=raw.get("title"),
                body=raw.get("body"),
                title_en=raw.get("title_en") or "",
                body_en=raw.get("body_en") or "",
                audience=raw.get("audience") or "all",
                numbers=raw.get("numbers"),
                publish_at=raw.get("publish_at"),
                effective_at=raw.get("effective_at"),
                now=now,
                objection_window_months=pol.objection_window_months,
            )
            row, numbers = await add_announcement(uow, now, actor, draft)
            await uow.commit()
            return view_of(row, numbers=numbers)

    async def list_all(self, *, offset: int = 0, limit: int = 50) -> tuple[int, list[AnnouncementView]]:
        """Newest first, with how many subscribers were notified so far."""
        limit = max(1, min(MAX_PAGE, limit))
        async with self.deps.uow() as uow:
            total = await store.count_announcements(uow.session)
            rows = await store.announcements_page(uow.session, offset=offset, limit=limit)
            ids = [r.id for r in rows]
            counts: dict[int, int] = {}
            numbers: dict[int, list[str]] = {}
            if ids:
                counts = await store.delivery_counts(uow.session, ids)
                numbers = await store.target_numbers(uow.session, ids)
        return total, [
            view_of(r, delivered=counts.get(r.id, 0), numbers=tuple(numbers.get(r.id, ())[:50])) for r in rows
        ]

    # -- the job ----------------------------------------------------------------------------------------------
    async def deliver_due(self) -> dict[str, int]:
        """Notify the subscribers of every due announcement, a chunk per transaction (idempotent)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            due = await store.due_ids(uow.session, now)
        notified = 0
        for announcement_id in due:
            notified += await self._deliver(int(announcement_id), now)
        return {"announcements": len(due), "notified": notified}

    async def _deliver(self, announcement_id: int, now: datetime) -> int:
        notified = 0
        for _ in range(MAX_ROUNDS):
            try:
                async with self.deps.uow() as uow:
                    row = await store.lock_announcement(uow.session, announcement_id)
                    if row is None or row.state == "delivered":
                        return notified
                    recipients = await store.pending_recipients(
                        uow.session, row, closed_states=CLOSED_STATES, limit=CHUNK
                    )
                    if not recipients:
                        row.state = "delivered"
                        row.delivered_at = now
                        await uow.commit()
                        return notified
                    row.state = "delivering"
                    params = notice_params(row, self.deps.operator_tz)
                    kind = "agreement_change" if row.agreement_version is not None else "announcement"
                    for subscriber_id in recipients:
                        note = await notifications.notify(uow, now, subscriber_id, kind, params)
                        uow.session.add(
                            AnnouncementDelivery(
                                announcement_id=row.id,
                                subscriber_id=subscriber_id,
                                notification_id=note.id,
                                delivered_at=now,
                            )
                        )
                    await uow.commit()
                    notified += len(recipients)
            except IntegrityError:
                continue  # another node notified some of this chunk meanwhile: take the next chunk
        return notified

    # -- the subscriber ---------------------------------------------------------------------------------------
    async def mine(self, subscriber_id: int, *, limit: int = 100) -> tuple[int, list[AnnouncementView]]:
        """What is published for the subscriber, newest first, and how many of them are unread."""
        now = self.deps.clock.now()
        limit = max(1, min(MAX_PAGE, limit))
        async with self.deps.uow() as uow:
            rows = await store.published_for(uow.session, subscriber_id, now, limit=limit)
            unread = await store.count_unread(uow.session, subscriber_id, now)
        return unread, [view_of(a, read=read_id is not None) for a, read_id in rows]

    async def mark_read(self, subscriber_id: int, ids: Sequence[int] | None = None) -> int:
        """Mark the given announcements (or all visible ones) read; returns how many were newly marked."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            fresh = await store.unread_ids(
                uow.session, subscriber_id, now, None if ids is None else list(ids)[:MAX_PAGE]
            )
            uow.session.add_all(
                AnnouncementRead(announcement_id=i, subscriber_id=subscriber_id, read_at=now) for i in fresh
            )
            try:
                await uow.commit()
            except IntegrityError:  # a second tab marked them at the same moment
                return 0
            return len(fresh)
