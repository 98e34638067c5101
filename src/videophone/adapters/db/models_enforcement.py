"""Tables of violations and lawful suspension.  Changes here need an Alembic migration (0006_enforcement.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class Violation(Base):
    """A measure staff took for a breach of the agreement (R-30): warning, outgoing calls barred, a
    value-added service withdrawn, suspension or termination; restrictive ones stay open until lifted."""

    __tablename__ = "violations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))  # warning | restrict_outgoing | withdraw_vas | suspend | terminate
    reason: Mapped[str] = mapped_column(Text)
    vas_code: Mapped[str] = mapped_column(String(32), default="")  # withdraw_vas: the service withdrawn
    state: Mapped[str] = mapped_column(String(16))  # open (restrictive, in force) | lifted | done
    issued_at: Mapped[datetime]
    issued_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    lift_reason: Mapped[str] = mapped_column(Text, default="")


class ViolationEvidence(Base):
    """An evidence file attached to a violation (image or PDF, sealed like identity documents)."""

    __tablename__ = "violation_evidence"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM sealed bytes
    uploaded_at: Mapped[datetime]


class LawfulSuspension(Base):
    """A suspension an authority required (R-31).  The reference is encrypted and shown only to staff
    with ``lawful_suspension``; rent continues (``domain.billing.rent_continues``)."""

    __tablename__ = "lawful_suspensions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    authority: Mapped[str] = mapped_column(String(200))
    reference_enc: Mapped[str] = mapped_column(Text)  # FieldCipher.encrypt, context lawful_suspensions.reference
    scope: Mapped[str] = mapped_column(String(16))  # both (no calls either way)
    period_from: Mapped[date] = mapped_column(Date)  # the operator's calendar; not after the day recorded
    period_to: Mapped[date | None] = mapped_column(Date, nullable=True)  # last day, inclusive; None: until lifted
    state: Mapped[str] = mapped_column(String(16), index=True)  # active | lifted | expired
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    lift_reason: Mapped[str] = mapped_column(Text, default="")
