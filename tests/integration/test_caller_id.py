"""Caller ID (来电显示, R-16, ADR 0009) on SQLite and PostgreSQL: the invite's statement answers "does the
callee have caller ID today" exactly as the pure rule does, and the history hides a withheld caller from
the callee only — as it was when the call came."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests.factories import person
from tests.integration.test_orders import reviewer
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallRecord, Contact, ValueAddedService, VasSubscription
from videophone.bootstrap import Container
from videophone.calling.api.calls_answers import CallAnswer, StaffCallAnswer
from videophone.calling.domain.features import Feature, FeatureSubscription, covers, entitlements
from videophone.calling.store import entitlements as entitlements_store
from videophone.calling.store import signaling as signaling_store
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView, RequestInfo

DAY0 = date(2026, 11, 20)


async def subscriber(c: Container) -> AccountView:
    return await c.subscribers.register(person(), RequestInfo())


async def test_the_invite_statement_answers_caller_id_exactly_as_the_rule_on_random_data(container: Container) -> None:
    """A property test over the database: random subscriptions (to caller ID, to another feature and to a
    fee-only service; open, ended, stopped), random days — the SQL of the invite (``INVITE_FLAGS``, and its
    variant for an unblockable number) agrees with ``domain.features`` on every one."""
    c = container
    await c.tariffs.ensure_demo_catalog()
    await c.tariffs.create_vas(
        Actor("staff", None, "10.0.0.3"),
        {"code": "ringback", "name_zh": "彩铃", "name_en": "Ringback tone", "monthly_fee": "3.00", "feature": ""},
    )
    people = [await subscriber(c) for _ in range(8)]
    rng = random.Random(20261206)
    async with c.deps.uow() as uow:
        vas = {
            code: vid for vid, code in await uow.session.execute(select(ValueAddedService.id, ValueAddedService.code))
        }
        codes = ["caller_id", "caller_id", "voicemail", "ringback"]
        truth: dict[int, list[FeatureSubscription]] = {p.id: [] for p in people}
        for p in people[1:]:  # the first holds nothing at all
            for _ in range(rng.randint(0, 5)):
                code = rng.choice(codes)
                start = DAY0 + timedelta(days=rng.randint(0, 30))
                end = None if rng.random() < 0.4 else start + timedelta(days=rng.randint(1, 20))
                stopped = rng.random() < 0.25
                uow.session.add(
                    VasSubscription(
                        subscriber_id=p.id,
                        vas_id=vas[code],
                        start_date=start,
                        end_date=end,
                        stopped_at=datetime(2026, 12, 1, tzinfo=UTC) if stopped else None,
                    )
                )
                feature = {"caller_id": "caller_id", "voicemail": "voicemail"}.get(code, "fee_only")
                truth[p.id].append(FeatureSubscription(feature, start, end, stopped))
        await uow.commit()

    checked = 0
    async with c.deps.uow() as uow:
        conn = await uow.session.connection()
        for day in [DAY0 + timedelta(days=n) for n in range(-1, 55, 2)]:
            for p in people:
                expected = any(s.feature == "caller_id" and covers(s, day) for s in truth[p.id])
                # The rule itself, with the account's state: what features_of answers.
                assert (Feature.CALLER_ID in entitlements(truth[p.id], day, "active")) == expected
                flags = await signaling_store.invite_flags(
                    conn, str(uuid.uuid4()), people[0].id, p.id, "95100000001", day
                )
                assert bool(flags[4]) == expected, (p.id, day, truth[p.id])
                unblockable = await signaling_store.invite_flags(conn, str(uuid.uuid4()), people[0].id, p.id, "", day)
                assert bool(unblockable[4]) == expected and unblockable[5] is None
                assert await entitlements_store.covered(uow.session, p.id, Feature.CALLER_ID, day) == expected
                checked += expected
    assert checked > 10  # the random data did exercise both answers


async def test_the_invite_statement_reads_the_callees_contact_name_for_the_caller(container: Container) -> None:
    c = container
    alice, bob = await subscriber(c), await subscriber(c)
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        uow.session.add(Contact(owner_id=bob.id, name="小艾", number=alice.number, created_at=now, updated_at=now))
        uow.session.add(Contact(owner_id=alice.id, name="鲍勃", number=bob.number, created_at=now, updated_at=now))
        await uow.commit()
    async with c.deps.uow() as uow:
        conn = await uow.session.connection()
        flags = await signaling_store.invite_flags(conn, str(uuid.uuid4()), alice.id, bob.id, alice.number, DAY0)
        other = await signaling_store.invite_flags(conn, str(uuid.uuid4()), bob.id, alice.id, "95100000009", DAY0)
    assert flags[5] == "小艾"  # Bob's name for Alice's number, never Alice's name for Bob
    assert other[5] is None


def _record(
    caller: AccountView, callee: AccountView, started: datetime, *, presented: bool, outcome: str
) -> CallRecord:
    return CallRecord(
        id=str(uuid.uuid4()),
        caller_id=caller.id,
        callee_id=callee.id,
        caller_number=caller.number,
        callee_number=callee.number,
        caller_device="web-caller",
        callee_device="",
        node_id="node-a",
        state="ended",
        started_at=started,
        answered_at=None,
        ended_at=started + timedelta(seconds=30),
        outcome=outcome,
        end_reason={"missed": "no_answer"}.get(outcome, outcome),
        billable_seconds=0,
        caller_presented=presented,
    )


async def test_the_history_hides_a_withheld_caller_from_the_callee_only(container: Container, clock: FakeClock) -> None:
    c = container
    alice, bob = await subscriber(c), await subscriber(c)
    now = clock.now()
    withheld = _record(alice, bob, now - timedelta(hours=2), presented=False, outcome="missed")
    shown = _record(alice, bob, now - timedelta(hours=1), presented=True, outcome="rejected")
    async with c.deps.uow() as uow:
        # Bob saved Alice: the withheld entry still shows no contact name (it would reveal the number).
        uow.session.add_all(
            [
                withheld,
                shown,
                Contact(owner_id=bob.id, name="小艾", number=alice.number, created_at=now, updated_at=now),
            ]
        )
        await uow.commit()

    total, items = await c.calls.history(bob.id)
    assert total == 2
    by_id = {i.id: i for i in items}
    hidden = by_id[withheld.id]
    assert (hidden.withheld, hidden.other_number, hidden.other_name) == (True, "", None)
    assert hidden.unseen_missed and hidden.outcome == "missed"  # still a missed call, counted in the badge
    assert await c.calls.missed_count(bob.id) == 1
    visible = by_id[shown.id]
    assert (visible.withheld, visible.other_number, visible.other_name) == (False, alice.number, "小艾")
    # The API answer says so; the detail of the call too.
    assert CallAnswer.of(hidden).model_dump()["withheld"] is True
    detail = await c.calls.detail(bob.id, withheld.id)
    assert (detail.call.withheld, detail.call.other_number) == (True, "")
    # Filters do not bring it back either.
    _, missed = await c.calls.history(bob.id, direction="missed")
    assert [(i.id, i.other_number) for i in missed] == [(withheld.id, "")]

    # The caller's own history always shows whom they called.
    _, mine = await c.calls.history(alice.id)
    assert {(i.id, i.withheld, i.other_number) for i in mine} == {
        (withheld.id, False, bob.number),
        (shown.id, False, bob.number),
    }

    # Staff see the truth, and whether the callee was shown the number.
    _, found = await c.calls.search(number=alice.number)
    assert {(s.id, s.caller_number, s.caller_presented) for s in found} == {
        (withheld.id, alice.number, False),
        (shown.id, alice.number, True),
    }
    staff = await c.calls.staff_detail(withheld.id)
    assert StaffCallAnswer.model_validate(staff.call).caller_presented is False
    assert staff.call.caller_number == alice.number


async def test_subscribing_later_reveals_no_past_caller_and_ending_hides_none(
    container: Container, clock: FakeClock
) -> None:
    """The decision is stored on the record: the history reads the record, never today's subscription."""
    c = container
    await c.tariffs.ensure_demo_catalog()
    alice = await subscriber(c)
    bob = await subscriber(c)
    await c.review.decide(await reviewer(c), bob.id, "verify", "")
    bob_actor = Actor("subscriber", bob.id, "198.51.100.7")
    before = _record(alice, bob, clock.now() - timedelta(minutes=5), presented=False, outcome="rejected")
    async with c.deps.uow() as uow:
        uow.session.add(before)
        await uow.commit()

    await c.orders.add_vas(bob_actor, bob.id, "caller_id")
    assert (await c.calls.detail(bob.id, before.id)).call.withheld  # still withheld
    during = _record(alice, bob, clock.now(), presented=True, outcome="rejected")
    async with c.deps.uow() as uow:
        uow.session.add(during)
        await uow.commit()
    clock.advance(timedelta(hours=1))
    await c.orders.remove_vas(bob_actor, bob.id, "caller_id")
    assert (await c.calls.detail(bob.id, during.id)).call.other_number == alice.number  # still shown
