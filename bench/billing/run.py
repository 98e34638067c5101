"""Billing benchmark: rating a month of calls and the monthly bill run, against a plain-insert floor.

    .venv/bin/python bench/billing/run.py                       # SQLite, 100,000 subscribers / 1,000,000 calls
    .venv/bin/python bench/billing/run.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python bench/billing/run.py --quick               # smoke run (< 60 s), docs untouched

With a PostgreSQL URL a fresh database is created on that server (and dropped afterwards); without
one, a fresh SQLite file in a temporary directory.  Steps, each timed once:

1. seed (bulk Core inserts; not a figure);
2. rating: ``RatingService.rate_period`` over the whole period → calls rated per second; then again
   (nothing changed, nothing written);
3. the bill run: ``BillingService.run`` → seconds;
4. the floor: exactly the rows the run inserted (bills, bill lines, ledger transactions and lines,
   notifications, outbox messages, the run's own row, charges of months it rated again) inserted
   again with no logic — read, deleted, then written back with the service's bulk writer (ids
   included, nothing returned), in one transaction that is rolled back;
5. the ledger invariants: every transaction balances, trial balance zero, one bill per account,
   each bill's lines sum to its new charges, total = previous − payments + new charges, and the
   total due equals the receivable balance.

Figures are written to docs/performance.md ("Billing") unless ``--quick`` or ``--no-docs``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import JSON, Integer, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from tests.support.databases import admin_execute  # noqa: E402

from bench.billing.seed import seed  # noqa: E402
from videophone.adapters.crypto import FieldCipher  # noqa: E402
from videophone.adapters.db import writes  # noqa: E402
from videophone.adapters.db.engine import normalize_url  # noqa: E402
from videophone.adapters.db.migrate import upgrade_async  # noqa: E402
from videophone.adapters.db.models import (  # noqa: E402
    Base,
    Bill,
    BillLine,
    CallCharge,
    LedgerTransaction,
    PlanSubscription,
)
from videophone.billing.domain.billing import period_bounds, period_of  # noqa: E402
from videophone.billing.services import ledger  # noqa: E402
from videophone.bootstrap import Container, build  # noqa: E402
from videophone.config import Settings  # noqa: E402
from videophone.kernel.money import Money  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
RESULTS_START = "<!-- bench-billing:results:start -->"
RESULTS_END = "<!-- bench-billing:results:end -->"
TARGET_CALLS_PER_S = 50_000.0
TARGET_RUN_S = 60.0
TARGET_FLOOR_RATIO = 3.0
BATCH = 5000


@dataclass
class Figures:
    backend: str
    subscribers: int
    calls: int
    seed_s: float = 0.0
    rating_s: float = 0.0
    rerating_s: float = 0.0
    run_s: float = 0.0
    floor_s: float = 0.0
    bills: int = 0
    written: dict[str, int] | None = None
    load_start: str = ""  # before rating
    load: str = ""  # after the invariants

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.rating_s if self.rating_s else 0.0

    @property
    def ratio(self) -> float:
        return self.run_s / self.floor_s if self.floor_s else 0.0


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def last_period() -> str:
    from zoneinfo import ZoneInfo

    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    return period_of(today.replace(day=1) - timedelta(days=1))


# -- databases -----------------------------------------------------------------------------------------
async def fresh_database(database_url: str | None, tmp: Path) -> tuple[str, str | None]:
    """The URL to use and, for PostgreSQL, the database to drop afterwards."""
    if not database_url:
        return f"sqlite+aiosqlite:///{tmp / 'billing.sqlite3'}", None
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() != "postgresql":
        return database_url, None
    name = f"bench_billing_{uuid.uuid4().hex[:10]}"
    await admin_execute(database_url, f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), name


async def count(c: Container, model: Any, *where: Any) -> int:
    async with c.deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def id_tables() -> list[Any]:
    """Every table with an integer ``id`` key, parents before children."""
    return [t for t in Base.metadata.sorted_tables if "id" in t.c and isinstance(t.c.id.type, Integer)]


async def max_ids(c: Container) -> dict[str, int]:
    async with c.engine.connect() as conn:
        return {t.name: int(await conn.scalar(select(func.coalesce(func.max(t.c.id), 0))) or 0) for t in id_tables()}


# -- the floor -----------------------------------------------------------------------------------------
async def floor(c: Container, before: dict[str, int], run_started: datetime) -> tuple[float, dict[str, int]]:
    """Seconds to insert, with no logic, exactly the rows the bill run inserted: in one transaction
    (rolled back at the end) they are read, deleted, then timed while written again with the same
    bulk writer (ids included, nothing returned).  Returns the seconds and the rows per table."""
    tables = id_tables()
    charges = CallCharge.__table__
    async with c.engine.connect() as conn:
        trans = await conn.begin()
        try:
            rows: dict[str, list[dict[str, Any]]] = {}
            for t in tables:
                found = await conn.execute(select(t).where(t.c.id > before[t.name]).order_by(t.c.id))
                rows[t.name] = [dict(r._mapping) for r in found]
            found = await conn.execute(select(charges).where(charges.c.rated_at >= run_started))
            rows[charges.name] = [dict(r._mapping) for r in found]
            # Rows that were there before and now point at the new ones (postings attached to a bill).
            bills = Bill.__table__
            attached = LedgerTransaction.__table__
            await conn.execute(
                attached.update()
                .where(attached.c.id <= before[attached.name], attached.c.bill_id > before[bills.name])
                .values(bill_id=None)
            )
            postgres = conn.dialect.name == "postgresql"
            if postgres:  # no foreign-key checks while clearing (outbox.notification_id has no index)
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
            for t in reversed([*tables, charges]):
                if rows[t.name]:
                    key = t.c.call_id if t is charges else t.c.id
                    values = [r[key.name] for r in rows[t.name]]
                    for i in range(0, len(values), BATCH):
                        await conn.execute(t.delete().where(key.in_(values[i : i + BATCH])))
            if postgres:
                await conn.execute(text("SET LOCAL session_replication_role = DEFAULT"))
            for t in [*tables, charges]:  # PostgreSQL's bulk path binds JSON as its text
                json_columns = [col.name for col in t.c if isinstance(col.type, JSON)] if postgres else []
                for r in rows[t.name]:
                    for name in json_columns:
                        r[name] = json.dumps(r[name])
            savepoint = await conn.begin_nested()  # warm-up (asyncpg introspects array types once per connection)
            for t in [*tables, charges]:
                if rows[t.name]:
                    await writes.write_rows(conn, t, rows[t.name][:1])
            await savepoint.rollback()
            started = time.perf_counter()
            for t in [*tables, charges]:
                await writes.write_rows(conn, t, rows[t.name])  # plain bulk INSERT, nothing returned
            elapsed = time.perf_counter() - started
        finally:
            await trans.rollback()
    return elapsed, {name: len(r) for name, r in rows.items() if r}


# -- invariants ----------------------------------------------------------------------------------------
async def check_invariants(c: Container, period: str) -> list[str]:
    problems: list[str] = []
    first, after = period_bounds(period)
    async with c.deps.uow() as uow:
        s = uow.session
        if unbalanced := await ledger.unbalanced_transactions(uow):
            problems.append(f"{len(unbalanced)} unbalanced transactions")
        if (trial := await ledger.trial_balance(uow)) != Money.zero():
            problems.append(f"trial balance {trial}")
        accounts = set(
            await s.scalars(
                select(PlanSubscription.subscriber_id).where(
                    PlanSubscription.start_date < after,
                    (PlanSubscription.end_date.is_(None)) | (PlanSubscription.end_date > first),
                )
            )
        )
        bills = {
            r.subscriber_id: r
            for r in await s.execute(
                select(
                    Bill.id,
                    Bill.subscriber_id,
                    Bill.previous_balance_fen,
                    Bill.payments_fen,
                    Bill.new_charges_fen,
                    Bill.total_due_fen,
                ).where(Bill.period == period)
            )
        }
        if set(bills) != accounts or (
            await s.scalar(select(func.count()).select_from(Bill).where(Bill.period == period)) or 0
        ) != len(accounts):
            problems.append(f"{len(bills)} bills for {len(accounts)} accounts")
        sums = {
            bill_id: total
            for bill_id, total in await s.execute(
                select(BillLine.bill_id, func.sum(BillLine.amount_fen)).group_by(BillLine.bill_id)
            )
        }
        ids = sorted(bills)
        owed = await ledger.balances(uow, ids)
        bad_lines = bad_total = bad_balance = 0
        for sub_id in ids:
            b = bills[sub_id]
            bad_lines += int(sums.get(b.id, 0) or 0) != b.new_charges_fen
            bad_total += b.total_due_fen != b.previous_balance_fen - b.payments_fen + b.new_charges_fen
            bad_balance += owed[sub_id] != Money(b.total_due_fen)
        for n, what in (
            (bad_lines, "bills whose lines differ from new charges"),
            (bad_total, "bills with total ≠ previous − payments + new"),
            (bad_balance, "bills whose total ≠ receivable balance"),
        ):
            if n:
                problems.append(f"{n} {what}")
    return problems


# -- the run ---------------------------------------------------------------------------------------------
async def bench(args: argparse.Namespace, tmp: Path) -> tuple[Figures, list[str]]:
    url, pg_name = await fresh_database(args.database_url, tmp)
    backend = make_url(normalize_url(url)).get_backend_name()
    key = base64.b64encode(os.urandom(32)).decode()
    try:
        await upgrade_async(url)
        c = build(Settings(demo=True, database_url=url, data_key=key, data_dir=tmp / "var"))
        try:
            await c.ensure_reference_data()
            fig = Figures(backend, args.subscribers, args.calls)
            print(
                f"[{backend}] seeding {args.subscribers:,} subscribers, {args.calls:,} calls for {args.period} …",
                flush=True,
            )
            seeded, _ = await seed(
                c.engine,
                FieldCipher(base64.b64decode(key)),
                subscribers=args.subscribers,
                calls=args.calls,
                period=args.period,
                tz=c.deps.operator_tz,
            )
            fig.seed_s = seeded.seconds
            print(f"  seeded in {seeded.seconds:.1f} s: {seeded}", flush=True)
            if backend == "postgresql":
                async with c.engine.begin() as conn:
                    await conn.execute(text("ANALYZE"))

            load_before = fig.load_start = load_average()
            started = time.perf_counter()
            rated = await c.rating.rate_period(args.period)
            fig.rating_s = time.perf_counter() - started
            print(f"  rating: {rated} in {fig.rating_s:.2f} s (load {load_before})", flush=True)
            rated_calls = await count(c, CallCharge, CallCharge.period == args.period)
            if rated_calls != args.calls:
                raise RuntimeError(f"{rated_calls} call charges for {args.calls} calls")
            started = time.perf_counter()
            again = await c.rating.rate_period(args.period)
            fig.rerating_s = time.perf_counter() - started
            print(f"  rating again: {again} in {fig.rerating_s:.2f} s", flush=True)

            before = await max_ids(c)
            run_started = datetime.now(UTC)
            started = time.perf_counter()
            summary = await c.billing.run(args.period)
            fig.run_s = time.perf_counter() - started
            fig.bills = summary.bills_created
            print(f"  bill run: {summary.to_dict()} in {fig.run_s:.2f} s", flush=True)

            fig.floor_s, fig.written = await floor(c, before, run_started)
            print(f"  floor: {fig.floor_s:.2f} s to insert the same rows: {fig.written}", flush=True)
            problems = await check_invariants(c, args.period)
            fig.load = load_average()
        finally:
            await c.close()
    finally:
        if pg_name and args.database_url:
            await admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    return fig, problems


def table(fig: Figures) -> str:
    w = fig.written or {}
    rows = [
        ("database", f"{fig.backend} ({platform.python_implementation()} {platform.python_version()})"),
        ("subscribers / calls", f"{fig.subscribers:,} / {fig.calls:,}"),
        ("seed seconds", f"{fig.seed_s:.1f}"),
        ("rating: calls rated/s", f"{fig.calls_per_s:,.0f} ({fig.rating_s:.2f} s; target ≥ {TARGET_CALLS_PER_S:,.0f})"),
        ("rating again (no change): calls/s", f"{fig.calls / fig.rerating_s if fig.rerating_s else 0:,.0f}"),
        ("bill run seconds", f"{fig.run_s:.2f} ({fig.bills:,} bills)"),
        (
            "floor seconds",
            f"{fig.floor_s:.2f} ({', '.join(f'{k} {v:,}' for k, v in w.items())})",
        ),
        ("bill run / floor", f"{fig.ratio:.2f}× (target ≤ {TARGET_FLOOR_RATIO:.0f}×)"),
        ("load average (1/5/15 min)", f"{fig.load_start} at the start, {fig.load} at the end"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def doc_row(fig: Figures, command: str) -> str:
    return (
        f"| {fig.backend} | {fig.subscribers:,} / {fig.calls:,} | {fig.calls_per_s:,.0f} | {fig.run_s:.1f} | "
        f"{fig.floor_s:.1f} | {fig.ratio:.2f}× | {fig.load_start} → {fig.load} | {datetime.now(UTC):%Y-%m-%d} | `{command}` |"
    )


def update_docs(fig: Figures, command: str) -> None:
    """Replace this backend's row between the result markers of the "Billing" section (re-read first)."""
    content = DOCS.read_text()
    if RESULTS_START not in content or RESULTS_END not in content:
        print("docs/performance.md has no billing result markers; not updated", file=sys.stderr)
        return
    head, rest = content.split(RESULTS_START, 1)
    block, tail = rest.split(RESULTS_END, 1)
    rows = [line for line in block.strip().splitlines() if line.startswith("|")]
    header = rows[:2]
    body = [r for r in rows[2:] if not re.match(rf"^\| {re.escape(fig.backend)} \|", r)]
    body.append(doc_row(fig, command))
    body.sort()
    DOCS.write_text(head + RESULTS_START + "\n" + "\n".join(header + body) + "\n" + RESULTS_END + tail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL server (a fresh database is made on it)")
    parser.add_argument("--period", default=last_period(), help="YYYY-MM, must have ended (default: last month)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 subscribers / 20,000 calls, no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.calls = min(args.subscribers, 2_000), min(args.calls, 20_000)
    if args.subscribers < 2 or args.calls < 1:
        parser.error("need at least 2 subscribers and 1 call")
    tmp = Path(tempfile.mkdtemp(prefix="bench-billing-"))
    try:
        fig, problems = asyncio.run(bench(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(table(fig))
    if problems:
        print("invariants: FAILED — " + "; ".join(problems))
        return 1
    print(
        "invariants: ok (every transaction balances, trial balance 0, one bill per account, "
        "lines = new charges, total = previous − payments + new = receivable balance)"
    )
    if not (args.quick or args.no_docs):
        command = "python bench/billing/run.py" + (f" --database-url {args.database_url}" if args.database_url else "")
        update_docs(fig, command)
        print(f"docs/performance.md updated ({fig.backend})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
