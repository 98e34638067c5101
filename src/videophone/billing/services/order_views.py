"""What orders and the services a subscriber holds read as (R-21)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from videophone.adapters.db.models import Order, OrderItem
from videophone.kernel.money import Money


@dataclass(frozen=True)
class OrderItemView:
    item_kind: str
    code: str
    name: str
    action: str
    monthly_fee_fen: int
    monthly_fee: str
    price_detail: dict[str, Any]

    @staticmethod
    def of(row: OrderItem) -> OrderItemView:
        fee = Money(int(row.monthly_fee_fen))
        return OrderItemView(
            row.item_kind, row.code, row.name, row.action, fee.fen, str(fee.yuan), dict(row.price_detail)
        )


@dataclass(frozen=True)
class OrderView:
    id: int
    number: str
    kind: str
    state: str
    effective_date: date
    agreement_version: int
    created_at: datetime
    channel: str
    items: list[OrderItemView]
    monthly_fee_fen: int  # the sum of the items' monthly fees
    monthly_fee: str

    @staticmethod
    def of(row: Order, items: list[OrderItem]) -> OrderView:
        views = [OrderItemView.of(i) for i in items]
        total = Money(sum(i.monthly_fee_fen for i in views))
        return OrderView(
            row.id,
            row.number,
            row.kind,
            row.state,
            row.effective_date,
            row.agreement_version,
            row.created_at,
            row.channel,
            views,
            total.fen,
            str(total.yuan),
        )


@dataclass(frozen=True)
class HeldPlan:
    code: str
    name_zh: str
    name_en: str
    start_date: date
    end_date: date | None  # exclusive (the first day no longer covered)
    last_day: date | None
    monthly_fee_fen: int
    monthly_fee: str
    price: dict[str, Any]


@dataclass(frozen=True)
class HeldVas:
    code: str
    name_zh: str
    name_en: str
    start_date: date
    end_date: date | None  # exclusive
    last_day: date | None
    removable: bool
    monthly_fee_fen: int
    monthly_fee: str


@dataclass(frozen=True)
class CurrentServices:
    day: date
    review_state: str
    may_order: bool
    plan: HeldPlan | None
    pending_plan: HeldPlan | None  # a plan change ordered to start later
    vas: list[HeldVas]
    monthly_fee_fen: int  # plan rent + services in force on ``day``
    monthly_fee: str
