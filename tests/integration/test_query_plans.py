"""The hot queries of signaling and rating go through the indexes made for them (SQLite's planner,
which has no statistics to go by, once picked the ``state`` index and walked every ended call).

The statements are captured as the service code runs them, then explained with the same parameters."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql

from tests.conftest import FAST_HASHER, PG_URL, _create_pg_database, _drop_pg_database, make_settings
from tests.factories import person
from tests.integration.test_billing import call_record, insert
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.engine import make_engine
from videophone.adapters.db.migrate import upgrade_async
from videophone.adapters.mail import MemoryMailer
from videophone.billing.services.rating import rate_subscribers
from videophone.bootstrap import Container, build
from videophone.calling.store.signaling import INVITE_FLAGS, INVITE_PARTIES
from videophone.identity.services.subscribers import RequestInfo


async def plans_of(container: Container, run: Callable[[], Awaitable[Any]], needle: str) -> list[str]:
    """The SQLite query plans of the statements containing ``needle`` that ``run`` executes."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if needle in statement and not executemany:
            seen.append((statement, parameters))

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        await run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    async with container.engine.connect() as conn:
        for statement, parameters in seen:
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append(statement + "\n" + "\n".join(str(r[-1]) for r in rows))
    assert plans, f"no statement with {needle!r} ran"
    return plans


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[Container]:
    """A container on a fresh SQLite file: the plans below are SQLite's (PostgreSQL plans by its
    statistics, so the same check there would depend on the data)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'plans.sqlite3'}"
    await upgrade_async(url)
    c = build(make_settings(url, tmp_path), clock=FakeClock(), hasher=FAST_HASHER, mailer=MemoryMailer())
    await c.ensure_reference_data()
    try:
        yield c
    finally:
        await c.close()


async def test_rating_reads_a_callers_month_through_caller_and_start(sqlite: Container) -> None:
    container = sqlite
    subs = [await container.subscribers.register(person(), RequestInfo()) for _ in range(2)]
    # A dense range of ids (the period run) and a scattered list (the callers of calls that just ended).
    for ids in ([subs[0].id, subs[1].id], [subs[0].id, subs[0].id + 1000]):

        async def rate(ids: list[int] = ids) -> None:
            async with container.deps.uow() as uow:
                await rate_subscribers(uow, ids, "2026-11", container.deps.operator_tz, container.deps.clock.now())

        for plan in await plans_of(container, rate, "FROM call_records"):
            assert "ix_call_records_caller_started" in plan, plan


async def test_the_call_ended_hook_reads_the_calls_and_the_months_charges_through_their_indexes(
    sqlite: Container,
) -> None:
    """The hook (``rating.rate_ended``) reads the calls that ended by key, counts the month's unrated
    calls through (caller, start) and reads the month's charges through (subscriber, period, start):
    never a scan."""
    container = sqlite
    alice, bob = [await container.subscribers.register(person(), RequestInfo()) for _ in range(2)]
    record = call_record(alice, bob, container.deps.clock.now(), 61)
    await insert(container, record)

    async def ended() -> None:
        await container.rating.rate_calls([record.id])

    for needle, index in (
        ("FROM call_records", "ix_call_records_caller_started"),
        ("FROM call_charges", "ix_call_charges_subscriber_period_start"),
    ):
        plans = await plans_of(container, ended, needle)
        for plan in plans:
            assert "SCAN call_records\n" not in plan + "\n" and "SCAN call_charges\n" not in plan + "\n", plan
        assert any(index in plan for plan in plans), plans


async def test_busy_checks_read_only_the_calls_still_going(sqlite: Container) -> None:
    container = sqlite
    caller = await container.subscribers.register(person(), RequestInfo())
    callee = await container.subscribers.register(person(), RequestInfo())

    async def flags() -> None:
        async with container.deps.uow() as uow:
            conn = await uow.session.connection()
            await conn.execute(
                INVITE_FLAGS,
                {
                    "call_id": "x",
                    "caller_id": caller.id,
                    "callee_id": callee.id,
                    "blocked_number": caller.number,
                    "blocked_second": "",
                    "shown_number": caller.number,
                    "day": container.deps.clock.now().date(),
                },
            )

    plans = await plans_of(container, flags, "FROM call_records")
    for plan in plans:
        assert "SCAN call_records\n" not in plan + "\n", plan
    # Each party's busy check is an equality on the index of open calls by caller, and by callee.
    joined = "\n".join(plans)
    assert "USING INDEX ix_call_records_open_caller (caller_id=?)" in joined, joined
    assert "USING INDEX ix_call_records_open_callee (callee_id=?)" in joined, joined
    # The callee's caller ID (ADR 0009) in the same statement: through the subscriber index of
    # vas_subscriptions, never a walk of everyone's subscriptions.
    for plan in await plans_of(container, flags, "FROM vas_subscriptions"):
        assert "SCAN vas_subscriptions\n" not in plan + "\n", plan
        assert "vas_subscriptions USING INDEX" in plan, plan


async def test_the_invite_finds_both_parties_by_key_whichever_number_is_dialled(sqlite: Container) -> None:
    """The caller by id, the callee by their number or their second number (R-19): index lookups only,
    and the second numbers through ``(subscriber_id, role)``."""
    container = sqlite
    caller = await container.subscribers.register(person(), RequestInfo())
    callee = await container.subscribers.register(person(), RequestInfo())

    async def parties() -> None:
        async with container.deps.uow() as uow:
            conn = await uow.session.connection()
            day = container.deps.clock.now().date()
            await conn.execute(INVITE_PARTIES, {"caller_id": caller.id, "to": callee.number, "day": day})

    for plan in await plans_of(container, parties, "FROM subscribers"):
        assert "SCAN subscribers\n" not in plan + "\n", plan
        assert "SCAN phone_numbers\n" not in plan + "\n", plan


async def test_the_diversion_flags_of_the_invite_probe_indexes(sqlite: Container) -> None:
    """Forwarding rules, forwarding and voicemail folded into the invite's first read (R-17): each an
    index probe per party, never a scan of the rules or of the subscriptions."""
    container = sqlite
    caller = await container.subscribers.register(person(), RequestInfo())
    callee = await container.subscribers.register(person(), RequestInfo())
    day = container.deps.clock.now().date()

    async def parties() -> None:
        async with container.deps.uow() as uow:
            conn = await uow.session.connection()
            await conn.execute(INVITE_PARTIES, {"caller_id": caller.id, "to": callee.number, "day": day})

    plans = await plans_of(container, parties, "forwarding_rules")
    for plan in plans:
        assert "SCAN forwarding_rules" not in plan, plan
        assert "SCAN vas_subscriptions" not in plan, plan


async def test_the_call_record_indexes_on_every_backend(container: Container, backend: str) -> None:
    async with container.deps.uow() as uow:
        if backend == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'call_records'"
        else:
            sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'call_records'"
        names = set((await uow.session.execute(text(sql))).scalars())
    assert {
        "ix_call_records_caller_started",
        "ix_call_records_callee_started",
        "ix_call_records_open_caller",
        "ix_call_records_open_callee",
        "ix_call_records_open_node",
    } <= names
    assert not names & {
        "ix_call_records_state",
        "ix_call_records_caller_id",
        "ix_call_records_callee_id",
        "ix_call_records_open",
        "ix_call_records_node_id",
    }


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    """A fresh PostgreSQL database at head (its ``call_records`` empty, never analyzed)."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    url = await _create_pg_database(PG_URL)
    await upgrade_async(url)
    try:
        yield url
    finally:
        await _drop_pg_database(PG_URL, url)


async def test_a_plan_cached_on_an_empty_table_never_walks_the_call_history(postgres: str) -> None:
    """PostgreSQL plans a prepared statement once for all its executions (a generic plan, cached on the
    pooled connection) — for the invite's busy checks, typically while ``call_records`` is still empty.
    Planned so, they must still go through an index of the open calls, never a scan of every record
    (a sequential scan there cost 3 ms per invite at 20,000 records: migration 0025)."""
    engine = make_engine(postgres)
    compiled = INVITE_FLAGS.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]  # named parameters
    names: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    sql = re.sub(r"%\((\w+)\)s", numbered, str(compiled))
    values = {
        "call_id": "'x'",
        "caller_id": "1",
        "callee_id": "2",
        "blocked_number": "'1'",
        "blocked_second": "''",
        "day": "'2026-12-07'",
        "shown_number": "'1'",
    }
    args = ", ".join(values.get(n, repr(compiled.params[n])) for n in names)
    async with engine.connect() as conn:
        await conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        await conn.exec_driver_sql(f"PREPARE busy_checks AS {sql}")
        plan = "\n".join(r[0] for r in await conn.exec_driver_sql(f"EXPLAIN EXECUTE busy_checks ({args})"))
        await conn.exec_driver_sql("DEALLOCATE busy_checks")
    await engine.dispose()
    assert "$" not in args
    assert "Seq Scan on call_records" not in plan, plan
    assert plan.count("ix_call_records_open_") >= 4, plan


async def test_the_live_calls_find_their_latest_reported_path_by_call(sqlite: Container) -> None:
    """The console's live calls (issue 16): the media path each browser reported comes from the samples of
    that call only (the call_id index), never a walk of every sample of every call."""
    container = sqlite

    async def live() -> None:
        await container.calls.live_calls()

    for plan in await plans_of(container, live, "FROM call_quality_samples"):
        assert "ix_call_quality_samples_call_id" in plan, plan
        assert "SCAN call_quality_samples\n" not in plan + "\n", plan
