"""An account's debts read from the ledger (R-23..R-25): the :class:`~videophone.collections.domain.debts.Timeline`
of its receivable postings, bills and disputes, and the resulting position (what is owed, overdue,
settled per bill).  The rules are in ``domain.debts``; this module only loads their input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.db.writes import BULK
from videophone.billing.public import RECEIVABLE
from videophone.collections.domain import debts as rules
from videophone.collections.domain.debts import Credit, Debt, DisputeSpan, Timeline
from videophone.collections.domain.late_fees import late_fee_debt
from videophone.collections.store import debts as store
from videophone.kernel.money import Money

END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class BillInfo:
    bill_id: int
    number: str
    period: str
    due_date: date


@dataclass(frozen=True)
class BillDebtView:
    bill_id: int
    number: str
    period: str
    due_date: date
    amount: Money  # the bill's charges
    remaining: Money  # what is still unpaid of them
    disputed: Money  # of which under an open dispute
    settled: bool
    overdue: bool


@dataclass(frozen=True)
class AccountDebts:
    subscriber_id: int
    balance: Money  # what is owed; negative = credit in the subscriber's favour
    overdue: Money  # owed past due, late fees included, open disputed amounts excluded
    overdue_principal: Money
    late_fees_unpaid: Money
    disputed: Money
    oldest_overdue_due: date | None
    bills: list[BillDebtView]  # newest first

    @property
    def credit(self) -> Money:
        return -self.balance if self.balance.fen < 0 else Money.zero()


async def load(
    uow: UnitOfWork, subscriber_ids: Sequence[int], tz: ZoneInfo
) -> tuple[dict[int, Timeline], dict[int, dict[int, BillInfo]]]:
    """The timelines and bills of ``subscriber_ids`` (a fixed number of queries per ``BULK`` ids)."""
    timelines: dict[int, Timeline] = {}
    bills: dict[int, dict[int, BillInfo]] = {i: {} for i in subscriber_ids}
    s = uow.session
    for i in range(0, len(subscriber_ids), BULK):
        ids = list(subscriber_ids[i : i + BULK])
        due: dict[int, date] = {}
        for bill_id, sub_id, number, period, due_date in await store.bills_of(s, ids):
            due[bill_id] = due_date
            bills[sub_id][bill_id] = BillInfo(bill_id, number, period, due_date)
        fee_days: dict[int, date] = {}
        for fee_tx, fee_day in await store.late_fee_days_of(s, ids):
            if fee_tx is not None:
                fee_days[int(fee_tx)] = fee_day
        debts: dict[int, list[Debt]] = {x: [] for x in ids}
        credits: dict[int, list[Credit]] = {x: [] for x in ids}
        for owner, tx_id, kind, tx_bill, created_at, amount in await store.receivable_postings_of(s, ids, RECEIVABLE):
            fen = int(amount or 0)
            if owner is None:
                continue
            sub_id = int(owner)
            if fen < 0:
                credits[sub_id].append(Credit(created_at, -fen))
            elif fen == 0:
                continue
            elif kind == "late_fee":
                accrued_day = fee_days.get(tx_id)
                if accrued_day is not None:
                    debts[sub_id].append(late_fee_debt(accrued_day, fen, tz))
                else:
                    local = created_at.astimezone(tz).date()
                    debts[sub_id].append(Debt(created_at, tx_id, fen, local, kind=rules.LATE_FEE))
            elif kind == "charge" and tx_bill is not None:
                debts[sub_id].append(Debt(created_at, tx_id, fen, due.get(tx_bill), bill_id=tx_bill))
            else:  # positive adjustment, refund: due with the bill that shows it
                debts[sub_id].append(Debt(created_at, tx_id, fen, due.get(tx_bill) if tx_bill else None))
        spans: dict[int, list[DisputeSpan]] = {x: [] for x in ids}
        for sub_id, bill_id, amount, opened_at, resolved_at, state in await store.disputes_of(s, ids):
            end = resolved_at if state != "open" else None
            if state != "open" and end is None:
                continue
            spans[sub_id].append(DisputeSpan(bill_id, int(amount), opened_at, end))
        for x in ids:
            timelines[x] = Timeline(tuple(debts[x]), tuple(credits[x]), tuple(spans[x]))
    return timelines, bills


def view(
    subscriber_id: int, timeline: Timeline, bills: dict[int, BillInfo], today: date, at: datetime = END_OF_TIME
) -> AccountDebts:
    pos = rules.position(timeline, at, today)
    per_bill = {b.bill_id: b for b in pos.bills}
    out = []
    for info in sorted(bills.values(), key=lambda b: (b.period, b.bill_id), reverse=True):
        b = per_bill.get(info.bill_id)
        amount, remaining, disputed = (b.amount, b.remaining, b.disputed) if b else (0, 0, 0)
        out.append(
            BillDebtView(
                bill_id=info.bill_id,
                number=info.number,
                period=info.period,
                due_date=info.due_date,
                amount=Money(amount),
                remaining=Money(remaining),
                disputed=Money(disputed),
                settled=remaining == 0,
                overdue=remaining - disputed > 0 and info.due_date < today,
            )
        )
    return AccountDebts(
        subscriber_id=subscriber_id,
        balance=Money(pos.balance),
        overdue=Money(pos.overdue),
        overdue_principal=Money(pos.overdue_principal),
        late_fees_unpaid=Money(pos.late_fees_unpaid),
        disputed=Money(pos.disputed),
        oldest_overdue_due=pos.oldest_overdue_due,
        bills=out,
    )


async def account_debts(uow: UnitOfWork, subscriber_id: int, today: date, tz: ZoneInfo | None = None) -> AccountDebts:
    """The subscriber's debts now (every posting so far counts); ``today`` in the operator's calendar."""
    zone = tz or ZoneInfo("Asia/Shanghai")
    timelines, bills = await load(uow, [subscriber_id], zone)
    return view(subscriber_id, timelines[subscriber_id], bills[subscriber_id], today)


async def many_debts(
    uow: UnitOfWork, subscriber_ids: Sequence[int], today: date, tz: ZoneInfo
) -> dict[int, AccountDebts]:
    timelines, bills = await load(uow, subscriber_ids, tz)
    return {i: view(i, timelines[i], bills[i], today) for i in subscriber_ids}
