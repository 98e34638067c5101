"""Announcements and agreement changes (R-33, R-06, R-02) on SQLite and PostgreSQL: targeting, future
publication, chunked idempotent delivery through the outbox, read markers; a new agreement version by
announcement, the diff, objections within and after the window, staff decisions, and deemed acceptance
exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import person
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import (
    AgreementAcceptance,
    AuditRecord,
    Notification,
    OutboxMessage,
    Subscriber,
)
from videophone.adapters.db.models_announcements import AgreementObjection, AnnouncementDelivery
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.agreement import shipped_template
from videophone.identity.services.subscribers import AccountView, RequestInfo
from videophone.kernel.errors import InvalidState, ValidationFailed
from videophone.notices.services import announcements as announcement_service

STAFF = Actor("staff", None, "10.0.0.9")


async def subscriber(c: Container, **overrides: Any) -> AccountView:
    return await c.subscribers.register(person(**overrides), RequestInfo())


async def rows(c: Container, model: Any, *where: Any) -> list[Any]:
    async with c.deps.uow() as uow:
        return list(await uow.session.scalars(select(model).where(*where)))


async def count(c: Container, model: Any, *where: Any) -> int:
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def maintenance(c: Container, **overrides: Any) -> dict[str, Any]:
    now = c.deps.clock.now()
    raw: dict[str, Any] = {
        "kind": "maintenance",
        "title": "网络维护",
        "body": "本周六 02:00–04:00 进行网络维护，期间可能无法通话。",
        "title_en": "Network maintenance",
        "body_en": "Saturday 02:00–04:00: calls may fail.",
        "effective_at": now + timedelta(days=2),
    }
    raw.update(overrides)
    return raw


def new_template() -> str:
    return shipped_template(1).replace("## 前言", "## 前言\n\n本版新增：乙方提供更高清晰度的视频通话。", 1)


async def test_an_announcement_to_numbers_reaches_only_them_once(container: Container, clock: FakeClock) -> None:
    c = container
    a, b, other = await subscriber(c), await subscriber(c, language="en"), await subscriber(c)
    view = await c.announcements.create(STAFF, maintenance(c, audience="numbers", numbers=f"{a.number}, {b.number}"))
    assert view.numbers == (a.number, b.number) and view.state == "scheduled"

    assert await c.announcements.deliver_due() == {"announcements": 1, "notified": 2}
    assert await c.announcements.deliver_due() == {"announcements": 0, "notified": 0}  # delivered: nothing due
    notes = await rows(c, Notification, Notification.kind == "announcement")
    assert sorted(n.subscriber_id for n in notes) == sorted([a.id, b.id])
    mails = {m.recipient: m for m in await rows(c, OutboxMessage)}
    assert mails[b.email].subject == "Service announcement: Network maintenance"
    assert mails[a.email].subject == "业务公告：网络维护" and "网络维护" in mails[a.email].body
    assert other.email not in mails

    unread, items = await c.announcements.mine(a.id)
    assert unread == 1 and [i.id for i in items] == [view.id] and not items[0].read
    assert await c.announcements.mine(other.id) == (0, [])
    total, listed = await c.announcements.list_all()
    assert total == 1 and listed[0].delivered == 2 and listed[0].state == "delivered"
    audit = await rows(c, AuditRecord, AuditRecord.action == "announcement.create")
    assert audit[0].details["numbers"] == [a.number, b.number]

    assert await c.announcements.mark_read(a.id) == 1
    assert await c.announcements.mark_read(a.id) == 0
    unread, items = await c.announcements.mine(a.id)
    assert unread == 0 and items[0].read
    assert (await c.announcements.mine(b.id))[0] == 1  # b's marker is b's own


async def test_a_future_announcement_is_delivered_when_due(container: Container, clock: FakeClock) -> None:
    c = container
    a = await subscriber(c)
    later = clock.now() + timedelta(days=3)
    await c.announcements.create(
        STAFF, maintenance(c, kind="number_change", publish_at=later, effective_at=later + timedelta(days=7))
    )
    assert await c.announcements.deliver_due() == {"announcements": 0, "notified": 0}
    assert await c.announcements.mine(a.id) == (0, [])
    clock.advance(timedelta(days=3))
    assert (await c.announcements.deliver_due())["notified"] == 1
    assert (await c.announcements.mine(a.id))[0] == 1


async def test_everyone_is_notified_in_chunks_exactly_once(
    container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = container
    monkeypatch.setattr(announcement_service, "CHUNK", 2)
    subs = [await subscriber(c) for _ in range(5)]
    async with c.deps.uow() as uow:
        gone = await uow.session.get(Subscriber, subs[0].id)
        assert gone is not None
        gone.service_state = "terminated"
        await uow.commit()
    view = await c.announcements.create(STAFF, maintenance(c, kind="network_expansion", effective_at=None))
    assert view.effective_at == clock.now() + timedelta(days=3)

    results = await asyncio.gather(c.announcements.deliver_due(), c.announcements.deliver_due())
    assert sum(r["notified"] for r in results) == 4
    await c.announcements.deliver_due()
    deliveries = await rows(c, AnnouncementDelivery)
    assert sorted(d.subscriber_id for d in deliveries) == sorted(s.id for s in subs[1:])
    assert await count(c, Notification, Notification.kind == "announcement") == 4
    # someone registering later still sees it in the portal (but gets no notification for it)
    late = await subscriber(c)
    assert (await c.announcements.mine(late.id))[0] == 1


async def test_bad_announcements_change_nothing(container: Container, clock: FakeClock) -> None:
    c = container
    a = await subscriber(c)
    with pytest.raises(ValidationFailed) as unknown:
        await c.announcements.create(STAFF, maintenance(c, audience="numbers", numbers=f"{a.number} 95199999999"))
    assert unknown.value.errors[0].code == "announcement_number_unknown"
    with pytest.raises(ValidationFailed) as short:
        await c.announcements.create(STAFF, maintenance(c, effective_at=clock.now() + timedelta(hours=2)))
    assert short.value.errors[0].code == "announcement_notice_too_short"
    with pytest.raises(ValidationFailed) as agreement:
        await c.announcements.create(STAFF, maintenance(c, kind="agreement_change"))
    assert agreement.value.errors[0].code == "announcement_agreement_via_version"
    assert (await c.announcements.list_all())[0] == 0
    assert await count(c, AuditRecord, AuditRecord.action == "announcement.create") == 0


async def publish_v2(c: Container) -> dict[str, Any]:
    return await c.agreement.publish_version(
        STAFF,
        {
            "template": new_template(),
            "summary": "新增高清视频条款。",
            "title": "服务协议变更",
            "body": "我们更新了服务协议，新增高清视频条款。",
        },
    )


async def test_agreement_change_objection_and_deemed_acceptance(container: Container, clock: FakeClock) -> None:
    c = container
    objector, silent, keen = await subscriber(c), await subscriber(c), await subscriber(c)
    published = await publish_v2(c)
    start = clock.now()
    assert published["version"] == 2 and published["window_end"] == start + timedelta(days=30)  # 1 Nov → 1 Dec
    assert (await c.announcements.deliver_due())["notified"] == 3
    change_notes = await rows(c, Notification, Notification.kind == "agreement_change")
    assert len(change_notes) == 3 and change_notes[0].params["version"] == 2

    [change] = await c.agreement.changes_for(silent.id)
    assert change.version == 2 and change.from_version == 1 and change.objection_open
    assert {"op": "added", "text": "本版新增：乙方提供更高清晰度的视频通话。"} in change.diff
    assert {"op": "removed", "text": "协议版本：第1版"} in change.diff
    assert change.added == 2 and change.removed == 1

    # a new registration accepts the newest version and has nothing to decide
    newcomer = await subscriber(c)
    assert [
        a.agreement_version
        for a in await rows(c, AgreementAcceptance, AgreementAcceptance.subscriber_id == newcomer.id)
    ] == [2]
    assert await c.agreement.changes_for(newcomer.id) == []

    objection = await c.agreement.object_to(Actor("subscriber", objector.id), objector.id, 2, "我不同意新增条款。")
    assert objection.state == "open"
    with pytest.raises(InvalidState) as twice:
        await c.agreement.object_to(Actor("subscriber", objector.id), objector.id, 2, "再次异议")
    assert twice.value.code == "objection_exists"
    accepted = await c.agreement.accept_version(Actor("subscriber", keen.id, "1.2.3.4"), keen.id, 2)
    assert accepted.method == "explicit" and accepted.channel == "web"
    with pytest.raises(InvalidState) as after_accept:
        await c.agreement.object_to(Actor("subscriber", keen.id), keen.id, 2, "还是不同意")
    assert after_accept.value.code == "agreement_already_accepted"

    # before the window ends nobody is deemed
    clock.set(published["window_end"] - timedelta(seconds=1))
    assert (await c.agreement.deem_acceptances())["deemed"] == 0
    clock.set(published["window_end"])
    with pytest.raises(InvalidState) as late:
        await c.agreement.object_to(Actor("subscriber", silent.id), silent.id, 2, "太晚了")
    assert late.value.code == "objection_window_closed"
    results = await asyncio.gather(c.agreement.deem_acceptances(), c.agreement.deem_acceptances())
    assert sum(r["deemed"] for r in results) == 1
    assert (await c.agreement.deem_acceptances())["deemed"] == 0

    deemed = await rows(c, AgreementAcceptance, AgreementAcceptance.method == "deemed")
    assert [(d.subscriber_id, d.agreement_version, d.channel, d.accepted_at) for d in deemed] == [
        (silent.id, 2, "announcement", published["window_end"])
    ]
    [silent_change] = await c.agreement.changes_for(silent.id)
    assert silent_change.accepted is not None and silent_change.accepted.method == "deemed"
    assert not silent_change.objection_open
    [objector_change] = await c.agreement.changes_for(objector.id)
    assert objector_change.accepted is None and objector_change.objection is not None
    assert await count(c, Notification, Notification.kind == "agreement_deemed_accepted") == 1
    doc = await c.agreement.for_subscriber(silent.id, "北京", "")
    assert doc.version == 2

    # staff work the case: agreed after negotiation → the acceptance is recorded, once
    total, counts, cases = await c.agreement.objections(state="open")
    assert total == 1 and counts["open"] == 1 and cases[0].subscriber_number == objector.number
    decided = await c.agreement.decide_objection(STAFF, objection.id, "accepted", "已电话沟通，用户同意。")
    assert decided.state == "accepted"
    with pytest.raises(InvalidState):
        await c.agreement.decide_objection(STAFF, objection.id, "not_agreed", "x")
    mine = await rows(c, AgreementAcceptance, AgreementAcceptance.subscriber_id == objector.id)
    assert [(a.agreement_version, a.channel) for a in mine] == [(1, "web"), (2, "negotiation")]
    assert await count(c, Notification, Notification.kind == "agreement_objection_decided") == 1
    actions = {r.action for r in await rows(c, AuditRecord)}
    assert {
        "agreement.publish_version",
        "agreement.object",
        "agreement.accept",
        "agreement.objection_decide",
    } <= actions
    assert (await c.agreement.objections(state="open"))[0] == 0


async def test_a_bad_new_version_changes_nothing(container: Container, clock: FakeClock) -> None:
    c = container
    with pytest.raises(ValidationFailed) as exc:
        await c.agreement.publish_version(
            STAFF, {"template": shipped_template(1), "summary": "", "title": "", "body": "x"}
        )
    assert {(e.field, e.code) for e in exc.value.errors} == {
        ("template", "agreement_unchanged"),
        ("summary", "required"),
        ("title", "required"),
    }
    with pytest.raises(ValidationFailed) as broken:
        await c.agreement.publish_version(
            STAFF, {"template": "# 协议 ${no_such_thing}", "summary": "s", "title": "t", "body": "b"}
        )
    assert broken.value.errors[0].code == "agreement_unknown_placeholder"
    assert (await c.agreement.current_template())["version"] == 1
    assert (await c.announcements.list_all())[0] == 0


async def test_deemed_acceptance_skips_objectors_even_when_their_case_is_not_agreed(
    container: Container, clock: FakeClock
) -> None:
    c = container
    objector = await subscriber(c)
    published = await publish_v2(c)
    objection = await c.agreement.object_to(Actor("subscriber", objector.id), objector.id, 2, "不同意")
    await c.agreement.decide_objection(STAFF, objection.id, "not_agreed", "用户保留原协议，可申请销户。")
    clock.set(published["window_end"] + timedelta(days=1))
    assert (await c.agreement.deem_acceptances())["deemed"] == 0
    assert [a.agreement_version for a in await rows(c, AgreementAcceptance)] == [1]
    assert (await rows(c, AgreementObjection))[0].state == "not_agreed"
