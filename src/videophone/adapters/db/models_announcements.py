"""Tables of announcements and agreement changes.  Changes here need an Alembic migration (0008_announcements.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class Announcement(Base):
    """A service announcement (R-33).  ``state``: scheduled → delivering → delivered (every targeted
    subscriber has its notification); an agreement change links the version it publishes."""

    __tablename__ = "announcements"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(16))  # all | numbers
    publish_at: Mapped[datetime] = mapped_column(index=True)
    effective_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    agreement_version: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_versions.version"), nullable=True, unique=True
    )
    objection_window_end: Mapped[datetime | None] = mapped_column(nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[datetime]


class AnnouncementTarget(Base):
    """One subscriber of an announcement for a list of numbers (resolved when it is created)."""

    __tablename__ = "announcement_targets"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))

    __table_args__ = (UniqueConstraint("announcement_id", "subscriber_id", name="uq_announcement_targets_pair"),)


class AnnouncementDelivery(Base):
    """The announcement was notified to this subscriber (the unique pair makes the job idempotent)."""

    __tablename__ = "announcement_deliveries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    notification_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    delivered_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("announcement_id", "subscriber_id", name="uq_announcement_deliveries_pair"),)


class AnnouncementRead(Base):
    """The subscriber has read the announcement in the portal (the unread marker)."""

    __tablename__ = "announcement_reads"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    read_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("announcement_id", "subscriber_id", name="uq_announcement_reads_pair"),)


class AgreementObjection(Base):
    """A subscriber's objection to a new agreement version (003 §15): a negotiation case for staff."""

    __tablename__ = "agreement_objections"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    agreement_version: Mapped[int] = mapped_column(Integer, ForeignKey("agreement_versions.version"))
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | accepted | not_agreed
    opened_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("subscriber_id", "agreement_version", name="uq_agreement_objections_pair"),
        Index("ix_agreement_objections_state", "state", "opened_at"),
    )
