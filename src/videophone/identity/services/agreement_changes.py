"""New agreement versions published by announcement, what changed (a diff), objections and deemed
acceptance (R-06, 003 §15).

A new version is published by staff (``manage_announcements``) with its template and a summary; the
same transaction stores the version and an ``agreement_change`` announcement to everyone whose
objection window ends ``policy.objection_window_months`` later (``domain.announcements.window_end``).
New registrations accept the newest version at once.  Until the window ends each subscriber on an
older version may accept the new one explicitly or object (one objection, with a text: a negotiation
case staff decide — ``accepted`` records the acceptance, channel ``negotiation``; ``not_agreed`` leaves
them on their version).  When it ends the job ``agreement-deemed-acceptance`` writes an
``AgreementAcceptance`` (method ``deemed``, channel ``announcement``, at the window's end) for every
subscriber still on an older version who did not object — each once: the query skips whoever already
accepted that version or a newer one, and the announcement row is locked while a chunk is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from videophone.adapters.db.models import AgreementAcceptance, AgreementVersion, PolicyVersion, Subscriber
from videophone.adapters.db.models_announcements import AgreementObjection
from videophone.adapters.db.uow import UnitOfWork
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.identity.domain.agreement import check_template, render_agreement
from videophone.identity.domain.policy import OperatorPolicy
from videophone.identity.services.agreement_versions import current_version_number
from videophone.identity.store import agreements as agreement_store
from videophone.identity.store import announcements as announcement_store
from videophone.identity.store import objections as objection_store
from videophone.identity.store import subscribers as subscriber_store
from videophone.kernel.errors import FieldError, InvalidState, NotFound, ValidationFailed

# The module, not its names: notices reads the policy from identity while it loads (a cycle of imports
# that attribute access at call time does not mind)
from videophone.notices import public as notices
from videophone.notices.domain import announcements as change_rules

DEEMED_CHUNK = 200
MAX_PAGE = 200


@dataclass(frozen=True)
class AcceptanceView:
    version: int
    method: str  # explicit | deemed
    channel: str
    accepted_at: datetime


@dataclass(frozen=True)
class ObjectionView:
    id: int
    subscriber_id: int
    agreement_version: int
    text: str
    state: str
    opened_at: datetime
    decided_at: datetime | None
    outcome_note: str
    subscriber_number: str = ""
    subscriber_name: str = ""
    window_end: datetime | None = None


@dataclass(frozen=True)
class AgreementChangeView:
    """A newer version than the one the subscriber is on, as they see it."""

    version: int
    summary: str
    published_at: datetime
    window_end: datetime
    window_open: bool  # the objection window has not ended yet
    objection_open: bool  # the subscriber may still object (window open, not objected, not accepted)
    accepted: AcceptanceView | None  # their acceptance of this version (or a newer one)
    objection: ObjectionView | None
    diff: list[dict[str, str]]
    added: int
    removed: int
    from_version: int


def _objection_view(
    row: AgreementObjection, sub: Subscriber | None = None, window_end: datetime | None = None
) -> ObjectionView:
    return ObjectionView(
        id=row.id,
        subscriber_id=row.subscriber_id,
        agreement_version=row.agreement_version,
        text=row.text,
        state=row.state,
        opened_at=row.opened_at,
        decided_at=row.decided_at,
        outcome_note=row.outcome_note,
        subscriber_number=sub.number if sub else "",
        subscriber_name=sub.name if sub else "",
        window_end=window_end,
    )


def _acceptance_view(row: AgreementAcceptance) -> AcceptanceView:
    return AcceptanceView(row.agreement_version, row.method, row.channel, row.accepted_at)


async def _rendered_text(uow: UnitOfWork, version: int, policy_version: int | None) -> str:
    row = await uow.session.get(AgreementVersion, version)
    if row is None:
        raise NotFound("agreement_version_not_found")
    if policy_version is None:
        _, pol = await policy_service.current(uow)
    else:
        pol_row = await uow.session.get(PolicyVersion, policy_version)
        pol = OperatorPolicy.from_mapping(pol_row.values) if pol_row else (await policy_service.current(uow))[1]
    return render_agreement(row.template, version=version, policy=pol, subscriber=None, signed_on=None).plain_text()


class AgreementChanges:
    """Mixin of :class:`AgreementService`: publishing versions and what follows from them."""

    deps: Deps

    # -- staff --------------------------------------------------------------------------------------------
    async def current_template(self) -> dict[str, Any]:
        async with self.deps.uow() as uow:
            version = await current_version_number(uow)
            row = await uow.session.get(AgreementVersion, version)
            assert row is not None
            _, pol = await policy_service.current(uow)
            return {
                "version": row.version,
                "template": row.template,
                "template_en": row.template_en,
                "summary": row.summary,
                "objection_window_months": pol.objection_window_months,
            }

    async def publish_version(self, actor: Actor, raw: dict[str, Any]) -> dict[str, Any]:
        """Store a new agreement version and announce it to everyone (one transaction)."""
        now = self.deps.clock.now()
        raw_template, raw_summary = raw.get("template"), raw.get("summary")
        template: str = raw_template if isinstance(raw_template, str) else ""
        summary: str = raw_summary if isinstance(raw_summary, str) else ""
        raw_en = raw.get("template_en")
        # The English translation is optional ("" : none); when given it is checked like the Chinese.
        template_en: str = raw_en if isinstance(raw_en, str) and raw_en.strip() else ""
        errors: list[FieldError] = []
        if not template.strip():
            errors.append(FieldError("template", "required"))
        else:
            errors.extend(check_template(template))
        if template_en:
            errors.extend(FieldError("template_en", e.code, e.params) for e in check_template(template_en))
        if not summary.strip():
            errors.append(FieldError("summary", "required"))
        elif len(summary) > change_rules.SUMMARY_MAX:
            errors.append(FieldError("summary", "too_long", {"max": change_rules.SUMMARY_MAX}))
        async with self.deps.uow() as uow:
            _, pol = await policy_service.current(uow)
            previous = await current_version_number(uow)
            prev_row = await uow.session.get(AgreementVersion, previous)
            assert prev_row is not None
            if template.strip() and prev_row.template.strip() == template.strip():
                errors.append(FieldError("template", "agreement_unchanged"))
            try:
                draft = change_rules.validate_announcement(
                    kind=change_rules.AnnouncementKind.AGREEMENT_CHANGE.value,
                    title=raw.get("title"),
                    body=raw.get("body"),
                    title_en=raw.get("title_en") or "",
                    body_en=raw.get("body_en") or "",
                    audience="all",
                    publish_at=None,
                    effective_at=None,
                    now=now,
                    objection_window_months=pol.objection_window_months,
                )
            except ValidationFailed as exc:
                errors.extend(exc.errors)
            if errors:
                raise ValidationFailed(errors)
            window = change_rules.window_end(now, pol.objection_window_months)
            version = previous + 1
            uow.session.add(
                AgreementVersion(
                    version=version,
                    template=template,
                    template_en=template_en,
                    summary=summary.strip(),
                    published_at=now,
                    effective_at=window,
                )
            )
            await uow.session.flush()
            row, _ = await notices.add_announcement(
                uow, now, actor, draft, agreement_version=version, objection_window_end=window
            )
            audit.record(
                uow,
                now,
                actor,
                "agreement.publish_version",
                "agreement_version",
                version,
                {"previous": previous, "announcement_id": row.id, "window_end": window.isoformat()},
            )
            await uow.commit()
            return {"version": version, "announcement_id": row.id, "window_end": window, "effective_at": window}

    async def objections(
        self, *, state: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, dict[str, int], list[ObjectionView]]:
        """Open cases first (oldest first), then decided ones (newest first)."""
        limit = max(1, min(MAX_PAGE, limit))
        if state is not None and state not in {s.value for s in change_rules.ObjectionState}:
            raise ValidationFailed([FieldError("state", "invalid_choice", {"value": state})])
        async with self.deps.uow() as uow:
            page = await objection_store.objection_page(uow.session, state, offset, limit)
        return page.total, {"open": page.open}, [_objection_view(o, s, w) for o, s, w in page.rows]

    async def decide_objection(self, actor: Actor, objection_id: int, outcome: object, note: object) -> ObjectionView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await objection_store.lock_objection(uow.session, objection_id)
            if row is None:
                raise NotFound("objection_not_found")
            result, text = change_rules.check_decision(row.state, outcome, note)
            row.state = result.value
            row.decided_at = now
            row.decided_by = actor.id if actor.type == "staff" else None
            row.outcome_note = text
            accepted = result is change_rules.ObjectionState.ACCEPTED
            if accepted:
                latest = await agreement_store.latest_acceptance(uow.session, row.subscriber_id)
                if latest is None or latest.agreement_version < row.agreement_version:
                    policy_version, _ = await policy_service.current(uow)
                    uow.session.add(
                        AgreementAcceptance(
                            subscriber_id=row.subscriber_id,
                            agreement_version=row.agreement_version,
                            policy_version=policy_version,
                            accepted_at=now,
                            channel="negotiation",
                            method="explicit",
                            ip=actor.ip,
                            user_agent="",
                        )
                    )
            audit.record(
                uow,
                now,
                actor,
                "agreement.objection_decide",
                "agreement_objection",
                row.id,
                {"outcome": result.value, "version": row.agreement_version, "subscriber_id": row.subscriber_id},
            )
            await notices.notifications.notify(
                uow,
                now,
                row.subscriber_id,
                "agreement_objection_decided",
                {
                    "version": row.agreement_version,
                    "outcome": result.value,
                    "outcome_zh": "双方协商一致，您已接受新版本" if accepted else "协商未达成一致，您仍适用原版本",
                    "outcome_en": "agreed: you accepted the new version"
                    if accepted
                    else "no agreement: your current version still applies",
                    "note": text,
                },
            )
            sub = await uow.session.get(Subscriber, row.subscriber_id)
            await uow.commit()
            return _objection_view(row, sub)

    # -- the subscriber ------------------------------------------------------------------------------------
    async def changes_for(self, subscriber_id: int) -> list[AgreementChangeView]:
        """Every version announced after the one the subscriber first accepted, newest first, each with
        the diff from the version they are on (rendered with the policy they accepted it under) to it."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            first = await agreement_store.first_accepted_version(uow.session, subscriber_id)
            if first is None:
                return []
            announced = await announcement_store.announced_versions_after(uow.session, first, now)
            if not announced:
                return []
            acceptances = await agreement_store.acceptances_in_version_order(uow.session, subscriber_id)
            objections = {
                o.agreement_version: o for o in await objection_store.objections_of(uow.session, subscriber_id)
            }
            out: list[AgreementChangeView] = []
            for version_row, ann in announced:
                v = version_row.version
                accepted = next((a for a in acceptances if a.agreement_version >= v), None)
                base = max(
                    (a for a in acceptances if a.agreement_version < v),
                    key=lambda a: (a.agreement_version, a.id),
                    default=None,
                )
                base_version = base.agreement_version if base else first
                old_text = await _rendered_text(uow, base_version, base.policy_version if base else None)
                new_text = await _rendered_text(uow, v, None)
                lines = change_rules.diff_texts(old_text, new_text)
                counts = change_rules.diff_counts(lines)
                window = ann.objection_window_end or version_row.effective_at
                objection = objections.get(v)
                out.append(
                    AgreementChangeView(
                        version=v,
                        summary=version_row.summary,
                        published_at=version_row.published_at,
                        window_end=window,
                        window_open=now < window,
                        objection_open=accepted is None and objection is None and now < window,
                        accepted=_acceptance_view(accepted) if accepted else None,
                        objection=_objection_view(objection, window_end=window) if objection else None,
                        diff=[{"op": line.op, "text": line.text} for line in lines],
                        added=counts["added"],
                        removed=counts["removed"],
                        from_version=base_version,
                    )
                )
            return out

    async def accept_version(
        self, actor: Actor, subscriber_id: int, version: int, *, channel: str = "web", user_agent: str = ""
    ) -> AcceptanceView:
        """The subscriber accepts an announced version now (explicitly)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            ann = await announcement_store.published_change_of(uow.session, version, now)
            if ann is None:
                raise NotFound("agreement_version_not_found")
            sub = await subscriber_store.lock_subscriber(uow.session, subscriber_id)
            if sub is None:
                raise NotFound("subscriber_not_found")
            latest = await agreement_store.latest_acceptance(uow.session, subscriber_id)
            if latest is not None and latest.agreement_version >= version:
                raise InvalidState("agreement_already_accepted")
            policy_version, _ = await policy_service.current(uow)
            row = AgreementAcceptance(
                subscriber_id=subscriber_id,
                agreement_version=version,
                policy_version=policy_version,
                accepted_at=now,
                channel=channel,
                method="explicit",
                ip=actor.ip,
                user_agent=user_agent[:400],
            )
            uow.session.add(row)
            audit.record(uow, now, actor, "agreement.accept", "agreement_version", version, {"channel": channel})
            await uow.commit()
            return _acceptance_view(row)

    async def object_to(self, actor: Actor, subscriber_id: int, version: int, text: object) -> ObjectionView:
        """The subscriber objects to an announced version within the window: a case for staff."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            ann = await announcement_store.published_change_of(uow.session, version, now)
            if ann is None or ann.objection_window_end is None:
                raise NotFound("agreement_version_not_found")
            sub = await subscriber_store.lock_subscriber(uow.session, subscriber_id)
            if sub is None:
                raise NotFound("subscriber_not_found")
            latest = await agreement_store.latest_acceptance(uow.session, subscriber_id)
            existing = await objection_store.objection_id_of(uow.session, subscriber_id, version)
            body = change_rules.check_objection(
                now=now,
                window_ends_at=ann.objection_window_end,
                text=text,
                already_objected=existing is not None,
                already_accepted=latest is not None and latest.agreement_version >= version,
            )
            row = AgreementObjection(
                subscriber_id=subscriber_id,
                agreement_version=version,
                announcement_id=ann.id,
                text=body,
                state="open",
                opened_at=now,
                outcome_note="",
            )
            uow.session.add(row)
            await uow.session.flush()
            audit.record(uow, now, actor, "agreement.object", "agreement_objection", row.id, {"version": version})
            await notices.notifications.notify(
                uow, now, subscriber_id, "agreement_objection_received", {"version": version}
            )
            await uow.commit()
            return _objection_view(row, sub, ann.objection_window_end)

    # -- the job -------------------------------------------------------------------------------------------
    async def deem_acceptances(self) -> dict[str, int]:
        """For every agreement version whose objection window has ended, record a deemed acceptance for
        each subscriber still on an older version who did not object (in chunks; idempotent)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            due = await announcement_store.changes_with_window_ended(uow.session, now)
        deemed = 0
        for version, announcement_id in due:
            while True:
                async with self.deps.uow() as uow:
                    ann = await announcement_store.lock_announcement(uow.session, announcement_id)
                    assert ann is not None and ann.objection_window_end is not None
                    if not change_rules.deemed_due(now, ann.objection_window_end):
                        break
                    ids = await agreement_store.subscribers_to_deem(uow.session, version, DEEMED_CHUNK)
                    if not ids:
                        break
                    policy_version, _ = await policy_service.current(uow)
                    for subscriber_id in ids:
                        uow.session.add(
                            AgreementAcceptance(
                                subscriber_id=subscriber_id,
                                agreement_version=version,
                                policy_version=policy_version,
                                accepted_at=ann.objection_window_end,
                                channel="announcement",
                                method="deemed",
                                ip="",
                                user_agent="",
                            )
                        )
                        await notices.notifications.notify(
                            uow, now, subscriber_id, "agreement_deemed_accepted", {"version": version}, email=False
                        )
                    audit.record(
                        uow,
                        now,
                        Actor.system(),
                        "agreement.deemed_acceptance",
                        "agreement_version",
                        version,
                        {"subscribers": len(ids), "first": ids[0], "last": ids[-1]},
                    )
                    await uow.commit()
                    deemed += len(ids)
        return {"versions": len(due), "deemed": deemed}
