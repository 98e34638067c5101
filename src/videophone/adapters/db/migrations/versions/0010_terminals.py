"""terminals, warranty and client releases

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "terminals",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=16), nullable=False),
        sa.Column("subscriber_id", _ID, nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.Column("voided_on", sa.Date(), nullable=True),
        sa.Column("void_note", sa.Text(), nullable=False),
        sa.Column("replaces_id", _ID, nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_terminals_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(["replaces_id"], ["terminals.id"], name=op.f("fk_terminals_replaces_id_terminals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals")),
        sa.UniqueConstraint("serial", name=op.f("uq_terminals_serial")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_terminals_token_hash")),
    )
    with op.batch_alter_table("terminals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_terminals_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_terminals_subscriber_id"), ["subscriber_id"], unique=False)

    op.create_table(
        "warranty_claims",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("terminal_id", _ID, nullable=False),
        sa.Column("subscriber_id", _ID, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warranty_end", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", _ID, nullable=True),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("replacement_id", _ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["terminal_id"], ["terminals.id"], name=op.f("fk_warranty_claims_terminal_id_terminals")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_warranty_claims_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_users.id"], name=op.f("fk_warranty_claims_decided_by_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["replacement_id"], ["terminals.id"], name=op.f("fk_warranty_claims_replacement_id_terminals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claims")),
    )
    with op.batch_alter_table("warranty_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warranty_claims_terminal_id"), ["terminal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_warranty_claims_subscriber_id"), ["subscriber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_warranty_claims_state"), ["state"], unique=False)

    op.create_table(
        "warranty_photos",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("claim_id", _ID, nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["warranty_claims.id"], name=op.f("fk_warranty_photos_claim_id_warranty_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_photos")),
    )
    with op.batch_alter_table("warranty_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warranty_photos_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "client_releases",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", _ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by"], ["staff_users.id"], name=op.f("fk_client_releases_published_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_releases")),
        sa.UniqueConstraint("platform", "version", name="uq_client_releases_platform_version"),
    )
    with op.batch_alter_table("client_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_releases_platform"), ["platform"], unique=False)


def downgrade() -> None:
    op.drop_table("client_releases")
    op.drop_table("warranty_photos")
    op.drop_table("warranty_claims")
    op.drop_table("terminals")
