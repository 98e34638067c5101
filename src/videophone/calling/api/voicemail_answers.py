"""Answers of the video voicemail routes (``api.voicemail``, R-18)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from videophone.calling.services.voicemail import MailboxView, MessageLeft, MessageView
from videophone.calling.services.voicemail_admin import StaffMailboxView
from videophone.edge.answers.fields import Answer


class MessageLeftAnswer(Answer):
    """The message the caller just left."""

    id: str
    duration_seconds: int
    size_bytes: int

    @classmethod
    def of(cls, view: MessageLeft) -> Self:
        return cls.model_validate(view)


class VoicemailMessageAnswer(Answer):
    """A message as its mailbox's owner sees it.  ``caller_number`` is empty when the call withheld it
    (caller ID); ``caller_name`` is the owner's contact name for that number."""

    id: str
    caller_number: str
    caller_name: str
    duration_seconds: int
    size_bytes: int
    left_at: datetime
    read: bool
    expires_at: datetime

    @classmethod
    def of(cls, view: MessageView) -> Self:
        return cls.model_validate(view)


class MailboxAnswer(Answer):
    """The subscriber's mailbox: a page of messages (newest first), the unread count, the storage used
    against the cap, the policy's limits, whether calls reach it now, and their greeting."""

    total: int
    items: list[VoicemailMessageAnswer]
    unread: int
    message_count: int
    used_bytes: int
    quota_bytes: int
    max_messages: int
    max_seconds: int
    retention_days: int
    subscribed: bool
    greeting: bool
    greeting_seconds: int

    @classmethod
    def of(cls, view: MailboxView) -> Self:
        return cls.model_validate(view)


class UnreadCount(Answer):
    count: int


class StaffMailboxAnswer(Answer):
    """A subscriber's mailbox as support sees it: usage only, never the messages."""

    subscriber_id: int
    subscribed: bool
    messages: int
    unread: int
    used_bytes: int
    quota_bytes: int
    greeting: bool

    @classmethod
    def of(cls, view: StaffMailboxView) -> Self:
        return cls.model_validate(view)
