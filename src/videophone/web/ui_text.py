"""Labels of the pages, by locale (zh-CN default, English)."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "brand": {"zh-CN": "可视电话", "en": "Videophone"},
}
