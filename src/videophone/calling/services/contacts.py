"""Contacts (address book), the block list and harassment reports (R-12).

A subscriber only ever reaches their own rows: another owner's contact or block id behaves as not
found.  Staff with ``handle_reports`` work the report queue.  The signaling hub asks
:func:`is_blocked` at invite time, inside its own unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models import Block, Contact, HarassmentReport, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain import contacts as rules
from videophone.calling.store import blocks as blocks_store
from videophone.calling.store import calls as calls_store
from videophone.calling.store import contacts as store
from videophone.calling.store import reports as reports_store
from videophone.calling.store import subscribers
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed

MAX_PAGE = 200


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    number: str
    note: str
    favourite: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(row: Contact) -> ContactView:
        return ContactView(row.id, row.name, row.number, row.note, row.favourite, row.created_at, row.updated_at)


@dataclass(frozen=True)
class BlockView:
    id: int
    number: str
    reason: str
    created_at: datetime

    @staticmethod
    def of(row: Block) -> BlockView:
        return BlockView(row.id, row.blocked_number, row.reason, row.created_at)


@dataclass(frozen=True)
class ReportView:
    """A report as its reporter sees it."""

    id: int
    reported_number: str
    call_id: str | None
    description: str
    state: str
    resolution: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(row: HarassmentReport) -> ReportView:
        return ReportView(
            row.id,
            row.reported_number,
            row.call_id,
            row.description,
            row.state,
            row.resolution,
            row.created_at,
            row.updated_at,
        )


@dataclass(frozen=True)
class StaffReportView:
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
    state: str
    resolution: str
    handled_by: int | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]
    reports_against_number: int = 0


async def is_blocked(uow: UnitOfWork, owner_id: int, caller_number: str) -> bool:
    """Whether ``owner_id`` has blocked calls from ``caller_number``."""
    return await blocks_store.is_blocked(uow.session, owner_id, caller_number)


def _excerpt(text: str, size: int = 100) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _page(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


class ContactService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # -- address book -------------------------------------------------------------------------------
    async def contacts(
        self, owner_id: int, *, q: str = "", favourites_only: bool = False, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[ContactView]]:
        """The owner's contacts, favourites first then by name; ``q`` matches name, number or note."""
        text = q.strip()
        digits = rules.normalize_number(text) if text else ""
        async with self.deps.uow() as uow:
            total, rows = await store.page_of_contacts(
                uow.session,
                owner_id,
                text=text,
                digits=digits,
                favourites_only=favourites_only,
                offset=max(0, offset),
                limit=_page(limit),
            )
            return total, [ContactView.of(r) for r in rows]

    async def create_contact(self, actor: Actor, owner_id: int, raw: Mapping[str, Any]) -> ContactView:
        data = rules.validate_contact(raw)
        async with self.deps.uow() as uow:
            await self._number_free(uow, owner_id, data.number)
            now = self.deps.clock.now()
            row = Contact(
                owner_id=owner_id,
                name=data.name,
                number=data.number,
                note=data.note,
                favourite=data.favourite,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(row)
            await self._flush_unique(uow, "contact_number_taken")
            audit.record(uow, now, actor, "contact.create", "contact", row.id, {"number": row.number})
            view = ContactView.of(row)
            await uow.commit()
            return view

    async def update_contact(self, actor: Actor, owner_id: int, contact_id: int, raw: Mapping[str, Any]) -> ContactView:
        async with self.deps.uow() as uow:
            row = await self._contact(uow, owner_id, contact_id)
            current = rules.ContactInput(row.name, row.number, row.note, row.favourite)
            data = rules.validate_contact(raw, current)
            if data.number != row.number:
                await self._number_free(uow, owner_id, data.number)
            changed = [k for k in ("name", "number", "note", "favourite") if getattr(data, k) != getattr(current, k)]
            if changed:
                now = self.deps.clock.now()
                row.name, row.number, row.note, row.favourite = data.name, data.number, data.note, data.favourite
                row.updated_at = now
                await self._flush_unique(uow, "contact_number_taken")
                audit.record(uow, now, actor, "contact.update", "contact", row.id, {"fields": changed})
            view = ContactView.of(row)
            await uow.commit()
            return view

    async def delete_contact(self, actor: Actor, owner_id: int, contact_id: int) -> None:
        async with self.deps.uow() as uow:
            row = await self._contact(uow, owner_id, contact_id)
            await uow.session.delete(row)
            audit.record(uow, self.deps.clock.now(), actor, "contact.delete", "contact", contact_id)
            await uow.commit()

    async def _contact(self, uow: UnitOfWork, owner_id: int, contact_id: int) -> Contact:
        row = await uow.session.get(Contact, contact_id)
        if row is None or row.owner_id != owner_id:
            raise NotFound("contact_not_found")
        return row

    async def _number_free(self, uow: UnitOfWork, owner_id: int, number: str) -> None:
        if await store.contact_with_number(uow.session, owner_id, number) is not None:
            raise ValidationFailed([FieldError("number", "contact_number_taken")])

    async def _flush_unique(self, uow: UnitOfWork, code: str) -> None:
        """Flush; a unique-index race (same number added twice at once) is a field error, not a crash."""
        try:
            await uow.session.flush()
        except IntegrityError:
            raise ValidationFailed([FieldError("number", code)]) from None

    # -- block list -----------------------------------------------------------------------------------
    async def blocks(self, owner_id: int) -> list[BlockView]:
        async with self.deps.uow() as uow:
            rows = await blocks_store.blocks_of(uow.session, owner_id)
            return [BlockView.of(r) for r in rows]

    async def block(self, actor: Actor, owner_id: int, number: str, reason: str = "") -> BlockView:
        data = rules.validate_block({"number": number, "reason": reason})
        async with self.deps.uow() as uow:
            await self._not_own_number(uow, owner_id, data.number)
            row = await self._add_block(uow, actor, owner_id, data.number, data.reason)
            if row is None:
                raise ValidationFailed([FieldError("number", "number_already_blocked")])
            view = BlockView.of(row)
            await uow.commit()
            return view

    async def unblock(self, actor: Actor, owner_id: int, block_id: int) -> None:
        async with self.deps.uow() as uow:
            row = await uow.session.get(Block, block_id)
            if row is None or row.owner_id != owner_id:
                raise NotFound("block_not_found")
            await uow.session.delete(row)
            audit.record(
                uow,
                self.deps.clock.now(),
                actor,
                "block.delete",
                "subscriber",
                owner_id,
                {"block_id": block_id, "number": row.blocked_number},
            )
            await uow.commit()

    async def _add_block(self, uow: UnitOfWork, actor: Actor, owner_id: int, number: str, reason: str) -> Block | None:
        """Add a block row and its audit record; None if the number is already blocked."""
        if await blocks_store.block_of_number(uow.session, owner_id, number) is not None:
            return None
        now = self.deps.clock.now()
        row = Block(owner_id=owner_id, blocked_number=number, reason=reason, created_at=now)
        uow.session.add(row)
        await self._flush_unique(uow, "number_already_blocked")
        audit.record(uow, now, actor, "block.create", "subscriber", owner_id, {"block_id": row.id, "number": number})
        return row

    async def _not_own_number(self, uow: UnitOfWork, owner_id: int, number: str) -> None:
        if await subscribers.number_of(uow.session, owner_id) == number:
            raise ValidationFailed([FieldError("number", "number_is_own")])

    # -- harassment reports: the subscriber's side ---------------------------------------------------
    @staticmethod
    async def _own_call(uow: UnitOfWork, reporter_id: int, call_id: str) -> None:
        """A report may name only a call the reporter took part in (as caller or callee).  Anybody
        else's call answers exactly as a call that does not exist, so the answer tells nothing."""
        if await calls_store.call_of_party(uow.session, call_id, reporter_id) is None:
            raise NotFound("call_not_found")

    async def report(
        self,
        actor: Actor,
        reporter_id: int,
        number: str,
        description: str,
        *,
        call_id: str | None = None,
        block: bool = False,
    ) -> ReportView:
        """File a report against a number (a subscriber's or not); optionally block it in the same step."""
        data = rules.validate_report({"number": number, "description": description, "call_id": call_id, "block": block})
        async with self.deps.uow() as uow:
            if data.call_id is not None:
                await self._own_call(uow, reporter_id, data.call_id)
            await self._not_own_number(uow, reporter_id, data.number)
            reported_id = await subscribers.subscriber_of_number(uow.session, data.number)
            now = self.deps.clock.now()
            row = HarassmentReport(
                reporter_id=reporter_id,
                reported_number=data.number,
                reported_id=reported_id,
                call_id=data.call_id,
                description=data.description,
                state=rules.ReportState.OPEN.value,
                resolution="",
                handled_by=None,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(row)
            await uow.session.flush()
            blocked = False
            if data.block:
                blocked = (
                    await self._add_block(uow, actor, reporter_id, data.number, _excerpt(data.description)) is not None
                )
            audit.record(
                uow,
                now,
                actor,
                "report.create",
                "harassment_report",
                row.id,
                {"number": data.number, "reported_id": reported_id, "call_id": data.call_id, "blocked": blocked},
            )
            view = ReportView.of(row)
            await uow.commit()
            return view

    async def my_reports(self, reporter_id: int, *, offset: int = 0, limit: int = 50) -> tuple[int, list[ReportView]]:
        async with self.deps.uow() as uow:
            total, rows = await reports_store.page_of_reports_by(
                uow.session, reporter_id, offset=max(0, offset), limit=_page(limit)
            )
            return total, [ReportView.of(r) for r in rows]

    # -- harassment reports: staff ------------------------------------------------------------------------
    async def reports(
        self, *, state: str | None = None, number: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[int, list[StaffReportView]]:
        """The report queue, newest first, optionally by state and by reported number."""
        wanted_state: str | None = None
        if state:
            try:
                wanted_state = rules.ReportState(state).value
            except ValueError:
                raise ValidationFailed([FieldError("state", "invalid_choice")]) from None
        wanted = rules.normalize_number(number)
        async with self.deps.uow() as uow:
            total, rows = await reports_store.page_of_reports(
                uow.session, state=wanted_state, number=wanted, offset=max(0, offset), limit=_page(limit)
            )
            return total, [await self._staff_view(uow, r) for r in rows]

    async def report_detail(self, report_id: int) -> StaffReportView:
        async with self.deps.uow() as uow:
            row = await self._report(uow, report_id)
            against = await reports_store.reports_against(uow.session, row.reported_number)
            return await self._staff_view(uow, row, against=against)

    async def handle_report(self, actor: Actor, report_id: int, action: str, resolution: str = "") -> StaffReportView:
        """Start, resolve or dismiss a report; closing it needs a resolution the reporter will read."""
        what, text = rules.validate_handling(action, resolution)
        async with self.deps.uow() as uow:
            row = await self._report(uow, report_id, lock=True)
            before = rules.ReportState(row.state)
            after = rules.handle(before, what)
            now = self.deps.clock.now()
            row.state = after.value
            if rules.requires_resolution(what):
                row.resolution = text
            row.handled_by = actor.id if actor.type == "staff" else row.handled_by
            row.updated_at = now
            audit.record(
                uow,
                now,
                actor,
                f"report.{what.value}",
                "harassment_report",
                row.id,
                {"from": before.value, "to": after.value, "resolution": text},
            )
            view = await self._staff_view(uow, row)
            await uow.commit()
            return view

    async def _report(self, uow: UnitOfWork, report_id: int, *, lock: bool = False) -> HarassmentReport:
        row = await uow.session.get(HarassmentReport, report_id, with_for_update=lock)
        if row is None:
            raise NotFound("report_not_found")
        return row

    async def _staff_view(self, uow: UnitOfWork, row: HarassmentReport, *, against: int = 0) -> StaffReportView:
        reporter = await uow.session.get(Subscriber, row.reporter_id)
        reported = await uow.session.get(Subscriber, row.reported_id) if row.reported_id is not None else None
        return StaffReportView(
            id=row.id,
            reporter_id=row.reporter_id,
            reporter_number=reporter.number if reporter else "",
            reporter_name=reporter.name if reporter else "",
            reported_number=row.reported_number,
            reported_id=row.reported_id,
            reported_name=reported.name if reported else "",
            call_id=row.call_id,
            description=row.description,
            state=row.state,
            resolution=row.resolution,
            handled_by=row.handled_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            allowed_actions=[a.value for a in rules.allowed_actions(rules.ReportState(row.state))],
            reports_against_number=against,
        )
