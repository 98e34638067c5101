"""Migrations: a fresh database migrated to the head matches the models exactly (no drift between
``models*.py`` and ``migrations/versions``), and the newest migration goes down and up again."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from tests.conftest import FAST_HASHER, make_settings
from tests.factories import person
from tests.integration.test_billing import call_record
from tests.support.databases import admin_execute
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.engine import make_engine, normalize_url
from videophone.adapters.db.migrate import alembic_config, upgrade_async
from videophone.adapters.db.models import Base, Bill, BillLine, CallCharge
from videophone.adapters.mail import MemoryMailer
from videophone.bootstrap import build
from videophone.identity.services.subscribers import RequestInfo

PG_URL = os.environ.get("VIDEOPHONE_TEST_POSTGRES_URL", "")


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set VIDEOPHONE_TEST_POSTGRES_URL (CI sets it)")
    name = f"vp_migrations_{uuid.uuid4().hex[:10]}"
    await admin_execute(PG_URL, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(normalize_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def drift(url: str) -> list[object]:
    def compare(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def test_the_head_matches_the_models_and_the_newest_step_goes_down_and_up(empty_url: str) -> None:
    await upgrade_async(empty_url)
    assert await drift(empty_url) == []
    config = alembic_config(empty_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    assert isinstance(previous, str)
    await asyncio.to_thread(command.downgrade, config, previous)
    assert await drift(empty_url) != []  # the step changed something, and undoing it shows
    await upgrade_async(empty_url)
    assert await drift(empty_url) == []


async def test_0020_writes_the_existing_bill_lines_in_english_too(empty_url: str, tmp_path: Path) -> None:
    """Bill lines written before 0020 (in Chinese only) get their English from their kind: labels,
    plan and service names, the system's memos, days; a staff memo stays as written."""
    await upgrade_async(empty_url)
    c = build(make_settings(empty_url, tmp_path), clock=FakeClock(), hasher=FAST_HASHER, mailer=MemoryMailer())
    lines = [
        ("rent", "月租 · 基础套餐", "30/30 天"),
        ("vas", "增值业务 · 视频留言", "12/30 天"),
        ("usage", "通话费", "3 / 5:05"),
        ("late_fee", "违约金", "1 天"),
        ("credit", "减免 · 费用争议 #12", ""),
        ("credit", "减免 · 服务中断补偿 #3 光缆中断", ""),
        ("adjustment", "调账 · 补收九月月租", ""),
        ("rent", "月租 · 已删除的套餐", "5/30 天"),
    ]
    try:
        await c.ensure_reference_data()
        await c.tariffs.ensure_demo_catalog()
        sub = await c.subscribers.register(person(), RequestInfo())
        now = c.deps.clock.now()
        async with c.deps.uow() as uow:
            bill = Bill(
                number="B2026100000000001", subscriber_id=sub.id, period="2026-10", issued_at=now,
                due_date=now.date(), previous_balance_fen=0, payments_fen=0, new_charges_fen=800,
                total_due_fen=800, state="issued",
            )  # fmt: skip
            uow.session.add(bill)
            await uow.session.flush()
            uow.session.add_all(
                BillLine(bill_id=bill.id, position=i, kind=k, description=d, quantity=q, amount_fen=100)
                for i, (k, d, q) in enumerate(lines, start=1)
            )
            await uow.commit()
    finally:
        await c.close()
    # The lines as they were before 0020, then 0020 again.
    await asyncio.to_thread(command.downgrade, alembic_config(empty_url), "0019")
    await upgrade_async(empty_url)
    engine = make_engine(empty_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT description, quantity, description_en, quantity_en FROM bill_lines ORDER BY position")
                )
            ).all()
            plans_en = (await conn.execute(text("SELECT COUNT(*) FROM plans WHERE description_en <> ''"))).scalar()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("月租 · 基础套餐", "30/30 天", "Monthly rent · Basic", "30/30 days"),
        ("增值业务 · 视频留言", "12/30 天", "Value-added service · Video voicemail", "12/30 days"),
        ("通话费", "3 / 5:05", "Call charges", "3 / 5:05"),
        ("违约金", "1 天", "Late fee", "1 day"),
        ("减免 · 费用争议 #12", "", "Credit · Billing dispute #12", ""),
        ("减免 · 服务中断补偿 #3 光缆中断", "", "Credit · Outage credit #3 光缆中断", ""),
        ("调账 · 补收九月月租", "", "Adjustment · 补收九月月租", ""),
        ("月租 · 已删除的套餐", "5/30 天", "Monthly rent · 已删除的套餐", "5/30 days"),
    ]
    assert plans_en == 0  # a plan's English description is empty until someone writes one


async def test_0024_gives_the_existing_outages_the_operator_s_fault(empty_url: str) -> None:
    """Outages recorded before 0024 were all credited as the operator's own fault: they keep that
    meaning (cause ``operator``, no evidence, round 0) and their credits stand."""
    await asyncio.to_thread(command.upgrade, alembic_config(empty_url), "0021")
    engine = make_engine(empty_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO outages (title, description, scope, state, started_at, ended_at, created_at,"
                    " closed_at, credited_at, credited_accounts, credited_total_fen) VALUES ('断电', '', 'all',"
                    " 'closed', '2026-06-06 00:00:00', '2026-06-07 06:00:00', '2026-06-07 07:00:00',"
                    " '2026-06-07 07:00:00', '2026-06-07 07:00:00', 0, 0)"
                )
            )
    finally:
        await engine.dispose()
    await upgrade_async(empty_url)
    engine = make_engine(empty_url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT cause, evidence, credit_round FROM outages"))).one()
    finally:
        await engine.dispose()
    assert tuple(row) == ("operator", "", 0)


async def test_0026_gives_the_existing_charges_their_calls_start(empty_url: str, tmp_path: Path) -> None:
    """Charges written before 0026 get their call's start from its record; a charge whose record is gone
    keeps none (its month is then rated in full, which writes it)."""
    await upgrade_async(empty_url)
    c = build(make_settings(empty_url, tmp_path), clock=FakeClock(), hasher=FAST_HASHER, mailer=MemoryMailer())
    try:
        await c.ensure_reference_data()
        alice = await c.subscribers.register(person(), RequestInfo())
        bob = await c.subscribers.register(person(), RequestInfo())
        now = c.deps.clock.now()
        records = [call_record(alice, bob, now - timedelta(hours=h), 61) for h in (1, 2)]
        async with c.deps.uow() as uow:
            uow.session.add_all(records)
            uow.session.add_all(
                CallCharge(
                    call_id=call_id,
                    subscriber_id=alice.id,
                    period="2026-11",
                    plan_price_id=None,
                    rated_seconds=61,
                    included_seconds=0,
                    charged_seconds=0,
                    amount_fen=0,
                    started_at=None,
                    rated_at=now,
                )
                for call_id in (*(r.id for r in records), "no-such-record")
            )
            await uow.commit()
    finally:
        await c.close()
    await asyncio.to_thread(command.downgrade, alembic_config(empty_url), "0025")
    await upgrade_async(empty_url)
    engine = make_engine(empty_url)
    try:
        async with engine.connect() as conn:
            backfilled = (
                await conn.execute(
                    text(
                        "SELECT call_charges.call_id FROM call_charges JOIN call_records"
                        " ON call_records.id = call_charges.call_id"
                        " WHERE call_charges.started_at = call_records.started_at"
                    )
                )
            ).scalars()
            backfilled_ids = sorted(backfilled)
            without = list(
                (await conn.execute(text("SELECT call_id FROM call_charges WHERE started_at IS NULL"))).scalars()
            )
    finally:
        await engine.dispose()
    assert backfilled_ids == sorted(r.id for r in records)
    assert without == ["no-such-record"]
