"""The second number (第二号码, R-19) on SQLite and PostgreSQL: ordering the service takes a number from the
pool under identity's rules; removing it, withdrawing it by a violation measure or terminating the account
releases it to quarantine at once; the account's own view shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integration.test_orders import subscriber
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import AuditRecord, PhoneNumber
from videophone.bootstrap import Container
from videophone.common import policy
from videophone.common.deps import Actor
from videophone.identity.domain import numbers as number_rules
from videophone.kernel.errors import InvalidState


async def row(c: Container, number: str) -> PhoneNumber:
    async with c.deps.uow() as uow:
        found = await uow.session.get(PhoneNumber, number)
        assert found is not None
        return found


async def test_ordering_takes_a_second_number_and_removing_quarantines_it(
    container: Container, clock: FakeClock
) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    me, actor = await subscriber(c)
    assert (await c.subscribers.account(me.id)).second_number is None

    await c.orders.add_vas(actor, me.id, "second_number")
    second = (await c.subscribers.account(me.id)).second_number
    assert second is not None and second != me.number
    async with c.deps.uow() as uow:
        _, pol = await policy.current(uow)
    assert number_rules.in_pool(pol, second)  # the first number's rules: the operator's pool
    held = await row(c, second)
    assert (held.state, held.subscriber_id, held.role) == ("assigned", me.id, "second")
    assert (await c.subscribers.export(actor, me.id))["subscriber"]["second_number"] == second
    assert (await row(c, me.number)).role == "primary"
    with pytest.raises(InvalidState):  # one at a time: ordering it again is refused, no second allocation
        await c.orders.add_vas(actor, me.id, "second_number")

    clock.advance(timedelta(hours=2))
    await c.orders.remove_vas(actor, me.id, "second_number")
    released = await row(c, second)
    assert (released.state, released.subscriber_id) == ("quarantined", None)
    assert released.quarantined_until == clock.now() + timedelta(days=pol.number_quarantine_days)
    assert (await c.subscribers.account(me.id)).second_number is None
    async with c.deps.uow() as uow:
        audited = list(
            await uow.session.scalars(
                select(AuditRecord.details).where(AuditRecord.action == "subscriber.second_number")
            )
        )
    assert audited == [{"assigned": second}, {"released": second}]

    # Ordering again later takes a fresh number: the released one is still in quarantine.
    clock.advance(timedelta(days=2))
    await c.orders.add_vas(actor, me.id, "second_number")
    again = (await c.subscribers.account(me.id)).second_number
    assert again is not None and again not in (second, me.number)


async def test_a_withdrawal_or_a_termination_releases_the_second_number_at_once(container: Container) -> None:
    c = container
    await c.tariffs.ensure_demo_catalog()
    staff = await c.staff.create(Actor.system(), "second_enforcer", "执法", "Staff-Passw0rd!", ["administrator"])
    officer = Actor("staff", staff.id, "10.0.0.7")
    one, one_actor = await subscriber(c)
    two, two_actor = await subscriber(c)
    await c.orders.add_vas(one_actor, one.id, "second_number")
    await c.orders.add_vas(two_actor, two.id, "second_number")
    first = (await c.subscribers.account(one.id)).second_number
    other = (await c.subscribers.account(two.id)).second_number
    assert first and other and first != other

    await c.violations.issue(officer, one.id, "withdraw_vas", "以第二号码骚扰", vas_code="second_number")
    assert (await row(c, first)).state == "quarantined"
    assert (await c.subscribers.account(one.id)).second_number is None

    await c.termination.operator_terminate(officer, two.id, reason="breach", note="fraudulent use")
    assert (await row(c, other)).state == "quarantined"
    assert (await row(c, two.number)).state == "quarantined"


async def test_a_report_against_a_second_number_names_its_holder(container: Container) -> None:
    """Support sees whose second number a harassment report names (R-12 with R-19)."""
    c = container
    await c.tariffs.ensure_demo_catalog()
    pest, pest_actor = await subscriber(c)
    me, me_actor = await subscriber(c)
    await c.orders.add_vas(pest_actor, pest.id, "second_number")
    second = (await c.subscribers.account(pest.id)).second_number
    assert second is not None
    report = await c.contacts.report(me_actor, me.id, second, "半夜用第二号码骚扰")
    assert (await c.contacts.report_detail(report.id)).reported_id == pest.id
