"""Tables of outages.  Changes here need an Alembic migration (0009_outages.py)."""

from __future__ import annotations

from videophone.adapters.db.models import Base  # noqa: F401 - the tables below subclass it
