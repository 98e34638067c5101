"""Tables of termination and notification preferences.  Changes here need an Alembic migration (0007_termination.py)."""

from __future__ import annotations

from videophone.adapters.db.models import Base  # noqa: F401 - the tables below subclass it
