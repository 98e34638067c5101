"""Answers of the announcement and agreement-change routes (``web.api.announcements``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from videophone.edge.answers.fields import Answer

AnnouncementKind = Literal[
    "maintenance", "network_expansion", "software_upgrade", "number_change", "agreement_change", "other"
]
Audience = Literal["all", "numbers"]
AnnouncementState = Literal["scheduled", "delivering", "delivered"]
ObjectionState = Literal["open", "accepted", "not_agreed"]
AcceptanceMethod = Literal["explicit", "deemed"]
DiffOp = Literal["same", "removed", "added"]


class AnnouncementAnswer(Answer):
    id: int
    kind: AnnouncementKind
    title: str
    body: str
    title_en: str
    body_en: str
    audience: Audience
    publish_at: datetime
    effective_at: datetime
    state: AnnouncementState
    agreement_version: int | None
    objection_window_end: datetime | None
    read: bool  # by this subscriber (subscriber's list only)
    numbers: list[str]  # audience "numbers" (console only)
    delivered: int  # subscribers notified so far (console only)


class MyAnnouncementsAnswer(Answer):
    unread: int
    items: list[AnnouncementAnswer]


class AnnouncementPageAnswer(Answer):
    total: int
    items: list[AnnouncementAnswer]


class MarkedReadAnswer(Answer):
    marked: int


class AcceptanceAnswer(Answer):
    version: int
    method: AcceptanceMethod
    channel: str
    accepted_at: datetime


class ObjectionAnswer(Answer):
    id: int
    subscriber_id: int
    agreement_version: int
    text: str
    state: ObjectionState
    opened_at: datetime
    decided_at: datetime | None
    outcome_note: str
    subscriber_number: str  # console only
    subscriber_name: str
    window_end: datetime | None


class DiffLineAnswer(Answer):
    op: DiffOp
    text: str


class AgreementChangeAnswer(Answer):
    """A newer version than the one the subscriber is on, as they see it."""

    version: int
    summary: str
    published_at: datetime
    window_end: datetime
    window_open: bool  # the objection window has not ended yet
    objection_open: bool  # the subscriber may still object (window open, not objected, not accepted)
    accepted: AcceptanceAnswer | None  # their acceptance of this version (or a newer one)
    objection: ObjectionAnswer | None
    diff: list[DiffLineAnswer]  # line by line, from ``from_version``
    added: int
    removed: int
    from_version: int


class AgreementChangesAnswer(Answer):
    items: list[AgreementChangeAnswer]


class ObjectionQueueAnswer(Answer):
    total: int
    open: int  # open objection cases overall
    items: list[ObjectionAnswer]


class AgreementTemplateAnswer(Answer):
    version: int
    template: str
    template_en: str  # its English translation ("" when none)
    summary: str
    objection_window_months: int


class PublishedVersionAnswer(Answer):
    version: int
    announcement_id: int
    window_end: datetime  # the objection window ends, and the version takes effect
    effective_at: datetime
