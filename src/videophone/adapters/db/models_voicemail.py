"""Tables of video voicemail (R-18, issue 14).  Changes here need an Alembic migration (0018_voicemail.py).

The recordings themselves are not here: they are blobs (``adapters/blobs``, encrypted at rest) under
``voicemail/<callee id>/<message id>`` and ``voicemail/<subscriber id>/greeting``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class VoicemailBox(Base):
    """A subscriber's mailbox: its greeting (if they recorded one) and the lock that serializes deposits
    into it (the storage cap is checked under it)."""

    __tablename__ = "voicemail_boxes"
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    greeting_content_type: Mapped[str] = mapped_column(String(64), default="")  # "" = the default greeting
    greeting_bytes: Mapped[int] = mapped_column(Integer, default=0)
    greeting_seconds: Mapped[int] = mapped_column(Integer, default=0)
    greeting_updated_at: Mapped[datetime | None] = mapped_column(nullable=True)


class VoicemailDeposit(Base):
    """A single-use permission to leave one message: issued when a call is diverted to voicemail, bound to
    the call, its caller and its callee; only the SHA-256 of the token is stored."""

    __tablename__ = "voicemail_deposits"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36), index=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    callee_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    max_seconds: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class VoicemailMessage(Base):
    """One video message in a callee's mailbox."""

    __tablename__ = "voicemail_messages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex; also the blob's last segment
    callee_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    caller_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    call_id: Mapped[str] = mapped_column(String(36), unique=True)  # one message per call
    duration_ms: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(BigId)
    content_type: Mapped[str] = mapped_column(String(64))
    left_at: Mapped[datetime]
    read_at: Mapped[datetime | None] = mapped_column(nullable=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (Index("ix_voicemail_messages_callee_left", "callee_id", "left_at"),)
