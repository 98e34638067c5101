"""What the other contexts may use of `collections` (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds
# the rest already here.
from videophone.collections.services import termination
from videophone.collections.services.credit import CreditService
from videophone.collections.services.credit import position
from videophone.collections.services.debts import many_debts

__all__ = ["CreditService", "many_debts", "position", "termination"]
