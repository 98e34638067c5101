"""Ratings of a subscriber's month take turns on PostgreSQL (``call_charges.take_turns`` locks the
subscribers' rows), and that lock does not stand in the way of the calls being written meanwhile: a
call record's foreign keys take a key-share lock on its caller and callee, which must not wait for a
rating (it did with ``FOR UPDATE``: the call-record batches and the call-ended ratings, which lock in
different orders, deadlocked under load — a second's wait each, then a retry one by one)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from videophone.adapters.db.models import CallRecord, Subscriber
from videophone.billing.store import call_charges
from videophone.bootstrap import Container


async def two_subscribers(c: Container) -> list[Subscriber]:
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        subs = [
            Subscriber(
                number=f"952{i:08d}",
                kind="person",
                name=f"用户{i}",
                email=f"lock{i}-{uuid.uuid4().hex[:6]}@example.com",
                contact_phone="13800138000",
                postal_code="100022",
                id_type="resident_id",
                id_number_enc="x",
                id_number_masked="x",
                id_number_index=f"lock-idx{i}",
                address_enc="x",
                employer_enc="x",
                review_state="verified",
                password_hash="x",
                created_at=now,
                updated_at=now,
            )
            for i in range(2)
        ]
        uow.session.add_all(subs)
        await uow.commit()
    return subs


# Row locks are PostgreSQL's (SQLite runs one write transaction at a time): this test runs there only.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_rating_in_progress_lets_calls_be_written_but_not_another_rating(container: Container) -> None:
    a, b = await two_subscribers(container)
    now = container.deps.clock.now()
    engine = container.engine
    async with engine.connect() as rating:
        await rating.begin()
        await call_charges.take_turns(rating, [a.id, b.id])  # a rating of both, in progress
        # A call between them is written meanwhile (its foreign keys lock both rows for key share).
        async with engine.connect() as writer:
            await writer.begin()
            await writer.execute(text("SET LOCAL lock_timeout = '3s'"))
            await writer.execute(
                CallRecord.__table__.insert().values(
                    id=str(uuid.uuid4()),
                    caller_id=a.id,
                    callee_id=b.id,
                    caller_number=a.number,
                    callee_number=b.number,
                    caller_device="web",
                    node_id="n",
                    state="ended",
                    started_at=now - timedelta(minutes=2),
                    answered_at=now - timedelta(minutes=1),
                    ended_at=now,
                    outcome="answered",
                    end_reason="hangup",
                    billable_seconds=60,
                )
            )
            await writer.commit()
        # Another rating of one of them waits for the first (here: gives up at its lock timeout).
        async with engine.connect() as other:
            await other.begin()
            await other.execute(text("SET LOCAL lock_timeout = '300ms'"))
            with pytest.raises(DBAPIError, match="lock timeout"):
                await call_charges.take_turns(other, [b.id])
            await other.rollback()
        await rating.rollback()
