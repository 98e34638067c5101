"""User-facing messages for coded errors, by locale (zh-CN default, English)."""

from __future__ import annotations

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

CATALOG: dict[str, dict[str, str]] = {
    **identity.MESSAGES,
    **payments.MESSAGES,
    **arrears.MESSAGES,
    **credit.MESSAGES,
    **preferences.MESSAGES,
    **disputes.MESSAGES,
    **enforcement.MESSAGES,
    **termination.MESSAGES,
    **announcements.MESSAGES,
    **outages.MESSAGES,
    **terminals.MESSAGES,
    **edge.MESSAGES,
    **core.MESSAGES,
}
