"""Missed calls (R-36): a call to a subscriber that ended unanswered — no answer, no device reachable,
or the caller hung up while it rang — leaves them a ``missed_call`` notification (in-app, and by push
per their preferences: category ``calls``).  A ``CallsEnded`` subscriber (ADR 0007): it runs after
the call records are written, in signaling's batches, never on a call's path.  Caller ID holds (ADR
0009): a caller who was not presented is "number withheld" in it too."""

from __future__ import annotations

from videophone.calling.store import missed_calls as store
from videophone.common.deps import Deps
from videophone.kernel.events import CallsEnded
from videophone.notices.public import notifications

WITHHELD_ZH, WITHHELD_EN = "号码未显示", "Number withheld"


class MissedCallService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def on_calls_ended(self, event: CallsEnded) -> None:
        await self.notify_missed(event.call_ids)

    async def notify_missed(self, call_ids: tuple[str, ...]) -> int:
        """Write the notifications of the missed calls among ``call_ids``; returns how many."""
        async with self.deps.uow() as uow:
            rows = await store.missed_among(uow.session, call_ids)
            items = [
                (
                    callee_id,
                    "missed_call",
                    {
                        "call_id": call_id,
                        "caller_zh": number if presented and number else WITHHELD_ZH,
                        "caller_en": number if presented and number else WITHHELD_EN,
                        "to": to,
                        "time": started.astimezone(self.deps.operator_tz).strftime("%Y-%m-%d %H:%M"),
                    },
                )
                for call_id, callee_id, number, presented, to, started in rows
            ]
            await notifications.notify_many(uow, self.deps.clock.now(), items)
            await uow.commit()
        return len(items)
