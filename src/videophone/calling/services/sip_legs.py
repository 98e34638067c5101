"""The SIP side of one call on one phone, for the SIP gateway (``services.sip_gateway``; ADR 0012).

A **leg** is one SIP dialog between the gateway and a phone (through the edge) and the rtpengine call
that relays its media; its hub side is a device of the phone's subscriber in one call of the hub.

* :class:`CallerLeg`: the phone called (the gateway is its UAS): its INVITE became the hub's ``invite``;
  the hub's ``ringing`` / ``accepted`` / ``ended`` become 180 / 200 / a final answer or a BYE.
* :class:`CalleeLeg`: the hub rings the phone (``incoming``; the gateway is the UAC): an INVITE to the
  phone; its 200 becomes the hub's ``accept``, a decline its ``reject``; the call ending or being
  answered elsewhere becomes a CANCEL or a BYE.

The hub's SDP is the browser's (WebRTC); rtpengine turns it into plain RTP for the phone and back.
When a phone answers a call that a phone of this same gateway placed, the two are joined **directly**:
one rtpengine call relays plain RTP (or SRTP-SDES) between them (the callee leg's, given the caller's own
offer again), the caller leg's WebRTC relay call goes unused and is deleted, and no ICE or DTLS runs
between two relay calls.  The caller leg's relay still made the hub's WebRTC offer: a browser of the
callee may answer instead, and then it is used as before.
After the answer the phone is asked for a full picture at once (SIP INFO ``picture_fast_update``,
RFC 5168): a browser's keyframe request does not reach every phone, and without it the first
frame could take seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import structlog

from videophone.adapters import sdp_codecs
from videophone.adapters.sip.message import SipMessage, new_tag, response_to, uri_of
from videophone.calling.domain import sip_status
from videophone.calling.domain.calls import DeviceRef

if TYPE_CHECKING:
    from videophone.calling.services.sip_gateway import SipGateway

log = structlog.get_logger(__name__)

Side = Literal["webrtc", "sip"]
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO"
FAST_UPDATE = (
    '<?xml version="1.0" encoding="utf-8" ?>\r\n'
    "<media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></vc_primitive></media_control>\r\n"
)
KEYFRAME_REQUESTS = (0.0, 0.5)
T1, T2 = 0.5, 4.0  # RFC 3261 timers: a 2xx is sent again at T1, 2·T1 … (at most T2 apart) until the ACK
ACK_WAIT = (
    64 * T1
)  # no ACK by then: the phone never heard the answer, the call ends (§13.3.1.4)  # seconds after the answer: ask twice (the first may beat the phone's decoder)


class MediaRelay(Protocol):
    """rtpengine's control protocol as the gateway uses it (``adapters.rtpengine.RtpEngine``)."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def offer(self, call_id: str, from_tag: str, sdp: str, *, towards: Side) -> str: ...

    async def answer(self, call_id: str, from_tag: str, to_tag: str, sdp: str, *, towards: Side) -> str: ...

    async def delete(self, call_id: str, from_tag: str | None = None) -> None: ...


@dataclass
class Dialog:
    """What in-dialog requests need (RFC 3261 §12): the local and remote From/To values (with tags),
    the remote target, the route set and the local CSeq."""

    call_id: str
    local: str  # our From (for requests we send), with our tag
    remote: str  # their address, with their tag
    target: str = ""  # the phone's Contact URI
    routes: list[str] = field(default_factory=list)
    cseq: int = 1

    def request(self, method: str, gateway: SipGateway, body: bytes = b"", content_type: str = "") -> SipMessage:
        self.cseq += 1
        message = SipMessage(method=method, uri=self.target)
        message.headers = [
            ("via", gateway.via()),
            ("max-forwards", "70"),
            ("from", self.local),
            ("to", self.remote),
            ("call-id", self.call_id),
            ("cseq", f"{self.cseq} {method}"),
        ]
        message.headers += [("route", r) for r in self.routes]
        if content_type:
            message.headers.append(("content-type", content_type))
        message.body = body
        return message


class Leg:
    """What both kinds share: the hub side, the dialog, the media relay call, one task at a time."""

    def __init__(self, gateway: SipGateway, device: DeviceRef, hub_call: str) -> None:
        self.gateway = gateway
        self.device = device
        self.hub_call = hub_call
        self.dialog: Dialog | None = None
        self.answered = False
        self.over = False  # the leg is ending: hub messages about it are only read
        self._finished = False
        self.media_call = ""  # the rtpengine call: the SIP Call-ID of this leg
        self.media_tag = ""  # the tag of the side that offered
        self.local_sdp = ""  # what the phone was last given: the gateway's answer, or the offer it rang with
        self.media_released = False  # its relay call was deleted early (a caller joined directly to a phone)
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    # -- messages from the hub, in order, one at a time ---------------------------------------------------
    def from_hub(self, message: dict[str, Any]) -> None:
        self._queue.put_nowait(message)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._drain(), name=f"sip-leg-{self.hub_call}")

    async def _drain(self) -> None:
        while not self._queue.empty():
            message = self._queue.get_nowait()
            try:
                await self.on_hub(message)
            except Exception:
                log.exception("SIP leg failed on a hub message", call_id=self.hub_call, type=message.get("type"))

    async def on_hub(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def on_bye(self) -> None:
        raise NotImplementedError

    async def hub(self, kind: str, **fields: Any) -> None:
        await self.gateway.hub.handle(
            self.device[0], self.device[1], {"type": kind, "call_id": self.hub_call, **fields}
        )

    def reinvited(self, request: SipMessage) -> SipMessage:
        """The answer to the phone's re-INVITE: a session refresh (RFC 4028) or hold and resume.  The
        media relay's ports and codecs stay; the directions answer the offer's (sdp_codecs.answer_again),
        so a held phone is told its stream is only received.  Without an offer in it (RFC 3264: the offer
        is then ours, the answer comes in the ACK) the phone gets what it had.  A new Contact is the
        dialog's new target (RFC 3261 §12.2.2)."""
        if self.dialog is None or not self.answered or self.over or not self.local_sdp:
            answer = response_to(request, 491, "Request Pending")  # before the answer, or while ending
            answer.headers.append(("retry-after", "1"))
            return answer
        offer = request.body.decode(errors="replace") if request.body else ""
        if offer and request.get("content-type").split(";")[0].strip().lower() != "application/sdp":
            return response_to(request, 415, "Unsupported Media Type")
        try:
            sdp = sdp_codecs.answer_again(self.local_sdp, offer) if offer else self.local_sdp
        except sdp_codecs.SdpError:
            return response_to(request, 488, "Not Acceptable Here")
        self.local_sdp = sdp
        contact = request.get("contact")
        if contact:
            self.dialog.target = uri_of(contact)
        answer = response_to(request, 200, "OK")
        answer.headers += [
            ("contact", self.gateway.contact()),
            ("allow", ALLOW),
            ("content-type", "application/sdp"),
        ]
        answer.body = sdp.encode()
        return answer

    async def send_in_dialog(self, method: str, body: bytes = b"", content_type: str = "") -> None:
        if self.dialog is None:
            return
        request = self.dialog.request(method, self.gateway, body, content_type)
        self.gateway.expect(request.branch, None)  # its answer is only read, not waited for
        await self.gateway.transport.to_edge(request)

    async def ask_for_keyframes(self) -> None:
        """RFC 5168: the phone sends a full picture now (and once more shortly after)."""
        for delay in KEYFRAME_REQUESTS:
            if delay:
                await asyncio.sleep(delay)
            if self.over:
                return
            with contextlib.suppress(Exception):
                await self.send_in_dialog("INFO", FAST_UPDATE.encode(), "application/media_control+xml")

    async def finish(self) -> None:
        """The leg is over: its media relay call goes, the gateway forgets it."""
        if self._finished:
            return
        self._finished = self.over = True
        if self.media_call and not self.media_released:
            with contextlib.suppress(Exception):
                await self.gateway.media.delete(self.media_call)
        self.gateway.forget(self)


class CallerLeg(Leg):
    """A phone's INVITE (the gateway answers as UAS)."""

    def __init__(self, gateway: SipGateway, device: DeviceRef, hub_call: str, invite: SipMessage, reply: Any) -> None:
        super().__init__(gateway, device, hub_call)
        self.invite = invite
        self.reply = reply  # the connection the INVITE came on: its responses go back there
        self.tag = new_tag()
        self.final_sent = False
        self.acked = asyncio.Event()
        self.media_call, self.media_tag = invite.call_id, invite.from_tag
        self.offered = invite.body.decode(errors="replace")  # the phone's own offer (a direct join gives it again)
        self.joined_answers: set[str] = set()  # answers the relay calls of callee phones made for this phone

    @property
    def joinable(self) -> bool:
        """A phone of this gateway answering now may be joined to this one directly."""
        return not (self.over or self.final_sent or self.answered)

    async def respond(self, status: int, reason: str, body: bytes = b"") -> None:
        answer = response_to(self.invite, status, reason, to_tag=self.tag if status > 100 else "")
        if 100 < status < 300:
            answer.headers.append(("contact", self.gateway.contact()))
            answer.headers.append(("allow", ALLOW))
        if body:
            answer.headers.append(("content-type", "application/sdp"))
            answer.body = body
        if status >= 200:
            self.final_sent = True
        with contextlib.suppress(ConnectionError, OSError):
            await self.reply.send(answer)
        if 200 <= status < 300:  # the edge forwards a 2xx statelessly: the phone's UDP may lose it
            asyncio.get_running_loop().create_task(self._until_acked(answer), name=f"sip-2xx-{self.hub_call}")

    async def _until_acked(self, answer: SipMessage) -> None:
        """Send the 2xx again until the ACK comes; none within 64·T1: the call ends (BYE, hang-up)."""
        interval, waited = T1, 0.0
        while waited < ACK_WAIT and not self.over:
            try:
                await asyncio.wait_for(self.acked.wait(), timeout=interval)
                return
            except TimeoutError:
                waited += interval
                interval = min(2 * interval, T2)
            if waited < ACK_WAIT and not self.over:
                with contextlib.suppress(ConnectionError, OSError):
                    await self.reply.send(answer)
        if not self.over and not self.acked.is_set():
            log.warning("a phone never acknowledged its call's answer: ended", call_id=self.hub_call)
            self.over = True
            await self.send_in_dialog("BYE")
            await self.hub("hangup")
            await self.finish()

    def confirm_dialog(self) -> None:
        """The dialog as the UAS sees it: requests go to the INVITE's Contact through its Record-Route."""
        to = self.invite.get("to")
        self.dialog = Dialog(
            call_id=self.invite.call_id,
            local=f"{to};tag={self.tag}",
            remote=self.invite.get("from"),
            target=uri_of(self.invite.get("contact")),
            routes=self.invite.all("record-route"),
            cseq=0,
        )

    async def on_hub(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if self.over:
            return
        if kind == "ringing" and not self.final_sent:
            await self.respond(180, "Ringing")
        elif kind == "forwarded" and not self.final_sent:
            await self.respond(181, "Call Is Being Forwarded")
        elif kind == "accepted" and not self.final_sent:
            answer = str(message.get("sdp", ""))
            if answer in self.joined_answers:
                # A phone of this gateway answered and its relay call already answers this phone
                # (CalleeLeg._join): this leg's own relay call is not needed.
                self.media_released = True
                with contextlib.suppress(Exception):
                    await self.gateway.media.delete(self.media_call)
                sdp = answer
            else:
                sdp = await self.gateway.media.answer(self.media_call, self.media_tag, self.tag, answer, towards="sip")
            self.answered = True
            self.local_sdp = sdp
            self.confirm_dialog()
            await self.respond(200, "OK", sdp.encode())
        elif kind == "ended":
            if not self.final_sent:
                reason, detail = str(message.get("reason", "")), str(message.get("detail", ""))
                status = sip_status.final_for_reason(reason, detail)
                log.info(
                    "a phone's call ended before the answer",
                    call_id=self.hub_call,
                    reason=reason,
                    detail=detail,
                    status=status[0],
                )
                await self.respond(*status)
            elif self.answered:
                await self.send_in_dialog("BYE")
            await self.finish()
        elif kind == "error" and not self.final_sent:
            await self.respond(*sip_status.final_for_error(str(message.get("code", ""))))
            await self.finish()

    # -- requests from the phone ------------------------------------------------------------------------
    async def on_ack(self) -> None:
        if self.acked.is_set():
            return  # an ACK of a 2xx sent again
        self.acked.set()
        if self.answered and not self.over:
            asyncio.get_running_loop().create_task(self.ask_for_keyframes(), name=f"sip-keyframe-{self.hub_call}")

    async def on_bye(self) -> None:
        self.over = True  # the phone hung up: nothing more is sent to it
        await self.hub("hangup" if self.answered else "cancel")
        await self.finish()

    async def on_cancel(self) -> None:
        if not self.final_sent:
            self.over = True
            await self.respond(487, "Request Terminated")
            await self.hub("cancel")
            await self.finish()


class CalleeLeg(Leg):
    """The hub rings a phone (the gateway calls it as UAC)."""

    def __init__(self, gateway: SipGateway, device: DeviceRef, hub_call: str, auth_user: str) -> None:
        super().__init__(gateway, device, hub_call)
        self.auth_user = auth_user
        self.tag = new_tag()
        self.invite: SipMessage | None = None
        self.offer = ""  # the caller's offer (the hub's SDP)
        self.provisional = False  # a 1xx came: a CANCEL may be sent (RFC 3261 §9.1)
        self.cancel_wanted = False
        self.final = False

    async def on_hub(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if self.over:
            return
        if kind == "incoming":
            try:
                await self._ring(message)
            except Exception:  # the media relay or the edge failed: this phone does not ring, the others do
                log.exception("a phone could not be rung", call_id=self.hub_call)
                await self.finish()
        elif kind in ("ended", "answered_elsewhere"):
            if self.answered:
                await self.send_in_dialog("BYE")
                await self.finish()
            elif not self.final:
                self.cancel_wanted = True
                await self._cancel()

    async def _ring(self, message: dict[str, Any]) -> None:
        g = self.gateway
        call_id = f"{new_tag()}{new_tag()}@{g.host}"
        self.media_call, self.media_tag = call_id, self.tag
        # While it only rings, the phone's relay call may not reach the caller's (sdp_codecs.unreachable):
        # the whole offer is given again when it answers.
        self.offer = str(message.get("sdp", ""))
        sdp = await g.media.offer(call_id, self.tag, sdp_codecs.unreachable(self.offer), towards="sip")
        self.local_sdp = sdp
        shown = message.get("from") or {}
        number = str(shown.get("number") or "") if isinstance(shown, dict) else ""
        name = str(shown.get("contact_name") or shown.get("name") or "") if isinstance(shown, dict) else ""
        if number:
            caller = f'"{_quoted(name)}" <sip:{number}@{g.domain}>' if name else f"<sip:{number}@{g.domain}>"
        else:
            caller = '"Anonymous" <sip:anonymous@anonymous.invalid>'
        invite = SipMessage(method="INVITE", uri=f"sip:{self.auth_user}@{g.domain}")
        invite.headers = [
            ("via", g.via()),
            ("max-forwards", "70"),
            ("from", f"{caller};tag={self.tag}"),
            ("to", f"<sip:{message.get('to') or self.auth_user}@{g.domain}>"),
            ("call-id", call_id),
            ("cseq", "1 INVITE"),
            ("contact", g.contact()),
            ("allow", ALLOW),
            (g.SECRET_HEADER, g.edge_secret),
            ("content-type", "application/sdp"),
        ]
        if not number:
            invite.headers.append(("privacy", "id"))
        invite.body = sdp.encode()
        self.invite = invite
        self.dialog = Dialog(call_id=call_id, local=f"{caller};tag={self.tag}", remote=invite.get("to"), cseq=1)
        g.expect(invite.branch, self)
        g.track(self)
        await g.transport.to_edge(invite)

    async def _cancel(self) -> None:
        if self.invite is None or not self.provisional or self.final:
            return  # sent once a provisional answer came (or never: the INVITE's final answer ends it)
        cancel = SipMessage(method="CANCEL", uri=self.invite.uri)
        cancel.headers = [
            (k, v) for k, v in self.invite.headers if k in ("via", "from", "to", "call-id", "max-forwards")
        ]
        cancel.headers.append(("cseq", "1 CANCEL"))
        self.cancel_wanted = False
        self.gateway.expect(cancel.branch + ":CANCEL", None)
        await self.gateway.transport.to_edge(cancel)

    async def on_response(self, response: SipMessage) -> None:
        """A response to this leg's INVITE."""
        status = response.status
        if status < 200:
            if status > 100 or not self.provisional:
                self.provisional = True
                if self.cancel_wanted:
                    await self._cancel()
            return
        if self.final:
            if 200 <= status < 300:  # a retransmitted 200: ACK it again
                await self._ack(response)
            return
        self.final = True
        if status >= 300:
            await self._ack(response)  # non-2xx: the ACK belongs to the INVITE's transaction
            if not self.cancel_wanted and not self.over and sip_status.declines(status):
                await self.hub("reject")
            await self.finish()
            return
        assert self.dialog is not None
        self.dialog.remote = response.get("to")
        self.dialog.target = uri_of(response.get("contact"))
        self.dialog.routes = list(reversed(response.all("record-route")))
        await self._ack(response)
        if self.over or self.cancel_wanted:
            await self.send_in_dialog("BYE")  # answered after the call ended or went elsewhere
            await self.finish()
            return
        caller = self.gateway.callers.get(self.hub_call)
        if caller is not None and caller.joinable:
            sdp = await self._join(caller, response)
        else:
            await self.gateway.media.offer(self.media_call, self.media_tag, self.offer, towards="sip")
            sdp = await self.gateway.media.answer(
                self.media_call,
                self.media_tag,
                response.to_tag,
                response.body.decode(errors="replace"),
                towards="webrtc",
            )
        self.answered = True
        await self.hub("accept", sdp=sdp)
        asyncio.get_running_loop().create_task(self.ask_for_keyframes(), name=f"sip-keyframe-{self.hub_call}")

    async def _join(self, caller: CallerLeg, response: SipMessage) -> str:
        """The caller is a phone of this gateway: this leg's relay call joins the two phones.  Its caller
        side is given the caller phone's own offer (the phone was rung with the same codecs, through the
        caller's WebRTC relay: rtpengine keeps their payload types), the callee phone's answer then
        yields the caller phone's answer.  The hub carries that answer to the caller leg as any other
        (its ``accept``); the caller leg knows it among its ``joined_answers`` (another device of the
        callee may have answered instead) and sends it on unchanged."""
        media = self.gateway.media
        await media.offer(self.media_call, self.media_tag, caller.offered, towards="sip")
        sdp = await media.answer(
            self.media_call, self.media_tag, response.to_tag, response.body.decode(errors="replace"), towards="sip"
        )
        caller.joined_answers.add(sdp)
        return sdp

    async def _ack(self, response: SipMessage) -> None:
        assert self.invite is not None
        if 200 <= response.status < 300:
            assert self.dialog is not None
            ack = self.dialog.request("ACK", self.gateway)
            ack.set("cseq", "1 ACK")
            self.dialog.cseq -= 1  # an ACK takes the INVITE's CSeq number
        else:
            ack = SipMessage(method="ACK", uri=self.invite.uri)
            ack.headers = [(k, v) for k, v in self.invite.headers if k in ("via", "from", "call-id", "max-forwards")]
            ack.headers += [("to", response.get("to")), ("cseq", "1 ACK")]
        with contextlib.suppress(ConnectionError, OSError):
            await self.gateway.transport.to_edge(ack)

    async def on_bye(self) -> None:
        self.over = True
        await self.hub("hangup")
        await self.finish()


def _quoted(name: str) -> str:
    return "".join(ch for ch in name if ch not in '"\\\r\n')[:60]
