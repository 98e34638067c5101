"""Page labels for the billing pages, by locale (merged into ``ui_text.UI``)."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {}
