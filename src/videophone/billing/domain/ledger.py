"""The ledger's chart of accounts and kinds of posting (ADR 0004 "Ledger") — constants, no I/O.

``receivable`` lines carry the subscriber: what they owe (negative: credit in their favour).
"""

from __future__ import annotations

RECEIVABLE = "receivable"
REVENUE_RENT = "revenue:rent"
REVENUE_VAS = "revenue:vas"
REVENUE_USAGE = "revenue:usage"
ADJUSTMENT = "adjustment"
ACCOUNTS = frozenset(
    {
        RECEIVABLE,
        REVENUE_RENT,
        REVENUE_VAS,
        REVENUE_USAGE,
        "revenue:late_fee",
        ADJUSTMENT,
        "cash:gateway",
        "cash:counter",
        "refund",
    }
)
KINDS = frozenset({"charge", "payment", "adjustment", "credit", "late_fee", "refund"})
