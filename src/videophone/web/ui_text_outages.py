"""UI text of the outages pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {}
