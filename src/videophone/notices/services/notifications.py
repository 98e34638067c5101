"""Notifications to subscribers (R-35) through one outbox.

:func:`notify` (and :func:`notify_many`, its bulk form for runs such as the bill run) writes, in the
caller's transaction, the in-app notification and one ``outbox`` row per outside channel (email, SMS) —
so a notification exists exactly when its cause committed, and none is lost if the process dies before
delivery.  Which outside channels a notification goes to follows the subscriber's preferences per
category and channel (``domain.notification_prefs``: defaults, and the legally required notices that
ignore an "off").  :class:`NotificationService` delivers due outbox rows (a scheduler job on every node;
a row is claimed — its ``next_attempt_at`` moved :data:`CLAIM_SECONDS` ahead — before it is sent, so two
nodes never send one twice, and a row whose worker died is due again when the claim expires), retrying
with back-off; it also serves the in-app list and the preferences.

Texts: ``TEXTS[kind][language] = (subject, body)`` with ``str.format`` fields from ``params``; each
feature keeps its kinds in its own ``notice_texts_*.py`` module, merged here.  A module may also declare
``CATEGORIES = {kind: category}`` and ``MANDATORY = {kind, …}`` (legally required notices) for its kinds;
kinds it does not declare are classified by name (``domain.notification_prefs.category_of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import structlog

from videophone.adapters.db.models import Notification, OutboxMessage, Subscriber
from videophone.adapters.db.models_preferences import NotificationPreference
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.mail import Mail
from videophone.adapters.sms import Sms
from videophone.billing.texts import notice_texts_bills, notice_texts_disputes
from videophone.calling.texts import notice_texts_calls, notice_texts_voicemail
from videophone.collections.texts import (
    notice_texts_arrears,
    notice_texts_credit,
    notice_texts_payments,
    notice_texts_termination,
)
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.enforcement.texts import notice_texts_enforcement
from videophone.identity.domain.masking import mask_phone
from videophone.kernel.errors import NotFound
from videophone.notices.domain import notification_prefs as prefs
from videophone.notices.services import push
from videophone.notices.store import notifications as store
from videophone.notices.store import outbox, preferences
from videophone.notices.store import push as push_store
from videophone.notices.texts import notice_texts_announcements, notice_texts_outages
from videophone.terminals.texts import notice_texts_terminals

log = structlog.get_logger(__name__)

_MODULES: tuple[ModuleType, ...] = (
    notice_texts_bills,
    notice_texts_payments,
    notice_texts_arrears,
    notice_texts_credit,
    notice_texts_disputes,
    notice_texts_enforcement,
    notice_texts_termination,
    notice_texts_announcements,
    notice_texts_outages,
    notice_texts_terminals,
    notice_texts_voicemail,
    notice_texts_calls,
)
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    **notice_texts_bills.TEXTS,
    **notice_texts_payments.TEXTS,
    **notice_texts_arrears.TEXTS,
    **notice_texts_credit.TEXTS,
    **notice_texts_disputes.TEXTS,
    **notice_texts_enforcement.TEXTS,
    **notice_texts_termination.TEXTS,
    **notice_texts_announcements.TEXTS,
    **notice_texts_outages.TEXTS,
    **notice_texts_terminals.TEXTS,
    **notice_texts_voicemail.TEXTS,
    **notice_texts_calls.TEXTS,
}
DECLARED_CATEGORIES: dict[str, str] = {k: v for m in _MODULES for k, v in getattr(m, "CATEGORIES", {}).items()}
DECLARED_MANDATORY: frozenset[str] = frozenset(k for m in _MODULES for k in getattr(m, "MANDATORY", ()))
SMS_LIMIT = 300  # characters of an SMS (subject and body, cut with an ellipsis)
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


def category_of(kind: str) -> str:
    return prefs.category_of(kind, DECLARED_CATEGORIES)


def is_mandatory(kind: str) -> bool:
    return prefs.is_mandatory(kind, DECLARED_MANDATORY)


async def switches_of(uow: UnitOfWork, subscriber_ids: Iterable[int]) -> dict[int, dict[prefs.Key, bool]]:
    """Every subscriber's effective (category, channel) switches: their choices over the defaults."""
    chosen = await preferences.choices_of(uow.session, sorted(set(subscriber_ids)))
    return {sub_id: prefs.effective(c) for sub_id, c in chosen.items()}


def _outbox_rows(
    notification_id: int,
    kind: str,
    params: Mapping[str, Any],
    who: tuple[str, str, str],
    switches: Mapping[prefs.Key, bool],
    now: datetime,
    *,
    email: bool,
    push_ids: Sequence[int] = (),
) -> list[dict[str, Any]]:
    """The outbox rows (as column dicts) of one notification for a subscriber ``(email, phone, language)``
    with push subscriptions ``push_ids`` (one row per subscription)."""
    address, phone, language = who
    channels = prefs.channels_for(
        kind,
        switches,
        prefs.Addresses(address or "", phone or "", push=bool(push_ids)),
        declared_categories=DECLARED_CATEGORIES,
        declared_mandatory=DECLARED_MANDATORY,
        email_wanted=email,
    )
    if not channels:
        return []
    subject, body = render(kind, language, params)
    rows = []
    for channel in channels:
        if channel == "push":
            rows += [
                {
                    "notification_id": notification_id,
                    "channel": "push",
                    "recipient": str(sid),
                    "subject": subject,
                    "body": push.notice_body(kind, body, params),
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "created_at": now,
                }
                for sid in push_ids
            ]
            continue
        rows.append(
            {
                "notification_id": notification_id,
                "channel": channel,
                "recipient": address if channel == "email" else phone,
                "subject": subject if channel == "email" else "",
                "body": body if channel == "email" else prefs.sms_text(subject, body, SMS_LIMIT),
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
                "created_at": now,
            }
        )
    return rows


async def notify(
    uow: UnitOfWork,
    now: datetime,
    subscriber_id: int,
    kind: str,
    params: Mapping[str, Any],
    *,
    email: bool = True,
) -> Notification:
    """Add the notification (in-app) and its copies (email, SMS — per the subscriber's preferences) to
    the current transaction.  ``email=False``: in-app only."""
    if kind not in TEXTS:
        raise KeyError(f"no text for notification kind {kind!r}")
    row = Notification(subscriber_id=subscriber_id, kind=kind, params=dict(params), created_at=now)
    uow.session.add(row)
    await uow.session.flush()
    if email:
        sub = await uow.session.get(Subscriber, subscriber_id)
        if sub is not None:
            switches = (await switches_of(uow, [subscriber_id]))[subscriber_id]
            who = (sub.email, sub.contact_phone, sub.language)
            push_ids = (await push_store.ids_of(uow.session, [subscriber_id]))[subscriber_id]
            for values in _outbox_rows(row.id, kind, params, who, switches, now, email=True, push_ids=push_ids):
                uow.session.add(OutboxMessage(**values))
    return row


async def notify_many(
    uow: UnitOfWork, now: datetime, items: Sequence[tuple[int, str, Mapping[str, Any]]], *, email: bool = True
) -> int:
    """:func:`notify` for many ``(subscriber_id, kind, params)`` at once, in bulk: a fixed number of
    queries (subscribers, preferences) and bulk inserts, whatever the number of items.  Returns how many
    notifications were written."""
    if not items:
        return 0
    unknown = sorted({kind for _, kind, _ in items if kind not in TEXTS})
    if unknown:
        raise KeyError(f"no text for notification kind(s) {unknown!r}")
    ids = sorted({sub_id for sub_id, _, _ in items})
    who: dict[int, tuple[str, str, str]] = {}
    switches: dict[int, dict[prefs.Key, bool]] = {}
    push_ids: dict[int, list[int]] = {}
    if email:
        who = await store.contacts_of(uow.session, ids)
        switches = await switches_of(uow, ids)
        push_ids = await push_store.ids_of(uow.session, ids)
    conn = await uow.session.connection()
    # Rounds of distinct subscribers, so that the ids returned can be matched by subscriber.
    rounds: list[list[tuple[int, str, Mapping[str, Any]]]] = []
    seen: list[set[int]] = []
    for item in items:
        for k, members in enumerate(seen):
            if item[0] not in members:
                members.add(item[0])
                rounds[k].append(item)
                break
        else:
            seen.append({item[0]})
            rounds.append([item])
    for batch in rounds:
        notification_ids = await store.write_notifications(conn, now, batch)
        rows: list[dict[str, Any]] = []
        for sub_id, kind, params in batch:
            if sub_id in who:
                rows += _outbox_rows(
                    notification_ids[sub_id],
                    kind,
                    params,
                    who[sub_id],
                    switches[sub_id],
                    now,
                    email=True,
                    push_ids=push_ids.get(sub_id, ()),
                )
        await store.write_outbox(conn, rows)
    return len(items)


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    params: dict[str, Any]
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class PreferenceView:
    category: str
    email: bool
    sms: bool
    email_default: bool
    sms_default: bool
    push: bool = True
    push_default: bool = True


@dataclass(frozen=True)
class PreferencesView:
    categories: list[PreferenceView]
    email_to: str
    sms_to: str  # masked contact phone ("" when there is none)


class NotificationService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # -- preferences --------------------------------------------------------------------------------------
    async def preferences(self, subscriber_id: int) -> PreferencesView:
        async with self.deps.uow() as uow:
            return await self._preferences(uow, subscriber_id)

    async def _preferences(self, uow: UnitOfWork, subscriber_id: int) -> PreferencesView:
        sub = await uow.session.get(Subscriber, subscriber_id)
        if sub is None:
            raise NotFound("subscriber_not_found")
        switches = (await switches_of(uow, [subscriber_id]))[subscriber_id]
        return PreferencesView(
            [
                PreferenceView(
                    category,
                    switches[(category, "email")],
                    switches[(category, "sms")],
                    prefs.DEFAULTS[(category, "email")],
                    prefs.DEFAULTS[(category, "sms")],
                    switches[(category, "push")],
                    prefs.DEFAULTS[(category, "push")],
                )
                for category in prefs.CATEGORIES
            ],
            sub.email or "",
            mask_phone(sub.contact_phone) if sub.contact_phone else "",
        )

    async def set_preferences(
        self, subscriber_id: int, items: Sequence[Mapping[str, object]], *, actor: Actor
    ) -> PreferencesView:
        """Change some switches (``[{category, channel, enabled}]``); the others keep their value.
        Bad input changes nothing (coded errors).  The change is audited."""
        wanted = prefs.parse_update(items)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if await uow.session.get(Subscriber, subscriber_id) is None:
                raise NotFound("subscriber_not_found")
            before = (await switches_of(uow, [subscriber_id]))[subscriber_id]
            changed = {key: on for key, on in wanted.items() if before[key] != on}
            if changed:
                await preferences.forget_choices(uow.session, subscriber_id, list(changed))
                uow.session.add_all(
                    NotificationPreference(
                        subscriber_id=subscriber_id, category=c, channel=ch, enabled=on, updated_at=now
                    )
                    for (c, ch), on in changed.items()
                )
                audit.record(
                    uow,
                    now,
                    actor,
                    "notifications.preferences_changed",
                    "subscriber",
                    subscriber_id,
                    {"changes": [{"category": c, "channel": ch, "enabled": on} for (c, ch), on in changed.items()]},
                )
            view = await self._preferences(uow, subscriber_id)
            await uow.commit()
        return view

    # -- in-app -------------------------------------------------------------------------------------------
    async def list(
        self, subscriber_id: int, language: str, *, limit: int = 50, before_id: int | None = None
    ) -> list[NotificationView]:
        limit = max(1, min(MAX_PAGE, limit))
        async with self.deps.uow() as uow:
            rows = await store.notifications_of(uow.session, subscriber_id, limit=limit, before_id=before_id)
        out = []
        for r in rows:
            title, body = render(r.kind, language, r.params or {}) if r.kind in TEXTS else (r.kind, "")
            out.append(
                NotificationView(r.id, r.kind, title, body, dict(r.params or {}), r.created_at, r.read_at is not None)
            )
        return out

    async def unread_count(self, subscriber_id: int) -> int:
        async with self.deps.uow() as uow:
            return await store.count_unread(uow.session, subscriber_id)

    async def mark_read(self, subscriber_id: int, *, up_to_id: int | None = None) -> int:
        """Mark the subscriber's notifications read (all, or those with id ≤ ``up_to_id``)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            marked = await store.mark_read(uow.session, subscriber_id, now, up_to_id=up_to_id)
            await uow.commit()
        return marked

    # -- delivery -----------------------------------------------------------------------------------------
    async def deliver_due(self, *, limit: int = 100) -> dict[str, int]:
        """Send the outbox rows that are due; returns counts of sent / retried / failed."""
        now = self.deps.clock.now()
        counts = {"sent": 0, "retry": 0, "failed": 0}
        async with self.deps.uow() as uow:
            due = await outbox.due_messages(uow.session, now, limit=limit)
        for row_id, seen_at in due:
            lease = now + timedelta(seconds=CLAIM_SECONDS)
            async with self.deps.uow() as uow:
                claimed = await outbox.claim(uow.session, row_id, seen_at, lease)
                await uow.commit()
                if not claimed:
                    continue  # another node took it
                msg = await uow.session.get(OutboxMessage, row_id)
                assert msg is not None
                channel, recipient, subject, body = msg.channel, msg.recipient, msg.subject, msg.body
                attempts = msg.attempts
            error = ""
            try:
                await self._send(row_id, channel, recipient, subject, body)
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

    async def _send(self, row_id: int, channel: str, recipient: str, subject: str, body: str) -> None:
        if channel == "email":
            await self.deps.mailer.send(Mail(to=recipient, subject=subject, body=body))
            return
        if channel == "sms":
            await self.deps.sms.send(Sms(to=recipient, text=body, reference=f"outbox-{row_id}"))
            return
        if channel == "push":
            await push.deliver(self.deps, int(recipient), subject, body)
            return
        raise RuntimeError(f"no adapter for channel {channel!r}")
