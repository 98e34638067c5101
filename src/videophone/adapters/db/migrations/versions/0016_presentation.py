"""caller ID (来电显示) decided at the time of the call; the second number (第二号码) (issue 14, R-16, R-19)

* ``call_records.caller_presented``: whether the callee was shown the caller's number and name — the
  callee held caller ID when the call was placed (ADR 0009).  Calls recorded before this step were
  shown to everyone, so they keep ``true`` (the column's server default: rows written by anything but
  the signaling hub, which always sets it, count as presented).
* ``phone_numbers.role``: ``primary`` (the subscriber's number, ``subscribers.number``) or ``second``
  (the number the second-number service holds, from the same pool under the same rules, released to
  quarantine when the service stops); every existing row is a primary number.  An index on
  ``(subscriber_id, role)`` finds a subscriber's second number (the invite reads it).

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
    op.add_column("phone_numbers", sa.Column("role", sa.String(length=16), nullable=False, server_default="primary"))
    op.create_index("ix_phone_numbers_subscriber_role", "phone_numbers", ["subscriber_id", "role"])


def downgrade() -> None:
    op.drop_index("ix_phone_numbers_subscriber_role", table_name="phone_numbers")
    op.drop_column("phone_numbers", "role")
    op.drop_column("call_records", "caller_presented")  # SQLite ≥ 3.35 drops a column in place
