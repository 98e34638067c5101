"""video voicemail (issue 14, R-18)

* ``voicemail_boxes``: a subscriber's greeting and the row deposits into their mailbox lock.
* ``voicemail_deposits``: single-use permissions to leave a message (token hashed, bound to a call).
* ``voicemail_messages``: the messages (the recordings are encrypted blobs, not rows).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "voicemail_boxes",
        sa.Column("subscriber_id", _ID, nullable=False),
        sa.Column("greeting_content_type", sa.String(length=64), nullable=False),
        sa.Column("greeting_bytes", sa.Integer(), nullable=False),
        sa.Column("greeting_seconds", sa.Integer(), nullable=False),
        sa.Column("greeting_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_voicemail_boxes_subscriber_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("subscriber_id", name=op.f("pk_voicemail_boxes")),
    )
    op.create_table(
        "voicemail_deposits",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("caller_id", _ID, nullable=False),
        sa.Column("callee_id", _ID, nullable=False),
        sa.Column("max_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["caller_id"], ["subscribers.id"], name=op.f("fk_voicemail_deposits_caller_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["callee_id"], ["subscribers.id"], name=op.f("fk_voicemail_deposits_callee_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_voicemail_deposits")),
    )
    op.create_index(op.f("ix_voicemail_deposits_call_id"), "voicemail_deposits", ["call_id"])
    op.create_index(op.f("ix_voicemail_deposits_callee_id"), "voicemail_deposits", ["callee_id"])
    op.create_index(op.f("ix_voicemail_deposits_expires_at"), "voicemail_deposits", ["expires_at"])
    op.create_table(
        "voicemail_messages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("callee_id", _ID, nullable=False),
        sa.Column("caller_id", _ID, nullable=False),
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("size_bytes", _ID, nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["callee_id"], ["subscribers.id"], name=op.f("fk_voicemail_messages_callee_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["caller_id"], ["subscribers.id"], name=op.f("fk_voicemail_messages_caller_id_subscribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voicemail_messages")),
        sa.UniqueConstraint("call_id", name=op.f("uq_voicemail_messages_call_id")),
    )
    op.create_index(op.f("ix_voicemail_messages_expires_at"), "voicemail_messages", ["expires_at"])
    op.create_index("ix_voicemail_messages_callee_left", "voicemail_messages", ["callee_id", "left_at"])


def downgrade() -> None:
    op.drop_index("ix_voicemail_messages_callee_left", table_name="voicemail_messages")
    op.drop_index(op.f("ix_voicemail_messages_expires_at"), table_name="voicemail_messages")
    op.drop_table("voicemail_messages")
    op.drop_index(op.f("ix_voicemail_deposits_expires_at"), table_name="voicemail_deposits")
    op.drop_index(op.f("ix_voicemail_deposits_callee_id"), table_name="voicemail_deposits")
    op.drop_index(op.f("ix_voicemail_deposits_call_id"), table_name="voicemail_deposits")
    op.drop_table("voicemail_deposits")
    op.drop_table("voicemail_boxes")
