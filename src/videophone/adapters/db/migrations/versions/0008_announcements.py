"""announcements and agreement changes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "announcements",
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agreement_version", sa.Integer(), nullable=True),
        sa.Column("objection_window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", big, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_version"],
            ["agreement_versions.version"],
            name=op.f("fk_announcements_agreement_version_agreement_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff_users.id"], name=op.f("fk_announcements_created_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint("agreement_version", name=op.f("uq_announcements_agreement_version")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_publish_at"), ["publish_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_state"), ["state"], unique=False)

    for table in ("announcement_targets", "announcement_deliveries", "announcement_reads"):
        columns: list[sa.Column[object]] = [
            sa.Column("id", big, autoincrement=True, nullable=False),
            sa.Column("announcement_id", big, nullable=False),
            sa.Column("subscriber_id", big, nullable=False),
        ]
        if table == "announcement_targets":
            columns.append(sa.Column("number", sa.String(length=20), nullable=False))
        elif table == "announcement_deliveries":
            columns.append(sa.Column("notification_id", big, nullable=True))
            columns.append(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False))
        else:
            columns.append(sa.Column("read_at", sa.DateTime(timezone=True), nullable=False))
        op.create_table(
            table,
            *columns,
            sa.ForeignKeyConstraint(
                ["announcement_id"], ["announcements.id"], name=op.f(f"fk_{table}_announcement_id_announcements")
            ),
            sa.ForeignKeyConstraint(
                ["subscriber_id"], ["subscribers.id"], name=op.f(f"fk_{table}_subscriber_id_subscribers")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("announcement_id", "subscriber_id", name=f"uq_{table}_pair"),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_subscriber_id"), ["subscriber_id"], unique=False)

    op.create_table(
        "agreement_objections",
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", big, nullable=False),
        sa.Column("agreement_version", sa.Integer(), nullable=False),
        sa.Column("announcement_id", big, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", big, nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_agreement_objections_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_version"],
            ["agreement_versions.version"],
            name=op.f("fk_agreement_objections_agreement_version_agreement_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_agreement_objections_announcement_id_announcements"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_users.id"], name=op.f("fk_agreement_objections_decided_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_objections")),
        sa.UniqueConstraint("subscriber_id", "agreement_version", name="uq_agreement_objections_pair"),
    )
    with op.batch_alter_table("agreement_objections", schema=None) as batch_op:
        batch_op.create_index("ix_agreement_objections_state", ["state", "opened_at"], unique=False)


def downgrade() -> None:
    op.drop_table("agreement_objections")
    for table in ("announcement_reads", "announcement_deliveries", "announcement_targets"):
        op.drop_table(table)
    op.drop_table("announcements")
