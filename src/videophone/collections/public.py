"""What the other contexts may use of `collections`: its public face (import-linter keeps every other module of it private)."""

# isort: skip_file
# Modules that reach other contexts come last: a context importing this one while it loads finds the
# rest already here.
from videophone.collections.texts import (
    notice_texts_arrears,
    notice_texts_credit,
    notice_texts_payments,
    notice_texts_termination,
)
from videophone.collections.services import arrears
from videophone.collections.services import credit
from videophone.collections.services import termination
from videophone.collections.services.credit import CreditService, position
from videophone.collections.services.debts import many_debts

__all__ = [
    "CreditService",
    "arrears",
    "credit",
    "many_debts",
    "notice_texts_arrears",
    "notice_texts_credit",
    "notice_texts_payments",
    "notice_texts_termination",
    "position",
    "termination",
]
