"""Text catalogues put together from the modules that hold their parts.  A key defined in two parts is a
mistake (the later text would silently replace the earlier one), so putting them together refuses it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

V = TypeVar("V")


class DuplicateTextKey(ValueError):
    """Two parts of one catalogue define the same key."""


def merge(parts: Mapping[str, Mapping[str, V]]) -> dict[str, V]:
    """One catalogue from its parts (``{part name: {key: texts}}``), refusing a key defined twice."""
    merged: dict[str, V] = {}
    defined_in: dict[str, str] = {}
    for name, part in parts.items():
        for key, value in part.items():
            if key in defined_in:
                raise DuplicateTextKey(f"text key {key!r} is defined in both {defined_in[key]} and {name}")
            merged[key] = value
            defined_in[key] = name
    return merged
