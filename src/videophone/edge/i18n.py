"""Language negotiation and message lookup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from videophone.edge.messages import CATALOG
from videophone.edge.ui_text import UI

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The user's explicit choice (cookie) wins, then the browser's Accept-Language, then zh-CN."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def message(code: str, language: str, params: Mapping[str, Any] | None = None) -> str:
    entry = CATALOG.get(code) or CATALOG["error"]
    text = entry.get(language) or entry[DEFAULT_LANGUAGE]
    try:
        return text.format(**(params or {}))
    except (KeyError, IndexError):
        return text


def ui(key: str, language: str) -> str:
    entry = UI.get(key)
    if entry is None:
        return key
    return entry.get(language) or entry[DEFAULT_LANGUAGE]


def ui_catalog(language: str, keys: Iterable[str] | None = None) -> dict[str, str]:
    """The UI texts in a language: all of them, or those of ``keys`` (in catalogue order)."""
    wanted = None if keys is None else frozenset(keys)
    return {
        key: entry.get(language) or entry[DEFAULT_LANGUAGE]
        for key, entry in UI.items()
        if wanted is None or key in wanted
    }
