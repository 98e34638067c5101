"""call records: indexes for a party's calls in time order and for the calls still going

The single-column indexes on ``caller_id``, ``callee_id`` and ``state`` gave way to
``(caller_id, started_at)``, ``(callee_id, started_at)`` and a partial index of the open calls.
With the old ``state`` index SQLite answered "this caller's ended calls of the month" (rating at
every call end) by walking every ended call of every subscriber.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_call_records_caller_started", "call_records", ["caller_id", "started_at"])
    op.create_index("ix_call_records_callee_started", "call_records", ["callee_id", "started_at"])
    op.create_index("ix_call_records_open", "call_records", ["state"], sqlite_where=OPEN, postgresql_where=OPEN)
    op.drop_index("ix_call_records_caller_id", table_name="call_records")
    op.drop_index("ix_call_records_callee_id", table_name="call_records")
    op.drop_index("ix_call_records_state", table_name="call_records")


def downgrade() -> None:
    op.create_index("ix_call_records_state", "call_records", ["state"])
    op.create_index("ix_call_records_callee_id", "call_records", ["callee_id"])
    op.create_index("ix_call_records_caller_id", "call_records", ["caller_id"])
    op.drop_index("ix_call_records_open", table_name="call_records")
    op.drop_index("ix_call_records_callee_started", table_name="call_records")
    op.drop_index("ix_call_records_caller_started", table_name="call_records")
