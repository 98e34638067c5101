"""the calls still going, indexed by what the invite's busy checks look up

Every invite asks "is the caller in a call, is the callee" (``store.signaling.open_call_of``).  The
partial index of open calls was keyed by ``state``, so the subscriber was a filter over every open
call — and PostgreSQL, which plans a prepared statement once for all its executions (a *generic*
plan, cached on each pooled connection), planned it while ``call_records`` was nearly empty: a
sequential scan of the whole table, kept as the table grew (3 ms per invite at 20,000 records in
bench/signaling, three quarters of the database's time).

* ``ix_call_records_open`` (``state`` WHERE ``ended_at IS NULL``) gives way to
  ``ix_call_records_open_caller`` (``caller_id``) and ``ix_call_records_open_callee`` (``callee_id``),
  both WHERE ``ended_at IS NULL``: each check is an equality on an index of open calls only, which a
  plan made on an empty table takes too (and which stays small however long the history grows).
* ``ix_call_records_node_id`` (every record) becomes ``ix_call_records_open_node`` (WHERE ``ended_at IS
  NULL``): the sweeper and the live calls only ever look for open calls by node, and every version of
  every record written (three per call) no longer adds an entry to it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_call_records_open_caller", "call_records", ["caller_id"], sqlite_where=OPEN, postgresql_where=OPEN
    )
    op.create_index(
        "ix_call_records_open_callee", "call_records", ["callee_id"], sqlite_where=OPEN, postgresql_where=OPEN
    )
    op.create_index("ix_call_records_open_node", "call_records", ["node_id"], sqlite_where=OPEN, postgresql_where=OPEN)
    op.drop_index("ix_call_records_open", table_name="call_records")
    op.drop_index("ix_call_records_node_id", table_name="call_records")


def downgrade() -> None:
    op.create_index("ix_call_records_node_id", "call_records", ["node_id"])
    op.create_index("ix_call_records_open", "call_records", ["state"], sqlite_where=OPEN, postgresql_where=OPEN)
    op.drop_index("ix_call_records_open_node", table_name="call_records")
    op.drop_index("ix_call_records_open_callee", table_name="call_records")
    op.drop_index("ix_call_records_open_caller", table_name="call_records")
