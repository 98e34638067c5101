"""Video voicemail's rules (R-18, 篇2 §6.3): when a mailbox takes a message, what a message may be, how
long it is kept, what leaving one costs.  Pure: every function takes the time and the policy's limits.

* A **deposit** (the permission to leave one message) is issued when a call to a subscriber who has the
  ``voicemail`` feature is diverted to their mailbox and the mailbox has room (fewer messages than the
  policy allows and not all of its storage used).  It is single use, bound to the call, its caller and
  its callee, and expires :data:`DEPOSIT_GRACE` after the longest message could have been recorded.
* A **message** is a WebM recording with video (read from its bytes: ``domain.webm``) of at most the
  policy's length (plus :data:`LENGTH_TOLERANCE` for the recorder stopping late) and byte size, that
  fits in what is left of the mailbox's storage.  It is kept ``voicemail_retention_days`` after it was
  left, then deleted (rows and recording), whether it was played or not.
* Leaving a message is free unless the policy says it costs (``voicemail_deposit_rated``): then it is
  rated like a call of the message's length, in whole seconds rounded up, under the caller's plan.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from videophone.kernel.errors import FieldError

DEPOSIT_GRACE = timedelta(minutes=5)  # to see the greeting, record, and upload a slow connection's worth
LENGTH_TOLERANCE_MS = 2000  # the browser's recorder stops a little after the countdown
CONTENT_TYPE = "video/webm"
GREETING = "greeting"  # the last segment of a greeting's blob key (message ids are 32 hex digits)


@dataclass(frozen=True)
class Limits:
    """The policy's voicemail parameters."""

    max_seconds: int
    max_bytes: int
    retention_days: int
    quota_bytes: int
    max_messages: int
    rated: bool


@dataclass(frozen=True)
class Usage:
    """What a mailbox holds now."""

    messages: int
    bytes: int


def token_hash(token: str) -> str:
    """What is stored of a deposit token (SHA-256, hex): the token itself never is."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def has_room(usage: Usage, limits: Limits) -> bool:
    """Whether a mailbox can take one more message (of some size): a diverted call gets a deposit only then."""
    return usage.messages < limits.max_messages and usage.bytes < limits.quota_bytes


def fits(usage: Usage, size: int, limits: Limits) -> bool:
    """Whether a message of ``size`` bytes fits in the mailbox now."""
    return usage.messages < limits.max_messages and usage.bytes + size <= limits.quota_bytes


def deposit_expires_at(now: datetime, max_seconds: int) -> datetime:
    return now + timedelta(seconds=max_seconds) + DEPOSIT_GRACE


def deposit_usable(expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    return used_at is None and now < expires_at


def message_errors(size: int, duration_ms: int, max_seconds: int, max_bytes: int) -> list[FieldError]:
    """What is wrong with a recording of ``size`` bytes lasting ``duration_ms`` (empty: nothing)."""
    errors: list[FieldError] = []
    if size <= 0:
        errors.append(FieldError("video", "voicemail_empty"))
    elif size > max_bytes:
        errors.append(FieldError("video", "voicemail_too_large", {"max_mb": round(max_bytes / 1e6, 1)}))
    if duration_ms > max_seconds * 1000 + LENGTH_TOLERANCE_MS:
        errors.append(FieldError("video", "voicemail_too_long", {"max_seconds": max_seconds}))
    return errors


def seconds_of(duration_ms: int) -> int:
    """A message's length in whole seconds, rounded up (what is shown, and rated when it costs)."""
    return max(0, math.ceil(duration_ms / 1000))


def billable_seconds(duration_ms: int, limits: Limits) -> int:
    """The seconds a message left is rated for: none while leaving one is free."""
    return seconds_of(duration_ms) if limits.rated else 0


def expires_at(left_at: datetime, retention_days: int) -> datetime:
    return left_at + timedelta(days=retention_days)


def expired(expires: datetime, now: datetime) -> bool:
    return now >= expires


def message_key(callee_id: int, message_id: str) -> str:
    """The blob key of a message: in the callee's folder, so that their whole mailbox goes at once."""
    return f"voicemail/{callee_id}/{message_id}"


def greeting_key(subscriber_id: int) -> str:
    return f"voicemail/{subscriber_id}/{GREETING}"


def mailbox_prefix(subscriber_id: int) -> str:
    return f"voicemail/{subscriber_id}"
