"""Terminals and their warranty (R-40, R-41; rules in ``domain.terminals``).

Staff (``manage_terminals``) keep the inventory (serial, model, state; the operator owns every unit),
assign a unit to a subscriber with its installation date — the warranty then ends ``warranty_years``
after it — and mark a unit "opened by others", which ends its warranty at once.  Assigning issues the
terminal's own bearer token (shown once, stored as its SHA-256 like session tokens); the terminal uses
it on ``GET /api/v1/terminal/provisioning`` to learn who it is and which client release to run.

A subscriber files a written claim (description and photos) for one of their terminals; it is accepted
only within the warranty.  Support (``handle_warranty``) repairs or replaces a covered fault (a defect,
or damage in shipping) or denies it for an excluded external cause with the reason.  A replacement
unit keeps the original warranty end; the replaced unit goes back to the operator's stock as
``returned``.  Every step is audited and notified, in the same transaction as the change.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from videophone.adapters import uploads
from videophone.adapters.crypto import new_token, token_digest
from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_terminals import Terminal, WarrantyClaim, WarrantyPhoto
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.identity.domain.documents import check_filename
from videophone.kernel.errors import Conflict, FieldError, InvalidState, NotAuthenticated, NotFound, ValidationFailed
from videophone.notices.public import notifications
from videophone.terminals.domain import terminals as rules
from videophone.terminals.services.releases import newest_release
from videophone.terminals.services.sip_credentials import SipCredentialService
from videophone.terminals.services.terminal_views import (
    MAX_PAGE,
    ClaimView,
    Decided,
    IssuedToken,
    Provisioning,
    TerminalView,
    claim_views,
    load_terminal,
    page_size,
    terminal_view,
)
from videophone.terminals.store import claims as claim_store
from videophone.terminals.store import subscribers as subscriber_store
from videophone.terminals.store import terminals as store

PHOTO_CONTEXT = "warranty_photos"


class TerminalService:
    def __init__(self, deps: Deps, sip: SipCredentialService) -> None:
        self.deps = deps
        self.sip = sip

    def _today(self, now: datetime) -> date:
        return now.astimezone(self.deps.operator_tz).date()

    # -- inventory (staff) --------------------------------------------------------------------------------
    async def add(self, actor: Actor, serial: object, model: object) -> TerminalView:
        s, m = rules.validate_unit(serial, model)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if await store.terminal_id_with_serial(uow.session, s) is not None:
                raise Conflict("terminal_serial_taken", field="serial", params={"serial": s})
            row = Terminal(
                serial=s,
                model=m,
                state=rules.TerminalState.IN_STOCK.value,
                owner=rules.OWNER_OPERATOR,
                void_note="",
                reported_version="",
                created_at=now,
            )
            uow.session.add(row)
            await uow.session.flush()
            audit.record(uow, now, actor, "terminal.add", "terminal", row.id, {"serial": s, "model": m})
            view = await terminal_view(uow, row, self._today(now), now)
            await uow.commit()
            return view

    async def inventory(
        self, *, state: str = "", query: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[int, list[TerminalView]]:
        now = self.deps.clock.now()
        if state and state not in {s.value for s in rules.TerminalState}:
            raise ValidationFailed([FieldError("state", "invalid_choice")])
        wanted = "".join((query or "").split())
        async with self.deps.uow() as uow:
            total, rows = await store.inventory_page(
                uow.session, state=state, query=wanted, offset=max(0, offset), limit=page_size(limit)
            )
            return total, [await terminal_view(uow, r, self._today(now), now) for r in rows]

    async def assign(self, actor: Actor, terminal_id: int, number: object, installed_on: date | None) -> IssuedToken:
        """Install a unit at a subscriber's: the warranty runs from the installation date; the terminal's
        token is issued (shown once)."""
        now = self.deps.clock.now()
        today = self._today(now)
        day = rules.validate_installation(installed_on or today, today)
        wanted = "".join(str(number or "").split())
        async with self.deps.uow() as uow:
            row = await load_terminal(uow, terminal_id, lock=True)
            rules.ensure_assignable(row.state)
            sub = await subscriber_store.subscriber_with_number(uow.session, wanted) if wanted else None
            if sub is None:
                raise ValidationFailed([FieldError("number", "terminal_subscriber_unknown")])
            _, pol = await policy_service.current(uow)
            row.state = rules.TerminalState.ASSIGNED.value
            row.subscriber_id = sub.id
            row.installed_on = day
            row.warranty_end = rules.warranty_end(day, pol.warranty_years)
            row.voided_on = None
            row.void_note = ""
            token = self._issue(row, now)
            audit.record(
                uow,
                now,
                actor,
                "terminal.assign",
                "terminal",
                row.id,
                {
                    "serial": row.serial,
                    "subscriber_id": sub.id,
                    "installed_on": day.isoformat(),
                    "warranty_end": row.warranty_end.isoformat(),
                },
            )
            await notifications.notify(
                uow,
                now,
                sub.id,
                "terminal_assigned",
                {"serial": row.serial, "model": row.model, "warranty_end": row.warranty_end.isoformat()},
            )
            await uow.session.flush()
            view = await terminal_view(uow, row, self._today(now), now)
            await uow.commit()
            return IssuedToken(view, token)

    async def set_installation(self, actor: Actor, terminal_id: int, installed_on: date) -> TerminalView:
        """Correct the installation date of an assigned unit (from the installer's record); the warranty
        end follows it."""
        now = self.deps.clock.now()
        day = rules.validate_installation(installed_on, self._today(now))
        async with self.deps.uow() as uow:
            row = await load_terminal(uow, terminal_id, lock=True)
            if row.state != rules.TerminalState.ASSIGNED or row.replaces_id is not None:
                # A replacement keeps the original unit's warranty end: its date is not for correcting.
                raise InvalidState("terminal_not_installed", params={"state": row.state})
            _, pol = await policy_service.current(uow)
            before = (row.installed_on, row.warranty_end)
            row.installed_on = day
            row.warranty_end = rules.warranty_end(day, pol.warranty_years)
            audit.record(
                uow,
                now,
                actor,
                "terminal.installation_date",
                "terminal",
                row.id,
                {
                    "from": before[0].isoformat() if before[0] else None,
                    "to": day.isoformat(),
                    "warranty_end": row.warranty_end.isoformat(),
                },
            )
            view = await terminal_view(uow, row, self._today(now), now)
            await uow.commit()
            return view

    async def mark_opened(self, actor: Actor, terminal_id: int, note: object) -> TerminalView:
        """The unit was opened by someone other than the operator: its warranty ends today (003 §4(5))."""
        text = str(note or "").strip()
        if not text:
            raise ValidationFailed([FieldError("note", "required")])
        if len(text) > rules.NOTE_MAX:
            raise ValidationFailed([FieldError("note", "too_long", {"max": rules.NOTE_MAX})])
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await load_terminal(uow, terminal_id, lock=True)
            if row.voided_on is not None:
                raise InvalidState("terminal_already_voided", params={"date": row.voided_on.isoformat()})
            if row.subscriber_id is None:
                raise InvalidState("terminal_not_installed", params={"state": row.state})
            row.voided_on = self._today(now)
            row.void_note = text
            audit.record(
                uow, now, actor, "terminal.opened_by_others", "terminal", row.id, {"serial": row.serial, "note": text}
            )
            await notifications.notify(
                uow,
                now,
                row.subscriber_id,
                "terminal_warranty_voided",
                {"serial": row.serial, "date": row.voided_on.isoformat(), "note": text},
            )
            view = await terminal_view(uow, row, self._today(now), now)
            await uow.commit()
            return view

    async def reissue_token(self, actor: Actor, terminal_id: int) -> IssuedToken:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await load_terminal(uow, terminal_id, lock=True)
            if row.state != rules.TerminalState.ASSIGNED:
                raise InvalidState("terminal_not_installed", params={"state": row.state})
            token = self._issue(row, now)
            # A new token, a new SIP account: the next provisioning shows its password (rotation).
            await self.sip.revoke_terminal(uow, row.id, now)
            audit.record(uow, now, actor, "terminal.token_issue", "terminal", row.id, {"serial": row.serial})
            view = await terminal_view(uow, row, self._today(now), now)
            await uow.commit()
            return IssuedToken(view, token)

    async def revoke_token(self, actor: Actor, terminal_id: int) -> TerminalView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await load_terminal(uow, terminal_id, lock=True)
            had = row.token_hash is not None
            row.token_hash = None
            row.token_issued_at = None
            await self.sip.revoke_terminal(uow, row.id, now)
            audit.record(
                uow, now, actor, "terminal.token_revoke", "terminal", row.id, {"serial": row.serial, "had_token": had}
            )
            view = await terminal_view(uow, row, self._today(now), now)
            await uow.commit()
            return view

    # -- the terminal itself -------------------------------------------------------------------------------
    async def provisioning(self, token: str, reported_version: str = "") -> Provisioning:
        """Who the terminal is and which release it should run (R-34); unknown or revoked tokens are
        refused like any bad credential."""
        if not token:
            raise NotAuthenticated()
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await store.terminal_with_token_hash(uow.session, token_digest(token))
            if row is None or row.state != rules.TerminalState.ASSIGNED or row.subscriber_id is None:
                raise NotAuthenticated()
            sub = await uow.session.get(Subscriber, row.subscriber_id)
            release = await newest_release(uow, "terminal")
            version = reported_version.strip()[:32]
            row.last_seen_at = now
            if version:
                row.reported_version = version
            # Not reported in this call: the version its SIP User-Agent reported, if any.
            version = version or row.reported_version
            upgrade = release is not None and (not version or rules.is_newer(release.version, version))
            out = Provisioning(
                serial=row.serial,
                model=row.model,
                number=sub.number if sub else "",
                warranty_end=row.warranty_end,
                release=release,
                upgrade=upgrade,
                mandatory=bool(upgrade and release and release.mandatory),
                sip=await self.sip.provision_terminal(uow, row, sub.number if sub else ""),
            )
            await uow.commit()
            return out

    # -- the subscriber ------------------------------------------------------------------------------------
    async def mine(self, subscriber_id: int) -> tuple[list[TerminalView], list[ClaimView]]:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            rows = await store.terminals_of(uow.session, subscriber_id)
            terminals = [await terminal_view(uow, r, self._today(now), now) for r in rows]
            claims = await claim_views(uow, await claim_store.newest_claims_of(uow.session, subscriber_id, MAX_PAGE))
            return terminals, claims

    async def file_claim(
        self,
        actor: Actor,
        subscriber_id: int,
        terminal_id: int,
        description: object,
        photos: list[tuple[str, str, bytes]],
    ) -> ClaimView:
        """A written claim (003 §4(2)): accepted only within the warranty, else refused with the reason."""
        now = self.deps.clock.now()
        today = self._today(now)
        async with self.deps.uow() as uow:
            row = await uow.session.get(Terminal, terminal_id, with_for_update=True)
            if row is None or row.subscriber_id != subscriber_id or row.state != rules.TerminalState.ASSIGNED:
                raise NotFound("terminal_not_found")
            text = rules.validate_description(description)
            _, pol = await policy_service.current(uow)
            rules.check_photo_count(len(photos))
            checked = [
                (name, rules.check_photo(content, declared, pol.document_max_bytes), content)
                for name, declared, content in photos
            ]
            for name, content_type, content in checked:
                check_filename(name, "photos")
                await uploads.check_content_async(content, content_type, field="photos")
            rules.ensure_eligible(today, row.warranty_end, row.voided_on)
            pending = await claim_store.pending_claim_id(uow.session, row.id)
            if pending is not None:
                raise InvalidState("warranty_claim_pending", params={"claim_id": int(pending)})
            assert row.warranty_end is not None
            claim = WarrantyClaim(
                terminal_id=row.id,
                subscriber_id=subscriber_id,
                description=text,
                state=rules.ClaimState.SUBMITTED.value,
                filed_at=now,
                warranty_end=row.warranty_end,
                cause="",
                note="",
            )
            uow.session.add(claim)
            await uow.session.flush()
            for name, content_type, content in checked:
                safe = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "photo"
                uow.session.add(
                    WarrantyPhoto(
                        claim_id=claim.id,
                        filename=safe[:200],
                        content_type=content_type,
                        size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(),
                        content_enc=self.deps.cipher.seal(content, context=PHOTO_CONTEXT),
                        uploaded_at=now,
                    )
                )
            audit.record(
                uow,
                now,
                actor,
                "warranty.claim",
                "warranty_claim",
                claim.id,
                {"terminal_id": row.id, "serial": row.serial, "photos": len(checked)},
            )
            await notifications.notify(
                uow, now, subscriber_id, "warranty_claim_filed", {"claim_id": claim.id, "serial": row.serial}
            )
            await uow.session.flush()
            (view,) = await claim_views(uow, await claim_store.claim_with_id(uow.session, claim.id, MAX_PAGE))
            await uow.commit()
            return view

    async def photo(self, claim_id: int, photo_id: int, subscriber_id: int | None = None) -> tuple[str, bytes]:
        """A claim's photo (content type, bytes); a subscriber only gets their own."""
        async with self.deps.uow() as uow:
            p = await uow.session.get(WarrantyPhoto, photo_id)
            claim = await uow.session.get(WarrantyClaim, claim_id)
            if p is None or claim is None or p.claim_id != claim.id:
                raise NotFound("warranty_photo_not_found")
            if subscriber_id is not None and claim.subscriber_id != subscriber_id:
                raise NotFound("warranty_photo_not_found")
            return p.content_type, self.deps.cipher.open(p.content_enc, context=PHOTO_CONTEXT)

    # -- support (staff) -----------------------------------------------------------------------------------
    async def queue(self, *, state: str = "", offset: int = 0, limit: int = 50) -> tuple[int, int, list[ClaimView]]:
        """Submitted claims first (oldest first), then decided ones (newest first); also the open count."""
        if state and state not in {s.value for s in rules.ClaimState}:
            raise ValidationFailed([FieldError("state", "invalid_choice")])
        async with self.deps.uow() as uow:
            total, claims = await claim_store.claim_queue(
                uow.session, state=state, offset=max(0, offset), limit=page_size(limit)
            )
            items = await claim_views(uow, claims)
            open_count = await claim_store.open_claim_count(uow.session)
        return total, open_count, items

    async def decide(
        self,
        actor: Actor,
        claim_id: int,
        decision: object,
        cause: object,
        note: object,
        replacement_serial: object = "",
    ) -> Decided:
        """Repair or replace (a covered fault), or deny (an excluded cause, with the reason)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            claim = await uow.session.get(WarrantyClaim, claim_id, with_for_update=True)
            if claim is None:
                raise NotFound("warranty_claim_not_found")
            d = rules.validate_decision(claim.state, decision, cause, note)
            unit = await load_terminal(uow, claim.terminal_id, lock=True)
            if d.decision != rules.Decision.DENY and unit.voided_on is not None:
                raise InvalidState("warranty_voided", params={"date": unit.voided_on.isoformat()})
            token: str | None = None
            replacement: Terminal | None = None
            if d.decision == rules.Decision.REPLACE:
                serial = rules.normalize_serial(replacement_serial)
                if not serial:
                    raise ValidationFailed([FieldError("replacement_serial", "required")])
                replacement = await store.lock_terminal_with_serial(uow.session, serial)
                if replacement is None or replacement.id == unit.id:
                    raise ValidationFailed([FieldError("replacement_serial", "terminal_replacement_unknown")])
                if replacement.state != rules.TerminalState.IN_STOCK:
                    raise ValidationFailed(
                        [
                            FieldError(
                                "replacement_serial", "terminal_replacement_not_in_stock", {"state": replacement.state}
                            )
                        ]
                    )
                # The replacement takes the original's place and keeps its warranty end (003 §4(3)).
                replacement.state = rules.TerminalState.ASSIGNED.value
                replacement.subscriber_id = unit.subscriber_id
                replacement.installed_on = self._today(now)
                replacement.warranty_end = rules.warranty_after_service(claim.warranty_end)
                replacement.voided_on = None
                replacement.void_note = ""
                replacement.replaces_id = unit.id
                token = self._issue(replacement, now)
                # The replaced unit is the operator's again, back in stock (003 §4(3)).
                unit.state = rules.TerminalState.RETURNED.value
                unit.owner = rules.OWNER_OPERATOR
                unit.subscriber_id = None
                unit.token_hash = None
                unit.token_issued_at = None
                await self.sip.revoke_terminal(uow, unit.id, now)
                claim.replacement_id = replacement.id
                claim.state = rules.ClaimState.REPLACED.value
            elif d.decision == rules.Decision.REPAIR:
                unit.warranty_end = rules.warranty_after_service(claim.warranty_end)
                claim.state = rules.ClaimState.REPAIRED.value
            else:
                claim.state = rules.ClaimState.DENIED.value
            claim.cause = d.cause
            claim.note = d.note
            claim.decided_at = now
            claim.decided_by = actor.id if actor.type == "staff" else None
            audit.record(
                uow,
                now,
                actor,
                f"warranty.{d.decision.value}",
                "warranty_claim",
                claim.id,
                {
                    "terminal_id": unit.id,
                    "serial": unit.serial,
                    "cause": d.cause,
                    "note": d.note,
                    "replacement_serial": replacement.serial if replacement else None,
                },
            )
            await notifications.notify(
                uow,
                now,
                claim.subscriber_id,
                f"warranty_claim_{claim.state}",
                {
                    "claim_id": claim.id,
                    "serial": unit.serial,
                    "replacement_serial": replacement.serial if replacement else "",
                    "warranty_end": claim.warranty_end.isoformat(),
                    "note": d.note,
                    "cause": d.cause,
                },
            )
            await uow.session.flush()
            (view,) = await claim_views(uow, await claim_store.claim_with_id(uow.session, claim.id, MAX_PAGE))
            await uow.commit()
            return Decided(view, token)

    # -- internals -----------------------------------------------------------------------------------------
    @staticmethod
    def _issue(row: Terminal, now: datetime) -> str:
        token = new_token()
        row.token_hash = token_digest(token)
        row.token_issued_at = now
        return token
