"""Tables of notification preferences.  Changes here need an Alembic migration (0011_notification_preferences.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base


class NotificationPreference(Base):
    """A subscriber's choice for one (category, channel) of notifications (R-35).  Only choices the
    subscriber made are stored; a missing row means the default (``domain.notification_prefs.DEFAULTS``)."""

    __tablename__ = "notification_preferences"
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)  # email | sms
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]
