"""What the bill run and the bills read as: a bill with its lines, a run, a run's summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from videophone.adapters.db.models import Bill, BillLine, BillRun, Subscriber
from videophone.kernel.money import Money
from videophone.kernel.text import in_language


def yuan_text(money: Money) -> str:
    """``123.45``: an amount as the views and notices show it."""
    return str(money.yuan)


@dataclass(frozen=True)
class BillLineView:
    position: int
    kind: str
    description: str
    quantity: str
    amount: str
    amount_fen: int

    @staticmethod
    def of(row: BillLine, language: str = "zh-CN") -> BillLineView:
        """The line in the reader's ``language`` (stored in both; the other one when one is empty)."""
        return BillLineView(
            row.position,
            row.kind,
            in_language(language, row.description, row.description_en),
            in_language(language, row.quantity, row.quantity_en),
            yuan_text(Money(row.amount_fen)),
            row.amount_fen,
        )


@dataclass(frozen=True)
class BillView:
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
    subscriber_number: str = ""
    subscriber_name: str = ""
    lines: tuple[BillLineView, ...] = ()

    @staticmethod
    def of(
        row: Bill, lines: Sequence[BillLine] = (), subscriber: Subscriber | None = None, language: str = "zh-CN"
    ) -> BillView:
        return BillView(
            id=row.id,
            number=row.number,
            subscriber_id=row.subscriber_id,
            period=row.period,
            issued_at=row.issued_at,
            due_date=row.due_date,
            previous_balance=yuan_text(Money(row.previous_balance_fen)),
            payments=yuan_text(Money(row.payments_fen)),
            new_charges=yuan_text(Money(row.new_charges_fen)),
            total_due=yuan_text(Money(row.total_due_fen)),
            total_due_fen=row.total_due_fen,
            total_due_text=str(Money(row.total_due_fen)),
            state=row.state,
            subscriber_number=subscriber.number if subscriber else "",
            subscriber_name=subscriber.name if subscriber else "",
            lines=tuple(BillLineView.of(line, language) for line in sorted(lines, key=lambda x: x.position)),
        )


@dataclass(frozen=True)
class RunView:
    id: int
    period: str
    started_at: datetime
    finished_at: datetime | None
    started_by: int | None
    accounts: int
    bills_created: int
    state: str
    heartbeat_at: datetime

    @staticmethod
    def of(row: BillRun) -> RunView:
        return RunView(
            row.id,
            row.period,
            row.started_at,
            row.finished_at,
            row.started_by,
            row.accounts,
            row.bills_created,
            row.state,
            row.heartbeat_at,
        )


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    period: str
    accounts: int  # accounts that needed a bill when the run started
    bills_created: int
    already_billed: int  # accounts of the period billed before this run
    total_new_charges: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
