"""outages

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", ID, nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credited_accounts", sa.Integer(), nullable=False),
        sa.Column("credited_total_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["staff_users.id"], name=op.f("fk_outages_created_by_staff_users")),
        sa.ForeignKeyConstraint(["closed_by"], ["staff_users.id"], name=op.f("fk_outages_closed_by_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outages")),
    )
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outages_state"), ["state"], unique=False)

    op.create_table(
        "outage_subscribers",
        sa.Column("outage_id", ID, nullable=False),
        sa.Column("subscriber_id", ID, nullable=False),
        sa.ForeignKeyConstraint(["outage_id"], ["outages.id"], name=op.f("fk_outage_subscribers_outage_id_outages")),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_outage_subscribers_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("outage_id", "subscriber_id", name=op.f("pk_outage_subscribers")),
    )
    with op.batch_alter_table("outage_subscribers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outage_subscribers_subscriber_id"), ["subscriber_id"], unique=False)

    op.create_table(
        "outage_credits",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("outage_id", ID, nullable=False),
        sa.Column("subscriber_id", ID, nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("transaction_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outage_id"], ["outages.id"], name=op.f("fk_outage_credits_outage_id_outages")),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_outage_credits_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_outage_credits_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outage_credits")),
    )
    with op.batch_alter_table("outage_credits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outage_credits_subscriber_id"), ["subscriber_id"], unique=False)
        batch_op.create_index("uq_outage_credits_outage_subscriber", ["outage_id", "subscriber_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("outage_credits", schema=None) as batch_op:
        batch_op.drop_index("uq_outage_credits_outage_subscriber")
        batch_op.drop_index(batch_op.f("ix_outage_credits_subscriber_id"))
    op.drop_table("outage_credits")
    with op.batch_alter_table("outage_subscribers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outage_subscribers_subscriber_id"))
    op.drop_table("outage_subscribers")
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outages_state"))
    op.drop_table("outages")
