"""What payments are called and what is shown of them: the methods and arrivals (the answers'
vocabulary) and the views of intents, payments, refunds and gateway notifications."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from videophone.adapters.db.models import GatewayNotification, Payment, PaymentIntent, Refund
from videophone.kernel.money import Money

METHODS = ("cash", "bank_transfer")  # taken at a counter (a gateway payment's method is ``gateway``)
REFUND_METHODS = ("cash", "bank_transfer")
# how a payment arrived (``payments.arrival``); the last three are flagged to billing staff
ARRIVALS = ("counter", "notification", "reconciliation", "late_after_cancel", "late_after_expiry", "double_payment")
LATE_ARRIVALS = ("late_after_cancel", "late_after_expiry", "double_payment")


def yuan(fen: int) -> str:
    return str(Money(fen).yuan)


@dataclass(frozen=True)
class IntentView:
    id: str
    amount: str
    amount_fen: int
    state: str
    bill_id: int | None
    created_at: datetime
    paid_at: datetime | None
    redirect_url: str = ""

    @staticmethod
    def of(row: PaymentIntent, redirect_url: str = "") -> IntentView:
        return IntentView(
            row.id,
            yuan(row.amount_fen),
            row.amount_fen,
            row.state,
            row.bill_id,
            row.created_at,
            row.paid_at,
            redirect_url,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PaymentView:
    id: int
    subscriber_id: int
    method: str
    amount: str
    amount_fen: int
    receipt_no: str | None
    intent_id: str | None
    received_at: datetime
    note: str
    arrival: str  # see ARRIVALS
    gateway_trade_no: str | None
    late: bool  # confirmed by the gateway after its intent was closed, or a second payment of it
    subscriber_number: str = ""
    balance: str = ""  # what the subscriber owes after it (only where asked)

    @staticmethod
    def of(row: Payment, number: str = "", balance: str = "") -> PaymentView:
        return PaymentView(
            row.id,
            row.subscriber_id,
            row.method,
            yuan(row.amount_fen),
            row.amount_fen,
            row.receipt_no,
            row.intent_id,
            row.received_at,
            row.note,
            row.arrival,
            row.gateway_trade_no,
            row.arrival in LATE_ARRIVALS,
            number,
            balance,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RefundView:
    id: int
    subscriber_id: int
    amount: str
    amount_fen: int
    method: str
    reason: str
    created_at: datetime
    balance: str = ""

    @staticmethod
    def of(row: Refund, balance: str = "") -> RefundView:
        return RefundView(
            row.id,
            row.subscriber_id,
            yuan(row.amount_fen),
            row.amount_fen,
            row.method,
            row.reason,
            row.created_at,
            balance,
        )


@dataclass(frozen=True)
class NotificationLogView:
    id: int
    intent_id: str | None
    received_at: datetime
    signature_ok: bool
    outcome: str
    status: str
    amount_fen: int | None
    remote: str

    @staticmethod
    def of(row: GatewayNotification) -> NotificationLogView:
        payload = row.payload or {}
        try:
            amount: int | None = int(str(payload.get("amount_fen")))
        except ValueError:
            amount = None
        return NotificationLogView(
            row.id, row.intent_id, row.received_at, row.signature_ok, row.outcome, str(payload.get("status", "")),
            amount, row.remote,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BillStatus:
    bill_id: int
    remaining: str
    remaining_fen: int
    paid: bool


@dataclass(frozen=True)
class MyPayments:
    balance: str  # what they owe (negative: credit in their favour)
    balance_fen: int
    owed: str  # max(balance, 0): the default amount to pay
    credit: str  # max(−balance, 0)
    intents: list[IntentView]
    payments: list[PaymentView]
    refunds: list[RefundView]
    bills: list[BillStatus]
