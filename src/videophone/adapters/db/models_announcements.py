"""Tables of announcements and agreement changes.  Changes here need an Alembic migration (0008_announcements.py)."""

from __future__ import annotations

from videophone.adapters.db.models import Base  # noqa: F401 - the tables below subclass it
