"""Tables of violations and lawful suspension.  Changes here need an Alembic migration (0006_enforcement.py)."""

from __future__ import annotations

from videophone.adapters.db.models import Base  # noqa: F401 - the tables below subclass it
