"""the month's charges indexed by their call's start, so the call-ended hook counts only unrated calls

To prove that the stored charges of a month are the rating of every qualifying call but the ones that
just ended, the hook counted every qualifying call of the caller's month at every call end: a heap
visit per call of the month (half the database's time in bench/signaling once a caller had a hundred
calls).  It now counts only the calls from the latest start a charge of the month holds on
(``store.call_charges.unrated_up_to``): the latest start, and the charges holding it, are read off
this index.

* ``ix_call_charges_subscriber_period`` (``subscriber_id, period``) gives way to
  ``ix_call_charges_subscriber_period_start`` (``subscriber_id, period, started_at``), which serves
  every look-up the old one did.

Building it blocks writes to ``call_charges`` (the upgrade is one transaction); docs/operations.md.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_call_charges_subscriber_period_start", "call_charges", ["subscriber_id", "period", "started_at"]
    )
    op.drop_index("ix_call_charges_subscriber_period", table_name="call_charges")


def downgrade() -> None:
    op.create_index("ix_call_charges_subscriber_period", "call_charges", ["subscriber_id", "period"])
    op.drop_index("ix_call_charges_subscriber_period_start", table_name="call_charges")
