"""violations and lawful suspension

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "violations",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", _ID, nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("vas_code", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", _ID, nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", _ID, nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_violations_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(["issued_by"], ["staff_users.id"], name=op.f("fk_violations_issued_by_staff_users")),
        sa.ForeignKeyConstraint(["lifted_by"], ["staff_users.id"], name=op.f("fk_violations_lifted_by_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
    )
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violations_subscriber_id"), ["subscriber_id"], unique=False)

    op.create_table(
        "violation_evidence",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("violation_id", _ID, nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["violation_id"], ["violations.id"], name=op.f("fk_violation_evidence_violation_id_violations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violation_evidence")),
    )
    with op.batch_alter_table("violation_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violation_evidence_violation_id"), ["violation_id"], unique=False)

    op.create_table(
        "lawful_suspensions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", _ID, nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("reference_enc", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", _ID, nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", _ID, nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_lawful_suspensions_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff_users.id"], name=op.f("fk_lawful_suspensions_recorded_by_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by"], ["staff_users.id"], name=op.f("fk_lawful_suspensions_lifted_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lawful_suspensions")),
    )
    with op.batch_alter_table("lawful_suspensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lawful_suspensions_subscriber_id"), ["subscriber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lawful_suspensions_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lawful_suspensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lawful_suspensions_state"))
        batch_op.drop_index(batch_op.f("ix_lawful_suspensions_subscriber_id"))
    op.drop_table("lawful_suspensions")
    with op.batch_alter_table("violation_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_violation_evidence_violation_id"))
    op.drop_table("violation_evidence")
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_violations_subscriber_id"))
    op.drop_table("violations")
