"""caller ID (来电显示) decided at the time of the call (issue 14, R-16)

* ``call_records.caller_presented``: whether the callee was shown the caller's number and name — the
  callee held caller ID when the call was placed (ADR 0009).  Calls recorded before this step were
  shown to everyone, so they keep ``true`` (the column's server default: rows written by anything but
  the signaling hub, which always sets it, count as presented).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch copy of ``call_records`` on SQLite would rebuild a table
    # that may be large, and its partial index with it.
    op.add_column("call_records", sa.Column("caller_presented", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("call_records", "caller_presented")  # SQLite ≥ 3.35 drops a column in place
