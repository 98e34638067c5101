"""Call history, missed calls, call quality and live calls (R-13, R-15) on SQLite and PostgreSQL.

The signaling hub writes the call records; here they are inserted directly."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.factories import person
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallQualitySample, CallRecord, Contact, SignalingNode
from videophone.bootstrap import Container
from videophone.calling.api.calls_answers import StaffCallDetailAnswer
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView, RequestInfo
from videophone.kernel.errors import Conflict, InvalidState, NotFound, Throttled, ValidationFailed


async def subscriber(c: Container) -> AccountView:
    return await c.subscribers.register(person(), RequestInfo())


async def insert(c: Container, *rows: Any) -> None:
    async with c.deps.uow() as uow:
        uow.session.add_all(rows)
        await uow.commit()


def call(
    caller: AccountView,
    callee: AccountView,
    started: datetime,
    outcome: str = "answered",
    *,
    seconds: int = 0,
    state: str = "ended",
    node: str = "node-a",
    seen: datetime | None = None,
) -> CallRecord:
    answered = started + timedelta(seconds=5) if outcome == "answered" or state == "answered" else None
    ended = None if state != "ended" else (answered or started) + timedelta(seconds=seconds or 20)
    return CallRecord(
        id=str(uuid.uuid4()),
        caller_id=caller.id,
        callee_id=callee.id,
        caller_number=caller.number,
        callee_number=callee.number,
        caller_device="web-caller",
        callee_device="web-callee" if answered else "",
        node_id=node,
        state=state,
        started_at=started,
        answered_at=answered,
        ended_at=ended,
        outcome=outcome if state == "ended" else "",
        end_reason={"answered": "hangup", "missed": "no_answer", "busy": "busy"}.get(outcome, outcome)
        if state == "ended"
        else "",
        billable_seconds=seconds,
        callee_seen_at=seen,
    )


def contact(owner: AccountView, name: str, number: str, at: datetime) -> Contact:
    return Contact(owner_id=owner.id, name=name, number=number, created_at=at, updated_at=at)


async def test_history_from_each_partys_point_of_view(container: Container, clock: FakeClock) -> None:
    alice, bob, carol = await subscriber(container), await subscriber(container), await subscriber(container)
    now = clock.now()
    out_answered = call(alice, bob, now - timedelta(hours=3), "answered", seconds=65)
    in_missed = call(bob, alice, now - timedelta(hours=2), "missed")
    in_rejected = call(carol, alice, now - timedelta(hours=1), "rejected")
    unrelated = call(bob, carol, now - timedelta(minutes=30), "busy")
    await insert(container, out_answered, in_missed, in_rejected, unrelated, contact(alice, "鲍勃", bob.number, now))

    total, items = await container.calls.history(alice.id)
    assert total == 3
    assert [i.id for i in items] == [in_rejected.id, in_missed.id, out_answered.id]  # newest first
    first_out = items[2]
    assert (first_out.direction, first_out.other_number, first_out.other_name) == ("outgoing", bob.number, "鲍勃")
    assert (first_out.outcome, first_out.end_reason, first_out.billable_seconds) == ("answered", "hangup", 65)
    assert items[0].direction == "incoming" and items[0].other_number == carol.number and items[0].other_name is None
    assert items[1].unseen_missed and not items[0].unseen_missed

    assert [i.id for i in (await container.calls.history(alice.id, direction="incoming"))[1]] == [
        in_rejected.id,
        in_missed.id,
    ]
    assert [i.id for i in (await container.calls.history(alice.id, direction="outgoing"))[1]] == [out_answered.id]
    assert [i.id for i in (await container.calls.history(alice.id, direction="missed"))[1]] == [in_missed.id]
    # Bob sees the same missed call as an outgoing one, and Bob's contact names are not Alice's.
    _, bobs = await container.calls.history(bob.id, direction="outgoing")
    assert {i.id for i in bobs} == {in_missed.id, unrelated.id}
    assert all(i.other_name is None for i in bobs)
    # Paging
    total, page = await container.calls.history(alice.id, offset=1, limit=1)
    assert total == 3 and [i.id for i in page] == [in_missed.id]

    with pytest.raises(ValidationFailed) as err:
        await container.calls.history(alice.id, direction="sideways")
    assert err.value.errors[0].code == "call_direction_unknown"


async def test_missed_calls_count_until_seen(container: Container, clock: FakeClock) -> None:
    alice, bob = await subscriber(container), await subscriber(container)
    now = clock.now()
    await insert(
        container,
        call(bob, alice, now - timedelta(hours=3), "missed"),
        call(bob, alice, now - timedelta(hours=2), "missed"),
        call(bob, alice, now - timedelta(hours=2), "missed", seen=now - timedelta(hours=1)),
        call(alice, bob, now - timedelta(hours=1), "missed"),  # Bob's missed call, not Alice's
        call(bob, alice, now - timedelta(minutes=5), "rejected"),
    )
    assert await container.calls.missed_count(alice.id) == 2
    assert await container.calls.missed_count(bob.id) == 1
    assert await container.calls.mark_missed_seen(alice.id) == 2
    assert await container.calls.missed_count(alice.id) == 0
    assert await container.calls.missed_count(bob.id) == 1
    _, items = await container.calls.history(alice.id, direction="missed")
    assert len(items) == 3 and not any(i.unseen_missed for i in items)
    # A new missed call shows again.
    await insert(container, call(bob, alice, now, "missed"))
    assert await container.calls.missed_count(alice.id) == 1


async def test_dates_are_days_in_shanghai(container: Container) -> None:
    alice, bob = await subscriber(container), await subscriber(container)
    # 2026-11-01 23:30 in Shanghai is 15:30 UTC; 2026-11-02 00:30 in Shanghai is 2026-11-01 16:30 UTC.
    late = call(alice, bob, datetime(2026, 11, 1, 15, 30, tzinfo=UTC))
    after_midnight = call(alice, bob, datetime(2026, 11, 1, 16, 30, tzinfo=UTC))
    early = call(alice, bob, datetime(2026, 10, 31, 16, 0, tzinfo=UTC))  # 2026-11-01 00:00 Shanghai
    await insert(container, late, after_midnight, early)
    nov1 = date(2026, 11, 1)
    _, items = await container.calls.history(alice.id, since=nov1, until=nov1)
    assert {i.id for i in items} == {late.id, early.id}
    _, items = await container.calls.history(alice.id, since=date(2026, 11, 2))
    assert [i.id for i in items] == [after_midnight.id]
    _, items = await container.calls.history(alice.id, until=date(2026, 10, 31))
    assert items == []
    with pytest.raises(ValidationFailed) as err:
        await container.calls.history(alice.id, since=date(2026, 11, 2), until=nov1)
    assert err.value.errors[0].field == "until"


async def test_only_the_parties_see_a_call(container: Container, clock: FakeClock) -> None:
    alice, bob, eve = await subscriber(container), await subscriber(container), await subscriber(container)
    record = call(alice, bob, clock.now() - timedelta(minutes=10), seconds=120)
    await insert(container, record)
    await insert(
        container,
        CallQualitySample(call_id=record.id, subscriber_id=alice.id, at=clock.now(), rtt_ms=50, packet_loss_pct=0.5),
        CallQualitySample(call_id=record.id, subscriber_id=bob.id, at=clock.now(), rtt_ms=450, packet_loss_pct=1),
    )
    mine = await container.calls.detail(alice.id, record.id)
    assert mine.call.direction == "outgoing"
    assert mine.quality_mine.assessment == "good" and mine.quality_peer.assessment == "poor"
    assert mine.quality_peer.issues == ["rtt"]
    theirs = await container.calls.detail(bob.id, record.id)
    assert theirs.quality_mine.summary.rtt_avg_ms == 450
    with pytest.raises(NotFound) as err:
        await container.calls.detail(eve.id, record.id)
    assert err.value.code == "call_not_found"
    with pytest.raises(NotFound):
        await container.calls.detail(alice.id, str(uuid.uuid4()))
    with pytest.raises(NotFound):
        await container.calls.record_quality(eve.id, record.id, {"rtt_ms": 1})


async def test_quality_samples_are_validated_and_rate_limited(container: Container, clock: FakeClock) -> None:
    alice, bob = await subscriber(container), await subscriber(container)
    record = call(alice, bob, clock.now(), state="answered")
    await insert(container, record)
    with pytest.raises(ValidationFailed) as err:
        await container.calls.record_quality(alice.id, record.id, {"packet_loss_pct": 150, "rtt_ms": -1})
    assert {e.field for e in err.value.errors} == {"packet_loss_pct", "rtt_ms"}

    await container.calls.record_quality(alice.id, record.id, {"rtt_ms": 80, "frames_per_second": 30})
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Throttled) as throttled:
        await container.calls.record_quality(alice.id, record.id, {"rtt_ms": 90})
    assert throttled.value.code == "quality_sample_too_frequent" and throttled.value.params["retry_after"] == 1
    # The other party has its own allowance.
    await container.calls.record_quality(bob.id, record.id, {"rtt_ms": 85})
    clock.advance(timedelta(seconds=1))
    await container.calls.record_quality(alice.id, record.id, {"rtt_ms": 100, "frames_per_second": 24})
    # The final sample is always taken, once, and nothing after it.
    await container.calls.record_quality(alice.id, record.id, {"rtt_ms": 120, "frames_decoded": 900}, final=True)
    clock.advance(timedelta(seconds=5))
    with pytest.raises(Conflict):
        await container.calls.record_quality(alice.id, record.id, {"rtt_ms": 1})
    with pytest.raises(Conflict):
        await container.calls.record_quality(alice.id, record.id, {}, final=True)

    detail = await container.calls.detail(alice.id, record.id)
    summary = detail.quality_mine.summary
    assert summary.samples == 3 and summary.rtt_avg_ms == 100 and summary.rtt_max_ms == 120
    assert summary.fps_min == 24 and summary.frames_decoded == 900
    assert detail.quality_peer.summary.samples == 1


async def test_quality_is_not_taken_long_after_the_call(container: Container, clock: FakeClock) -> None:
    alice, bob = await subscriber(container), await subscriber(container)
    record = call(alice, bob, clock.now() - timedelta(hours=1), seconds=60)
    await insert(container, record)
    with pytest.raises(InvalidState) as err:
        await container.calls.record_quality(bob.id, record.id, {"rtt_ms": 10}, final=True)
    assert err.value.code == "quality_window_closed"


async def test_live_calls_and_stale_nodes(container: Container, clock: FakeClock) -> None:
    alice, bob, carol, dave = [await subscriber(container) for _ in range(4)]
    now = clock.now()
    await insert(
        container,
        SignalingNode(node_id="node-a", address="10.0.0.1:8000", started_at=now - timedelta(hours=1), heartbeat_at=now),
        SignalingNode(
            node_id="node-b",
            address="10.0.0.2:8000",
            started_at=now - timedelta(hours=1),
            heartbeat_at=now - timedelta(seconds=31),
        ),
    )
    ringing = call(alice, bob, now - timedelta(seconds=10), state="ringing", node="node-a")
    talking = call(carol, dave, now - timedelta(minutes=3), state="answered", node="node-b")
    orphan = call(bob, carol, now - timedelta(minutes=4), state="answered", node="node-gone")
    ended = call(dave, alice, now - timedelta(minutes=5), "answered", seconds=30, node="node-a")
    await insert(container, ringing, talking, orphan, ended)

    live = await container.calls.live_calls()
    assert [(x.id, x.state, x.node_fresh) for x in live] == [
        (orphan.id, "answered", False),
        (talking.id, "answered", False),
        (ringing.id, "ringing", True),
    ]
    assert live[2].caller_number == alice.number and live[2].callee_number == bob.number
    assert live[0].node_heartbeat_at is None


async def test_staff_search_and_detail(container: Container, clock: FakeClock) -> None:
    alice, bob, carol = await subscriber(container), await subscriber(container), await subscriber(container)
    now = clock.now()
    await insert(
        container,
        SignalingNode(node_id="node-a", address="10.0.0.1", started_at=now, heartbeat_at=now - timedelta(seconds=5)),
    )
    a = call(alice, bob, now - timedelta(hours=2), "answered", seconds=90)
    b = call(bob, carol, now - timedelta(hours=1), "missed")
    c = call(carol, alice, now - timedelta(days=2), "busy")
    await insert(container, a, b, c)
    await insert(
        container,
        CallQualitySample(call_id=a.id, subscriber_id=alice.id, at=now, packet_loss_pct=8.0, final=True),
        CallQualitySample(call_id=a.id, subscriber_id=bob.id, at=now, packet_loss_pct=0.1, frames_per_second=30),
    )
    total, items = await container.calls.search()
    assert total == 3 and [i.id for i in items] == [b.id, a.id, c.id]
    assert [i.id for i in (await container.calls.search(number=alice.number))[1]] == [a.id, c.id]
    assert [i.id for i in (await container.calls.search(outcome="missed"))[1]] == [b.id]
    today = (now + timedelta(hours=8)).date()
    assert {i.id for i in (await container.calls.search(since=today, until=today))[1]} == {a.id, b.id}
    with pytest.raises(ValidationFailed):
        await container.calls.search(outcome="exploded")

    admin = Actor("staff", None, "10.0.0.9")
    detail = await container.calls.staff_detail(a.id, admin)
    assert detail.call.caller_number == alice.number and detail.call.callee_number == bob.number
    assert detail.quality_caller.assessment == "poor" and detail.quality_callee.assessment == "good"
    assert [(s.side, s.final) for s in detail.samples] == [("caller", True), ("callee", False)]
    assert detail.node.fresh and detail.node.address == "10.0.0.1"
    assert StaffCallDetailAnswer.of(detail).model_dump(mode="json")["quality"]["caller"]["issues"] == ["loss"]
    _, records = await container.audit.search(action="call.view")
    assert records[0].subject_id == a.id
    with pytest.raises(NotFound):
        await container.calls.staff_detail(str(uuid.uuid4()))
