"""Web Push subscriptions (issue 15, R-36)

* ``push_subscriptions``: one per browser (device) of a subscriber that enabled notifications.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", _ID, nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=100), nullable=False),
        sa.Column("auth", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_push_subscriptions_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscriptions_endpoint")),
    )
    op.create_index(op.f("ix_push_subscriptions_subscriber_id"), "push_subscriptions", ["subscriber_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_push_subscriptions_subscriber_id"), table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
