"""Registration and personal data in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from tests.factories import person
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AgreementAcceptance, AuditRecord, PhoneNumber, Subscriber
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import RequestInfo
from videophone.kernel.errors import ValidationFailed

REQ = RequestInfo(ip="203.0.113.9", user_agent="pytest", channel="web")


async def count(c: Container, model: type) -> int:
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_registration_stores_encrypted_data_and_acceptance(container: Container) -> None:
    data = person()
    view = await container.subscribers.register(data, REQ)
    assert view.id_number == data["id_number"][:6] + "********" + data["id_number"][-4:]
    assert view.birth_date == "1990-**-**"
    assert view.review_state == "pending"
    assert view.agreement_version == 1
    async with container.deps.uow() as uow:
        raw = (await uow.session.execute(text("SELECT * FROM subscribers"))).mappings().one()
        row_text = " ".join(str(v) for v in raw.values())
        for secret in (data["id_number"], data["address"], data["employer"], data["birth_date"]):
            assert secret not in row_text
        acceptance = await uow.session.scalar(select(AgreementAcceptance))
        assert acceptance is not None
        assert (acceptance.agreement_version, acceptance.policy_version) == (1, 1)
        assert (acceptance.ip, acceptance.user_agent, acceptance.channel) == ("203.0.113.9", "pytest", "web")
        number = await uow.session.get(PhoneNumber, view.number)
        assert number is not None and number.subscriber_id == view.id
        actions = list(await uow.session.scalars(select(AuditRecord.action)))
        assert actions == ["subscriber.register"]


async def test_invalid_registration_stores_nothing(container: Container) -> None:
    with pytest.raises(ValidationFailed):
        await container.subscribers.register(person(id_number="110105199003071230"), REQ)
    assert await count(container, Subscriber) == 0
    assert await count(container, PhoneNumber) == 0
    assert await count(container, AuditRecord) == 0


async def test_email_is_unique(container: Container) -> None:
    await container.subscribers.register(person(email="same@example.com"), REQ)
    with pytest.raises(ValidationFailed) as err:
        await container.subscribers.register(person(email="SAME@example.com"), REQ)
    assert [e.code for e in err.value.errors] == ["email_taken"]
    assert await count(container, Subscriber) == 1
    assert await count(container, PhoneNumber) == 1


async def test_concurrent_registrations_never_share_a_number(container: Container) -> None:
    # A pool only a little larger than the crowd forces collisions between concurrent claims.
    await container.policy.update(
        Actor("staff", None), {"number_pool_start": "95100000000", "number_pool_end": "95100000049"}, reason="test"
    )
    views = await asyncio.gather(*(container.subscribers.register(person(), REQ) for _ in range(40)))
    numbers = [v.number for v in views]
    assert len(set(numbers)) == 40
    assert all("95100000000" <= n <= "95100000049" for n in numbers)
    assert await count(container, PhoneNumber) == 40


async def test_pool_exhaustion_is_a_clear_error(container: Container) -> None:
    await container.policy.update(
        Actor("staff", None), {"number_pool_start": "95100000000", "number_pool_end": "95100000001"}, reason="test"
    )
    await container.subscribers.register(person(), REQ)
    await container.subscribers.register(person(), REQ)
    with pytest.raises(Exception) as err:
        await container.subscribers.register(person(), REQ)
    assert getattr(err.value, "code", "") == "number_pool_exhausted"
    assert await count(container, Subscriber) == 2


async def test_number_change_quarantines_the_old_number(container: Container, clock: FakeClock) -> None:
    await container.policy.update(
        Actor("staff", None),
        {"number_pool_start": "95100000000", "number_pool_end": "95100000002", "number_quarantine_days": 30},
        reason="test",
    )
    a = await container.subscribers.register(person(), REQ)
    old = a.number
    new = await container.numbers.change_number(Actor("staff", None), a.id, reason="network_change", note="扩容")
    assert new != old
    async with container.deps.uow() as uow:
        row = await uow.session.get(PhoneNumber, old)
        assert row is not None and row.state == "quarantined" and row.subscriber_id is None
    # The third number goes to the next subscriber; the quarantined one is not handed out …
    b = await container.subscribers.register(person(), REQ)
    assert b.number not in (old, new)
    with pytest.raises(Exception) as err:
        await container.subscribers.register(person(), REQ)
    assert getattr(err.value, "code", "") == "number_pool_exhausted"
    # … until its quarantine is over.
    clock.advance(timedelta(days=31))
    c = await container.subscribers.register(person(), REQ)
    assert c.number == old
    history = await container.numbers.history(a.id)
    assert [(h.old_number, h.new_number, h.reason) for h in history] == [(old, new, "network_change")]


async def test_a_terminated_accounts_number_is_reused_after_quarantine(container: Container, clock: FakeClock) -> None:
    """Termination quarantines the number (R-24, R-32); the terminated account row stays (arrears are
    collected) under "<number>#<id>" once the number is handed to someone else."""
    from videophone.common import policy
    from videophone.identity.services import numbers

    await container.policy.update(
        Actor("staff", None),
        {"number_pool_start": "95100000000", "number_pool_end": "95100000001", "number_quarantine_days": 30},
        reason="test",
    )
    gone = await container.subscribers.register(person(), REQ)
    await container.subscribers.register(person(), REQ)
    async with container.deps.uow() as uow:
        row = await uow.session.get(Subscriber, gone.id)
        assert row is not None
        row.service_state = "terminated"
        _, pol = await policy.current(uow)
        await numbers.release(uow, pol, gone.number, clock.now())
        await uow.commit()
    with pytest.raises(Exception) as err:
        await container.subscribers.register(person(), REQ)
    assert getattr(err.value, "code", "") == "number_pool_exhausted"
    clock.advance(timedelta(days=31))
    heir = await container.subscribers.register(person(), REQ)
    assert heir.number == gone.number
    async with container.deps.uow() as uow:
        row = await uow.session.get(Subscriber, gone.id)
        assert row is not None and row.number == f"{gone.number}#{gone.id}"


async def test_reveal_is_audited_with_its_reason(container: Container) -> None:
    data = person()
    view = await container.subscribers.register(data, REQ)
    reviewer = Actor("staff", None, "10.0.0.1")
    with pytest.raises(ValidationFailed):
        await container.subscribers.reveal(reviewer, view.id, "id_number", "")
    assert await container.subscribers.reveal(reviewer, view.id, "id_number", "核对身份证件") == data["id_number"]
    _, records = await container.audit.search(action="subscriber.reveal")
    assert [(r.details["field"], r.details["reason"]) for r in records] == [("id_number", "核对身份证件")]


async def test_export_contains_everything_unmasked(container: Container) -> None:
    data = person()
    view = await container.subscribers.register(data, REQ)
    export = await container.subscribers.export(Actor("subscriber", view.id), view.id)
    assert export["subscriber"]["id_number"] == data["id_number"]
    assert export["subscriber"]["address"] == data["address"]
    assert export["agreement_acceptances"][0]["agreement_version"] == 1
    assert export["account_history"][0]["action"] == "subscriber.register"
