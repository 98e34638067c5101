"""SIP credentials of terminals and softphones (issue 16, first slice: registration)

* ``sip_credentials``: a phone's digest user and HA1 (never the password), its realm, whether it was
  revoked, and its last registration (when, until when, user agent, address).

Revision ID: 0021
Revises: 0020
Create Date: 2027-01-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sip_credentials",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subscriber_id", _ID, nullable=False),
        sa.Column("terminal_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("auth_user", sa.String(length=64), nullable=False),
        sa.Column("ha1", sa.String(length=32), nullable=False),
        sa.Column("realm", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_register_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_user_agent", sa.String(length=200), nullable=False),
        sa.Column("last_address", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name=op.f("fk_sip_credentials_subscriber_id_subscribers")
        ),
        sa.ForeignKeyConstraint(
            ["terminal_id"], ["terminals.id"], name=op.f("fk_sip_credentials_terminal_id_terminals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sip_credentials")),
        sa.UniqueConstraint("auth_user", name=op.f("uq_sip_credentials_auth_user")),
    )
    op.create_index(op.f("ix_sip_credentials_subscriber_id"), "sip_credentials", ["subscriber_id"])
    op.create_index(op.f("ix_sip_credentials_terminal_id"), "sip_credentials", ["terminal_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sip_credentials_terminal_id"), table_name="sip_credentials")
    op.drop_index(op.f("ix_sip_credentials_subscriber_id"), table_name="sip_credentials")
    op.drop_table("sip_credentials")
