"""The ``late-fees`` job (R-24): accrue each overdue account's late fee for every day up to yesterday.

For each account with overdue principal, the days from the day after its last accrual (or after its
oldest due date) up to yesterday in the operator's calendar are computed by ``domain.late_fees.accrue``
and written as one ``late_fee_accruals`` row per (subscriber, day) — unique, so a day is accrued once
even if the job runs twice or on two nodes at once — and, when the fee is not zero, one ledger posting
(kind ``late_fee``, key ``latefee:<subscriber>:<YYYY-MM-DD>``: receivable +fee, revenue:late_fee −fee).
Days the job missed are caught up with the same result as if it had run daily.  Accounts are processed
in chunks, one transaction per chunk; a chunk that collides with a concurrent run is redone (the rows
the other run wrote are then seen and skipped).

Which accounts: those owing something with a bill past due, and those whose balance was settled
recently (a payment or credit in the last ``CATCH_UP_DAYS`` days) — so days overdue before a late
payment are still accrued if the job did not run on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import structlog
from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import ledger
from videophone.collections.domain.debts import LATE_FEE
from videophone.collections.domain.late_fees import accrue
from videophone.collections.services.debts import load
from videophone.collections.store import late_fees as store
from videophone.common import policy as policy_service
from videophone.common.deps import Deps
from videophone.kernel.money import Money

log = structlog.get_logger(__name__)

CHUNK = 500
CATCH_UP_DAYS = 35
REVENUE_LATE_FEE = "revenue:late_fee"


def posting_key(subscriber_id: int, day: date) -> str:
    return f"latefee:{subscriber_id}:{day.isoformat()}"


class LateFeeService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def _candidates(self, uow: UnitOfWork, today: date, now: datetime) -> list[int]:
        return list(
            await store.candidates(
                uow.session, today, receivable=ledger.RECEIVABLE, paid_since=now - timedelta(days=CATCH_UP_DAYS)
            )
        )

    async def run(self) -> dict[str, int]:
        """Accrue every account up to yesterday.  Returns counts of accounts, days and fees posted."""
        now = self.deps.clock.now()
        today = now.astimezone(self.deps.operator_tz).date()
        async with self.deps.uow() as uow:
            ids = await self._candidates(uow, today, now)
        counts = {"accounts": len(ids), "days": 0, "postings": 0, "fen": 0}
        for i in range(0, len(ids), CHUNK):
            part = ids[i : i + CHUNK]
            for attempt in range(3):
                try:
                    async with self.deps.uow() as uow:
                        done = await self._chunk(uow, part, now, today)
                        await uow.commit()
                    break
                except IntegrityError:  # a concurrent run wrote some of these days first: redo
                    if attempt == 2:
                        raise
                    log.info("late-fee chunk collided, redoing", first=part[0])
            for k, v in done.items():
                counts[k] += v
        return counts

    async def _chunk(self, uow: UnitOfWork, ids: Sequence[int], now: datetime, today: date) -> dict[str, int]:
        tz = self.deps.operator_tz
        _, pol = await policy_service.current(uow)
        yesterday = today - timedelta(days=1)
        last: dict[int, date] = {sub_id: day for sub_id, day in await store.last_accrued_days(uow.session, ids)}
        timelines, _ = await load(uow, ids, tz)
        postings: list[ledger.Posting] = []
        total = 0
        accruals: list[tuple[dict[str, object], str | None]] = []
        for sub_id in ids:
            tl = timelines[sub_id]
            if sub_id in last:
                first = last[sub_id] + timedelta(days=1)
            else:
                dues = [d.due for d in tl.debts if d.kind != LATE_FEE and d.due is not None]
                if not dues:
                    continue
                first = min(dues) + timedelta(days=1)
            for fee in accrue(tl, first, yesterday, tz, pol.late_fee_per_mille_per_day, pol.late_fee_cap_percent):
                if fee.overdue_principal <= 0:
                    continue
                key = posting_key(sub_id, fee.day)
                if fee.fee > 0:
                    amount = Money(fee.fee)
                    postings.append(
                        ledger.Posting(
                            "late_fee",
                            key,
                            [(ledger.RECEIVABLE, sub_id, amount), (REVENUE_LATE_FEE, None, -amount)],
                            subscriber_id=sub_id,
                            memo=f"{fee.day.isoformat()} 违约金",
                        )
                    )
                row: dict[str, object] = {
                    "subscriber_id": sub_id,
                    "day": fee.day,
                    "principal_fen": fee.base,
                    "fee_fen": fee.fee,
                    "created_at": now,
                }
                accruals.append((row, key if fee.fee > 0 else None))
                total += fee.fee
        if not accruals:
            return {"days": 0, "postings": 0, "fen": 0}
        tx_ids = await ledger.post_many(uow, postings, at=now)
        rows = [{**row, "transaction_id": tx_ids.get(key) if key else None} for row, key in accruals]
        await store.write_accruals(uow.session, rows)
        return {"days": len(rows), "postings": len(tx_ids), "fen": total}
