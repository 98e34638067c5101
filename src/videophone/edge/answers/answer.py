"""What every answer model shares: the base class and a field type.

``Answer`` reads a service view by its attributes (``Model.model_validate(view)``) and refuses unknown
keys of a mapping, so a dict that grows a key shows up in a test rather than silently in no schema.

Instants are plain ``datetime`` fields: Pydantic writes an aware UTC instant as ``…Z``, the form the
API has always answered with (``dict[str, Any]`` answers went through Pydantic too).  ``IsoText`` is for
the few instants a service already wrote as text with ``datetime.isoformat()`` (``+00:00``): they keep it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema


class Answer(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


def _iso(value: datetime) -> str:
    return value.isoformat()


IsoText = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
