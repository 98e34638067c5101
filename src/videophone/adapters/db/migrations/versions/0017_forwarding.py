"""call forwarding (呼叫转移, issue 14, R-17)

* ``forwarding_rules``: a subscriber's forwarding per condition (unconditional, busy, no answer after
  N seconds, unreachable) to another number of the service or to their own voicemail.
* ``call_records.leg_of`` / ``forwarded_by`` / ``forwarded_to`` / ``forward_reason``: a forwarded leg is
  a call record of its own, linked to the call that was dialled (ADR 0010).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "forwarding_rules",
        sa.Column("subscriber_id", BigId, nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("target_number", sa.String(length=20), nullable=False, server_default=""),
        sa.Column("delay_seconds", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_forwarding_rules_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "condition", name=op.f("pk_forwarding_rules")),
    )
    with op.batch_alter_table("call_records") as batch_op:
        batch_op.add_column(sa.Column("leg_of", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("forwarded_by", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("forwarded_to", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("forward_reason", sa.String(length=16), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_call_records_leg_of"), ["leg_of"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_records_leg_of"))
        batch_op.drop_column("forward_reason")
        batch_op.drop_column("forwarded_to")
        batch_op.drop_column("forwarded_by")
        batch_op.drop_column("leg_of")
    op.drop_table("forwarding_rules")
