"""termination

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "termination_requests",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", BIGID, nullable=False),
        sa.Column("initiator", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("termination_date", sa.Date(), nullable=False),
        sa.Column("requested_by", BIGID, nullable=True),
        sa.Column("owed_at_request_fen", sa.BigInteger(), nullable=False),
        sa.Column("final_bills", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_due_fen", sa.BigInteger(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_termination_requests_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["staff_users.id"], name=op.f("fk_termination_requests_requested_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termination_requests")),
    )
    with op.batch_alter_table("termination_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_termination_requests_subscriber_id"), ["subscriber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_termination_requests_state"), ["state"], unique=False)
    op.create_index(
        "uq_termination_requests_open",
        "termination_requests",
        ["subscriber_id"],
        unique=True,
        sqlite_where=sa.text("state = 'awaiting_payment'"),
        postgresql_where=sa.text("state = 'awaiting_payment'"),
    )

    op.create_table(
        "inactivity_notices",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", BIGID, nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terminate_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_inactivity_notices_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inactivity_notices")),
    )
    with op.batch_alter_table("inactivity_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inactivity_notices_subscriber_id"), ["subscriber_id"], unique=False)
    op.create_index(
        "uq_inactivity_notices_open",
        "inactivity_notices",
        ["subscriber_id"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_inactivity_notices_open", table_name="inactivity_notices")
    with op.batch_alter_table("inactivity_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inactivity_notices_subscriber_id"))
    op.drop_table("inactivity_notices")
    op.drop_index("uq_termination_requests_open", table_name="termination_requests")
    with op.batch_alter_table("termination_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_termination_requests_state"))
        batch_op.drop_index(batch_op.f("ix_termination_requests_subscriber_id"))
    op.drop_table("termination_requests")
