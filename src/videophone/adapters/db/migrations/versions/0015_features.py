"""value-added services turn calling features on (issue 14)

* ``value_added_services.feature``: the calling feature a catalog entry is bound to (caller_id,
  forwarding, voicemail, second_number), or NULL for a fee-only service.  The four entries of the
  built-in catalog are bound by their code.
* ``vas_subscriptions.stopped_at``: when a subscription's feature stopped (removed by the subscriber
  or withdrawn by a violation measure).  The day of removal stays billed (``end_date`` is the next
  day), but the feature stops at once.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FEATURES = ("caller_id", "forwarding", "voicemail", "second_number")


def upgrade() -> None:
    with op.batch_alter_table("value_added_services") as batch_op:
        batch_op.add_column(sa.Column("feature", sa.String(length=32), nullable=True))
    with op.batch_alter_table("vas_subscriptions") as batch_op:
        batch_op.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
    vas = sa.table("value_added_services", sa.column("code", sa.String), sa.column("feature", sa.String))
    for feature in FEATURES:
        op.execute(vas.update().where(vas.c.code == feature).values(feature=feature))


def downgrade() -> None:
    with op.batch_alter_table("vas_subscriptions") as batch_op:
        batch_op.drop_column("stopped_at")
    with op.batch_alter_table("value_added_services") as batch_op:
        batch_op.drop_column("feature")
