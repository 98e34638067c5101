"""Tables of terminals, warranty and client releases.  Changes here need an Alembic migration (0010_terminals.py)."""

from __future__ import annotations

from videophone.adapters.db.models import Base  # noqa: F401 - the tables below subclass it
