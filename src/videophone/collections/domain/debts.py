"""An account's debts and how payments settle them (R-23, R-24, R-25) — pure rules, amounts in fen.

The receivable postings of an account are **debts** (what the subscriber owes: a bill's charges, due on
the bill's due date; late fees; positive adjustments and refunds, due on the due date of the bill they
appear on) and **credits** (payments, credits, negative adjustments).  Credits settle the oldest debt
first — ordered by when it was incurred, ties by ``order`` (the ledger transaction id) — whenever they
arrive: an overpayment stays as credit and settles later debts as they are incurred.  Because credits
only accumulate and debts are settled in a fixed order, the state at any instant ``t`` is the
allocation of the credits received before ``t`` to the debts incurred before ``t``, oldest first
(:func:`allocate`).

Disputed amounts (R-25) are set aside while the dispute is open: the disputed part of a bill is taken
to be the *last* part of that bill still unpaid, so its undisputed overdue part is
``max(0, remaining − disputed)``; a payment of the undisputed part therefore clears what is overdue.

A debt is **overdue** on day D when its due date is before D (the due date is the last day to pay).
A late fee is due as soon as it is accrued.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

PRINCIPAL = "principal"
LATE_FEE = "late_fee"


@dataclass(frozen=True)
class Debt:
    """Something owed: ``amount`` fen (> 0), incurred at ``at``; ``due`` None = not due yet."""

    at: datetime
    order: int
    amount: int
    due: date | None
    kind: str = PRINCIPAL  # principal | late_fee
    bill_id: int | None = None
    rank: int = 1  # ties at one instant: late fees (0) before other debts (1)

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.at, self.rank, self.order)


@dataclass(frozen=True)
class Credit:
    """Money in the subscriber's favour (> 0) received at ``at``."""

    at: datetime
    amount: int


@dataclass(frozen=True)
class DisputeSpan:
    """``amount`` fen of bill ``bill_id`` disputed from ``opened_at`` until ``resolved_at`` (None: open)."""

    bill_id: int
    amount: int
    opened_at: datetime
    resolved_at: datetime | None = None

    def open_at(self, t: datetime) -> bool:
        return self.opened_at < t and (self.resolved_at is None or self.resolved_at >= t)


@dataclass(frozen=True)
class Timeline:
    """Everything that decides an account's debts: debts, credits and disputes (any order)."""

    debts: tuple[Debt, ...] = ()
    credits: tuple[Credit, ...] = ()
    disputes: tuple[DisputeSpan, ...] = ()

    def with_debts(self, more: Iterable[Debt]) -> Timeline:
        return Timeline((*self.debts, *more), self.credits, self.disputes)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` in the operator's calendar."""
    return datetime.combine(day, time(), tzinfo=tz)


def allocate(debts: Sequence[Debt], credit: int) -> list[int]:
    """What remains of each debt (same order as given) after ``credit`` fen settle them oldest first."""
    order = sorted(range(len(debts)), key=lambda i: debts[i].key)
    remaining = [0] * len(debts)
    left = max(0, credit)
    for i in order:
        paid = min(left, debts[i].amount)
        left -= paid
        remaining[i] = debts[i].amount - paid
    return remaining


def remaining_at(timeline: Timeline, t: datetime) -> list[tuple[Debt, int]]:
    """The debts incurred before ``t`` with what remains of each at ``t``, oldest first."""
    debts = sorted((d for d in timeline.debts if d.at < t), key=lambda d: d.key)
    credit = sum(c.amount for c in timeline.credits if c.at < t)
    return list(zip(debts, allocate(debts, credit), strict=True))


def disputed_at(timeline: Timeline, t: datetime) -> dict[int, int]:
    """Open disputed amount per bill at instant ``t``."""
    out: dict[int, int] = {}
    for d in timeline.disputes:
        if d.open_at(t):
            out[d.bill_id] = out.get(d.bill_id, 0) + d.amount
    return out


@dataclass(frozen=True)
class BillDebt:
    bill_id: int
    due: date | None
    amount: int
    remaining: int
    disputed: int  # the open disputed part of what remains

    @property
    def settled(self) -> bool:
        return self.remaining == 0


@dataclass(frozen=True)
class Position:
    """An account at one instant: ``balance`` owed (negative: credit), ``overdue`` (late fees included,
    open disputed amounts excluded), the due date of the oldest non-disputed overdue principal."""

    balance: int
    overdue: int
    overdue_principal: int
    late_fees_unpaid: int
    disputed: int
    oldest_overdue_due: date | None
    bills: list[BillDebt] = field(default_factory=list)


def position(timeline: Timeline, t: datetime, today: date) -> Position:
    """The account's position at ``t`` (``today``: its day in the operator's calendar)."""
    rows = remaining_at(timeline, t)
    debts_total = sum(d.amount for d, _ in rows)
    credit_total = sum(c.amount for c in timeline.credits if c.at < t)
    disputes = disputed_at(timeline, t)
    by_bill: dict[int, list[tuple[Debt, int]]] = {}
    overdue_principal = late = disputed_total = 0
    oldest: date | None = None
    for debt, left in rows:
        if debt.kind == LATE_FEE:
            late += left
            continue
        if debt.bill_id is not None:
            by_bill.setdefault(debt.bill_id, []).append((debt, left))
            continue
        if debt.due is not None and debt.due < today and left > 0:
            overdue_principal += left
            oldest = debt.due if oldest is None else min(oldest, debt.due)
    bills = []
    for bill_id, parts in by_bill.items():
        due = parts[0][0].due
        amount = sum(d.amount for d, _ in parts)
        left = sum(x for _, x in parts)
        held = min(left, disputes.get(bill_id, 0))
        disputed_total += held
        bills.append(BillDebt(bill_id, due, amount, left, held))
        if due is not None and due < today and left - held > 0:
            overdue_principal += left - held
            oldest = due if oldest is None else min(oldest, due)
    return Position(
        balance=debts_total - credit_total,
        overdue=overdue_principal + late,
        overdue_principal=overdue_principal,
        late_fees_unpaid=late,
        disputed=disputed_total,
        oldest_overdue_due=oldest,
        bills=bills,
    )
