"""Notification preferences and channels (R-35) on SQLite and PostgreSQL: defaults, a subscriber's
changes (audited, bad input changes nothing), ``notify`` and the bill run honouring them, legally
required notices ignoring "off", SMS delivered through the SMS adapter, and a failed SMS retried."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.integration.test_arrears import billed_subscriber
from tests.integration.test_billing import insert, make_plan, subscription
from tests.integration.test_billing import subscriber as new_subscriber
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AuditRecord, Notification, OutboxMessage, Subscriber
from videophone.adapters.db.models_preferences import NotificationPreference
from videophone.adapters.mail import MemoryMailer
from videophone.adapters.sms import MemorySmsSender, Sms
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.kernel.errors import NotFound, ValidationFailed
from videophone.notices.services import notifications


def senders(c: Container) -> tuple[MemoryMailer, MemorySmsSender]:
    mailer, sms = MemoryMailer(), MemorySmsSender()
    c.notifications.deps = dataclasses.replace(c.deps, mailer=mailer, sms=sms)
    return mailer, sms


async def outbox(c: Container, sub_id: int | None = None) -> list[tuple[str, str, str]]:
    """(kind, channel, recipient) of every outbox row, oldest first."""
    async with c.deps.uow() as uow:
        query = select(Notification.kind, OutboxMessage.channel, OutboxMessage.recipient).join(
            Notification, Notification.id == OutboxMessage.notification_id
        )
        if sub_id is not None:
            query = query.where(Notification.subscriber_id == sub_id)
        return [tuple(r) for r in await uow.session.execute(query.order_by(OutboxMessage.id))]  # type: ignore[misc]


def switch(category: str, channel: str, enabled: bool) -> dict[str, object]:
    return {"category": category, "channel": channel, "enabled": enabled}


async def test_defaults_then_changes_are_stored_audited_and_shown(container: Container) -> None:
    c = container
    sub = await new_subscriber(c)
    view = await c.notifications.preferences(sub.id)
    table = {p.category: (p.email, p.sms) for p in view.categories}
    assert table == {
        "billing": (True, False),
        "overdue": (True, True),
        "service": (True, True),
        "announcements": (True, False),
        "disputes": (True, False),
        "credit_limit": (True, False),
        "other": (True, False),
        "calls": (False, False),  # missed calls: in the portal and by push only
    }
    assert all(p.push for p in view.categories)  # push is on for every category until switched off
    assert view.email_to == sub.email and view.sms_to and "*" in view.sms_to
    me = Actor("subscriber", sub.id, "127.0.0.1")
    view = await c.notifications.set_preferences(
        sub.id,
        [switch("billing", "sms", True), switch("disputes", "email", False), switch("service", "sms", True)],
        actor=me,
    )
    table = {p.category: (p.email, p.sms) for p in view.categories}
    assert table["billing"] == (True, True) and table["disputes"] == (False, False) and table["service"] == (True, True)
    async with c.deps.uow() as uow:
        stored = {
            (r.category, r.channel, r.enabled)
            for r in await uow.session.scalars(
                select(NotificationPreference).where(NotificationPreference.subscriber_id == sub.id)
            )
        }
        [record] = list(
            await uow.session.scalars(
                select(AuditRecord).where(AuditRecord.action == "notifications.preferences_changed")
            )
        )
    assert stored == {("billing", "sms", True), ("disputes", "email", False)}  # "service sms on" was no change
    assert (record.actor_type, record.actor_id) == ("subscriber", sub.id)
    # Back to the default value: still stored as the subscriber's choice, and shown.
    view = await c.notifications.set_preferences(sub.id, [switch("billing", "sms", False)], actor=me)
    assert {p.category: p.sms for p in view.categories}["billing"] is False


async def test_bad_changes_change_nothing(container: Container) -> None:
    c = container
    sub = await new_subscriber(c)
    me = Actor("subscriber", sub.id)
    with pytest.raises(ValidationFailed) as err:
        await c.notifications.set_preferences(
            sub.id, [switch("billing", "sms", True), switch("telegram", "email", True)], actor=me
        )
    assert err.value.errors[0].code == "notification_pref_category_unknown"
    with pytest.raises(NotFound):
        await c.notifications.set_preferences(999999, [switch("billing", "sms", True)], actor=me)
    async with c.deps.uow() as uow:
        assert list(await uow.session.scalars(select(NotificationPreference))) == []


async def test_notify_follows_preferences_and_mandatory_notices_ignore_off(
    container: Container, clock: FakeClock
) -> None:
    c = container
    mailer, sms = senders(c)
    sub = await new_subscriber(c)
    me = Actor("subscriber", sub.id)
    everything_off = [switch(cat, ch, False) for cat in ("service", "disputes", "overdue") for ch in ("email", "sms")]
    await c.notifications.set_preferences(sub.id, everything_off, actor=me)
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, "dispute_opened", {"dispute_id": 1, "bill_number": "B"})
        await notifications.notify(uow, clock.now(), sub.id, "service_restored", {"reason": "arrears"})
        await notifications.notify(
            uow, clock.now(), sub.id, "service_terminated", {"debt": "10.00", "number": sub.number}
        )
        await uow.commit()
    # In-app: all three; outside: only the termination notice (legally required), on both channels.
    assert [n.kind for n in await c.notifications.list(sub.id, "zh-CN")] == [
        "service_terminated",
        "service_restored",
        "dispute_opened",
    ]
    phone = await contact_phone(c, sub.id)
    assert await outbox(c, sub.id) == [("service_terminated", "email", sub.email), ("service_terminated", "sms", phone)]
    assert await c.notifications.deliver_due() == {"sent": 2, "retry": 0, "failed": 0}
    [mail] = mailer.sent
    [text] = sms.sent
    assert text.to == phone and text.reference.startswith("outbox-")
    assert mail.subject in text.text and len(text.text) <= notifications.SMS_LIMIT and "\n" not in text.text


async def contact_phone(c: Container, sub_id: int) -> str:
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, sub_id)
        assert sub is not None
        return sub.contact_phone


async def test_email_false_keeps_a_notification_in_app_only(container: Container, clock: FakeClock) -> None:
    c = container
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, "service_terminated", {"debt": "0"}, email=False)
        await uow.commit()
    assert len(await c.notifications.list(sub.id, "en")) == 1
    assert await outbox(c, sub.id) == []


async def test_bill_run_notifies_every_subscriber_in_bulk_per_their_preferences(
    container: Container, clock: FakeClock
) -> None:
    c = container
    mailer, sms = senders(c)
    plan_id = await make_plan(c, rent_fen=3100)
    subs = [await new_subscriber(c) for _ in range(3)]
    for s in subs:
        await insert(c, subscription(s.id, plan_id, date(2026, 9, 1)))
    await c.notifications.set_preferences(
        subs[1].id, [switch("billing", "sms", True)], actor=Actor("subscriber", subs[1].id)
    )
    await c.notifications.set_preferences(
        subs[2].id, [switch("billing", "email", False)], actor=Actor("subscriber", subs[2].id)
    )
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    summary = await c.billing.run("2026-10")
    assert summary.bills_created == 3
    for s in subs:
        [note] = await c.notifications.list(s.id, "zh-CN")
        bill = (await c.billing.bills(s.id))[0]
        assert note.kind == "bill_issued" and note.params["bill_id"] == bill.id
        assert note.params["total_due"] == "31.00" and note.params["due_date"] == bill.due_date.isoformat()
        assert "2026-10" in note.title and "31.00" in note.title
    assert sorted(await outbox(c)) == sorted(
        [
            ("bill_issued", "email", subs[0].email),
            ("bill_issued", "email", subs[1].email),
            ("bill_issued", "sms", await contact_phone(c, subs[1].id)),
        ]
    )
    assert await c.notifications.deliver_due() == {"sent": 3, "retry": 0, "failed": 0}
    assert sorted(m.to for m in mailer.sent) == sorted([subs[0].email, subs[1].email])
    assert len(sms.sent) == 1
    # Running it again bills nobody and notifies nobody twice.
    await c.billing.run("2026-10")
    assert len(await outbox(c)) == 3


async def test_notify_many_writes_several_notifications_of_one_subscriber(
    container: Container, clock: FakeClock
) -> None:
    c = container
    a, b = await new_subscriber(c), await new_subscriber(c)
    async with c.deps.uow() as uow:
        written = await notifications.notify_many(
            uow,
            clock.now(),
            [
                (a.id, "service_restored", {"reason": "arrears"}),
                (a.id, "dispute_opened", {"dispute_id": 3}),
                (b.id, "service_restored", {"reason": "credit_limit"}),
            ],
        )
        await uow.commit()
    assert written == 3
    assert sorted(n.kind for n in await c.notifications.list(a.id, "en")) == ["dispute_opened", "service_restored"]
    assert [n.params for n in await c.notifications.list(b.id, "en")] == [{"reason": "credit_limit"}]
    assert sorted(await outbox(c, a.id)) == sorted(
        [
            ("dispute_opened", "email", a.email),
            ("service_restored", "email", a.email),
            ("service_restored", "sms", await contact_phone(c, a.id)),
        ]
    )
    with pytest.raises(KeyError):
        async with c.deps.uow() as uow:
            await notifications.notify_many(uow, clock.now(), [(a.id, "no_such_kind", {})])


async def test_a_failed_sms_is_retried_then_sent(container: Container, clock: FakeClock) -> None:
    c = container

    class Flaky(MemorySmsSender):
        failures = 1

        async def send(self, sms: Sms) -> None:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("gateway down")
            await super().send(sms)

    flaky = Flaky()
    c.notifications.deps = dataclasses.replace(c.deps, mailer=MemoryMailer(), sms=flaky)
    sub_id, _ = await billed_subscriber(c, clock)  # a bill_issued email
    async with c.deps.uow() as uow:
        await notifications.notify(
            uow, clock.now(), sub_id, "payment_overdue", {"due_date": "2026-11-16", "amount": "31.00"}
        )
        await uow.commit()
    assert await c.notifications.deliver_due() == {"sent": 2, "retry": 1, "failed": 0}
    clock.advance(timedelta(seconds=notifications.BACKOFF[0]))
    assert await c.notifications.deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    [text] = flaky.sent
    assert text.to == await contact_phone(c, sub_id)
