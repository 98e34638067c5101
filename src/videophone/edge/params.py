"""Typed parameters shared by every route: ids and offsets bounded to the database's range (a larger
number is a 422, not an overflow inside the driver), text without control characters.

The bounds are part of the OpenAPI document (``maximum``), so a client sees them before it sends.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from videophone.kernel.text import has_control_characters

INT64_MAX = 2**63 - 1  # BIGINT, the widest integer column in both databases
INT64_MIN = -(2**63)


def _clean_text(value: str) -> str:
    if has_control_characters(value):
        raise PydanticCustomError("control_characters", "control characters are not allowed")
    return value


# -- path and query ------------------------------------------------------------------------------------
Id = Annotated[int, Path(ge=1, le=INT64_MAX, description="A record's id")]
"""A record id in the path."""

IdQuery = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
"""An optional record id in the query (a filter or a cursor such as ``before_id``)."""

Offset = Annotated[int, Query(ge=0, le=INT64_MAX)]
"""How many rows of a listing to skip."""

Version = Annotated[int, Path(ge=1, le=2**31 - 1, description="A version number")]
"""A version number in the path (agreement versions)."""

# -- request bodies ------------------------------------------------------------------------------------
BodyId = Annotated[int, Field(ge=1, le=INT64_MAX)]
"""A record id in a JSON body."""

BodyCount = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""A non-negative counter in a JSON body."""

FormId = Annotated[int, Form(ge=1, le=INT64_MAX)]
"""A record id in a multipart form."""

NoControl = AfterValidator(_clean_text)
"""A validator refusing control characters (``control_characters``), for form text with other bounds."""

FormText = Annotated[str, Form(), NoControl]
"""Free text in a multipart form (JSON and urlencoded bodies are checked by ``web.guard``)."""

BodyVersion = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""A version number in a JSON body (agreement and policy versions)."""
