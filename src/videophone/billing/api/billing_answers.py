"""Answers of the bill, usage, bill-run and adjustment routes (``web.api.billing``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from videophone.billing.services.rating import MonthToDate
from videophone.edge.answers.fields import Answer

RunState = Literal["running", "finished", "failed"]
AdjustmentKind = Literal["adjustment", "credit"]


class BillLineAnswer(Answer):
    position: int
    kind: str  # rent | vas | usage | adjustment | credit | late_fee | refund
    description: str
    quantity: str
    amount: str
    amount_fen: int


class BillAnswer(Answer):
    id: int
    number: str
    subscriber_id: int
    period: str
    issued_at: datetime
    due_date: date
    previous_balance: str
    payments: str
    new_charges: str
    total_due: str
    total_due_fen: int
    total_due_text: str  # "¥123.45", as printed
    state: str
    subscriber_number: str  # console only ("" for the subscriber)
    subscriber_name: str
    lines: list[BillLineAnswer]  # only where one bill is asked for


class BillsAnswer(Answer):
    items: list[BillAnswer]


class BillPageAnswer(Answer):
    total: int
    items: list[BillAnswer]


class UsageAnswer(Answer):
    """This month's calls so far."""

    period: str
    calls: int
    minutes: int  # rated seconds, rounded up to whole minutes
    rated_seconds: int
    usage: str  # yuan
    included_seconds: int
    included_left_seconds: int
    usage_fen: int

    @classmethod
    def of(cls, view: MonthToDate) -> UsageAnswer:
        return cls(
            period=view.period,
            calls=view.calls,
            minutes=view.minutes,
            rated_seconds=view.rated_seconds,
            usage=str(view.usage.yuan),
            included_seconds=view.included_seconds,
            included_left_seconds=view.included_left_seconds,
            usage_fen=view.usage.fen,
        )


class RunAnswer(Answer):
    id: int
    period: str
    started_at: datetime
    finished_at: datetime | None
    started_by: int | None
    accounts: int
    bills_created: int
    state: RunState
    heartbeat_at: datetime


class RunsAnswer(Answer):
    items: list[RunAnswer]


class RunSummaryAnswer(Answer):
    run_id: int
    period: str
    accounts: int  # accounts that needed a bill when the run started
    bills_created: int
    already_billed: int  # accounts of the period billed before this run
    total_new_charges: str


class AdjustmentAnswer(Answer):
    transaction_id: int
    subscriber_id: int
    kind: AdjustmentKind
    amount_yuan: str  # effect on what the subscriber owes (credits negative)
    reason: str
    created_at: datetime
    balance_yuan: str
