"""`videophone demo`: the demo operator — staff for every role, the demo subscribers and, in a new
database, months of history (``history``).  Safe to run again: what exists is kept, nothing doubles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from videophone.adapters.clock import SteppedClock
from videophone.bootstrap import Container, build, settings_clock
from videophone.common.deps import Actor
from videophone.config import Settings
from videophone.demo import history
from videophone.demo.people import DEMO_PASSWORD, DEMO_STAFF, demo_subscribers, history_subscribers
from videophone.identity.domain.policy import OperatorPolicy
from videophone.identity.services.subscribers import RequestInfo
from videophone.jobs.scheduler import JOBS


@dataclass
class DemoSetUp:
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (where, login, who)
    history: history.History | None = None  # seeded by this run (a new database), else None


def history_start(now: datetime, tz: ZoneInfo) -> datetime:
    """When the history begins: the operator opens for business (09:00 on its calendar's first day)."""
    cal = history.Calendar.of(now.astimezone(tz).date(), OperatorPolicy().bill_due_days)
    return datetime.combine(cal.start, time(9), tzinfo=tz)


async def set_up(settings: Settings) -> DemoSetUp:
    base = settings_clock(settings)
    clock = SteppedClock(base, history_start(base.now(), ZoneInfo(settings.time_zone)))
    c = build(settings, clock=clock)
    done = DemoSetUp()
    try:
        # The marker: the history goes only into a database that has nothing yet (no policy version);
        # afterwards — a second `videophone demo`, or an older demo database — only what is missing is made.
        fresh = (await c.policy.get())[0] == 0
        if not fresh:
            clock.release()
        await c.ensure_reference_data()
        await c.tariffs.ensure_demo_catalog()
        staff = await _staff(c, done)
        if fresh:
            done.history = await history.seed(c, clock, staff, history_subscribers())
        clock.release()
        if fresh:  # the morning's jobs of today, at today's time
            for job in JOBS:
                if job.name in history.MORNING_JOBS:
                    await job.run(c)
        for data in history_subscribers():
            total, found = await c.subscribers.search(str(data["email"]))
            if total:
                done.logins.append(("portal", f"{found[0].number} / {data['email']}", str(data["name"])))
        for data in demo_subscribers():
            total, found = await c.subscribers.search(str(data["email"]))
            if total == 0:
                view = await c.subscribers.register(
                    {**data, "password": DEMO_PASSWORD, "accept_agreement": True},
                    RequestInfo(ip="127.0.0.1", user_agent="videophone demo", channel="api"),
                )
                number = view.number
            else:
                number = found[0].number
            done.logins.append(("portal", f"{number} / {data['email']}", str(data["name"])))
    finally:
        await c.close()
    return done


async def _staff(c: Container, done: DemoSetUp) -> dict[str, Actor]:
    existing = {s.username: s for s in await c.staff.list()}
    actors: dict[str, Actor] = {}
    for username, display, roles in DEMO_STAFF:
        view = existing.get(username) or await c.staff.create(Actor.system(), username, display, DEMO_PASSWORD, roles)
        actors[username] = Actor("staff", view.id, "127.0.0.1")
        done.logins.append(("console", username, ",".join(roles)))
    return actors
