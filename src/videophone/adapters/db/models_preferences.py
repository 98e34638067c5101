"""Tables of notification preferences.  Changes here need an Alembic migration (0011_notification_preferences.py)."""

from __future__ import annotations

from videophone.adapters.db.models import Base  # noqa: F401 - the tables below subclass it
