"""Web Push (R-36): the browsers a subscriber enabled, and what is sent to them.

A subscription belongs to one device (the signaling device id of the page): enabling push again on a
device replaces its subscription, and a subscriber keeps at most
``domain.push_subscriptions.MAX_PER_SUBSCRIBER`` (the oldest goes).  Adding and removing one is audited.

Two kinds of message go out (``adapters.webpush``, never on a caller's path):

* a **call** (:func:`send_call`): to the devices of a callee that were not connected when the call
  began to ring, with urgency ``high`` and a TTL no longer than the ring; a failure is logged and
  dropped (a call push is worthless later);
* a **call over** (:func:`send_call_over`): to the same devices when the call stops ringing, so the
  service worker takes the ringing notification away — replaced by a "missed call" one when nobody
  answered (a push must show something: ``userVisibleOnly``), simply closed otherwise;
* a **notification** (:func:`deliver`): an ``outbox`` row of channel ``push`` per subscription
  (``services.notifications``), retried with the outbox's back-off.

A push service answering 404 or 410 means the subscription is gone: it is deleted.  Logs name the push
service's origin only, never an endpoint's path (a capability) nor a key.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from videophone.adapters.db.models_push import PushSubscription
from videophone.adapters.webpush import PushFailed, PushGone, Target, WebPush, origin_of
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import NotFound
from videophone.notices.domain import push_subscriptions as rules
from videophone.notices.store import push as store
from videophone.notices.texts import push_texts

log = structlog.get_logger(__name__)

NOTICE_TTL = 24 * 3600  # a notification waits a day at the push service for a sleeping browser
# A "call over" matters for minutes only (a browser asleep longer never rang either).  Its urgency is
# ``normal``, not ``low``: a phone on battery holds ``low`` messages (RFC 8030 §5.3) and would keep
# showing the call as ringing.
CALL_OVER_TTL = 300


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    device_id: str
    label: str
    origin: str  # the push service (never the endpoint's path)
    created_at: datetime
    last_success_at: datetime | None


def _view(row: PushSubscription) -> SubscriptionView:
    return SubscriptionView(
        row.id, row.device_id, row.label, origin_of(row.endpoint), row.created_at, row.last_success_at
    )


def _sender(deps: Deps) -> WebPush:
    if deps.webpush is None:
        raise NotFound("push_unavailable")
    return deps.webpush


class PushService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def public_key(self) -> str:
        """The VAPID public key (base64url): the browsers' ``applicationServerKey``."""
        return _sender(self.deps).public_key

    async def list(self, subscriber_id: int) -> list[SubscriptionView]:
        async with self.deps.uow() as uow:
            return [_view(r) for r in await store.of_subscriber(uow.session, subscriber_id)]

    async def subscribe(
        self,
        subscriber_id: int,
        *,
        device_id: str,
        endpoint: str,
        p256dh: str,
        auth: str,
        user_agent: str,
        actor: Actor,
    ) -> SubscriptionView:
        """Add (or replace) the device's subscription; bad input changes nothing."""
        sender = _sender(self.deps)
        new = rules.parse_subscription(
            device_id, endpoint, p256dh, auth, user_agent, allow_insecure=sender.allow_insecure
        )
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            existing = await store.of_subscriber(uow.session, subscriber_id)
            gone = rules.to_replace([(r.id, r.device_id) for r in existing], new.device_id)
            await store.forget(uow.session, gone)
            await store.forget_endpoint(uow.session, new.endpoint)
            row = PushSubscription(
                subscriber_id=subscriber_id,
                device_id=new.device_id,
                endpoint=new.endpoint,
                p256dh=new.p256dh,
                auth=new.auth,
                label=new.label,
                created_at=now,
            )
            uow.session.add(row)
            await uow.session.flush()
            audit.record(
                uow,
                now,
                actor,
                "push.subscribed",
                "subscriber",
                subscriber_id,
                {"device_id": new.device_id, "push_service": origin_of(new.endpoint), "replaced": len(gone)},
            )
            view = _view(row)
            await uow.commit()
        return view

    async def unsubscribe(self, subscriber_id: int, subscription_id: int, *, actor: Actor) -> None:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if not await store.forget_one(uow.session, subscriber_id, subscription_id):
                raise NotFound("push_subscription_not_found")
            audit.record(
                uow, now, actor, "push.unsubscribed", "subscriber", subscriber_id, {"subscription_id": subscription_id}
            )
            await uow.commit()


def _who(shown: Mapping[str, Any], language: str) -> str:
    if shown.get("withheld") or not (shown.get("number") or shown.get("name")):
        return push_texts.WITHHELD.get(language, push_texts.WITHHELD["zh-CN"])
    return str(shown.get("contact_name") or shown.get("name") or shown.get("number"))


def call_message(call_id: str, shown: Mapping[str, Any], to: str, deadline: datetime, language: str) -> dict[str, Any]:
    """What a push-woken browser is told of a call: who calls (as caller ID lets the callee see them),
    the number dialled, until when it rings, and the page that answers it."""
    title, body = push_texts.CALL.get(language, push_texts.CALL["zh-CN"])
    answer, decline = push_texts.ACTIONS.get(language, push_texts.ACTIONS["zh-CN"])
    who = _who(shown, language)
    return {
        "type": "call",
        "call_id": call_id,
        "from": dict(shown),
        "to": to,
        "deadline": deadline.isoformat(),
        "title": title.format(who=who),
        "body": body.format(to=to),
        "url": f"/phone?answer={call_id}",
        "decline_url": f"/phone?decline={call_id}",
        "tag": f"call-{call_id}",
        "actions": [{"action": "answer", "title": answer}, {"action": "decline", "title": decline}],
    }


def call_over_message(call_id: str, shown: Mapping[str, Any], to: str, missed: bool, language: str) -> dict[str, Any]:
    """What a browser that was pushed a call is told when it stops ringing: close its notification
    (``tag``), and when nobody answered show a missed call instead (its click opens the history)."""
    message: dict[str, Any] = {"type": "call_over", "call_id": call_id, "tag": f"call-{call_id}", "missed": missed}
    if missed:
        title, body = push_texts.MISSED.get(language, push_texts.MISSED["zh-CN"])
        message.update(
            {"title": title.format(who=_who(shown, language)), "body": body.format(to=to), "url": "/history"}
        )
    return message


async def send_call(
    deps: Deps,
    subscriber_id: int,
    device_ids: Sequence[str],
    *,
    call_id: str,
    shown: Mapping[str, Any],
    to: str,
    deadline: datetime,
) -> int:
    """Push a ringing call to some devices of its callee; returns how many push services took it.
    Failures are logged and dropped; gone subscriptions are deleted."""
    sender = deps.webpush
    if sender is None or not device_ids:
        return 0
    async with deps.uow() as uow:
        targets = await store.targets_of_devices(uow.session, subscriber_id, device_ids)
    ttl = max(0, int((deadline - deps.clock.now()).total_seconds()))
    if not targets or ttl <= 0:
        return 0

    sent = await _fan_out(
        deps,
        sender,
        targets,
        lambda language: call_message(call_id, shown, to, deadline, language),
        ttl=ttl,
        urgency="high",
        what="call push failed",
        call_id=call_id,
    )
    if sent:
        async with deps.uow() as uow:
            await store.succeeded(uow.session, sent, deps.clock.now())
            await uow.commit()
    return len(sent)


async def send_call_over(
    deps: Deps,
    subscriber_id: int,
    device_ids: Sequence[str],
    *,
    call_id: str,
    shown: Mapping[str, Any],
    to: str,
    missed: bool,
) -> int:
    """Tell the devices a call was pushed to that it stopped ringing; returns how many push services
    took it.  Failures are logged and dropped; gone subscriptions are deleted."""
    sender = deps.webpush
    if sender is None or not device_ids:
        return 0
    async with deps.uow() as uow:
        targets = await store.targets_of_devices(uow.session, subscriber_id, device_ids)

    sent = await _fan_out(
        deps,
        sender,
        targets,
        lambda language: call_over_message(call_id, shown, to, missed, language),
        ttl=CALL_OVER_TTL,
        urgency="normal",
        what="call-over push failed",
        call_id=call_id,
    )
    return len(sent)


async def _fan_out(
    deps: Deps,
    sender: WebPush,
    targets: Sequence[store.Target],
    message: Callable[[str], Mapping[str, Any]],
    *,
    ttl: int,
    urgency: str,
    what: str,
    call_id: str,
) -> list[int]:
    """Send a call's message (in each subscription's language) to every target at once; the ids of the
    subscriptions whose push service took it.  Failures are logged and dropped (a call's push is worth
    nothing later); gone subscriptions are deleted."""

    async def one(row: store.Target) -> int | None:
        sid, endpoint, p256dh, auth, language = row
        if rules.endpoint_problem(endpoint, allow_insecure=sender.allow_insecure) is not None:
            return None
        payload = json.dumps(message(language)).encode()
        try:
            await sender.send(Target(endpoint, p256dh, auth), payload, ttl=ttl, urgency=urgency)
        except PushGone:
            await _forget(deps, sid)
            return None
        except PushFailed as exc:
            log.warning(what, call_id=call_id, subscription=sid, error=str(exc))
            return None
        return sid

    return [sid for sid in await asyncio.gather(*(one(t) for t in targets)) if sid is not None]


async def _forget(deps: Deps, subscription_id: int) -> None:
    async with deps.uow() as uow:
        await store.forget(uow.session, [subscription_id])
        await uow.commit()
    log.info("push subscription gone; removed", subscription=subscription_id)


def notice_body(kind: str, body: str, params: Mapping[str, Any] | None = None) -> str:
    """The outbox body of a notification's push copy: its text and the page a click opens.  A missed
    call's takes the tag of its call notification, so it replaces that one rather than adding a second."""
    url = {"missed_call": "/history", "voicemail_left": "/voicemail"}.get(kind, "/notifications")
    call_id = (params or {}).get("call_id")
    tag = f"call-{call_id}" if kind == "missed_call" and call_id else f"notice-{kind}"
    return json.dumps({"body": body, "url": url, "tag": tag}, ensure_ascii=False)


async def deliver(deps: Deps, subscription_id: int, subject: str, body: str) -> None:
    """Send one outbox row of channel ``push`` (``recipient``: the subscription id).  A subscription
    that is gone (deleted, or 404/410 now) ends the row as sent — there is no one to tell; any other
    failure raises, so the outbox retries."""
    sender = deps.webpush
    if sender is None:
        raise PushFailed("push is off (no VAPID key)")
    async with deps.uow() as uow:
        row = await store.target(uow.session, subscription_id)
    if row is None:
        return
    endpoint, p256dh, auth = row
    if rules.endpoint_problem(endpoint, allow_insecure=sender.allow_insecure) is not None:
        await _forget(deps, subscription_id)
        return
    data = json.loads(body) if body.startswith("{") else {"body": body, "url": "/notifications"}
    payload = json.dumps({"type": "notice", "title": subject, **data}, ensure_ascii=False).encode()
    try:
        await sender.send(Target(endpoint, p256dh, auth), payload, ttl=NOTICE_TTL)
    except PushGone:
        await _forget(deps, subscription_id)
        return
    async with deps.uow() as uow:
        await store.succeeded(uow.session, [subscription_id], deps.clock.now())
        await uow.commit()


__all__ = [
    "PushService",
    "SubscriptionView",
    "call_message",
    "call_over_message",
    "deliver",
    "send_call",
    "send_call_over",
]
