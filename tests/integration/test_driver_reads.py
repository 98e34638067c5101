"""The invite's reads straight on the driver (adapters/db/driver_reads) give the rows SQLAlchemy gives,
by index and by column name — on SQLite (where they go through SQLAlchemy) and on PostgreSQL (asyncpg)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import person
from videophone.adapters.db.driver_reads import DriverRead
from videophone.bootstrap import Container
from videophone.calling.store import signaling as store
from videophone.identity.services.subscribers import RequestInfo


async def test_the_invites_reads_give_what_sqlalchemy_gives(container: Container) -> None:
    caller = await container.subscribers.register(person(), RequestInfo())
    callee = await container.subscribers.register(person(), RequestInfo())
    day = date(2026, 12, 7)
    async with container.deps.reads() as conn:
        parties = await store.invite_parties(conn, caller.id, callee.number, day)
        expected = (
            await conn.execute(store.INVITE_PARTIES, {"caller_id": caller.id, "to": callee.number, "day": day})
        ).all()
        assert sorted(map(tuple, parties)) == sorted(map(tuple, expected))
        by_id = {p.id: p for p in parties}
        assert by_id[callee.id].number == callee.number and by_id[caller.id].number == caller.number
        flags = await store.invite_flags(conn, "no-such-call", caller.id, callee.id, caller.number, day)
        params = {
            "call_id": "no-such-call",
            "caller_id": caller.id,
            "callee_id": callee.id,
            "blocked_number": caller.number,
            "blocked_second": "",
            "shown_number": caller.number,
            "day": day,
        }
        assert tuple(flags) == tuple((await conn.execute(store.INVITE_FLAGS, params)).one())
        assert tuple(flags)[:4] == (False, False, False, False)


async def test_one_row_or_an_error(container: Container) -> None:
    read = DriverRead(store.CONNECT_SUBSCRIBER)
    async with container.deps.reads() as conn:
        with pytest.raises(LookupError):
            await read.one(conn, {"id": -1})
