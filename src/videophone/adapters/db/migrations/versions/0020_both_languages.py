"""content in the reader's language (issue 15)

* ``bill_lines.description_en`` / ``quantity_en``: each bill line in English beside the Chinese; the
  reader's language picks one.  Existing lines are re-rendered from their kind: the Chinese label is
  replaced by the English one, a plan's or service's Chinese name by its English name, the memos the
  system writes (disputes, outages) translated, "天" by "days"; any other text (a staff memo) is kept
  as written.
* ``plans.description_en`` / ``value_added_services.description_en``: the descriptions in English
  ("" until staff write one; the Chinese is shown meanwhile).
* ``agreement_versions.template_en``: an English translation of a version for convenience ("" when
  none; the Chinese text prevails).  The shipped version 1 gets the shipped translation at its next
  start (``AgreementService.ensure_initial``).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same as billing/domain/bill_lines.py at the time of writing (a migration does not import the app).
_LABELS = (
    ("rent", "月租", "Monthly rent"),
    ("vas", "增值业务", "Value-added service"),
    ("usage", "通话费", "Call charges"),
    ("adjustment", "调账", "Adjustment"),
    ("credit", "减免", "Credit"),
    ("late_fee", "违约金", "Late fee"),
    ("refund", "退款", "Refund"),
)
_MEMOS = (("费用争议 #", "Billing dispute #"), ("服务中断补偿 #", "Outage credit #"))


# A rent line named after a plan, a value-added line after a service: the English name replaces the
# Chinese one (matched on the whole Chinese description).
_NAMED = (
    "UPDATE bill_lines SET description_en = CAST(:label_en AS TEXT) || ' · ' || "
    "(SELECT MIN(t.name_en) FROM {table} t WHERE CAST(:label_zh AS TEXT) || ' · ' || t.name_zh = bill_lines.description) "
    "WHERE kind = :kind AND EXISTS (SELECT 1 FROM {table} t "
    "WHERE CAST(:label_zh AS TEXT) || ' · ' || t.name_zh = bill_lines.description AND t.name_en <> '')"
)


def _backfill_bill_lines() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE bill_lines SET description_en = description, quantity_en = quantity"))
    bind.execute(
        sa.text(_NAMED.replace("{table}", "plans")), {"kind": "rent", "label_zh": "月租", "label_en": "Monthly rent"}
    )
    bind.execute(
        sa.text(_NAMED.replace("{table}", "value_added_services")),
        {"kind": "vas", "label_zh": "增值业务", "label_en": "Value-added service"},
    )
    for kind, label_zh, label_en in _LABELS:
        bind.execute(
            sa.text(
                "UPDATE bill_lines SET description_en = CAST(:label_en AS TEXT) || SUBSTR(description_en, :after) "
                "WHERE kind = :kind AND SUBSTR(description_en, 1, :n) = :label_zh"
            ),
            {"kind": kind, "label_zh": label_zh, "label_en": label_en, "n": len(label_zh), "after": len(label_zh) + 1},
        )
    for zh, en in _MEMOS:
        bind.execute(
            sa.text("UPDATE bill_lines SET description_en = REPLACE(description_en, :zh, :en)"), {"zh": zh, "en": en}
        )
    bind.execute(
        sa.text(
            "UPDATE bill_lines SET quantity_en = REPLACE(quantity_en, ' 天', ' days') WHERE quantity_en LIKE '% 天'"
        )
    )
    bind.execute(sa.text("UPDATE bill_lines SET quantity_en = '1 day' WHERE quantity_en = '1 days'"))


def upgrade() -> None:
    # Columns added in place with a server default (no table rebuild on SQLite: rows of other tables
    # refer to these, and a rebuild would drop a referenced table).
    op.add_column("bill_lines", sa.Column("description_en", sa.String(length=200), nullable=False, server_default=""))
    op.add_column("bill_lines", sa.Column("quantity_en", sa.String(length=40), nullable=False, server_default=""))
    _backfill_bill_lines()
    op.add_column("plans", sa.Column("description_en", sa.Text(), nullable=False, server_default=""))
    op.add_column("value_added_services", sa.Column("description_en", sa.Text(), nullable=False, server_default=""))
    op.add_column("agreement_versions", sa.Column("template_en", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # SQLite ≥ 3.35 drops a column in place
    op.drop_column("agreement_versions", "template_en")
    op.drop_column("value_added_services", "description_en")
    op.drop_column("plans", "description_en")
    op.drop_column("bill_lines", "quantity_en")
    op.drop_column("bill_lines", "description_en")
