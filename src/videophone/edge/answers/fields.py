"""What the answer models share: a base class and field types.

Moments are written in two ways, both RFC 3339 ``date-time`` in UTC, and each answer keeps the one it
has always had: a plain ``datetime`` field is Pydantic's form (``2026-11-01T02:00:00Z``), which most
answers have used; ``IsoInstant`` is ``datetime.isoformat()`` (``2026-11-01T02:00:00+00:00``), which
the answers that formatted their moments themselves (logins, tokens, the data export, the audit log,
policy history, review decisions) have used.  Dates are Pydantic's ``date`` (``date.isoformat()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema


def _iso(value: datetime) -> str:
    return value.isoformat()


IsoInstant = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

Yuan = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "Yuan"})]
"""An amount of money in yuan as exact decimal text, e.g. ``"12.50"`` (never a float)."""

FROM_VIEW = ConfigDict(from_attributes=True)
"""For answers read straight from a service view's attributes (``model_validate(view)``)."""


class Answer(BaseModel):
    """An answer read from a service view by its attributes (``Model.model_validate(view)``) that refuses
    unknown keys of a mapping: a dict that grows a key shows up in a test rather than silently in no
    schema."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(BaseModel, Generic[ItemT]):
    """One page of a list: how many there are in all, and this page's items, each read from its service
    view by attributes."""

    total: int
    items: list[ItemT]

    @classmethod
    def of(cls, total: int, items: Sequence[object]) -> Self:
        return cls.model_validate({"total": total, "items": list(items)}, from_attributes=True)
