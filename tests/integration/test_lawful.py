"""Lawful suspension (R-31) on SQLite and PostgreSQL: recorded by legal staff, the account suspended
both ways at once, the reference encrypted and masked everywhere but the legal view, the subscriber
told "as required by law", lifting and expiry audited — and the rent continues (a violation
suspension stops it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.integration.test_billing import insert, make_plan, subscriber, subscription
from tests.integration.test_violations import notices, staff, state
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AuditRecord, ServiceRestriction
from videophone.adapters.db.models_enforcement import LawfulSuspension
from videophone.bootstrap import Container
from videophone.kernel.errors import InvalidState, ValidationFailed
from videophone.kernel.events import RestrictionChanged

REFERENCE = "(2026)京公刑冻字第0815号"


async def test_record_suspends_both_ways_with_the_reference_sealed(container: Container) -> None:
    c = container
    legal = await staff(c, "legal")
    sub = await subscriber(c)
    enforced: list[int] = []

    async def record(event: RestrictionChanged) -> None:
        enforced.append(event.subscriber_id)

    c.deps.events.after_commit(RestrictionChanged, record)
    view = await c.lawful.record(legal, f" {sub.number} ", "北京市公安局", REFERENCE, "", "")
    assert (view.reference, view.state, view.scope, view.period_to) == (REFERENCE, "active", "both", None)
    assert view.period_from == c.deps.clock.now().astimezone(c.deps.operator_tz).date()
    assert await state(c, sub.id) == ("suspended", "lawful")
    assert enforced == [sub.id]

    async with c.deps.uow() as uow:
        stored = await uow.session.scalar(select(LawfulSuspension.reference_enc))
        audits = list(await uow.session.scalars(select(AuditRecord).order_by(AuditRecord.id)))
        restriction = await uow.session.scalar(select(ServiceRestriction))
    assert stored is not None and REFERENCE not in stored
    recorded = next(a for a in audits if a.action == "lawful.record")
    assert recorded.details["reference"] == "****"
    assert all(REFERENCE not in str(a.details) for a in audits)  # masked in every audit record
    assert restriction is not None and REFERENCE not in restriction.note + str(restriction.detail)
    # The subscriber is told it is required by law — nothing about who or which reference.
    assert await notices(c, sub.id) == [("lawful_suspended", {"period_to": ""})]

    with pytest.raises(InvalidState) as exc:
        await c.lawful.record(legal, sub.number, "北京市公安局", "another", "", "")
    assert exc.value.code == "lawful_already_active"

    lifted = await c.lawful.lift(legal, view.id, "机关通知解除")
    assert (lifted.state, lifted.lift_reason) == ("lifted", "机关通知解除")
    assert await state(c, sub.id) == ("active", "")
    async with c.deps.uow() as uow:
        actions = list(await uow.session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))
    assert "lawful.lift" in actions and "service.lift" in actions
    with pytest.raises(InvalidState):
        await c.lawful.lift(legal, view.id, "again")


async def test_bad_requests_change_nothing(container: Container, clock: FakeClock) -> None:
    c = container
    legal = await staff(c, "legal")
    sub = await subscriber(c)
    with pytest.raises(ValidationFailed) as exc:
        await c.lawful.record(legal, "", "", "", "", "")
    assert {e.field for e in exc.value.errors} == {"number", "authority", "reference"}
    with pytest.raises(ValidationFailed) as exc:
        await c.lawful.record(legal, "00000000000", "机关", "ref", "", "")
    assert [(e.field, e.code) for e in exc.value.errors] == [("number", "lawful_number_unknown")]
    tomorrow = (clock.now().astimezone(c.deps.operator_tz).date() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed) as exc:
        await c.lawful.record(legal, sub.number, "机关", "ref", tomorrow, "")
    assert [(e.field, e.code) for e in exc.value.errors] == [("period_from", "lawful_from_in_future")]
    async with c.deps.uow() as uow:
        assert list(await uow.session.scalars(select(LawfulSuspension))) == []
    assert await state(c, sub.id) == ("active", "")


async def test_expiry_job_lifts_after_the_last_day_only(container: Container, clock: FakeClock) -> None:
    c = container
    legal = await staff(c, "legal")
    sub, other = await subscriber(c), await subscriber(c)
    today = clock.now().astimezone(c.deps.operator_tz).date()
    ending = await c.lawful.record(legal, sub.number, "法院", "r1", "", (today + timedelta(days=2)).isoformat())
    await c.lawful.record(legal, other.number, "法院", "r2", "", "")  # until lifted
    clock.advance(timedelta(days=2))
    assert await c.lawful.expire_due() == 0  # the last day is still a day of suspension
    clock.advance(timedelta(days=1))
    assert await c.lawful.expire_due() == 1
    assert await c.lawful.expire_due() == 0  # idempotent
    assert (await c.lawful.get(ending.id)).state == "expired"
    assert await state(c, sub.id) == ("active", "")
    assert await state(c, other.id) == ("suspended", "lawful")
    assert [k for k, _ in await notices(c, sub.id)] == ["lawful_suspended", "lawful_lifted"]
    total, items = await c.lawful.search(state="active")
    assert total == 1 and items[0].subscriber_id == other.id


async def test_rent_continues_under_lawful_suspension_but_not_under_a_violation_one(
    container: Container, clock: FakeClock
) -> None:
    c = container
    plan_id = await make_plan(c, rent_fen=3100, included=0)
    officer = await staff(c, "officer")
    lawful_sub, violation_sub = await subscriber(c), await subscriber(c)
    await insert(
        c,
        subscription(lawful_sub.id, plan_id, date(2026, 9, 1)),
        subscription(violation_sub.id, plan_id, date(2026, 9, 1)),
    )
    await c.lawful.record(officer, lawful_sub.number, "公安机关", "ref-1", "", "")
    await c.violations.issue(officer, violation_sub.id, "suspend", "违规经营")
    # Both suspensions began on 11 October (local): back-date them, then bill October.
    async with c.deps.uow() as uow:
        await uow.session.execute(
            update(ServiceRestriction).values(started_at=datetime(2026, 10, 10, 16, 0, tzinfo=UTC))
        )
        await uow.commit()
    await c.billing.run("2026-10")
    rent: dict[int, str] = {}
    for sub in (lawful_sub, violation_sub):
        bills = await c.billing.bills(sub.id)
        detail = await c.billing.bill(sub.id, bills[0].id)
        rent[sub.id] = next(line.amount for line in detail.lines if line.kind == "rent")
    assert rent[lawful_sub.id] == "31.00"  # the full month: lawful suspension keeps the rent
    assert rent[violation_sub.id] == "10.00"  # 1–10 October only (10 of 31 days)
