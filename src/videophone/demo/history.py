"""Months of demo history, made through the services as it would have happened (issue 15).

A newcomer touring the demo should find what an operator's subscriber of some months has: calls in the
history, bills paid online and at the counter, one bill paid late (so a later bill carries a late fee),
one bill unpaid and overdue, an open dispute, a terminal with a warranty claim, contacts, a value-added
service, an announcement and the notifications all that brought.  Nothing here writes a row: every step
is a use case (the call records through the signaling hub's own writer, payments through the gateway
notification handler and the counter), run on a :class:`SteppedClock` that walks from the first day of
the history to today — day by day, with the scheduler's daily jobs (the bill run, late fees, arrears,
announcements) run each morning as ``serve`` would have run them.

The calendar is laid out from today, so that whatever the day the demo is set up: the newest bill whose
due date has passed is the unpaid one (overdue for less than a month: the account is not yet suspended),
the one before it was paid a few days late, and the subscribers registered two months before that.
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from PIL import Image

from videophone.adapters.clock import SteppedClock
from videophone.adapters.payment_gateway import signed
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import RequestInfo
from videophone.jobs.scheduler import JOBS
from videophone.kernel.events import CallsEnded

MORNING_JOBS = ("monthly-bill-run", "late-fees", "arrears", "announcements")
REQUEST = RequestInfo(ip="127.0.0.1", user_agent="videophone demo", channel="web")
CALLER_DEVICE, CALLEE_DEVICE = "demo-web-1", "demo-web-2"


def add_months(first: date, months: int) -> date:
    """The first of the month ``months`` after (or before) the month of ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Calendar:
    """The history's months.  ``unpaid_issue`` is the first of the month in which the unpaid, overdue
    bill was issued (its period is the month before); the subscribers registered three months earlier."""

    today: date
    unpaid_issue: date

    @staticmethod
    def of(today: date, due_days: int) -> Calendar:
        this_month = today.replace(day=1)
        overdue = this_month + timedelta(days=due_days) < today
        return Calendar(today, this_month if overdue else add_months(this_month, -1))

    @property
    def start(self) -> date:
        return add_months(self.unpaid_issue, -3)

    def issue(self, months_after_start: int) -> date:
        """The first day of the ``n``-th month after the start: when the previous month was billed."""
        return add_months(self.start, months_after_start)


@dataclass
class Party:
    id: int
    number: str
    name: str
    caller_id_since: datetime | None = None


@dataclass
class History:
    """What was seeded (for the report `videophone demo` prints and for the tests)."""

    calls: int = 0
    payments: int = 0
    tour_number: str = ""
    peer_number: str = ""
    events: list[str] = field(default_factory=list)


class Seeder:
    def __init__(self, c: Container, clock: SteppedClock, staff: dict[str, Actor], *, seed: int = 15) -> None:
        self.c = c
        self.clock = clock
        self.staff = staff
        self.tz = c.deps.operator_tz
        self.rng = random.Random(seed)  # the same history on every machine (but for its dates)
        self.result = History()
        self.end = clock.base.now()  # today's "now": nothing is made at or after it

    # -- time -----------------------------------------------------------------------------------------------
    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def move(self, instant: datetime) -> bool:
        """Move the clock to ``instant``; ``False`` (and no move) if that is not in the past."""
        if instant >= self.end:
            return False
        self.clock.advance_to(max(instant, self.clock.now()))
        return True

    async def morning(self, day: date, *, bill_run: bool = True) -> None:
        """The scheduler's daily work, as ``serve`` would have done it at 03:00 (operator's time)."""
        if not self.move(self.at(day, 3)):
            return
        for job in JOBS:
            if job.name in MORNING_JOBS and (bill_run or job.name != "monthly-bill-run"):
                await job.run(self.c)

    # -- the use cases, as people used them -------------------------------------------------------------------
    async def register(self, data: dict[str, object]) -> Party:
        view = await self.c.subscribers.register({**data, "password": _password(), "accept_agreement": True}, REQUEST)
        return Party(view.id, view.number, view.name)

    async def call(self, caller: Party, callee: Party, start: datetime, outcome: str, seconds: int) -> None:
        """One call as the signaling hub records it: the invite, the answer, the end; then what the hub
        runs when calls end (rating, the credit limit)."""
        if start + timedelta(seconds=seconds + 60) >= self.end:
            return
        self.move(start)
        call_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        records = self.c.signaling.records
        presented = callee.caller_id_since is not None and callee.caller_id_since <= start
        await records.insert(_invite(call_id, caller, callee, start, presented, self.c.signaling.node_id))
        ring = timedelta(seconds=self.rng.randint(4, 15))
        answered_at: datetime | None = None
        if outcome == "answered":
            answered_at = start + ring
            self.move(answered_at)
            await records.answer(call_id, state="answered", answered_at=answered_at, callee_device=CALLEE_DEVICE)
            ended = answered_at + timedelta(seconds=seconds)
            reason = "hangup"
        elif outcome == "missed":
            ended, reason = start + timedelta(seconds=30), "no_answer"
        else:
            ended, reason = start + ring, "rejected"
        self.move(ended)
        await records.end(
            call_id,
            state="ended",
            answered_at=answered_at,
            callee_device=CALLEE_DEVICE if answered_at else "",
            ended_at=ended,
            outcome=outcome,
            end_reason=reason,
            billable_seconds=seconds if answered_at else 0,
        )
        for hook in self.c.deps.events.listeners(CallsEnded):
            await hook(CallsEnded((call_id,)))
        self.result.calls += 1

    async def bill_of(self, party: Party, period_first: date) -> tuple[int, int]:
        """The bill of a period and what remains to pay of it (fen)."""
        period = f"{period_first.year:04d}-{period_first.month:02d}"
        bill = next(b for b in await self.c.billing.bills(party.id) if b.period == period)
        status = next(s for s in (await self.c.payments.mine(party.id)).bills if s.bill_id == bill.id)
        return bill.id, status.remaining_fen

    async def pay_online(self, party: Party, period_first: date, when: datetime) -> None:
        """Pay a bill through the gateway: the intent from the portal's "pay" button, then the gateway's
        signed notification, handled as the notify endpoint handles it."""
        if not self.move(when):
            return
        bill_id, fen = await self.bill_of(party, period_first)
        if fen <= 0:
            return
        intent = await self.c.payments.start(party.id, _yuan(fen), bill_id)
        self.move(when + timedelta(minutes=2))
        settings = self.c.settings
        notice = signed(
            {
                "merchant_id": settings.gateway_merchant_id,
                "out_trade_no": intent.id,
                "trade_no": f"GW{self.clock.now():%Y%m%d%H%M%S}{self.rng.randint(1000, 9999)}",
                "amount_fen": intent.amount_fen,
                "status": "paid",
                "paid_at": self.clock.now().isoformat(),
                "notify_id": f"n_{self.rng.getrandbits(64):016x}",
            },
            settings.effective_gateway_secret(),
        )
        if not await self.c.payments.handle_notification(notice, remote="127.0.0.1"):
            raise RuntimeError("the demo's gateway notification was refused")
        self.result.payments += 1

    async def pay_at_counter(self, party: Party, period_first: date, when: datetime) -> None:
        if not self.move(when):
            return
        _, fen = await self.bill_of(party, period_first)
        if fen <= 0:
            return
        await self.c.payments.record_counter(
            self.staff["billing"],
            party.id,
            amount_yuan=_yuan(fen),
            method="cash",
            receipt_no=f"DEMO-{self.clock.now():%Y%m%d}-{party.id:04d}",
            note="营业厅现金缴费",
        )
        self.result.payments += 1


Step = Callable[[], Awaitable[None]]


async def seed(c: Container, clock: SteppedClock, staff: dict[str, Actor], people: list[dict[str, object]]) -> History:
    """Walk from the calendar's start to today, doing what the demo's subscribers and staff did."""
    s = Seeder(c, clock, staff)
    _, pol = await c.policy.get()
    cal = Calendar.of(s.end.astimezone(s.tz).date(), pol.bill_due_days)
    tour, peer = await _first_week(s, cal.start, people)
    s.result.tour_number, s.result.peer_number = tour.number, peer.number
    plan: dict[date, list[tuple[datetime, Step]]] = {}

    def on(instant: datetime, step: Step) -> None:
        plan.setdefault(instant.date(), []).append((instant, step))

    def calling(a: Party, b: Party, instant: datetime, outcome: str, seconds: int) -> None:
        on(instant, partial(s.call, a, b, instant, outcome, seconds))

    # Calls most days; the tour subscriber calls the most (beyond the plan's minutes: usage is charged).
    day = cal.start + timedelta(days=8)
    while day <= cal.today:
        for hour in sorted(s.rng.sample(range(9, 22), s.rng.choice((0, 1, 1, 2)))):
            a, b = (tour, peer) if s.rng.random() < 0.75 else (peer, tour)
            outcome = s.rng.choices(("answered", "missed", "rejected"), (8, 2, 1))[0]
            calling(a, b, s.at(day, hour, s.rng.randint(0, 40)), outcome, s.rng.randint(90, 900))
        day += timedelta(days=1)

    # Bills: the first paid online on time by both; the second paid online by the peer, and at the counter
    # five days after its due date by the tour subscriber (late fees accrued meanwhile); the third — the
    # overdue one — paid by the peer only; a fourth, if issued already, is not due yet.
    due = timedelta(days=pol.bill_due_days)
    first, second, third, fourth = (cal.issue(n) for n in (1, 2, 3, 4))
    on_time = s.at(first + timedelta(days=4), 20, 15)
    on(on_time, partial(s.pay_online, tour, cal.issue(0), on_time))
    for issued in (first, second, third, fourth):
        when = s.at(issued + timedelta(days=6), 12, 40)
        on(when, partial(s.pay_online, peer, add_months(issued, -1), when))
    late = s.at(second + due + timedelta(days=5), 11, 5)
    on(late, partial(s.pay_at_counter, tour, cal.issue(1), late))

    # The last days: a warranty claim, a maintenance notice, a dispute of the unpaid bill.
    now = s.end.astimezone(s.tz)
    claim, notice, dispute = now - timedelta(days=4), now - timedelta(days=2), now - timedelta(hours=20)
    on(claim, partial(_claim, s, tour, claim))
    on(notice, partial(_announce, s, (tour, peer), notice))
    on(dispute, partial(_dispute, s, tour, add_months(third, -1), dispute))

    day = cal.start + timedelta(days=8)
    while day <= cal.today:
        # (no bill run for the month before anyone registered)
        await s.morning(day, bill_run=day >= first)
        for _, step in sorted(plan.get(day, []), key=lambda item: item[0]):
            await step()
        day += timedelta(days=1)
    await c.signaling.records.close()
    return s.result


async def _first_week(s: Seeder, start: date, people: list[dict[str, object]]) -> tuple[Party, Party]:
    """Registration, identity review, contacts, caller ID, a terminal installed."""
    c, staff = s.c, s.staff
    s.move(s.at(start + timedelta(days=2), 10))
    parties: list[Party] = []
    for data in people:
        parties.append(await s.register(data))
        s.move(s.clock.now() + timedelta(minutes=25))
    tour, peer = parties
    s.move(s.at(start + timedelta(days=2), 16))
    for p in parties:
        await c.review.decide(staff["reviewer"], p.id, "verify", "")
    s.move(s.at(start + timedelta(days=3), 20))
    await c.contacts.create_contact(
        Actor("subscriber", tour.id), tour.id, {"name": peer.name, "number": peer.number, "note": "大学同学"}
    )
    await c.contacts.create_contact(Actor("subscriber", peer.id), peer.id, {"name": tour.name, "number": tour.number})
    s.move(s.at(start + timedelta(days=4), 19, 30))
    await c.orders.add_vas(Actor("subscriber", tour.id), tour.id, "caller_id")
    tour.caller_id_since = s.clock.now()
    s.move(s.at(start + timedelta(days=7), 10))
    unit = await c.terminals.add(staff["support"], "VP-DEMO-0001", "VP-100")
    s.move(s.at(start + timedelta(days=7), 15))
    await c.terminals.assign(staff["support"], unit.id, tour.number, s.clock.now().astimezone(s.tz).date())
    return tour, peer


async def _claim(s: Seeder, tour: Party, when: datetime) -> None:
    if not s.move(when):
        return
    units, _ = await s.c.terminals.mine(tour.id)
    await s.c.terminals.file_claim(
        Actor("subscriber", tour.id),
        tour.id,
        units[0].id,
        "屏幕开机后偶尔闪烁，重启后仍然出现，影响视频通话。",
        [("screen.png", "image/png", _photo())],
    )


async def _announce(s: Seeder, parties: tuple[Party, ...], when: datetime) -> None:
    if not s.move(when):
        return
    await s.c.announcements.create(
        s.staff["admin"],
        {
            "kind": "maintenance",
            "title": "网络维护通知",
            "body": "为提升通话质量，我们将对视频通话网络进行维护。维护期间通话可能短暂中断，敬请谅解。",
            "title_en": "Network maintenance",
            "body_en": "We will maintain the video call network to improve call quality. "
            "Calls may be briefly interrupted during the work.",
            "audience": "numbers",
            "numbers": [p.number for p in parties],
            "effective_at": when + timedelta(days=5),
        },
    )


async def _dispute(s: Seeder, tour: Party, period_first: date, when: datetime) -> None:
    if not s.move(when):
        return
    bill_id, _ = await s.bill_of(tour, period_first)
    await s.c.disputes.open(
        Actor("subscriber", tour.id),
        tour.id,
        bill_id,
        amount_yuan="2.00",
        reason="本月来电显示多次没有显示对方号码，申请退还来电显示月费。",
    )


def _password() -> str:
    from videophone.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _photo() -> bytes:
    """A small photo of the faulty unit (a PNG: the claim form takes images only)."""
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), (40, 44, 52)).save(buffer, format="PNG")
    return buffer.getvalue()


def _invite(
    call_id: str, caller: Party, callee: Party, start: datetime, presented: bool, node_id: str
) -> dict[str, Any]:
    """The record the hub inserts at an invite (``SignalingHub._record_of``)."""
    return {
        "id": call_id,
        "caller_id": caller.id,
        "callee_id": callee.id,
        "caller_number": caller.number,
        "callee_number": callee.number,
        "caller_device": CALLER_DEVICE,
        "callee_device": "",
        "node_id": node_id,
        "state": "ringing",
        "started_at": start,
        "ended_at": None,
        "outcome": "",
        "end_reason": "",
        "billable_seconds": 0,
        "leg_of": None,
        "forwarded_by": "",
        "forwarded_to": "",
        "forward_reason": "",
        "caller_presented": presented,
    }
