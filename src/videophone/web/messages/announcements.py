"""Error messages of the announcements feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
