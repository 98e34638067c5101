"""UI text of the announcements pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {}
