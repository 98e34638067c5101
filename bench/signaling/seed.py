"""Fast set-up: subscribers and API tokens written straight into the server's database.

Registering through the API would hash a password with argon2 per subscriber (minutes for 10,000);
here one hash is shared, the personal-data columns are real AES-GCM ciphertext made with the same
data key the server uses, and each subscriber gets an ``api`` session whose ``token_hash`` is
``token_digest(token)`` — exactly what ``POST /api/v1/me/tokens`` would store.  Every subscriber holds
caller ID (来电显示, issue 14): each invite then finds a covering subscription in its statement and sends
the caller's number, the heavier path (ADR 0009).  Every subscriber is on a plan (a price with included
minutes, from long before the run), as every real subscriber is: each answered call is rated at its
price when it ends, as in service.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from sqlalchemy import delete, insert, select

from videophone.adapters.crypto import FieldCipher, new_token, token_digest
from videophone.adapters.db.engine import make_engine
from videophone.adapters.db.models import (
    AuthSession,
    CallCharge,
    CallRecord,
    ForwardingRule,
    PhoneNumber,
    Plan,
    PlanPrice,
    PlanSubscription,
    Subscriber,
    ValueAddedService,
    VasSubscription,
)
from videophone.identity.domain.identity_numbers import resident_id_check_char
from videophone.identity.domain.masking import mask_id_number

BENCH_VAS = "bench_caller_id"  # a service bound to caller ID that every bench subscriber holds
BENCH_FORWARDING = "bench_forwarding"  # … and one bound to call forwarding, with a rule each (issue 14)
BENCH_PLAN = "bench_plan"  # the plan every bench subscriber is on (not for sale)
FORWARD_AFTER_SECONDS = 60  # the rule: forward when not answered in a minute — the calls answer before


@dataclass(frozen=True)
class BenchSubscriber:
    id: int
    number: str
    token: str


def _resident_id(index: int) -> str:
    # 110105 (Beijing Chaoyang) + a birth date in 1980-1999 + a sequence; valid check character.
    year = 1980 + index % 20
    month = 1 + index % 12
    day = 1 + index % 28
    prefix17 = f"110105{year:04d}{month:02d}{day:02d}{index % 1000:03d}"
    return prefix17 + resident_id_check_char(prefix17)


def number_prefix(run_tag: int) -> str:
    """Numbers of one run: ``97`` + a 5-digit run tag + a 7-digit index (14 digits)."""
    return f"97{run_tag:05d}"


async def seed(database_url: str, data_key_b64: str, count: int, run_tag: int) -> list[BenchSubscriber]:
    """Insert ``count`` verified, active subscribers with one API token each (bulk, one transaction)."""
    cipher = FieldCipher(base64.b64decode(data_key_b64))
    password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(secrets.token_urlsafe(24))
    now = datetime.now(UTC)
    prefix = number_prefix(run_tag)
    numbers = [f"{prefix}{i:07d}" for i in range(count)]
    subscribers = []
    for i, number in enumerate(numbers):
        id_number = _resident_id(i)
        subscribers.append(
            {
                "number": number,
                "kind": "person",
                "name": f"压测用户{i:05d}",
                "email": f"bench-{run_tag}-{i}@bench.example.com",
                "contact_phone": f"138{i % 100_000_000:08d}",
                "postal_code": "100022",
                "legal_representative": "",
                "id_type": "resident_id",
                "id_number_enc": cipher.encrypt(id_number, context="subscribers.id_number"),
                "id_number_masked": mask_id_number(id_number),
                "id_number_index": cipher.blind_index(id_number),
                "birth_date_enc": cipher.encrypt(
                    f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}", context="subscribers.birth_date"
                ),
                "address_enc": cipher.encrypt(f"北京市朝阳区压测路{i}号", context="subscribers.address"),
                "employer_enc": cipher.encrypt("压测示例有限公司", context="subscribers.employer"),
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
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(Subscriber), subscribers)
            ids = dict(
                (
                    await conn.execute(
                        select(Subscriber.number, Subscriber.id).where(Subscriber.number.like(f"{prefix}%"))
                    )
                )
                .tuples()
                .all()
            )
            await conn.execute(
                insert(PhoneNumber),
                [
                    {
                        "number": n,
                        "state": "assigned",
                        "subscriber_id": ids[n],
                        "assigned_at": now,
                        "quarantined_until": None,
                    }
                    for n in numbers
                ],
            )
            if len(ids) != count:
                raise RuntimeError(f"expected {count} seeded subscribers, found {len(ids)}")
            vas_id = await conn.scalar(select(ValueAddedService.id).where(ValueAddedService.code == BENCH_VAS))
            if vas_id is None:
                vas_id = await conn.scalar(
                    insert(ValueAddedService)
                    .values(
                        code=BENCH_VAS,
                        name_zh="压测来电显示",
                        name_en="Bench caller ID",
                        description="",
                        active=False,  # not for sale: only the benchmark's subscribers hold it
                        feature="caller_id",
                        created_at=now,
                    )
                    .returning(ValueAddedService.id)
                )
            forwarding_id = await conn.scalar(
                select(ValueAddedService.id).where(ValueAddedService.code == BENCH_FORWARDING)
            )
            if forwarding_id is None:
                forwarding_id = await conn.scalar(
                    insert(ValueAddedService)
                    .values(
                        code=BENCH_FORWARDING,
                        name_zh="压测呼叫转移",
                        name_en="Bench call forwarding",
                        description="",
                        active=False,
                        feature="forwarding",
                        created_at=now,
                    )
                    .returning(ValueAddedService.id)
                )
            await conn.execute(
                insert(VasSubscription),
                [
                    {
                        "subscriber_id": ids[n],
                        "vas_id": service,
                        "start_date": date(2000, 1, 1),
                        "end_date": None,
                        "order_id": None,
                        "stopped_at": None,
                    }
                    for n in numbers
                    for service in (vas_id, forwarding_id)
                ],
            )
            plan_id = await conn.scalar(select(Plan.id).where(Plan.code == BENCH_PLAN))
            if plan_id is None:
                plan_id = await conn.scalar(
                    insert(Plan)
                    .values(
                        code=BENCH_PLAN,
                        name_zh="压测套餐",
                        name_en="Bench plan",
                        description="",
                        description_en="",
                        active=False,  # not for sale: only the benchmark's subscribers are on it
                        created_at=now,
                    )
                    .returning(Plan.id)
                )
                await conn.execute(
                    insert(PlanPrice).values(
                        plan_id=plan_id,
                        effective_from=date(2000, 1, 1),
                        monthly_rent_fen=3000,
                        included_minutes=100,
                        rate_per_minute=Decimal("0.10"),
                        first_increment_seconds=60,
                        next_increment_seconds=60,
                        created_at=now,
                    )
                )
            await conn.execute(
                insert(PlanSubscription),
                [
                    {"subscriber_id": ids[n], "plan_id": plan_id, "start_date": date(2000, 1, 1), "end_date": None}
                    for n in numbers
                ],
            )
            # Every subscriber forwards unanswered calls to the next one: each invite reads the rules
            # and takes the diversion's path, though the benchmark's calls are answered before it fires.
            await conn.execute(
                insert(ForwardingRule),
                [
                    {
                        "subscriber_id": ids[n],
                        "condition": "no_answer",
                        "target": "number",
                        "target_number": numbers[(i + 1) % len(numbers)],
                        "delay_seconds": FORWARD_AFTER_SECONDS,
                        "updated_at": now,
                    }
                    for i, n in enumerate(numbers)
                ],
            )
            tokens = [new_token() for _ in numbers]
            await conn.execute(
                insert(AuthSession),
                [
                    {
                        "token_hash": token_digest(token),
                        "principal_type": "subscriber",
                        "principal_id": ids[n],
                        "kind": "api",
                        "csrf_token": secrets.token_urlsafe(24),
                        "label": "bench",
                        "ip": "127.0.0.1",
                        "user_agent": "bench/signaling",
                        "created_at": now,
                        "last_seen_at": now,
                        "expires_at": now + timedelta(days=365),
                        "revoked_at": None,
                    }
                    for n, token in zip(numbers, tokens, strict=True)
                ],
            )
    finally:
        await engine.dispose()
    return [BenchSubscriber(ids[n], n, t) for n, t in zip(numbers, tokens, strict=True)]


async def cleanup(database_url: str, run_tag: int) -> None:
    """Remove what one run put into a shared database (PostgreSQL): calls, tokens, numbers, subscribers."""
    prefix = number_prefix(run_tag)
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            ids = select(Subscriber.id).where(Subscriber.number.like(f"{prefix}%")).scalar_subquery()
            await conn.execute(delete(CallCharge).where(CallCharge.subscriber_id.in_(ids)))
            await conn.execute(delete(CallRecord).where(CallRecord.caller_id.in_(ids)))
            await conn.execute(delete(PlanSubscription).where(PlanSubscription.subscriber_id.in_(ids)))
            await conn.execute(delete(VasSubscription).where(VasSubscription.subscriber_id.in_(ids)))
            await conn.execute(delete(ForwardingRule).where(ForwardingRule.subscriber_id.in_(ids)))
            await conn.execute(
                delete(AuthSession).where(AuthSession.principal_type == "subscriber", AuthSession.principal_id.in_(ids))
            )
            await conn.execute(delete(PhoneNumber).where(PhoneNumber.number.like(f"{prefix}%")))
            await conn.execute(delete(Subscriber).where(Subscriber.number.like(f"{prefix}%")))
    finally:
        await engine.dispose()
