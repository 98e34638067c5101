"""Tables of outages (R-27).  Changes here need an Alembic migration (0009_outages.py, 0024_outage_causes.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class Outage(Base):
    """A service interruption staff recorded: open while ``ended_at`` is None, credited when closed."""

    __tablename__ = "outages"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(8))  # all | listed
    state: Mapped[str] = mapped_column(String(16), index=True)  # open | closed
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[datetime]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set when every affected account has been credited (None while crediting, or if it was killed).
    credited_at: Mapped[datetime | None] = mapped_column(nullable=True)
    credited_accounts: Mapped[int] = mapped_column(Integer, default=0)
    credited_total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # 003 §12–§14: operator | third_party | internet | force_majeure | government, and its evidence.
    cause: Mapped[str] = mapped_column(String(16), default="operator", server_default="operator")
    evidence: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Bumped when the cause changes who is owed a credit: the credits of earlier rounds are reversed.
    credit_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class OutageSubscriber(Base):
    """An account affected by an outage of scope ``listed``."""

    __tablename__ = "outage_subscribers"
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True, index=True)


class OutageCredit(Base):
    """The credit one account got for one outage in one credit round (at most one row per outage,
    account and round; amount may be 0), and its reversal when the cause changed afterwards."""

    __tablename__ = "outage_credits"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)
    created_at: Mapped[datetime]
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reversed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reversal_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)

    __table_args__ = (
        Index("uq_outage_credits_outage_subscriber_round", "outage_id", "subscriber_id", "round", unique=True),
    )
