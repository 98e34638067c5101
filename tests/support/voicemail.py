"""Set-ups the voicemail tests share: a caller and a callee (with the voicemail feature), and a call
between them that signaling diverted to the callee's mailbox — its record, and the deposit
``open_deposit`` gives it, exactly as the diversion path does."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.integration.test_orders import subscriber
from videophone.adapters.db.models import CallRecord
from videophone.bootstrap import Container
from videophone.calling.services.voicemail_deposits import Deposit, open_deposit
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView


async def parties(c: Container, *, voicemail: bool = True) -> tuple[AccountView, AccountView]:
    """A caller and a callee, on the demo catalogue's default plan; the callee with video voicemail."""
    await c.tariffs.ensure_demo_catalog()
    caller, _ = await subscriber(c)
    callee, callee_actor = await subscriber(c)
    if voicemail:
        await c.orders.add_vas(callee_actor, callee.id, "voicemail")
    return caller, callee


async def diverted_call(c: Container, caller: AccountView, callee: AccountView) -> tuple[str, Deposit | None]:
    """A call from ``caller`` to ``callee`` that nobody answered, and the deposit signaling asks for."""
    call_id = str(uuid.uuid4())
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        uow.session.add(
            CallRecord(
                id=call_id,
                caller_id=caller.id,
                callee_id=callee.id,
                caller_number=caller.number,
                callee_number=callee.number,
                caller_device="web-caller",
                callee_device="",
                node_id="test",
                state="ended",
                started_at=now - timedelta(seconds=45),
                answered_at=None,
                ended_at=now,
                outcome="missed",
                end_reason="no_answer",
                billable_seconds=0,
            )
        )
        await uow.session.flush()
        deposit = await open_deposit(uow, c.deps, callee_id=callee.id, caller_id=caller.id, call_id=call_id, now=now)
        await uow.commit()
    return call_id, deposit


async def set_policy(c: Container, **values: object) -> None:
    await c.policy.update(Actor("staff", None, "10.0.0.3"), dict(values), reason="voicemail test")
