"""User-facing messages for coded errors, by locale (zh-CN default, English)."""

from __future__ import annotations

from videophone.web.messages import arrears, core, credit, disputes, identity, payments

CATALOG: dict[str, dict[str, str]] = {
    **identity.MESSAGES,
    **payments.MESSAGES,
    **arrears.MESSAGES,
    **credit.MESSAGES,
    **disputes.MESSAGES,
    **core.MESSAGES,
}
