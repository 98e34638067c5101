"""One tree of coded errors.

Every error carries a stable ``code`` (the API contract and the key of the user-facing message),
optionally the ``field`` at fault and ``params`` interpolated into the message.  The web edge maps
each class to an HTTP status; the messages live in ``videophone.edge.i18n``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class DomainError(Exception):
    """Base of every error the service reports to a user on purpose."""

    code: str = "error"

    def __init__(
        self,
        code: str | None = None,
        *,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.field = field
        self.params: Mapping[str, Any] = dict(params or {})
        super().__init__(self.code if field is None else f"{self.code} ({field})")


class ValidationFailed(DomainError):
    """Input is invalid; ``errors`` lists every field at fault (nothing was stored)."""

    code = "validation_failed"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        first = self.errors[0].field if self.errors else None
        super().__init__(self.code, field=first)


class UnsafeInput(ValidationFailed):
    """Input refused at the edge before any rule reads it: control characters in text, JSON nested too
    deep, an integer beyond the database's range.  ``code`` names the reason, ``field`` where it was."""

    def __init__(self, code: str, field: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__([FieldError(field, code, dict(params or {}))])
        self.code = code
        self.params = dict(params or {})


class PayloadTooLarge(DomainError):
    """The request body is larger than the route accepts (refused while it streams in)."""

    code = "body_too_large"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class PermissionDenied(DomainError):
    code = "permission_denied"


class InvalidState(DomainError):
    """The action is not allowed in the object's current state."""

    code = "invalid_state"


class Throttled(DomainError):
    """Too many attempts; ``params['retry_after']`` says how many seconds to wait."""

    code = "too_many_attempts"


class ServiceUnavailable(DomainError):
    code = "service_unavailable"


def require(errors: list[FieldError]) -> None:
    """Raise :class:`ValidationFailed` if any error was collected."""
    if errors:
        raise ValidationFailed(errors)
