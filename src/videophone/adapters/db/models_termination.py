"""Tables of termination (R-32).  Changes here need an Alembic migration (0007_termination.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class TerminationRequest(Base):
    """One termination of the agreement: asked by the subscriber (open, ``awaiting_payment``, until
    everything owed is paid, then ``closed``; or ``withdrawn``), or decided by the operator (recorded
    ``closed`` at once, the debt kept for collection)."""

    __tablename__ = "termination_requests"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    initiator: Mapped[str] = mapped_column(String(16))  # subscriber | operator
    reason: Mapped[str] = mapped_column(String(24))  # subscriber | breach | illegal | inactivity | violation | arrears
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(24), index=True)  # awaiting_payment | closed | withdrawn
    number: Mapped[str] = mapped_column(String(20))  # the number at the request (quarantined at closing)
    requested_at: Mapped[datetime]
    termination_date: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    owed_at_request_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    final_bills: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{id, number, period, total_due}]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    refund_due_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (
        # At most one request awaiting payment per subscriber.
        Index(
            "uq_termination_requests_open",
            "subscriber_id",
            unique=True,
            sqlite_where=text("state = 'awaiting_payment'"),
            postgresql_where=text("state = 'awaiting_payment'"),
        ),
    )


class InactivityNotice(Base):
    """The notice an inactive account gets before it is terminated (``open`` → ``cleared`` when the
    account is used again, or ``terminated``)."""

    __tablename__ = "inactivity_notices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    notified_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    terminate_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))  # open | cleared | terminated
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (
        Index(
            "uq_inactivity_notices_open",
            "subscriber_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )
