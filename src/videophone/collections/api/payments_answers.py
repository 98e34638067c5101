"""Answers of the payment routes (``web.api.payments``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from videophone.edge.answers.fields import Answer

IntentState = Literal["pending", "paid", "cancelled", "failed"]
PaymentMethod = Literal["gateway", "cash", "bank_transfer"]
RefundMethod = Literal["cash", "bank_transfer"]
Arrival = Literal[
    "counter", "notification", "reconciliation", "late_after_cancel", "late_after_expiry", "double_payment"
]


class IntentAnswer(Answer):
    id: str
    amount: str
    amount_fen: int
    state: IntentState
    bill_id: int | None
    created_at: datetime
    paid_at: datetime | None
    redirect_url: str  # the gateway's pay page (only when the intent is created)


class StartedPaymentAnswer(Answer):
    intent_id: str
    redirect_url: str
    intent: IntentAnswer


class PaymentAnswer(Answer):
    id: int
    subscriber_id: int
    method: PaymentMethod
    amount: str
    amount_fen: int
    receipt_no: str | None
    intent_id: str | None
    received_at: datetime
    note: str
    arrival: Arrival
    gateway_trade_no: str | None
    late: bool  # confirmed by the gateway after its intent was closed, or a second payment of it
    subscriber_number: str
    balance: str  # what the subscriber owes after it (only where asked, else "")


class RefundAnswer(Answer):
    id: int
    subscriber_id: int
    amount: str
    amount_fen: int
    method: RefundMethod
    reason: str
    created_at: datetime
    balance: str


class BillStatusAnswer(Answer):
    bill_id: int
    remaining: str
    remaining_fen: int
    paid: bool


class MyPaymentsAnswer(Answer):
    balance: str  # what they owe (negative: credit in their favour)
    balance_fen: int
    owed: str  # max(balance, 0): the default amount to pay
    credit: str  # max(−balance, 0)
    intents: list[IntentAnswer]
    payments: list[PaymentAnswer]
    refunds: list[RefundAnswer]
    bills: list[BillStatusAnswer]


class PendingIntentAnswer(IntentAnswer):
    subscriber_number: str


class NotificationLogAnswer(Answer):
    id: int
    intent_id: str | None
    received_at: datetime
    signature_ok: bool
    outcome: str
    status: str  # the status the gateway reported ("" if none)
    amount_fen: int | None
    remote: str


class PaymentSubscriberAnswer(Answer):
    id: int
    number: str
    name: str
    service_state: str
    balance: str
    credit: str


class PaymentsConsoleAnswer(Answer):
    subscriber: PaymentSubscriberAnswer | None  # with ``number`` only
    payments: list[PaymentAnswer]
    late_confirmations: list[PaymentAnswer]  # confirmed after the intent was closed, or paid twice
    pending_intents: list[PendingIntentAnswer]
    notifications: list[NotificationLogAnswer]
