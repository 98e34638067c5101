"""User-facing messages for coded errors, by locale (zh-CN default, English)."""

from __future__ import annotations

from videophone.edge.catalogues import merge
from videophone.edge.messages import (
    announcements,
    arrears,
    core,
    credit,
    disputes,
    edge,
    enforcement,
    identity,
    outages,
    payments,
    preferences,
    terminals,
    termination,
)

# Every module's messages; a code defined in two of them is refused at import.
PARTS: dict[str, dict[str, dict[str, str]]] = {
    "messages.identity": identity.MESSAGES,
    "messages.payments": payments.MESSAGES,
    "messages.arrears": arrears.MESSAGES,
    "messages.credit": credit.MESSAGES,
    "messages.preferences": preferences.MESSAGES,
    "messages.disputes": disputes.MESSAGES,
    "messages.enforcement": enforcement.MESSAGES,
    "messages.termination": termination.MESSAGES,
    "messages.announcements": announcements.MESSAGES,
    "messages.outages": outages.MESSAGES,
    "messages.terminals": terminals.MESSAGES,
    "messages.edge": edge.MESSAGES,
    "messages.core": core.MESSAGES,
}
CATALOG: dict[str, dict[str, str]] = merge(PARTS)
