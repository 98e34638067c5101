"""Outages by cause (issue 17, agreement 003 §12–§14)

* ``outages.cause`` (operator | third_party | internet | force_majeure | government) and
  ``outages.evidence`` (text); ``outages.credit_round``, bumped when a change of cause changes who is
  owed a credit.
* ``outage_credits.round``, ``reversed_at``, ``reversal_transaction_id``: a credit of an earlier round is
  reversed by a ledger entry; the unique index is now (outage, account, round).

Existing outages get the cause ``operator`` and no evidence: until now every recorded outage of 24 h
or more was credited as the operator's own fault, so that is the meaning they were recorded with, and
the credits they gave stay given (their rows are round 0, the round of an outage whose cause never
changed).

Revision ID: 0024
Revises: 0023
Create Date: 2027-01-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cause", sa.String(length=16), server_default="operator", nullable=False))
        batch_op.add_column(sa.Column("evidence", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("credit_round", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("outage_credits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reversal_transaction_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outage_credits_reversal_transaction_id_ledger_transactions"),
            "ledger_transactions",
            ["reversal_transaction_id"],
            ["id"],
        )
        batch_op.drop_index("uq_outage_credits_outage_subscriber")
        batch_op.create_index(
            "uq_outage_credits_outage_subscriber_round", ["outage_id", "subscriber_id", "round"], unique=True
        )


def downgrade() -> None:
    # Going down forgets the rounds: only round 0 can keep the old unique index.
    op.execute("DELETE FROM outage_credits WHERE round > 0")
    with op.batch_alter_table("outage_credits", schema=None) as batch_op:
        batch_op.drop_index("uq_outage_credits_outage_subscriber_round")
        batch_op.create_index("uq_outage_credits_outage_subscriber", ["outage_id", "subscriber_id"], unique=True)
        batch_op.drop_constraint(
            batch_op.f("fk_outage_credits_reversal_transaction_id_ledger_transactions"), type_="foreignkey"
        )
        batch_op.drop_column("reversal_transaction_id")
        batch_op.drop_column("reversed_at")
        batch_op.drop_column("round")
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.drop_column("credit_round")
        batch_op.drop_column("evidence")
        batch_op.drop_column("cause")
