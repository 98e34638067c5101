"""UI text of the enforcement pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {}
