"""Answers of the outage routes and of the console dashboard (``web.api.outages``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from videophone.edge.answers.fields import Answer, IsoInstant
from videophone.notices.services.outages import OutageDetail

OutageScope = Literal["all", "listed"]
OutageState = Literal["open", "closed"]
OutageCause = Literal["operator", "third_party", "internet", "force_majeure", "government"]  # 003 §12–§14


class OutageAnswer(Answer):
    id: int
    title: str
    description: str
    scope: OutageScope
    state: OutageState
    started_at: datetime
    ended_at: datetime | None
    duration_hours: float | None
    qualifies: bool  # 24 continuous hours or more (closed incidents only)
    affected_numbers: list[str]  # scope "listed" only
    cause: OutageCause
    evidence: str
    earns_credit: bool  # the operator's own fault, 24 continuous hours or more (closed incidents only)
    credit_round: int  # bumped by each change of cause that changes who is owed a credit
    created_at: datetime
    closed_at: datetime | None
    credited_at: datetime | None
    credited_accounts: int
    credited_total: str
    credited_total_fen: int


class OutagePageAnswer(Answer):
    total: int
    items: list[OutageAnswer]


class OutageCreditAnswer(Answer):
    subscriber_id: int
    number: str
    name: str
    amount: str
    amount_fen: int
    transaction_id: int | None


class OutageDetailAnswer(OutageAnswer):
    credits: list[OutageCreditAnswer]  # standing credits (amount above zero), largest first
    reversed_accounts: int  # credits reversed after a change of cause (on the next bill)
    reversed_total: str
    reversed_total_fen: int

    @classmethod
    def of(cls, view: OutageDetail) -> OutageDetailAnswer:
        plain = {name: getattr(view.outage, name) for name in OutageAnswer.model_fields}
        return cls(
            **plain,
            credits=[OutageCreditAnswer.model_validate(c) for c in view.credits],
            reversed_accounts=view.reversed_accounts,
            reversed_total=view.reversed_total,
            reversed_total_fen=view.reversed_total_fen,
        )


# -- the dashboard (R-52) --------------------------------------------------------------------------------
class KeyCountAnswer(Answer):
    key: str
    count: int


class SubscriberCountsAnswer(Answer):
    review: list[KeyCountAnswer]  # by review state
    service: list[KeyCountAnswer]  # by service state
    total: int


class CallDayAnswer(Answer):
    day: date
    calls: int
    answered: int
    seconds: int
    minutes: float  # billable seconds ÷ 60, one decimal


class CallSeriesAnswer(Answer):
    days: list[CallDayAnswer]  # the last 30 local days, oldest first
    total_calls: int
    total_minutes: float


class RevenueByAccountAnswer(Answer):
    rent: int
    vas: int
    usage: int
    late_fee: int


class RevenueMonthAnswer(Answer):
    month: str  # YYYY-MM
    by_account_fen: RevenueByAccountAnswer
    revenue_fen: int
    revenue: str
    payments_count: int
    payments_fen: int
    payments: str


class RevenueSeriesAnswer(Answer):
    months: list[RevenueMonthAnswer]  # the last 12 months, oldest first
    accounts: list[str]


class AgeingBucketAnswer(Answer):
    bucket: str  # 0-30 | 31-60 | 61-90 | 90+ | late_fees
    accounts: int
    overdue_fen: int
    overdue: str


class ArrearsAgeingAnswer(Answer):
    buckets: list[AgeingBucketAnswer]
    accounts: int


class DisputeDeadlinesAnswer(Answer):
    counts: list[KeyCountAnswer]  # open_in_time | open_overdue | answered_in_time | answered_late
    total: int


class DashboardAnswer(Answer):
    generated_at: IsoInstant
    today: date
    subscribers: SubscriberCountsAnswer
    calls: CallSeriesAnswer
    revenue: RevenueSeriesAnswer
    arrears: ArrearsAgeingAnswer
    disputes: DisputeDeadlinesAnswer
