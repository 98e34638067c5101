"""Notification texts of the outages feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {}
