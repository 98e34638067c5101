"""Answers of the contact routes (``web.api.contacts``): contacts, the block list and harassment reports
(R-12)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict

from videophone.calling.services.contacts import BlockView, ContactView, ReportView, StaffReportView
from videophone.edge.answers.fields import Page

ReportState = Literal["open", "in_progress", "resolved", "dismissed"]  # ``domain.contacts.ReportState``
ReportAction = Literal["start", "resolve", "dismiss"]  # ``domain.contacts.ReportAction``


class _Answer(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ContactAnswer(_Answer):
    id: int
    name: str
    number: str
    note: str
    favourite: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ContactView) -> Self:
        return cls.model_validate(view)


class ContactPage(Page[ContactAnswer]):
    """The address book, a page at a time."""


class BlockAnswer(_Answer):
    """A number the subscriber blocked: its calls never ring."""

    id: int
    number: str
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, view: BlockView) -> Self:
        return cls.model_validate(view)


class ReportAnswer(_Answer):
    """A harassment report as its reporter sees it."""

    id: int
    reported_number: str
    call_id: str | None
    description: str
    state: ReportState
    resolution: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ReportView) -> Self:
        return cls.model_validate(view)


class ReportPage(Page[ReportAnswer]):
    """The subscriber's harassment reports, a page at a time."""


class StaffReportAnswer(_Answer):
    """A report as support staff see it: who reported whom, and what can be done next."""

    id: int
    reporter_id: int
    reporter_number: str
    reporter_name: str
    reported_number: str
    reported_id: int | None
    reported_name: str
    call_id: str | None
    description: str
    state: ReportState
    resolution: str
    handled_by: int | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[ReportAction]
    reports_against_number: int

    @classmethod
    def of(cls, view: StaffReportView) -> Self:
        return cls.model_validate(view)


class StaffReportPage(Page[StaffReportAnswer]):
    """Harassment reports in the staff queue, a page at a time."""
