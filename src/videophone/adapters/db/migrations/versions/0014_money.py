"""late gateway confirmations are credited; a killed bill run is found by its heartbeat

* ``payments``: ``gateway_trade_no`` (unique: a gateway payment is credited once per trade number)
  and ``arrival`` (how the money came: counter, notification, reconciliation, or — listed to billing
  staff — late_after_cancel, late_after_expiry, double_payment).  ``intent_id`` is no longer unique
  (an intent paid twice has two payments), only indexed.  Existing rows are filled in: the trade
  number from their intent, the arrival from their method and the notification log.
* ``bill_runs.heartbeat_at``: the running process's last sign of life (ADR 0004); existing rows
  take their start time.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bill_runs") as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE bill_runs SET heartbeat_at = COALESCE(finished_at, started_at)")
    with op.batch_alter_table("bill_runs") as batch_op:
        batch_op.alter_column("heartbeat_at", existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table("payments") as batch_op:
        batch_op.add_column(sa.Column("gateway_trade_no", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("arrival", sa.String(length=24), nullable=False, server_default="counter"))
    op.execute(
        "UPDATE payments SET arrival = 'notification', gateway_trade_no = "
        "(SELECT gateway_trade_no FROM payment_intents WHERE payment_intents.id = payments.intent_id) "
        "WHERE intent_id IS NOT NULL"
    )
    op.execute(
        "UPDATE payments SET arrival = 'reconciliation' WHERE intent_id IN "
        "(SELECT intent_id FROM gateway_notifications WHERE outcome = 'reconciled_applied')"
    )
    with op.batch_alter_table("payments") as batch_op:
        batch_op.alter_column("arrival", existing_type=sa.String(length=24), server_default=None)
        batch_op.drop_constraint("uq_payments_intent_id", type_="unique")
        batch_op.create_index("ix_payments_intent_id", ["intent_id"], unique=False)
        batch_op.create_unique_constraint("uq_payments_gateway_trade_no", ["gateway_trade_no"])


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_constraint("uq_payments_gateway_trade_no", type_="unique")
        batch_op.drop_index("ix_payments_intent_id")
        batch_op.create_unique_constraint("uq_payments_intent_id", ["intent_id"])
        batch_op.drop_column("arrival")
        batch_op.drop_column("gateway_trade_no")
    with op.batch_alter_table("bill_runs") as batch_op:
        batch_op.drop_column("heartbeat_at")
