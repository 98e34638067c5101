"""Fast set-up for the billing benchmark: everything written straight into the database with bulk Core
inserts (one shared password hash; personal data is real AES-GCM ciphertext, as the service writes it).

* 3 plans (60/60 with 100 included minutes, 60/6 with none, 60/60 with 500) priced from 2020;
* 2 value-added services; about 1 subscriber in 5 has one (some from mid-period, some ending in it);
* ``subscribers`` verified subscribers, each with a plan subscription: most for the whole period,
  1 in 20 from a day inside it, 1 in 20 with a plan change at its first day (two subscriptions);
* ``calls`` answered, ended call records spread over the period (operator's calendar), random caller
  and callee, 1 s – 1 h billable;
* 1 in 100 subscribers with a staff adjustment and 1 in 100 with a payment not yet on any bill.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from videophone.adapters.crypto import FieldCipher
from videophone.adapters.db.models import (
    CallRecord,
    LedgerLine,
    LedgerTransaction,
    Plan,
    PlanPrice,
    PlanSubscription,
    Subscriber,
    ValueAddedService,
    VasPrice,
    VasSubscription,
)
from videophone.adapters.db.writes import write_rows
from videophone.billing.domain.billing import period_bounds
from videophone.identity.domain.identity_numbers import resident_id_check_char
from videophone.identity.domain.masking import mask_id_number

BATCH = 10_000  # rows per INSERT … executemany
PLANS = (  # code, rent fen, included minutes, rate, first / next increment
    ("bench-basic", 3000, 100, "0.10", 60, 60),
    ("bench-flex", 1000, 0, "0.15", 60, 6),
    ("bench-plus", 8800, 500, "0.08", 60, 60),
)
SERVICES = (("bench-ring", 500), ("bench-voicemail", 300))


@dataclass(frozen=True)
class Seeded:
    subscribers: int
    calls: int
    plan_subscriptions: int
    vas_subscriptions: int
    pending_postings: int
    seconds: float


def resident_id(index: int) -> str:
    prefix17 = f"110105{1970 + index % 30:04d}{1 + index % 12:02d}{1 + index % 28:02d}{index % 1000:03d}"
    return prefix17 + resident_id_check_char(prefix17)


async def _insert(engine: AsyncEngine, model: object, rows: list[dict[str, object]]) -> None:
    async with engine.begin() as conn:
        await write_rows(conn, model, rows)  # the service's bulk writer (unnest arrays on PostgreSQL)


async def seed(
    engine: AsyncEngine, cipher: FieldCipher, *, subscribers: int, calls: int, period: str, tz: ZoneInfo
) -> tuple[Seeded, list[int]]:
    """Seed the database; returns what was written and the subscriber ids."""
    started = datetime.now(UTC)
    rng = random.Random(20261)
    now = datetime.now(UTC)
    first, after = period_bounds(period)
    long_ago = date(2025, 1, 1)

    plan_ids: list[int] = []
    vas_ids: list[int] = []
    async with engine.begin() as conn:
        for code, rent, included, rate, first_inc, next_inc in PLANS:
            plan_id = (
                await conn.execute(
                    insert(Plan)
                    .values(code=code, name_zh=f"压测套餐{code[6:]}", name_en=code, description="", active=True)
                    .values(created_at=now)
                    .returning(Plan.id)
                )
            ).scalar_one()
            plan_ids.append(plan_id)
            await conn.execute(
                insert(PlanPrice).values(
                    plan_id=plan_id,
                    effective_from=date(2020, 1, 1),
                    monthly_rent_fen=rent,
                    included_minutes=included,
                    rate_per_minute=Decimal(rate),
                    first_increment_seconds=first_inc,
                    next_increment_seconds=next_inc,
                    created_at=now,
                )
            )
        for code, fee in SERVICES:
            vas_id = (
                await conn.execute(
                    insert(ValueAddedService)
                    .values(code=code, name_zh=f"压测业务{code[6:]}", name_en=code, description="", active=True)
                    .values(created_at=now)
                    .returning(ValueAddedService.id)
                )
            ).scalar_one()
            vas_ids.append(vas_id)
            await conn.execute(
                insert(VasPrice).values(
                    vas_id=vas_id, effective_from=date(2020, 1, 1), monthly_fee_fen=fee, created_at=now
                )
            )

    password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(secrets.token_urlsafe(24))
    address = cipher.encrypt("北京市朝阳区压测路1号", context="subscribers.address")
    employer = cipher.encrypt("压测示例有限公司", context="subscribers.employer")
    rows: list[dict[str, object]] = []
    for i in range(subscribers):
        id_number = resident_id(i)
        rows.append(
            {
                "number": f"96{i:09d}",
                "kind": "person",
                "name": f"计费压测{i:06d}",
                "email": f"bill-bench-{i}@bench.example.com",
                "contact_phone": f"139{i % 100_000_000:08d}",
                "postal_code": "100022",
                "legal_representative": "",
                "id_type": "resident_id",
                "id_number_enc": cipher.encrypt(id_number, context="subscribers.id_number"),
                "id_number_masked": mask_id_number(id_number),
                "id_number_index": cipher.blind_index(id_number),
                "birth_date_enc": None,
                "address_enc": address,
                "employer_enc": employer,
                "review_state": "verified",
                "review_reason": "",
                "documents_requested_at": None,
                "service_state": "active",
                "language": "zh-CN",
                "password_hash": password_hash,
                "created_at": now,
                "updated_at": now,
            }
        )
    await _insert(engine, Subscriber, rows)
    async with engine.connect() as conn:
        found = list(
            await conn.execute(
                select(Subscriber.id, Subscriber.number)
                .where(Subscriber.number.like("96%"), Subscriber.email.like("bill-bench-%"))
                .order_by(Subscriber.number)
            )
        )
    ids = [r[0] for r in found]
    numbers = [r[1] for r in found]
    if len(ids) != subscribers:
        raise RuntimeError(f"expected {subscribers} subscribers, found {len(ids)}")

    plans: list[dict[str, object]] = []
    vas: list[dict[str, object]] = []
    for i, sub_id in enumerate(ids):
        plan_id = plan_ids[i % len(plan_ids)]
        if i % 20 == 7:  # joined inside the period
            plans.append({"subscriber_id": sub_id, "plan_id": plan_id, "start_date": first + timedelta(days=i % 27)})
        elif i % 20 == 13:  # plan change effective on the first day of the period
            other = plan_ids[(i + 1) % len(plan_ids)]
            plans.append({"subscriber_id": sub_id, "plan_id": other, "start_date": long_ago, "end_date": first})
            plans.append({"subscriber_id": sub_id, "plan_id": plan_id, "start_date": first})
        else:
            plans.append({"subscriber_id": sub_id, "plan_id": plan_id, "start_date": long_ago})
        if i % 5 == 2:
            start = long_ago if i % 3 else first + timedelta(days=i % 25)
            end = first + timedelta(days=10 + i % 15) if i % 7 == 0 else None
            vas.append(
                {"subscriber_id": sub_id, "vas_id": vas_ids[i % len(vas_ids)], "start_date": start, "end_date": end}
            )
    for row in plans:
        row.setdefault("end_date", None)
        row["order_id"] = None
    for row in vas:
        row["order_id"] = None
    await _insert(engine, PlanSubscription, plans)
    await _insert(engine, VasSubscription, vas)

    window_start = datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    window = int(
        (datetime.combine(after, datetime.min.time(), tzinfo=tz).astimezone(UTC) - window_start).total_seconds()
    )
    n = len(ids)
    async with engine.begin() as conn:
        for lo in range(0, calls, BATCH):
            batch: list[dict[str, object]] = []
            for k in range(lo, min(calls, lo + BATCH)):
                caller = rng.randrange(n)
                callee = (caller + 1 + rng.randrange(n - 1)) % n if n > 1 else caller
                started_at = window_start + timedelta(seconds=rng.randrange(window - 3600))
                seconds = rng.choice((rng.randint(1, 59), rng.randint(60, 600), rng.randint(60, 3600)))
                batch.append(
                    {
                        "id": f"{k:08x}-bbbb-4000-8000-{rng.getrandbits(48):012x}",
                        "caller_id": ids[caller],
                        "callee_id": ids[callee],
                        "caller_number": numbers[caller],
                        "callee_number": numbers[callee],
                        "caller_device": "web",
                        "callee_device": "web",
                        "node_id": "bench",
                        "state": "ended",
                        "started_at": started_at,
                        "answered_at": started_at + timedelta(seconds=3),
                        "ended_at": started_at + timedelta(seconds=3 + seconds),
                        "outcome": "answered",
                        "end_reason": "hangup",
                        "billable_seconds": seconds,
                        "callee_seen_at": None,
                    }
                )
            await write_rows(conn, CallRecord, batch)

    # Postings not yet on any bill: they must show on the bill (adjustments, payments).
    pending = [(i, sub_id) for i, sub_id in enumerate(ids) if i % 100 in (3, 4)]
    async with engine.begin() as conn:
        for lo in range(0, len(pending), BATCH):
            part = pending[lo : lo + BATCH]
            txs = await conn.execute(
                insert(LedgerTransaction).returning(LedgerTransaction.id, LedgerTransaction.subscriber_id),
                [
                    {
                        "kind": "adjustment" if i % 100 == 3 else "payment",
                        "subscriber_id": sub_id,
                        "bill_id": None,
                        "period": None,
                        "idempotency_key": f"bench:{i}",
                        "memo": "压测调账" if i % 100 == 3 else "",
                        "created_at": now,
                        "created_by": None,
                    }
                    for i, sub_id in part
                ],
            )
            adjusted = {sub_id for i, sub_id in part if i % 100 == 3}
            lines: list[dict[str, object]] = []
            for tx_id, sub_id in txs:
                amount = 250 if sub_id in adjusted else -2000
                other = "adjustment" if amount > 0 else "cash:gateway"
                lines.append(
                    {"transaction_id": tx_id, "account": "receivable", "subscriber_id": sub_id, "amount_fen": amount}
                )
                lines.append({"transaction_id": tx_id, "account": other, "subscriber_id": None, "amount_fen": -amount})
            await conn.execute(insert(LedgerLine), lines)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return Seeded(len(ids), calls, len(plans), len(vas), len(pending), seconds), ids
