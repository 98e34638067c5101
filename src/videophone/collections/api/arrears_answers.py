"""Answers of the debts, notifications, account-history and arrears routes (``web/api/arrears.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from videophone.calling.domain.capabilities import ServiceState
from videophone.collections.services import arrears
from videophone.collections.services.debts import AccountDebts, BillDebtView
from videophone.edge.answers.fields import FROM_VIEW, Yuan
from videophone.enforcement.public import Reason, Scope
from videophone.kernel.money import Money

Bucket = Literal["current", "0-30", "31-60", "61-90", "90+", "late_fees"]
"""Days overdue (``domain.arrears.ageing_bucket``), or ``late_fees`` when only late fees are overdue."""


def _yuan(money: Money) -> str:
    return str(money.yuan)


class BillDebt(BaseModel):
    """One bill: its charges, what is still unpaid of them and of that what is disputed."""

    bill_id: int
    number: str
    period: str
    due_date: date
    amount_yuan: Yuan
    remaining_yuan: Yuan
    disputed_yuan: Yuan
    settled: bool
    overdue: bool

    @classmethod
    def of(cls, b: BillDebtView) -> BillDebt:
        return cls(
            bill_id=b.bill_id,
            number=b.number,
            period=b.period,
            due_date=b.due_date,
            amount_yuan=_yuan(b.amount),
            remaining_yuan=_yuan(b.remaining),
            disputed_yuan=_yuan(b.disputed),
            settled=b.settled,
            overdue=b.overdue,
        )


class Debts(BaseModel):
    """What is owed (negative: a credit), overdue (late fees included, open disputed amounts
    excluded) and settled per bill, newest bill first."""

    subscriber_id: int
    balance_yuan: Yuan
    credit_yuan: Yuan
    overdue_yuan: Yuan
    overdue_principal_yuan: Yuan
    late_fees_unpaid_yuan: Yuan
    disputed_yuan: Yuan
    oldest_overdue_due: date | None
    bills: list[BillDebt]

    @classmethod
    def of(cls, d: AccountDebts) -> Debts:
        return cls(
            subscriber_id=d.subscriber_id,
            balance_yuan=_yuan(d.balance),
            credit_yuan=_yuan(d.credit),
            overdue_yuan=_yuan(d.overdue),
            overdue_principal_yuan=_yuan(d.overdue_principal),
            late_fees_unpaid_yuan=_yuan(d.late_fees_unpaid),
            disputed_yuan=_yuan(d.disputed),
            oldest_overdue_due=d.oldest_overdue_due,
            bills=[BillDebt.of(b) for b in d.bills],
        )


class PortalNotification(BaseModel):
    """An in-app notification, its title and body in the subscriber's language."""

    model_config = FROM_VIEW

    id: int
    kind: str
    title: str
    body: str
    params: dict[str, Any]
    created_at: datetime
    read: bool


class Notifications(BaseModel):
    items: list[PortalNotification] = Field(description="Newest first")
    unread: int


class Marked(BaseModel):
    marked: int
    unread: int


class AccountEvent(BaseModel):
    """Something that happened to the service or the money (``services.account_history`` lists the
    kinds and their ``params``)."""

    model_config = FROM_VIEW

    id: int
    at: datetime
    kind: str
    params: dict[str, Any]


class AccountHistory(BaseModel):
    items: list[AccountEvent] = Field(description="Newest first")


class ArrearsRow(BaseModel):
    model_config = FROM_VIEW

    subscriber_id: int
    number: str
    name: str
    service_state: ServiceState
    service_reason: str
    balance_yuan: Yuan
    overdue_yuan: Yuan
    late_fees_unpaid_yuan: Yuan
    disputed_yuan: Yuan
    oldest_overdue_due: date | None
    days_overdue: int
    bucket: Bucket


class ArrearsList(BaseModel):
    """Accounts with something overdue, oldest first, and how many fall in each bucket."""

    items: list[ArrearsRow]
    buckets: dict[Bucket, int]

    @classmethod
    def of(cls, rows: list[arrears.ArrearsRow]) -> ArrearsList:
        buckets: dict[str, int] = {}
        for r in rows:
            buckets[r.bucket] = buckets.get(r.bucket, 0) + 1
        return cls.model_validate({"items": [ArrearsRow.model_validate(r) for r in rows], "buckets": buckets})


class ServiceRestriction(BaseModel):
    model_config = FROM_VIEW

    id: int
    reason: Reason
    scope: Scope
    started_at: datetime
    note: str


class ConsoleAccount(BaseModel):
    """One subscriber's debts, open restrictions and account history, for staff."""

    subscriber_id: int
    number: str
    service_state: ServiceState
    service_reason: str
    debts: Debts
    restrictions: list[ServiceRestriction]
    history: list[AccountEvent]

    @classmethod
    def of(cls, view: arrears.AccountView) -> ConsoleAccount:
        return cls(
            subscriber_id=view.subscriber_id,
            number=view.number,
            service_state=ServiceState(view.service_state),
            service_reason=view.service_reason,
            debts=Debts.of(view.debts),
            restrictions=[ServiceRestriction.model_validate(r) for r in view.restrictions],
            history=[AccountEvent.model_validate(h) for h in view.history],
        )
