"""The media path a browser reports with its quality samples (issue 16, the console's live calls)

* ``call_quality_samples.media_path``: "p2p" or "turn" as the browser's selected ICE candidate pair
  showed it when the sample was taken; NULL for samples that did not report it (all older ones).

Revision ID: 0022
Revises: 0021
Create Date: 2027-01-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column is added in place on SQLite and PostgreSQL alike (no table rebuild).
    op.add_column("call_quality_samples", sa.Column("media_path", sa.String(length=8), nullable=True))


def downgrade() -> None:
    # SQLite ≥ 3.35 drops a column in place
    op.drop_column("call_quality_samples", "media_path")
