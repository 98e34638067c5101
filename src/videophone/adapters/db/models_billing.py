"""Tables of tariffs, orders, rating, bills, ledger (issue 4) and billing disputes (R-25).  Changes here need
an Alembic migration (``migrations/versions``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class Plan(Base):
    """A package (套餐): monthly rent, included minutes, per-minute rate beyond, billing increment."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class PlanPrice(Base):
    """Prices are effective-dated: a change applies from a date, calls keep the price of their time."""

    __tablename__ = "plan_prices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    monthly_rent_fen: Mapped[int] = mapped_column(BigInteger)
    included_minutes: Mapped[int] = mapped_column(Integer)
    rate_per_minute: Mapped[Decimal] = mapped_column(Numeric(12, 4))  # yuan, may be finer than a fen
    first_increment_seconds: Mapped[int] = mapped_column(Integer)  # e.g. 60
    next_increment_seconds: Mapped[int] = mapped_column(Integer)  # e.g. 60, or 6
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_plan_prices_plan_from", "plan_id", "effective_from", unique=True),)


class ValueAddedService(Base):
    __tablename__ = "value_added_services"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The calling feature the service turns on (calling/domain/features.py), or None: fee only.
    feature: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)
    created_at: Mapped[datetime]


class VasPrice(Base):
    __tablename__ = "vas_prices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    vas_id: Mapped[int] = mapped_column(ForeignKey("value_added_services.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    monthly_fee_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_vas_prices_vas_from", "vas_id", "effective_from", unique=True),)


class PlanSubscription(Base):
    """Which plan a subscriber is on, over time ([start_date, end_date), end open while current)."""

    __tablename__ = "plan_subscriptions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)


class VasSubscription(Base):
    __tablename__ = "vas_subscriptions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    vas_id: Mapped[int] = mapped_column(ForeignKey("value_added_services.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    # When its feature stopped (removed by the subscriber, withdrawn by a violation measure): at once,
    # while billing still counts the day to its end_date.
    stopped_at: Mapped[datetime | None] = mapped_column(nullable=True, default=None)


class Order(Base):
    """An order (订单): an annex of the agreement with equal force; immutable once confirmed."""

    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # plan_change | vas_add | vas_remove | initial_plan
    state: Mapped[str] = mapped_column(String(16))  # confirmed
    effective_date: Mapped[date] = mapped_column(Date)
    agreement_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16), default="web")


class OrderItem(Base):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    item_kind: Mapped[str] = mapped_column(String(8))  # plan | vas
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))  # subscribe | change | add | remove
    monthly_fee_fen: Mapped[int] = mapped_column(BigInteger)
    price_detail: Mapped[dict[str, Any]]  # the full price terms at the time of the order


class CallCharge(Base):
    """The rating of one call record (idempotent: one row per call, recomputed identically)."""

    __tablename__ = "call_charges"
    # No foreign keys (migration 0012, ADR 0006): charges are derived data, written only by rating
    # from the call records it read in the same transaction (never deleted; the record names the
    # caller, who is the subscriber charged), and can be derived again at any time.  A month's
    # rating writes a row per call; on PostgreSQL each foreign key was a locking look-up per row.
    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(BigId)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM in the operator's calendar
    plan_price_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    rated_seconds: Mapped[int] = mapped_column(Integer)
    included_seconds: Mapped[int] = mapped_column(Integer)
    charged_seconds: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # The rated call's start (``call_records.started_at``): the call-ended hook proves from the month's
    # charges alone that the calls that just ended come after every call already rated (migration
    # 0026).  NULL only in rows older than the migration whose call record was gone.
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    rated_at: Mapped[datetime]

    # By start too: the call-ended hook reads the latest start rated, and the charges holding it (0027).
    __table_args__ = (Index("ix_call_charges_subscriber_period_start", "subscriber_id", "period", "started_at"),)


class LedgerTransaction(Base):
    """A balanced journal entry; ``idempotency_key`` makes every posting happen at most once."""

    __tablename__ = "ledger_transactions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))  # charge | payment | adjustment | credit | late_fee | refund
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True, index=True)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"), nullable=True)
    period: Mapped[str | None] = mapped_column(String(7), nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)


class LedgerLine(Base):
    """Positive = debit, negative = credit; the lines of a transaction sum to zero."""

    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(40))  # receivable | revenue:rent | revenue:usage | …
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_ledger_lines_account_subscriber", "account", "subscriber_id"),)


class Bill(Base):
    __tablename__ = "bills"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    period: Mapped[str] = mapped_column(String(7))
    issued_at: Mapped[datetime]
    due_date: Mapped[date] = mapped_column(Date)
    previous_balance_fen: Mapped[int] = mapped_column(BigInteger)
    payments_fen: Mapped[int] = mapped_column(BigInteger)
    new_charges_fen: Mapped[int] = mapped_column(BigInteger)
    total_due_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))  # issued
    run_id: Mapped[int | None] = mapped_column(ForeignKey("bill_runs.id"), nullable=True)

    __table_args__ = (Index("uq_bills_subscriber_period", "subscriber_id", "period", unique=True),)


class BillLine(Base):
    __tablename__ = "bill_lines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # rent | vas | usage | adjustment | credit | late_fee
    description: Mapped[str] = mapped_column(String(200))  # zh-CN
    quantity: Mapped[str] = mapped_column(String(40), default="")
    # The same line in English (migration 0020): the reader's language is chosen when it is read.
    description_en: Mapped[str] = mapped_column(String(200), default="")
    quantity_en: Mapped[str] = mapped_column(String(40), default="")
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class BillRun(Base):
    __tablename__ = "bill_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    bills_created: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))  # running | finished | failed
    # the running process's last sign of life (at start and after every chunk): a run still
    # "running" whose heartbeat is older than the lease was killed (services.billing.RUN_LEASE)
    heartbeat_at: Mapped[datetime]


class Dispute(Base):
    """A billing dispute (R-25) about a bill or one call's charge."""

    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    call_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)  # open | adjusted | rejected
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    credit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)
