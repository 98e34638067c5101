"""Violations (R-30) on SQLite and PostgreSQL: each measure with its reason and evidence, the audit
trail, the account history and the notice the subscriber sees; restrictions and suspensions kept in
``service_state`` (what signaling checks), lifted one by one; a value-added service withdrawn."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.integration.test_billing import insert, make_vas, subscriber
from tests.support.files import PDF, PNG
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AccountEvent, AuditRecord, Notification, Subscriber, VasSubscription
from videophone.adapters.db.models_enforcement import Violation, ViolationEvidence
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.enforcement.services.violations import Upload
from videophone.kernel.errors import InvalidState, NotFound, ValidationFailed
from videophone.kernel.events import RestrictionChanged


async def staff(c: Container, username: str = "enforcer") -> Actor:
    view = await c.staff.create(Actor.system(), username, username, "Staff-Passw0rd!", ["administrator"])
    return Actor("staff", view.id, "10.0.0.7")


async def state(c: Container, sub_id: int) -> tuple[str, str]:
    async with c.deps.uow() as uow:
        sub = await uow.session.get(Subscriber, sub_id)
        assert sub is not None
        return sub.service_state, sub.service_reason


async def notices(c: Container, sub_id: int) -> list[tuple[str, dict[str, object]]]:
    async with c.deps.uow() as uow:
        rows = await uow.session.scalars(
            select(Notification).where(Notification.subscriber_id == sub_id).order_by(Notification.id)
        )
        return [(n.kind, dict(n.params)) for n in rows]


async def audit_actions(c: Container, sub_id: int) -> list[str]:
    async with c.deps.uow() as uow:
        rows = await uow.session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.subject_type == "subscriber", AuditRecord.subject_id == str(sub_id))
            .order_by(AuditRecord.id)
        )
        return list(rows)


async def test_warning_with_evidence_is_noticed_audited_and_downloadable(container: Container) -> None:
    c = container
    actor = await staff(c)
    sub = await subscriber(c)
    enforced: list[int] = []

    async def record(event: RestrictionChanged) -> None:
        enforced.append(event.subscriber_id)

    c.deps.events.after_commit(RestrictionChanged, record)
    view = await c.violations.issue(
        actor,
        sub.id,
        "warning",
        " 骚扰他人 ",
        files=[Upload("C:\\shots\\call.png", "image/png", PNG), Upload("report.pdf", "", PDF)],
    )
    assert (view.action, view.state, view.reason) == ("warning", "done", "骚扰他人")
    assert [(e.filename, e.content_type, e.size) for e in view.evidence] == [
        ("call.png", "image/png", len(PNG)),
        ("report.pdf", "application/pdf", len(PDF)),
    ]
    assert await state(c, sub.id) == ("active", "")
    assert enforced == []  # a warning restricts nothing
    assert await notices(c, sub.id) == [
        ("violation_warning", {"violation_id": view.id, "reason": "骚扰他人", "vas_code": ""})
    ]
    assert "violation.issue" in await audit_actions(c, sub.id)
    async with c.deps.uow() as uow:
        events = list(await uow.session.scalars(select(AccountEvent).where(AccountEvent.subscriber_id == sub.id)))
        sealed = list(await uow.session.scalars(select(ViolationEvidence.content_enc)))
    assert [(e.kind, e.params["action"]) for e in events] == [("violation_notice", "warning")]
    assert all(PNG not in blob and PDF not in blob for blob in sealed)  # encrypted at rest

    info, content = await c.violations.evidence(actor, view.id, view.evidence[0].id)
    assert (info.content_type, content) == ("image/png", PNG)
    with pytest.raises(NotFound):
        await c.violations.evidence(actor, view.id + 1, view.evidence[0].id)


async def test_bad_input_changes_nothing(container: Container) -> None:
    c = container
    actor = await staff(c)
    sub = await subscriber(c)
    with pytest.raises(ValidationFailed) as exc:
        await c.violations.issue(actor, sub.id, "suspend", "", files=[])
    assert [(e.field, e.code) for e in exc.value.errors] == [("reason", "required")]
    with pytest.raises(ValidationFailed) as exc:
        await c.violations.issue(actor, sub.id, "suspend", "x", files=[Upload("a.exe", "image/png", b"MZ\x90\x00")])
    assert [(e.field, e.code) for e in exc.value.errors] == [("files", "upload_type_not_allowed")]
    with pytest.raises(ValidationFailed) as exc:
        await c.violations.issue(actor, sub.id, "withdraw_vas", "x", vas_code="nope")
    assert [(e.field, e.code) for e in exc.value.errors] == [("vas_code", "violation_vas_not_subscribed")]
    with pytest.raises(NotFound):
        await c.violations.issue(actor, sub.id + 999, "warning", "x")
    async with c.deps.uow() as uow:
        assert list(await uow.session.scalars(select(Violation))) == []
    assert await state(c, sub.id) == ("active", "")
    assert await notices(c, sub.id) == []


async def test_restrict_then_suspend_then_lift_one_by_one(container: Container, clock: FakeClock) -> None:
    c = container
    actor = await staff(c)
    sub = await subscriber(c)
    enforced: list[int] = []

    async def record(event: RestrictionChanged) -> None:
        enforced.append(event.subscriber_id)

    c.deps.events.after_commit(RestrictionChanged, record)
    barred = await c.violations.issue(actor, sub.id, "restrict_outgoing", "群发骚扰呼叫")
    assert barred.state == "open"
    assert await state(c, sub.id) == ("outgoing_barred", "violation")
    clock.advance(timedelta(hours=1))
    suspended = await c.violations.issue(actor, sub.id, "suspend", "屡教不改")
    assert await state(c, sub.id) == ("suspended", "violation")
    assert enforced == [sub.id, sub.id]  # signaling told after each commit

    # Lifting the suspension leaves outgoing calls barred (the other measure is still in force).
    lifted = await c.violations.lift(actor, suspended.id, "已整改")
    assert (lifted.state, lifted.lift_reason, lifted.lifted_by) == ("lifted", "已整改", "enforcer")
    assert await state(c, sub.id) == ("outgoing_barred", "violation")
    with pytest.raises(InvalidState):
        await c.violations.lift(actor, suspended.id, "again")
    with pytest.raises(ValidationFailed):
        await c.violations.lift(actor, barred.id, " ")
    await c.violations.lift(actor, barred.id, "观察期结束")
    assert await state(c, sub.id) == ("active", "")

    kinds = [k for k, _ in await notices(c, sub.id)]
    assert kinds == ["violation_restrict_outgoing", "violation_suspend", "violation_lifted", "violation_lifted"]
    actions = await audit_actions(c, sub.id)
    assert actions.count("violation.issue") == 2 and actions.count("violation.lift") == 2
    assert "service.restrict" in actions and "service.lift" in actions

    total, items = await c.violations.search(number=sub.number)
    assert total == 2 and [v.id for v in items] == [suspended.id, barred.id]
    total, items = await c.violations.search(state="open")
    assert total == 0


async def test_withdraw_a_value_added_service(container: Container, clock: FakeClock) -> None:
    c = container
    actor = await staff(c)
    sub = await subscriber(c)
    vas_id = await make_vas(c)
    await insert(c, VasSubscription(subscriber_id=sub.id, vas_id=vas_id, start_date=date(2026, 10, 1)))
    target = await c.violations.target(sub.number)
    code = target.vas[0]["code"]
    view = await c.violations.issue(actor, sub.id, "withdraw_vas", "利用彩铃传播违法信息", vas_code=code)
    assert (view.vas_code, view.state) == (code, "done")
    today = clock.now().astimezone(c.deps.operator_tz).date()
    async with c.deps.uow() as uow:
        row = await uow.session.scalar(select(VasSubscription).where(VasSubscription.subscriber_id == sub.id))
        assert row is not None and row.end_date == today + timedelta(days=1)  # ends at the end of today
    assert [v["code"] for v in (await c.violations.target(sub.number)).vas] == [code]  # until tonight
    clock.advance(timedelta(days=1))
    assert (await c.violations.target(sub.number)).vas == []
    assert [k for k, _ in await notices(c, sub.id)] == ["violation_withdraw_vas"]
    with pytest.raises(NotFound):
        await c.violations.target("99999999999")


async def test_terminate_for_serious_breach(container: Container) -> None:
    c = container
    actor = await staff(c)
    sub = await subscriber(c)
    enforced: list[int] = []

    async def record(event: RestrictionChanged) -> None:
        enforced.append(event.subscriber_id)

    c.deps.events.after_commit(RestrictionChanged, record)
    view = await c.violations.issue(actor, sub.id, "terminate", "利用号码实施诈骗", files=[Upload("a.pdf", "", PDF)])
    assert (view.action, view.state) == ("terminate", "done")
    assert (await state(c, sub.id))[0] == "terminated"
    assert enforced == [sub.id]  # calls in progress end at once
    assert "violation_terminate" in [k for k, _ in await notices(c, sub.id)]
    with pytest.raises(InvalidState) as exc:
        await c.violations.issue(actor, sub.id, "warning", "again")
    assert exc.value.code == "violation_subscriber_terminated"
