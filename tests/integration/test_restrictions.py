"""Service restrictions, the account history, the notification outbox and their effect on the bill
(R-24, R-26, R-31, R-35) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.test_billing import assert_ledger_invariants, insert, make_plan, subscription
from tests.integration.test_billing import subscriber as new_subscriber
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AuditRecord, Notification, OutboxMessage, Subscriber
from videophone.adapters.mail import Mail, MemoryMailer
from videophone.billing.services import ledger
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.enforcement.services import restrictions
from videophone.kernel.money import Money
from videophone.notices.services import notifications

STAFF = Actor("staff", None)


async def state_of(c: Container, subscriber_id: int) -> tuple[str, str]:
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, subscriber_id)
        assert sub is not None
        return sub.service_state, sub.service_reason


async def test_restrictions_stack_and_lift_in_any_order(container: Container, clock: FakeClock) -> None:
    c = container
    sub = await new_subscriber(c)
    now = clock.now()
    async with c.deps.uow() as uow:
        assert await restrictions.impose(uow, now, sub.id, "credit_limit", "outgoing", actor=Actor.system())
        await uow.commit()
    assert await state_of(c, sub.id) == ("outgoing_barred", "credit_limit")
    async with c.deps.uow() as uow:
        assert await restrictions.impose(uow, now, sub.id, "arrears", "all", actor=STAFF, note="逾期")
        # The same reason again opens nothing new.
        assert await restrictions.impose(uow, now, sub.id, "arrears", "all", actor=STAFF) is None
        await uow.commit()
    assert await state_of(c, sub.id) == ("suspended", "arrears")
    async with c.deps.uow() as uow:
        assert await restrictions.lift(uow, now, sub.id, "arrears", actor=Actor.system())
        await uow.commit()
    # The credit-limit bar is still there.
    assert await state_of(c, sub.id) == ("outgoing_barred", "credit_limit")
    async with c.deps.uow() as uow:
        assert await restrictions.lift(uow, now, sub.id, "credit_limit", actor=Actor.system())
        assert not await restrictions.lift(uow, now, sub.id, "credit_limit", actor=Actor.system())
        await uow.commit()
    assert await state_of(c, sub.id) == ("active", "")
    history = await c.account_history.list(sub.id)
    assert [(e.kind, e.params.get("reason")) for e in reversed(history)] == [
        ("service_restricted", "credit_limit"),
        ("service_restricted", "arrears"),
        ("service_restored", "arrears"),
        ("service_restored", "credit_limit"),
    ]
    async with c.deps.uow() as uow:
        actions = [
            (r.action, r.details["before"], r.details["after"])
            for r in await uow.session.scalars(
                select(AuditRecord).where(AuditRecord.action.like("service.%")).order_by(AuditRecord.id)
            )
        ]
    assert actions == [
        ("service.restrict", "active", "outgoing_barred"),
        ("service.restrict", "outgoing_barred", "suspended"),
        ("service.lift", "suspended", "outgoing_barred"),
        ("service.lift", "outgoing_barred", "active"),
    ]


async def test_a_restriction_rolled_back_leaves_nothing(container: Container, clock: FakeClock) -> None:
    c = container
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:
        await restrictions.impose(uow, clock.now(), sub.id, "violation", "all", actor=STAFF)
        # no commit
    assert await state_of(c, sub.id) == ("active", "")
    assert await c.account_history.list(sub.id) == []
    async with c.deps.uow() as uow:
        assert await restrictions.open_restrictions(uow, sub.id) == []


async def test_terminated_is_never_recomputed(container: Container, clock: FakeClock) -> None:
    c = container
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:
        row = await uow.session.get(Subscriber, sub.id)
        assert row is not None
        row.service_state = "terminated"
        await restrictions.impose(uow, clock.now(), sub.id, "arrears", "all", actor=Actor.system())
        await restrictions.lift(uow, clock.now(), sub.id, "arrears", actor=Actor.system())
        await uow.commit()
    assert (await state_of(c, sub.id))[0] == "terminated"


async def test_suspensions_that_stop_the_rent_reach_the_bill(container: Container, clock: FakeClock) -> None:
    """Rent runs during a lawful suspension (R-31) and stops during one for arrears (R-24)."""
    c = container
    plan_id = await make_plan(c, rent_fen=3100)  # ¥31.00: ¥1.00 a day in October
    lawful, arrears = await new_subscriber(c), await new_subscriber(c)
    await insert(
        c, subscription(lawful.id, plan_id, date(2026, 9, 1)), subscription(arrears.id, plan_id, date(2026, 9, 1))
    )
    start = datetime(2026, 10, 11, 2, 0, tzinfo=UTC)  # Oct 11, 10:00 in Shanghai
    end = datetime(2026, 10, 21, 2, 0, tzinfo=UTC)  # Oct 21 → 10 days suspended
    for sub, reason in ((lawful, "lawful"), (arrears, "arrears")):
        async with c.deps.uow() as uow:
            await restrictions.impose(uow, start, sub.id, reason, "all", actor=STAFF)
            await uow.commit()
        async with c.deps.uow() as uow:
            await restrictions.lift(uow, end, sub.id, reason, actor=STAFF)
            await uow.commit()
    # An outgoing-only bar never stops the rent.
    async with c.deps.uow() as uow:
        await restrictions.impose(uow, start, lawful.id, "credit_limit", "outgoing", actor=STAFF)
        await uow.commit()
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    await c.billing.run("2026-10")
    rent = {}
    for sub in (lawful, arrears):
        bill = (await c.billing.bills(sub.id))[0]
        detail = await c.billing.bill(sub.id, bill.id)
        rent[sub.id] = [(line.amount, line.quantity) for line in detail.lines if line.kind == "rent"]
    assert rent[lawful.id] == [("31.00", "31/31 天")]
    assert rent[arrears.id] == [("21.00", "21/31 天")]
    await assert_ledger_invariants(c)


async def test_late_fees_and_refunds_are_shown_on_the_next_bill(container: Container, clock: FakeClock) -> None:
    c = container
    plan_id = await make_plan(c, rent_fen=3000)
    sub = await new_subscriber(c)
    await insert(c, subscription(sub.id, plan_id, date(2026, 9, 1)))
    async with c.deps.uow() as uow:
        for day in (1, 2, 3):
            fee = Money(9)
            await ledger.post(
                uow,
                "late_fee",
                f"latefee:{sub.id}:2026-10-0{day}",
                [(ledger.RECEIVABLE, sub.id, fee), ("revenue:late_fee", None, -fee)],
                subscriber_id=sub.id,
                at=datetime(2026, 10, day, 20, tzinfo=UTC),
            )
        paid, back = Money(5000), Money(1000)
        await ledger.post(
            uow,
            "payment",
            "pay:test:1",
            [(ledger.RECEIVABLE, sub.id, -paid), ("cash:counter", None, paid)],
            subscriber_id=sub.id,
            at=datetime(2026, 10, 5, tzinfo=UTC),
        )
        await ledger.post(
            uow,
            "refund",
            "refund:test:1",
            [(ledger.RECEIVABLE, sub.id, back), ("refund", None, -back)],
            subscriber_id=sub.id,
            memo="退还多缴",
            at=datetime(2026, 10, 6, tzinfo=UTC),
        )
        await uow.commit()
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    await c.billing.run("2026-10")
    bill = (await c.billing.bills(sub.id))[0]
    detail = await c.billing.bill(sub.id, bill.id)
    assert [(line.kind, line.quantity, line.amount) for line in detail.lines] == [
        ("rent", "31/31 天", "30.00"),
        ("late_fee", "3 天", "0.27"),
        ("refund", "", "10.00"),
    ]
    # previous 0 − payments 50.00 + new charges 40.27
    assert (detail.payments, detail.new_charges, detail.total_due) == ("50.00", "40.27", "-9.73")
    await assert_ledger_invariants(c)


# -- the outbox -----------------------------------------------------------------------------------------
@pytest.fixture
def test_kind(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(
        notifications.TEXTS,
        "test_notice",
        {"zh-CN": ("测试 {n}", "正文 {n} {missing}"), "en": ("Test {n}", "Body {n}")},
    )
    return "test_notice"


class FlakyMailer(MemoryMailer):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def send(self, mail: Mail) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionRefusedError("smtp down")
        await super().send(mail)


async def outbox(c: Container) -> list[OutboxMessage]:
    async with c.deps.uow() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_notify_writes_in_app_and_email_in_the_callers_transaction(
    container: Container, clock: FakeClock, mailer: MemoryMailer, test_kind: str
) -> None:
    c = container
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, test_kind, {"n": 7})
        # rolled back: nothing at all
    assert await outbox(c) == [] and await c.notifications.list(sub.id, "zh-CN") == []
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, test_kind, {"n": 7})
        await uow.commit()
    [item] = await c.notifications.list(sub.id, "zh-CN")
    assert (item.title, item.body, item.read) == ("测试 7", "正文 7 {missing}", False)
    assert (await c.notifications.list(sub.id, "en"))[0].title == "Test 7"
    assert await c.notifications.unread_count(sub.id) == 1
    assert await c.notifications.deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    assert [(m.to, m.subject) for m in mailer.sent] == [(sub.email, "测试 7")]
    # Delivered once: running again sends nothing.
    assert await c.notifications.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert await c.notifications.mark_read(sub.id) == 1
    assert await c.notifications.unread_count(sub.id) == 0
    with pytest.raises(KeyError):
        async with c.deps.uow() as uow:
            await notifications.notify(uow, clock.now(), sub.id, "no_such_kind", {})


async def test_delivery_retries_with_back_off_then_gives_up(
    container: Container, clock: FakeClock, test_kind: str
) -> None:
    c = container
    flaky = FlakyMailer(failures=2)
    c.notifications.deps = dataclasses.replace(c.deps, mailer=flaky)  # same deps, flaky SMTP
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, test_kind, {"n": 1})
        await uow.commit()
    assert await c.notifications.deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    [row] = await outbox(c)
    assert (row.attempts, row.state, "smtp down" in row.last_error) == (1, "pending", True)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=notifications.BACKOFF[0])
    assert await c.notifications.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    clock.advance(timedelta(seconds=notifications.BACKOFF[0]))
    assert (await c.notifications.deliver_due())["retry"] == 1
    clock.advance(timedelta(seconds=notifications.BACKOFF[1]))
    assert (await c.notifications.deliver_due())["sent"] == 1
    [row] = await outbox(c)
    assert (row.attempts, row.state, row.last_error) == (3, "sent", "")
    assert len(flaky.sent) == 1

    # A mailer that never works: failed after the last attempt, never retried again.
    never = FlakyMailer(failures=10**6)
    c.notifications.deps = dataclasses.replace(c.deps, mailer=never)
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, test_kind, {"n": 2})
        await uow.commit()
    for delay in (0, *notifications.BACKOFF):
        clock.advance(timedelta(seconds=delay))
        await c.notifications.deliver_due()
    failed = (await outbox(c))[-1]
    assert (failed.state, failed.attempts) == ("failed", notifications.MAX_ATTEMPTS)


async def test_a_claimed_message_is_not_sent_twice(
    container: Container, clock: FakeClock, mailer: MemoryMailer, test_kind: str
) -> None:
    """Two nodes delivering at once: the row one of them claimed is skipped by the other."""
    c = container
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, test_kind, {"n": 3})
        await uow.commit()
    results: list[dict[str, Any]] = await asyncio.gather(c.notifications.deliver_due(), c.notifications.deliver_due())
    assert sum(r["sent"] for r in results) == 1
    assert len(mailer.sent) == 1
    async with c.deps.uow() as uow:
        assert await uow.session.scalar(select(Notification.read_at)) is None
