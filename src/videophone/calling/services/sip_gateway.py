"""The SIP gateway (issue 16, ADR 0012): SIP phones as devices of their subscribers in the signaling hub.

The gateway runs inside a serving node, beside its hub.  Each registered phone is a device of its
subscriber, ``sip:<credential id>`` (a colon no browser's device id may hold), connected to the hub
through a :class:`SipLink` instead of a WebSocket: the hub decides every call exactly as for a browser
(identity review, block list, restrictions, lawful suspension, credit limit, busy, no answer,
multi-device ringing, forwarding), writes the same call record, and rates and bills it the same way.
The gateway only translates (``services.sip_legs``): SIP dialogs through the edge (Kamailio, which
authenticated the phone) to the hub's messages, and media through rtpengine.

* The edge hands the gateway a phone's INVITE over TCP with the digest user it authenticated
  (``X-Videophone-Sip-User``) and the shared secret (``X-Videophone-Edge-Secret``, compared in
  constant time); anything else is refused (403).
* Registrations reach the gateway from the terminals context (the edge reports each one): a phone
  registered is connected to the hub until its registration expires or is ended (revocation, lawful
  suspension, end of the account) — its presence kept fresh like a browser's pings.
* Calls to a phone go out through the edge (``lookup`` of the digest user's registration).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from videophone.adapters.sip.message import SipMessage, new_branch, response_to, user_of
from videophone.adapters.sip.transport import SipConnection, SipTransport
from videophone.calling.domain.calls import DeviceRef
from videophone.calling.domain.contacts import check_number, normalize_number
from videophone.calling.services.signaling import PING_INTERVAL, SignalingHub
from videophone.calling.services.sip_legs import CalleeLeg, CallerLeg, Leg, MediaRelay

log = structlog.get_logger(__name__)

DEVICE_PREFIX = "sip:"
USER_HEADER = "x-videophone-sip-user"
REFRESH_SECONDS = PING_INTERVAL
REFRESH_BATCH = 100  # phones refreshed between two yields of the event loop


@dataclass(frozen=True)
class SipDevice:
    """A phone's credential as the gateway needs it."""

    subscriber_id: int
    credential_id: int
    auth_user: str


# The phone behind a digest user, if its credential is in force and may call (terminals context).
DeviceLookup = Callable[[str], Awaitable[SipDevice | None]]
# The registrations in force now (at the gateway's start).
Registrations = Callable[[datetime], Awaitable[list[tuple[SipDevice, datetime]]]]


def device_id_of(credential_id: int) -> str:
    return f"{DEVICE_PREFIX}{credential_id}"


def is_sip_device(device_id: str) -> bool:
    return device_id.startswith(DEVICE_PREFIX)


@dataclass(frozen=True)
class GatewayConfig:
    listen: tuple[str, int]  # where the edge reaches the gateway (TCP)
    edge: tuple[str, int]  # the edge's SIP address for the gateway's own requests (TCP)
    domain: str
    edge_secret: str
    host: str = ""  # the gateway's address as the edge reaches it (default: the listen host)


class SipLink:
    """A phone's connection to the hub: the hub's messages go to the phone's legs."""

    def __init__(self, gateway: SipGateway, device: SipDevice) -> None:
        self.gateway = gateway
        self.device = device

    async def send(self, message: dict[str, Any]) -> None:
        self.gateway.from_hub(self.device, message)

    async def close(self, code: int) -> None:
        return None  # a phone has no connection to the hub to close: its registration lives at the edge


class SipGateway:
    SECRET_HEADER = "x-videophone-edge-secret"  # noqa: S105 (a header name)

    def __init__(
        self,
        hub: SignalingHub,
        media: MediaRelay,
        config: GatewayConfig,
        lookup: DeviceLookup,
        registrations: Registrations,
    ) -> None:
        self.hub = hub
        self.media = media
        self.config = config
        self.domain = config.domain
        self.edge_secret = config.edge_secret
        self.host = config.host or config.listen[0]
        self.lookup = lookup
        self.registrations = registrations
        self.transport = SipTransport(config.listen, config.edge, self.on_message)
        self.links: dict[int, SipLink] = {}  # credential id → its link (the phone is connected)
        self.until: dict[int, datetime] = {}  # credential id → the end of its registration
        self.legs: dict[tuple[str, DeviceRef], Leg] = {}  # (hub call id, device) → its leg
        self.by_sip: dict[str, Leg] = {}  # SIP Call-ID → its leg
        self.pending: dict[str, CalleeLeg | None] = {}  # branch of a request we sent → who reads its answer
        self.callers: dict[str, CallerLeg] = {}  # hub call id → the leg of the phone of this gateway that placed it
        self._refresher: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.media.start()
        await self.transport.start()
        now = self.hub.deps.clock.now()
        for device, until in await self.registrations(now):
            await self.registered(device, until)
        self._refresher = asyncio.get_running_loop().create_task(self._refresh(), name="sip-gateway-presence")
        log.info("SIP gateway listening", host=self.config.listen[0], port=self.transport.port)

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._refresher
        await self.transport.stop()
        await self.media.close()

    def via(self) -> str:
        return f"SIP/2.0/TCP {self.host}:{self.transport.port};branch={new_branch()}"

    def contact(self) -> str:
        return f"<sip:gw@{self.host}:{self.transport.port};transport=tcp>"

    # -- registrations (from the terminals context, after the edge reported them) ----------------------
    async def registered(self, device: SipDevice, until: datetime | None) -> None:
        """A phone registered until ``until`` (None: it unregistered)."""
        if until is None or until <= self.hub.deps.clock.now():
            await self._disconnect(device.credential_id)
            return
        self.until[device.credential_id] = until
        if device.credential_id not in self.links:
            link = SipLink(self, device)
            self.links[device.credential_id] = link
            welcome = await self.hub.connect(device.subscriber_id, device_id_of(device.credential_id), link)
            joins = [str(c) for c in welcome.get("_join", [])]
            if joins:  # calls ringing for the subscriber now ring on the phone too
                await self.hub.join_ringing(device.subscriber_id, device_id_of(device.credential_id), joins)

    async def drop(self, auth_users: Sequence[str]) -> None:
        """The registrations of these digest users ended (revoked, suspended, account ended)."""
        wanted = set(auth_users)
        for credential_id, link in list(self.links.items()):
            if link.device.auth_user in wanted:
                await self._disconnect(credential_id)

    async def _disconnect(self, credential_id: int) -> None:
        self.until.pop(credential_id, None)
        link = self.links.pop(credential_id, None)
        if link is not None:
            await self.hub.disconnect(link.device.subscriber_id, device_id_of(credential_id), link)

    async def _refresh(self) -> None:
        """Keep registered phones present (as a browser's pings do); drop the expired ones.  The phones
        are taken ``REFRESH_BATCH`` at a time, spread over half the period: thousands of phones in one
        go would hold the event loop (and every call's signaling) for tens of milliseconds."""
        while True:
            await asyncio.sleep(REFRESH_SECONDS / 2)
            links = list(self.links.items())
            batches = max(1, -(-len(links) // REFRESH_BATCH))
            for start in range(0, len(links), REFRESH_BATCH):
                await self._refresh_some(links[start : start + REFRESH_BATCH])
                await asyncio.sleep(REFRESH_SECONDS / 2 / batches)

    async def _refresh_some(self, links: list[tuple[int, SipLink]]) -> None:
        now = self.hub.deps.clock.now()
        for credential_id, link in links:
            if self.links.get(credential_id) is not link:
                continue  # gone, or registered again, meanwhile
            try:
                if self.until.get(credential_id, now) <= now:
                    await self._disconnect(credential_id)
                else:
                    await self.hub.handle(link.device.subscriber_id, device_id_of(credential_id), {"type": "ping"})
            except Exception:
                log.exception("SIP presence refresh failed", credential_id=credential_id)

    # -- the hub's messages to a phone -----------------------------------------------------------------
    def from_hub(self, device: SipDevice, message: dict[str, Any]) -> None:
        call_id = str(message.get("call_id") or "")
        if not call_id:
            return  # pong, or an error about no call
        ref: DeviceRef = (device.subscriber_id, device_id_of(device.credential_id))
        leg = self.legs.get((call_id, ref))
        if leg is None:
            if message.get("type") != "incoming":
                return
            leg = CalleeLeg(self, ref, call_id, device.auth_user)
            self.legs[(call_id, ref)] = leg
        leg.from_hub(message)

    def expect(self, branch: str, leg: CalleeLeg | None) -> None:
        self.pending[branch] = leg

    def forget(self, leg: Leg) -> None:
        self.legs.pop((leg.hub_call, leg.device), None)
        if self.callers.get(leg.hub_call) is leg:
            del self.callers[leg.hub_call]
        if leg.media_call:
            self.by_sip.pop(leg.media_call, None)
        if isinstance(leg, CalleeLeg) and leg.invite is not None:
            self.pending.pop(leg.invite.branch, None)

    # -- SIP from the edge -----------------------------------------------------------------------------
    async def on_message(self, message: SipMessage, connection: SipConnection) -> None:
        if not message.is_request:
            await self._on_response(message)
            return
        method = message.method
        if method == "INVITE" and not message.to_tag:
            await self._on_invite(message, connection)
            return
        if method == "OPTIONS":
            await connection.send(response_to(message, 200, "OK"))
            return
        leg = self.by_sip.get(message.call_id)
        if method == "ACK":
            if isinstance(leg, CallerLeg):
                await leg.on_ack()
            return
        if leg is None:
            await connection.send(response_to(message, 481, "Call/Transaction Does Not Exist"))
            return
        if method == "CANCEL" and isinstance(leg, CallerLeg):
            await connection.send(response_to(message, 200, "OK"))
            await leg.on_cancel()
        elif method == "BYE":
            await connection.send(response_to(message, 200, "OK"))
            await leg.on_bye()
        elif method in ("INFO", "UPDATE"):
            await connection.send(response_to(message, 200, "OK"))
        elif method == "INVITE":  # a re-INVITE: a session refresh, hold or resume (the media relay stays)
            await connection.send(leg.reinvited(message))
        else:
            await connection.send(response_to(message, 405, "Method Not Allowed"))

    async def _on_response(self, response: SipMessage) -> None:
        branch = response.branch
        _, method = response.cseq
        key = branch + ":CANCEL" if method == "CANCEL" else branch
        if key not in self.pending:
            return
        leg = self.pending[key]
        if leg is None:
            if response.status >= 200:
                del self.pending[key]
            return
        if response.status >= 300:
            self.pending.pop(key, None)
        # A 2xx stays matched until the leg ends (forget): the phone sends it again until our ACK
        # reaches it (RFC 3261 §13.3.1.4), and each copy is acknowledged again (CalleeLeg.on_response).
        await leg.on_response(response)

    async def _on_invite(self, invite: SipMessage, connection: SipConnection) -> None:
        sent = invite.get(self.SECRET_HEADER)
        if not hmac.compare_digest(sent.encode(), self.edge_secret.encode()):
            log.warning("an INVITE without the edge's secret: refused")
            await connection.send(response_to(invite, 403, "Forbidden"))
            return
        if invite.call_id in self.by_sip:
            return  # a retransmission: the call is under way
        await connection.send(response_to(invite, 100, "Trying"))
        device = await self.lookup(invite.get(USER_HEADER))
        if device is None:
            log.info("an INVITE of a phone that may not call: refused", user=invite.get(USER_HEADER)[:64])
            await connection.send(response_to(invite, 403, "Forbidden"))
            return
        if invite.get("content-type").split(";")[0].strip().lower() != "application/sdp" or not invite.body:
            # Only an offer in the INVITE is handled: a phone offering in its ACK is not supported.
            await connection.send(response_to(invite, 488, "Not Acceptable Here"))
            return
        to = normalize_number(user_of(invite.uri))
        if check_number(to):
            await connection.send(response_to(invite, 404, "Not Found"))
            return
        if device.credential_id not in self.links:  # it calls without the gateway having seen it register
            await self.registered(device, self.hub.deps.clock.now() + timedelta(seconds=REFRESH_SECONDS * 3))
        ref: DeviceRef = (device.subscriber_id, device_id_of(device.credential_id))
        hub_call = str(uuid.uuid4())
        leg = CallerLeg(self, ref, hub_call, invite, connection)
        self.legs[(hub_call, ref)] = leg
        self.by_sip[invite.call_id] = leg
        self.callers[hub_call] = leg
        try:
            sdp = await self.media.offer(
                leg.media_call, leg.media_tag, invite.body.decode(errors="replace"), towards="webrtc"
            )
        except Exception:
            log.exception("the media relay refused a phone's offer", call_id=hub_call)
            await leg.respond(503, "Service Unavailable")
            await leg.finish()
            return
        video = b"m=video" in invite.body
        await leg.hub("invite", to=to, sdp=sdp, media={"audio": True, "video": video})

    def track(self, leg: Leg) -> None:
        """A callee leg's SIP Call-ID is known once its INVITE is built."""
        if leg.media_call:
            self.by_sip[leg.media_call] = leg
