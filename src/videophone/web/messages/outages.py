"""Error messages of the outages feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
