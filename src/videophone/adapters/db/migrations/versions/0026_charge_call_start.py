"""the rated call's start on its charge, so the call-ended hook rates only the calls that just ended

At every call end the hook rated the caller's whole month again: every qualifying call of the month
and every stored charge shipped to Python (~150 rows each, twice, per call end in a load test).  It
now rates only the calls that just ended, with the allowance the month's stored charges left —
exact only when every stored charge is of a call that started before them, which the charges alone
must prove in one aggregate statement.

* ``call_charges.started_at`` (nullable): the rated call's ``call_records.started_at``, written by
  every rating.  Existing charges get it from their call record (one correlated subquery, on SQLite
  and PostgreSQL alike); a charge whose record is gone keeps NULL, and its month is rated in full
  (which writes it) the next time one of its calls ends.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_charges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE call_charges SET started_at ="
        " (SELECT call_records.started_at FROM call_records WHERE call_records.id = call_charges.call_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("call_charges", schema=None) as batch_op:
        batch_op.drop_column("started_at")
