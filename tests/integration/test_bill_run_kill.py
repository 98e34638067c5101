"""Kill the bill run mid-way (SIGKILL of the real CLI) and run it again: every account gets exactly
one bill and the ledger still balances (ADR 0004: one transaction per chunk of accounts)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.conftest import TEST_KEY
from tests.integration.test_billing import assert_ledger_invariants, make_plan
from tests.support.server import videophone_command
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Bill, CallRecord, PlanSubscription, Subscriber
from videophone.billing.domain.billing import period_bounds, period_of
from videophone.bootstrap import Container

ACCOUNTS = 300


def last_period(c: Container) -> str:
    today = datetime.now(UTC).astimezone(c.deps.operator_tz).date()
    return period_of(today.replace(day=1) - timedelta(days=1))


async def prepare(c: Container, period: str) -> None:
    plan_id = await make_plan(c)
    first, _ = period_bounds(period)
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        subs = [
            Subscriber(
                number=f"951{i:08d}",
                kind="person",
                name=f"用户{i}",
                email=f"kill{i}-{uuid.uuid4().hex[:6]}@example.com",
                contact_phone="13800138000",
                postal_code="100022",
                id_type="resident_id",
                id_number_enc="x",
                id_number_masked="x",
                id_number_index=f"idx{i}",
                address_enc="x",
                employer_enc="x",
                review_state="verified",
                password_hash="x",
                created_at=now,
                updated_at=now,
            )
            for i in range(ACCOUNTS)
        ]
        uow.session.add_all(subs)
        await uow.session.flush()
        start = datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(days=3)
        for i, s in enumerate(subs):
            uow.session.add(
                PlanSubscription(subscriber_id=s.id, plan_id=plan_id, start_date=first - timedelta(days=i % 3 * 20))
            )
            other = subs[(i + 1) % ACCOUNTS]
            for k in range(3):
                uow.session.add(
                    CallRecord(
                        id=str(uuid.uuid4()),
                        caller_id=s.id,
                        callee_id=other.id,
                        caller_number=s.number,
                        callee_number=other.number,
                        caller_device="web",
                        node_id="n",
                        state="ended",
                        started_at=start + timedelta(hours=i * 3 + k),
                        answered_at=start,
                        ended_at=start,
                        outcome="answered",
                        end_reason="hangup",
                        billable_seconds=100 + 200 * k + i,
                    )
                )
        await uow.commit()


async def bills_count(c: Container, database_url: str) -> int:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # A plain reader: WAL lets it read while the run writes (the app's connections take the write
        # lock at BEGIN, so they would only ever see the count between chunks).
        with contextlib.closing(sqlite3.connect(f"file:{url.database}?mode=ro", uri=True, timeout=30)) as conn:
            return int(conn.execute("SELECT count(*) FROM bills").fetchone()[0])
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Bill)) or 0)


def cli(database_url: str, tmp_path: Path, period: str, clock_file: Path | None = None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VIDEOPHONE_DATABASE_URL": database_url,
        "VIDEOPHONE_DEMO": "true",
        "VIDEOPHONE_DATA_DIR": str(tmp_path / "var"),
        "VIDEOPHONE_DATA_KEY": TEST_KEY,
    }
    if clock_file is not None:
        env["VIDEOPHONE_CLOCK_FILE"] = str(clock_file)
    return subprocess.Popen(
        [*videophone_command(), "billing", "run", "--period", period],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


async def test_killed_bill_run_creates_each_bill_once(
    container: Container, clock: FakeClock, database_url: str, tmp_path: Path
) -> None:
    c = container
    clock.set(datetime.now(UTC))  # the CLI runs on real time
    period = last_period(c)
    await prepare(c, period)

    process = cli(database_url, tmp_path, period)
    killed_at = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        n = await bills_count(c, database_url)
        if 0 < n < ACCOUNTS:
            process.send_signal(signal.SIGKILL)
            killed_at = n
            break
        await asyncio.sleep(0.01)
    process.wait(timeout=30)
    assert killed_at is not None, f"the run was not caught mid-way: {process.stdout.read() if process.stdout else ''!r}"
    assert process.returncode == -signal.SIGKILL
    partial = await bills_count(c, database_url)
    assert 0 < partial < ACCOUNTS
    await assert_ledger_invariants(c)
    # just killed, it looks like a run in progress until its heartbeat is older than the lease
    killed = (await c.billing.runs())[0]
    assert killed.state == "running" and killed.finished_at is None

    # the rerun, a lease later: it finds the killed run dead (marked failed as of its last heartbeat)
    # and continues it instead of refusing or waiting for it
    later = tmp_path / "clock-offset"
    later.write_text(str((c.billing.lease + timedelta(minutes=1)).total_seconds()))
    again = cli(database_url, tmp_path, period, later)
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output.decode()
    async with c.deps.uow() as uow:
        per_account = list(
            (await uow.session.execute(select(Bill.subscriber_id, func.count()).group_by(Bill.subscriber_id))).all()
        )
    assert len(per_account) == ACCOUNTS
    assert all(n == 1 for _, n in per_account)
    await assert_ledger_invariants(c)
    runs = await c.billing.runs()
    assert [(r.id, r.state) for r in runs] == [(runs[0].id, "finished"), (killed.id, "failed")]
    assert runs[1].finished_at == runs[1].heartbeat_at  # failed at its last sign of life
    assert runs[1].bills_created == partial  # counted in the transaction of each chunk
    assert runs[0].bills_created == ACCOUNTS - partial
