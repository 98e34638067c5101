"""Inactivity (the ``inactivity`` job; R-32): the last activity of an account is the latest of its
creation, its last call record (placed or received) and the last use of any of its sessions
(``auth_sessions.last_seen_at`` — a login or any authenticated request).  See
``domain.termination.inactivity_action`` for the notice and termination days; the termination itself
is ``services.termination.terminate_now``."""

from __future__ import annotations

from datetime import datetime

import structlog

from videophone.adapters.db.models_termination import InactivityNotice
from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain.call_rules import ServiceState
from videophone.collections.domain import termination as rules
from videophone.collections.services import termination
from videophone.collections.store import activity, inactivity_notices, subscribers, termination_requests
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.notices.public import notify

log = structlog.get_logger(__name__)

CHUNK = 500


async def last_activity(uow: UnitOfWork, ids: list[int]) -> dict[int, datetime]:
    last: dict[int, datetime] = {}

    def bump(sub_id: int | None, at: datetime | None) -> None:
        if sub_id is not None and at is not None and (sub_id not in last or at > last[sub_id]):
            last[sub_id] = at

    for sub_id, at in await activity.created_at_of(uow.session, ids):
        bump(sub_id, at)
    for last_calls in (activity.last_call_placed, activity.last_call_received):
        for party, started in await last_calls(uow.session, ids):
            bump(party, started)
    for principal, seen in await activity.last_seen_of(uow.session, ids):
        bump(int(principal), seen)
    return last


async def run(deps: Deps, *, actor: Actor | None = None) -> dict[str, int]:
    """Notify accounts inactive long enough, terminate those still inactive after the notice, clear
    notices of accounts used again.  Idempotent (one open notice per account)."""
    who = actor or Actor.system()
    now = deps.clock.now()
    today = termination.local_date(now, deps.operator_tz)
    tz = deps.operator_tz
    async with deps.uow() as uow:
        ids = list(await subscribers.ids_not_in_state(uow.session, ServiceState.TERMINATED.value))
    counts = {"accounts": len(ids), "notified": 0, "terminated": 0, "cleared": 0}
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        async with deps.uow() as uow:
            _, pol = await policy_service.current(uow)
            last = await last_activity(uow, part)
            notices = {n.subscriber_id: n for n in await inactivity_notices.open_among(uow.session, part)}
            pending = set(await termination_requests.awaiting_payment_among(uow.session, part))
            for sub_id in part:
                if sub_id in pending or sub_id not in last:
                    continue  # already leaving on their own request
                notice = notices.get(sub_id)
                last_day = termination.local_date(last[sub_id], tz)
                action = rules.inactivity_action(
                    last_activity=last_day,
                    today=today,
                    notified_on=termination.local_date(notice.notified_at, tz) if notice else None,
                    days_before_termination=pol.inactivity_days_before_termination,
                    notice_days=pol.inactivity_notice_days,
                )
                if action is rules.InactivityAction.NOTIFY:
                    terminate_on = rules.termination_due_on(
                        last_day, today, pol.inactivity_days_before_termination, pol.inactivity_notice_days
                    )
                    uow.session.add(
                        InactivityNotice(
                            subscriber_id=sub_id,
                            notified_at=now,
                            last_activity_at=last[sub_id],
                            terminate_on=terminate_on,
                            state="open",
                        )
                    )
                    await notify(
                        uow,
                        now,
                        sub_id,
                        "termination_inactivity_notice",
                        {"last": last_day.isoformat(), "date": terminate_on.isoformat()},
                    )
                    counts["notified"] += 1
                elif action is rules.InactivityAction.CLEAR and notice is not None:
                    notice.state, notice.closed_at = "cleared", now
                    counts["cleared"] += 1
                elif action is rules.InactivityAction.TERMINATE and notice is not None:
                    if await termination.terminate_now(uow, now, sub_id, reason="inactivity", actor=who, tz=tz):
                        counts["terminated"] += 1
                    notice.state, notice.closed_at = "terminated", now
            await uow.commit()
    log.info("inactivity run", **counts)
    return counts
