"""Caller ID (来电显示, R-16, ADR 0009): what a callee is shown of who calls them.

The decision is taken once, when the call is placed: the caller is *presented* when the callee holds
the caller-ID feature at that moment (``features.in_force``); the call record keeps it, so subscribing
later reveals no past caller and ending the service hides none again.  A caller who is not presented is
"number withheld / 号码未显示" to the callee — no number, no name and no contact name either (matching the
number against the callee's address book would reveal it) — on every device, in their history and in
the missed-call count, and the entry offers no call-back.  The caller always sees whom they called, and
staff always see both parties (disputes, lawful requests).

There is no per-call withholding (CLIR): the number is always transmitted to the network truthfully, and
presentation depends only on what the callee subscribes to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from videophone.calling.domain.features import in_force


@dataclass(frozen=True)
class ShownCaller:
    """The caller as a callee's device shows them."""

    number: str  # "" when withheld
    name: str  # the caller's name on the service; "" when withheld
    contact_name: str | None  # the callee's own contact name for the number; None when withheld or unsaved
    withheld: bool

    def message(self) -> dict[str, Any]:
        """The ``from`` of ``incoming`` (the ``peer`` of a resumed call): docs/signaling.md."""
        return {"number": self.number, "name": self.name, "contact_name": self.contact_name, "withheld": self.withheld}


WITHHELD = ShownCaller("", "", None, True)


def presented(callee_covered: bool, callee_service_state: str) -> bool:
    """The decision at the invite: whether the callee has caller ID now — one of their subscriptions to a
    service bound to it covers today (answered in SQL by the invite's statement) and their account uses
    its features."""
    return in_force(callee_covered, callee_service_state)


def shown_to_callee(presented: bool, number: str, name: str, contact_name: str | None) -> ShownCaller:
    """What the callee's devices show of the caller."""
    if not presented:
        return WITHHELD
    return ShownCaller(number, name, contact_name or None, False)


def hidden_from(viewer_id: int, caller_id: int, presented: bool) -> bool:
    """Whether the caller of a call must be hidden from ``viewer_id`` (a party of it): they are the callee
    and the caller was not presented to them.  The caller's own view never hides anything."""
    return not presented and viewer_id != caller_id


def peer(role: str, presented: bool, number: str, name: str) -> dict[str, Any]:
    """The other party of a call resumed on reconnection (``welcome.calls[].peer``), as ``role`` (caller |
    callee) was shown them: a callee sees the caller as its ``incoming`` did."""
    if role == "callee":
        return shown_to_callee(presented, number, name, None).message()
    return {"number": number, "name": name}
