"""The console dashboard (R-52): the figures behind its charts, aggregated in the database.

* subscribers by review state and by service state (``GROUP BY``);
* calls and minutes per day, the last 30 days of the operator's calendar (``GROUP BY`` the local
  day of ``started_at``; minutes are billable seconds ÷ 60);
* revenue per month (ledger lines of the ``revenue:*`` accounts, by account, per billing period — a
  posting without a period counts in the local month it was posted) and payments received per month,
  the last 12 months;
* arrears ageing: accounts with something overdue by bucket (``domain.arrears.ageing_bucket``, the
  ``/console/arrears`` buckets) with the amounts overdue — the debts of only the accounts that owe and
  have a bill past due are computed (``services.debts.many_debts``, in chunks);
* disputes against their deadlines: open within the deadline, open and overdue, answered in time,
  answered late.

Local days and months: PostgreSQL converts with the operator's time zone (``timezone(zone, ts)``);
SQLite (single node, development) has no time-zone data and shifts by the zone's current UTC offset
(exact for zones without daylight saving, like Asia/Shanghai).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import RECEIVABLE
from videophone.calling.domain.call_rules import ServiceState
from videophone.collections.domain.arrears import ageing_bucket
from videophone.collections.public import many_debts
from videophone.common.deps import Deps
from videophone.identity.domain.kyc import ReviewState
from videophone.kernel.money import Money
from videophone.reporting.store import call_records, disputes, ledger, local_time, subscribers
from videophone.reporting.store import payments as payment_store

DAYS = 30
MONTHS = 12
DEBT_CHUNK = 1000
REVENUE_ACCOUNTS = ("revenue:rent", "revenue:vas", "revenue:usage", "revenue:late_fee")
AGEING_BUCKETS = ("0-30", "31-60", "61-90", "90+", "late_fees")
REVIEW_STATES = tuple(s.value for s in ReviewState)
SERVICE_STATES = tuple(s.value for s in ServiceState)


def _yuan(fen: int) -> str:
    return str(Money(fen).yuan)


def _months_back(today: date, count: int) -> list[str]:
    """The ``count`` months up to and including today's, oldest first (``YYYY-MM``)."""
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


@dataclass(frozen=True)
class Dashboard:
    data: dict[str, Any]


class DashboardService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def overview(self) -> Dashboard:
        now = self.deps.clock.now()
        tz = self.deps.operator_tz
        today = now.astimezone(tz).date()
        async with self.deps.uow() as uow:
            dialect = await local_time.dialect_of(uow.session)
            data = {
                "generated_at": now.isoformat(),
                "today": today.isoformat(),
                "subscribers": await self._subscribers(uow),
                "calls": await self._calls(uow, dialect, now, today),
                "revenue": await self._revenue(uow, dialect, now, today),
                "arrears": await self._arrears(uow, today),
                "disputes": await self._disputes(uow, now),
            }
        return Dashboard(data)

    @staticmethod
    async def _subscribers(uow: UnitOfWork) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, count, known in (
            ("review", subscribers.count_by_review_state, REVIEW_STATES),
            ("service", subscribers.count_by_service_state, SERVICE_STATES),
        ):
            counts = await count(uow.session)
            keys = [k for k in known if k in counts] + sorted(k for k in counts if k not in known)
            out[name] = [{"key": k, "count": counts[k]} for k in keys]
        out["total"] = sum(item["count"] for item in out["review"])
        return out

    async def _calls(self, uow: UnitOfWork, dialect: str, now: datetime, today: date) -> dict[str, Any]:
        first = today - timedelta(days=DAYS - 1)
        since = datetime.combine(first, time(), tzinfo=self.deps.operator_tz)
        by_day = await call_records.calls_per_day(
            uow.session, since, dialect=dialect, tz=self.deps.operator_tz, now=now
        )
        days: list[dict[str, Any]] = []
        for i in range(DAYS):
            key = (first + timedelta(days=i)).isoformat()
            calls, answered, seconds = by_day.get(key, (0, 0, 0))
            days.append(
                {
                    "day": key,
                    "calls": calls,
                    "answered": answered,
                    "seconds": seconds,
                    "minutes": round(seconds / 60, 1),
                }
            )
        return {
            "days": days,
            "total_calls": sum(d["calls"] for d in days),
            "total_minutes": round(sum(d["seconds"] for d in days) / 60, 1),
        }

    async def _revenue(self, uow: UnitOfWork, dialect: str, now: datetime, today: date) -> dict[str, Any]:
        months = _months_back(today, MONTHS)
        start_day = date(int(months[0][:4]), int(months[0][5:]), 1)
        # Charges of a period are posted after it ends (the bill run): look one month further back.
        since = datetime.combine(start_day - timedelta(days=31), time(), tzinfo=self.deps.operator_tz)
        tz = self.deps.operator_tz
        revenue: dict[str, dict[str, int]] = {m: dict.fromkeys(REVENUE_ACCOUNTS, 0) for m in months}
        for m, account, total in await ledger.revenue_per_month(
            uow.session, REVENUE_ACCOUNTS, since, dialect=dialect, tz=tz, now=now
        ):
            if str(m) in revenue:
                revenue[str(m)][account] = -int(total or 0)  # revenue accounts are credited (negative)
        payments: dict[str, tuple[int, int]] = {}
        for m, n, total in await payment_store.payments_per_month(
            uow.session, datetime.combine(start_day, time(), tzinfo=tz), dialect=dialect, tz=tz, now=now
        ):
            payments[str(m)] = (int(n), int(total or 0))
        items = []
        for m in months:
            by_account = {a.split(":", 1)[1]: revenue[m][a] for a in REVENUE_ACCOUNTS}
            total = sum(by_account.values())
            count, paid = payments.get(m, (0, 0))
            items.append(
                {
                    "month": m,
                    "by_account_fen": by_account,
                    "revenue_fen": total,
                    "revenue": _yuan(total),
                    "payments_count": count,
                    "payments_fen": paid,
                    "payments": _yuan(paid),
                }
            )
        return {"months": items, "accounts": [a.split(":", 1)[1] for a in REVENUE_ACCOUNTS]}

    async def _arrears(self, uow: UnitOfWork, today: date) -> dict[str, Any]:
        ids = await ledger.owing_with_bill_past_due(uow.session, today, receivable=RECEIVABLE)
        buckets = {b: [0, 0] for b in AGEING_BUCKETS}
        for i in range(0, len(ids), DEBT_CHUNK):
            positions = await many_debts(uow, ids[i : i + DEBT_CHUNK], today, self.deps.operator_tz)
            for debts in positions.values():
                if debts.overdue.fen <= 0:
                    continue
                due = debts.oldest_overdue_due
                bucket = ageing_bucket(due, today) if due else "late_fees"
                if bucket not in buckets:  # "current" cannot have anything overdue; keep it if it does
                    buckets[bucket] = [0, 0]
                buckets[bucket][0] += 1
                buckets[bucket][1] += debts.overdue.fen
        return {
            "buckets": [
                {"bucket": b, "accounts": n, "overdue_fen": fen, "overdue": _yuan(fen)}
                for b, (n, fen) in buckets.items()
            ],
            "accounts": sum(n for n, _ in buckets.values()),
        }

    @staticmethod
    async def _disputes(uow: UnitOfWork, now: datetime) -> dict[str, Any]:
        counts = dict.fromkeys(("open_in_time", "open_overdue", "answered_in_time", "answered_late"), 0)
        counts.update(await disputes.count_by_deadline(uow.session, now))
        return {"counts": [{"key": k, "count": n} for k, n in counts.items()], "total": sum(counts.values())}
