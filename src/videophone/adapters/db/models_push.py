"""Tables of Web Push (R-36, issue 15).  Changes here need an Alembic migration (0019_push.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class PushSubscription(Base):
    """A browser's Web Push subscription (RFC 8030/8291): where the push service takes messages for one
    device of a subscriber (the signaling device id the page uses), and the keys to encrypt them with."""

    __tablename__ = "push_subscriptions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))  # base64url of the browser's P-256 public key (65 bytes)
    auth: Mapped[str] = mapped_column(String(32))  # base64url of the 16-byte auth secret
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime]
    last_success_at: Mapped[datetime | None] = mapped_column(nullable=True)
