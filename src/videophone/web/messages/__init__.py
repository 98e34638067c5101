"""User-facing messages for coded errors, by locale (zh-CN default, English)."""

from __future__ import annotations

from videophone.web.messages import core, identity

CATALOG: dict[str, dict[str, str]] = {**identity.MESSAGES, **core.MESSAGES}
