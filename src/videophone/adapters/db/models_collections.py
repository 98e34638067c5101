"""Tables of payments, arrears, restrictions, late fees, credit limit and the account history (R-23, R-24,
R-26).  Changes here need an Alembic migration (``migrations/versions``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class ServiceRestriction(Base):
    """One reason the service is restricted (R-24 arrears, R-26 credit limit, R-30 violation, R-31
    lawful); ``subscribers.service_state`` is derived from the open ones (services.restrictions)."""

    __tablename__ = "service_restrictions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))  # arrears | credit_limit | violation | lawful
    scope: Mapped[str] = mapped_column(String(16))  # outgoing | all
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AccountEvent(Base):
    """The subscriber's account history: what happened to their service and money, as they see it."""

    __tablename__ = "account_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PaymentIntent(Base):
    """A payment started in the portal and completed on the gateway's hosted page (R-23)."""

    __tablename__ = "payment_intents"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)  # pending | paid | failed | cancelled
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"), nullable=True)
    gateway_trade_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(nullable=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)


class Payment(Base):
    """Money received: through the gateway, or at a counter (cash, bank transfer) with a receipt number."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # gateway | cash | bank_transfer
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    receipt_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # the intent it paid: one payment normally, two when the subscriber paid one intent twice
    intent_id: Mapped[str | None] = mapped_column(ForeignKey("payment_intents.id"), nullable=True, index=True)
    # the gateway's trade number: a gateway payment is credited at most once per trade
    gateway_trade_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # how it arrived: counter | notification | reconciliation, or — flagged to billing staff —
    # late_after_cancel | late_after_expiry (the intent was closed first) | double_payment
    arrival: Mapped[str] = mapped_column(String(24))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(16))  # cash | bank_transfer | gateway
    reason: Mapped[str] = mapped_column(Text)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[datetime]


class GatewayNotification(Base):
    """Every notification the gateway sent, kept as received (bad signatures included)."""

    __tablename__ = "gateway_notifications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    intent_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    received_at: Mapped[datetime]
    signature_ok: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(24))  # applied | duplicate | ignored | bad_signature | …
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote: Mapped[str] = mapped_column(String(64), default="")


class LateFeeAccrual(Base):
    """One day's late fee of one account (R-24): at most one row per (subscriber, day)."""

    __tablename__ = "late_fee_accruals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    day: Mapped[date] = mapped_column(Date)
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    fee_fen: Mapped[int] = mapped_column(BigInteger)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_late_fee_accruals_subscriber_day", "subscriber_id", "day", unique=True),)


class CreditReservation(Base):
    """Online charging (R-26): the amount a call in progress may still spend, held until it is rated."""

    __tablename__ = "credit_reservations"
    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    reserved_fen: Mapped[int] = mapped_column(BigInteger)
    max_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: no limit applies
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)


class CreditWarning(Base):
    """A credit-limit warning (80 %, 100 %) sent for a period — once each."""

    __tablename__ = "credit_warnings"
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
