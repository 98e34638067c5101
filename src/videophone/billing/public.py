"""What the other contexts may use of `billing`: its public face (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds the
# rest already here.
from videophone.adapters.db.writes import BULK, write_rows
from videophone.billing.services.ledger import RECEIVABLE
from videophone.billing.services.rating import load_prices
from videophone.billing.texts import notice_texts_bills, notice_texts_disputes
from videophone.billing.services import ledger
from videophone.billing.services import rating
from videophone.billing.services import orders
from videophone.billing.services.billing import BillingService, BillView

__all__ = [
    "BULK",
    "RECEIVABLE",
    "BillView",
    "BillingService",
    "ledger",
    "load_prices",
    "notice_texts_bills",
    "notice_texts_disputes",
    "orders",
    "rating",
    "write_rows",
]
