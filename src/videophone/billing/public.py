"""What the other contexts may use of `billing` (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds
# the rest already here.
from videophone.billing.services import ledger
from videophone.billing.services import rating
from videophone.billing.services.ledger import RECEIVABLE
from videophone.billing.services.rating import load_prices
from videophone.billing.services import orders
from videophone.billing.services.bill_views import BillView
from videophone.billing.services.billing import BillingService

__all__ = ["RECEIVABLE", "BillView", "BillingService", "ledger", "load_prices", "orders", "rating"]
