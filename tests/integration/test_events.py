"""The unit of work and the event registry together (ADR 0007), on SQLite and PostgreSQL: after-commit
handlers run only once the transaction committed, never after a rollback; an in-transaction handler
that fails rolls back the money of the payment that published; an after-commit handler that fails is
logged and the caller's committed work stands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs

from tests.integration.test_billing import subscriber
from videophone.adapters.db.models import LedgerTransaction, Payment
from videophone.adapters.db.uow import UnitOfWork
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.kernel.events import BalanceReduced, RestrictionChanged

STAFF = Actor("staff", None, "10.0.0.7")


async def count(c: Container, model: object) -> int:
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


async def test_after_commit_handlers_run_on_commit_only(container: Container) -> None:
    c = container
    heard: list[int] = []

    async def hear(event: RestrictionChanged) -> None:
        heard.append(event.subscriber_id)

    c.deps.events.after_commit(RestrictionChanged, hear)
    async with c.deps.uow() as uow:
        await uow.publish(RestrictionChanged(1))
        assert heard == []  # not before the commit
    assert heard == []  # left without commit: rolled back, dropped
    async with c.deps.uow() as uow:
        await uow.publish(RestrictionChanged(2))
        await uow.rollback()
        await uow.publish(RestrictionChanged(3))
        await uow.commit()
        assert heard == [3]  # what the rollback undid is not told
        await uow.commit()  # nothing new since
    assert heard == [3]


async def test_an_in_transaction_failure_rolls_the_money_back(container: Container) -> None:
    c = container
    sub = await subscriber(c)
    told: list[int] = []

    async def fails(uow: UnitOfWork, event: BalanceReduced) -> None:
        raise RuntimeError("a reaction failed")

    async def hear(event: BalanceReduced) -> None:
        told.append(event.subscriber_id)

    c.deps.events.in_transaction(BalanceReduced, fails)
    c.deps.events.after_commit(BalanceReduced, hear)
    before = await count(c, LedgerTransaction)
    with pytest.raises(RuntimeError):
        await c.payments.record_counter(STAFF, sub.id, amount_yuan="10", method="cash", receipt_no="EV-1")
    assert await count(c, LedgerTransaction) == before and await count(c, Payment) == 0
    assert told == []

    c.deps.events.unsubscribe(BalanceReduced, fails)
    view = await c.payments.record_counter(STAFF, sub.id, amount_yuan="10", method="cash", receipt_no="EV-1")
    assert view.balance == "-10.00" and await count(c, Payment) == 1
    assert told == [sub.id]


async def test_an_after_commit_failure_is_logged_not_raised(container: Container) -> None:
    c = container
    sub = await subscriber(c)

    async def fails(event: BalanceReduced) -> None:
        raise RuntimeError("the push service is down")

    c.deps.events.after_commit(BalanceReduced, fails)
    with capture_logs() as logs:
        await c.adjustments.adjust(STAFF, sub.id, "5", "goodwill", kind="credit", idempotency_key="ev")
    assert [(e["event_type"], e["log_level"]) for e in logs if e["event"] == "after-commit event handler failed"] == [
        ("BalanceReduced", "error")
    ]
    async with c.deps.uow() as uow:
        assert await uow.session.scalar(select(func.count()).where(LedgerTransaction.idempotency_key.like("adj:%")))
