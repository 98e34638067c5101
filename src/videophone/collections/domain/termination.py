"""Termination of the agreement (R-32; 篇1 §6, 003 §11) — pure rules, no I/O.

* **By the subscriber**, at any time: the request fixes the termination date (the day it is made, in
  the operator's calendar).  Plan and value-added subscriptions end that day (``end_date`` is
  exclusive, so the rent runs to the day before), a final bill to that date is produced at once, and
  no call may be placed or received from then on.  The account *closes* — service ``terminated``,
  number to quarantine — only when everything owed is paid: :func:`closes` is ``balance <= 0``.  A
  balance below zero at closing is money the operator owes back (:func:`settlement`), refunded by staff.
  The subscriber may withdraw the request while it is awaiting payment.
* **By the operator**: serious breach, illegal acts (staff, with a reason), arrears (the arrears job),
  a violation sanction, or inactivity: immediate, the debt stays on the ledger for collection.
* **Inactivity**: the last activity is the latest of the account's creation, its last call record
  (placed or received, any outcome) and its last portal/app session (login or use).  An account
  inactive for ``days_before_termination − notice_days`` days is notified; one still inactive at
  ``days_before_termination`` days *and* notified at least ``notice_days`` earlier is terminated
  (:func:`inactivity_action`).  Any activity after the notice clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from videophone.kernel.money import Money


class RequestState(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Initiator(StrEnum):
    SUBSCRIBER = "subscriber"
    OPERATOR = "operator"


# Why the operator terminates (the console offers the first two; the others come from jobs/sanctions).
OPERATOR_REASONS: tuple[str, ...] = ("breach", "illegal", "inactivity", "violation", "arrears")
CONSOLE_REASONS: tuple[str, ...] = ("breach", "illegal")
MAX_NOTE = 1000


def closes(balance: Money) -> bool:
    """The account closes once nothing is owed (a credit balance closes it too)."""
    return balance.fen <= 0


@dataclass(frozen=True)
class Settlement:
    remaining: Money  # still to pay before the account closes (≥ 0)
    refund_due: Money  # owed back to the subscriber at closing (≥ 0)
    closes: bool


def settlement(balance: Money) -> Settlement:
    """What remains for a receivable ``balance`` (positive: the subscriber owes)."""
    if balance.fen > 0:
        return Settlement(balance, Money.zero(), False)
    return Settlement(Money.zero(), Money(-balance.fen), True)


def can_withdraw(state: str) -> bool:
    return state == RequestState.AWAITING_PAYMENT.value


class InactivityAction(StrEnum):
    NONE = "none"
    NOTIFY = "notify"
    TERMINATE = "terminate"
    CLEAR = "clear"  # active again after a notice


def notice_due_on(last_activity: date, days_before_termination: int, notice_days: int) -> date:
    """The day the inactivity notice is due (never before the day after the last activity)."""
    return last_activity + timedelta(days=max(1, days_before_termination - notice_days))


def termination_due_on(last_activity: date, notified_on: date, days_before_termination: int, notice_days: int) -> date:
    """The earliest day an inactive account may be terminated: the inactivity period is over *and*
    the notice has run its full length."""
    return max(last_activity + timedelta(days=days_before_termination), notified_on + timedelta(days=notice_days))


def inactivity_action(
    *,
    last_activity: date,
    today: date,
    notified_on: date | None,
    days_before_termination: int,
    notice_days: int,
) -> InactivityAction:
    """What the ``inactivity`` job does today for an account (see the module doc)."""
    if notified_on is not None:
        if last_activity >= notified_on:  # active on or after the notice day (it was long inactive before)
            return InactivityAction.CLEAR
        due = termination_due_on(last_activity, notified_on, days_before_termination, notice_days)
        return InactivityAction.TERMINATE if today >= due else InactivityAction.NONE
    if today >= notice_due_on(last_activity, days_before_termination, notice_days):
        return InactivityAction.NOTIFY
    return InactivityAction.NONE
