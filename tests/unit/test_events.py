"""The event registry (ADR 0007) on its own: order, exact event class, both kinds of subscription,
unsubscribing, and after-commit failures logged and never raised."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from videophone.adapters.events import Events
from videophone.common.deps import Actor
from videophone.kernel.events import BalanceReduced, CallsEnded, RestrictionChanged

AT = datetime(2026, 11, 1, tzinfo=UTC)


def reduced(subscriber_id: int = 7) -> BalanceReduced:
    return BalanceReduced(subscriber_id, 100, "staff_credit", AT, Actor("staff", 3, "10.0.0.1"))


async def test_in_transaction_handlers_get_the_unit_of_work_in_order_and_only_their_event() -> None:
    events: Events[str] = Events()
    got: list[tuple[str, str, int]] = []

    async def first(uow: str, event: BalanceReduced) -> None:
        got.append(("first", uow, event.subscriber_id))

    async def second(uow: str, event: BalanceReduced) -> None:
        got.append(("second", uow, event.subscriber_id))

    events.in_transaction(BalanceReduced, first)
    events.in_transaction(BalanceReduced, second)
    await events.run_in_transaction("uow-1", reduced())
    await events.run_in_transaction("uow-1", RestrictionChanged(7))  # nobody listens to that one here
    assert got == [("first", "uow-1", 7), ("second", "uow-1", 7)]
    assert events.listeners(BalanceReduced) == []  # in-transaction handlers are not after-commit ones


async def test_an_in_transaction_failure_reaches_the_publisher_and_stops_the_rest() -> None:
    events: Events[str] = Events()
    later: list[int] = []

    async def fails(uow: str, event: BalanceReduced) -> None:
        raise RuntimeError("no")

    async def after(uow: str, event: BalanceReduced) -> None:
        later.append(event.subscriber_id)

    events.in_transaction(BalanceReduced, fails)
    events.in_transaction(BalanceReduced, after)
    with pytest.raises(RuntimeError):
        await events.run_in_transaction("uow", reduced())
    assert later == []


async def test_after_commit_failures_are_logged_and_the_others_still_run() -> None:
    events: Events[str] = Events()
    got: list[object] = []

    async def fails(event: RestrictionChanged) -> None:
        raise RuntimeError("signaling is down")

    async def records(event: RestrictionChanged) -> None:
        got.append(event)

    events.after_commit(RestrictionChanged, fails)
    events.after_commit(RestrictionChanged, records)
    with capture_logs() as logs:
        await events.run_after_commit([RestrictionChanged(1), RestrictionChanged(2)])  # never raises
    assert got == [RestrictionChanged(1), RestrictionChanged(2)]
    failures = [e for e in logs if e["event"] == "after-commit event handler failed"]
    assert [(e["log_level"], e["event_type"]) for e in failures] == [("error", "RestrictionChanged")] * 2
    assert failures[0]["handler"].endswith("fails")


async def test_unsubscribe_and_listeners() -> None:
    events: Events[str] = Events()

    async def rate(event: CallsEnded) -> None: ...

    async def limit(event: CallsEnded) -> None: ...

    events.after_commit(CallsEnded, rate)
    events.after_commit(CallsEnded, limit)
    assert events.listeners(CallsEnded) == [rate, limit]
    events.unsubscribe(CallsEnded, rate)
    events.unsubscribe(CallsEnded, rate)  # not there any more: nothing happens
    assert events.listeners(CallsEnded) == [limit]


def test_events_are_frozen_values() -> None:
    assert CallsEnded(("a", "b")) == CallsEnded(("a", "b"))
    with pytest.raises(AttributeError):
        RestrictionChanged(1).subscriber_id = 2  # type: ignore[misc]
