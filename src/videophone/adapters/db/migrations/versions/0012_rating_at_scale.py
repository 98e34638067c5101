"""call records and call charges for signaling and rating at scale

* ``call_records``: the single-column indexes on ``caller_id``, ``callee_id`` and ``state`` gave
  way to ``(caller_id, started_at, id, billable_seconds, outcome, state)`` — everything rating
  reads of a caller's month, so it never visits the table —, ``(callee_id, started_at)`` and a
  partial index of the calls still going.  With the old ``state`` index SQLite answered "this
  caller's ended calls of the month" (rating at every call end) by walking every ended call.
* ``call_charges``: its foreign keys are dropped (ADR 0006).  Charges are derived data: written only
  by rating, from the call records read in the same transaction (records are never deleted, and
  name the caller who is the charge's subscriber); plan prices are never deleted; and the whole
  table can be derived again with ``videophone billing rate``.  On PostgreSQL each foreign key is a
  locking look-up per row written (8 µs of the 15 µs a charge row cost), and rating a month writes a
  row per call.

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
CALLER_MONTH = ["caller_id", "started_at", "id", "billable_seconds", "outcome", "state"]


def upgrade() -> None:
    op.create_index("ix_call_records_caller_started", "call_records", CALLER_MONTH)
    op.create_index("ix_call_records_callee_started", "call_records", ["callee_id", "started_at"])
    op.create_index("ix_call_records_open", "call_records", ["state"], sqlite_where=OPEN, postgresql_where=OPEN)
    op.drop_index("ix_call_records_caller_id", table_name="call_records")
    op.drop_index("ix_call_records_callee_id", table_name="call_records")
    op.drop_index("ix_call_records_state", table_name="call_records")
    with op.batch_alter_table("call_charges") as batch_op:
        batch_op.drop_constraint("fk_call_charges_call_id_call_records", type_="foreignkey")
        batch_op.drop_constraint("fk_call_charges_subscriber_id_subscribers", type_="foreignkey")
        batch_op.drop_constraint("fk_call_charges_plan_price_id_plan_prices", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("call_charges") as batch_op:
        batch_op.create_foreign_key("fk_call_charges_call_id_call_records", "call_records", ["call_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_call_charges_plan_price_id_plan_prices", "plan_prices", ["plan_price_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_call_charges_subscriber_id_subscribers", "subscribers", ["subscriber_id"], ["id"]
        )
    op.create_index("ix_call_records_state", "call_records", ["state"])
    op.create_index("ix_call_records_callee_id", "call_records", ["callee_id"])
    op.create_index("ix_call_records_caller_id", "call_records", ["caller_id"])
    op.drop_index("ix_call_records_open", table_name="call_records")
    op.drop_index("ix_call_records_callee_started", table_name="call_records")
    op.drop_index("ix_call_records_caller_started", table_name="call_records")
