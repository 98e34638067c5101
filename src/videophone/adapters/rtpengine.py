"""rtpengine's *ng* control protocol over UDP: the media relay of the SIP gateway (issue 16, ADR 0012).

A request is ``<cookie> <bencoded dictionary>``; the answer carries the same cookie.  One socket serves
every call in flight: answers are matched to requests by cookie, a lost datagram is sent again with the
same cookie (rtpengine answers a retransmission from its cache instead of acting twice), and a request
that got no answer after ``retries`` retransmissions fails with :class:`RtpEngineError` — never a hang.

Each SIP leg of the gateway is one rtpengine call (its Call-ID); ``towards`` names the kind of party
that will *receive* the rewritten SDP, so the flags are chosen here, once, not by the gateway:

``towards="webrtc"`` (a browser gets it): ICE + DTLS-SRTP (``UDP/TLS/RTP/SAVPF``), SDES off, rtcp-mux,
``a=mid`` generated, rtpengine the only candidate (``ICE=force``) and **ICE-lite** towards the browser:
rtpengine then only answers the browser's connectivity checks and learns the browser's address from
them (peer-reflexive), so it connects although the browser trickles its candidates to the hub and its
SDP holds none.  The DTLS role is rtpengine's choice (``DTLS=passive`` broke media: ADR 0012).

``towards="sip"`` (a phone gets it): no ICE, RTCP on its own port (``rtcp-mux demux``), and in an offer
plain ``RTP/AVP`` with only what phones decode (:mod:`videophone.adapters.sdp_codecs`).  An answer to
a phone keeps the protocol the phone offered: a phone that offered ``RTP/SAVP`` with SDES gets SDES
keys back, one that offered ``RTP/AVP`` gets plain RTP.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Literal

from videophone.adapters import bencode
from videophone.adapters.sdp_codecs import SdpError, for_phone, has_ice, is_ice_lite, with_feedback

log = logging.getLogger(__name__)

Side = Literal["webrtc", "sip"]  # the kind of the party that will RECEIVE the rewritten SDP
MAX_SDP = 60_000  # an SDP must fit one UDP datagram with the rest of the request
_REPLACE = ["origin", "session-connection"]


class RtpEngineError(RuntimeError):
    """rtpengine refused a request (its ``error-reason``) or did not answer in time."""


def _webrtc_offer() -> dict[str, bencode.Encodable]:
    return {
        "transport-protocol": "UDP/TLS/RTP/SAVPF",
        "ICE": "force",
        # ICE-lite towards the browser that receives this offer: rtpengine answers its checks and learns
        # its address from them, candidates in the SDP or not (trickled to the hub, never forwarded).
        "ICE-lite": "forward",
        "rtcp-mux": ["offer"],
        "SDES": ["off"],
        "flags": ["generate-mid"],
        "replace": _REPLACE,
    }


def _sip_offer(sdp: str) -> dict[str, bencode.Encodable]:
    request: dict[str, bencode.Encodable] = {
        "transport-protocol": "RTP/AVP",
        "ICE": "remove",
        "DTLS": "off",
        "SDES": ["off"],
        "rtcp-mux": ["demux"],
        # Header extensions (transport-cc, abs-send-time …) mean nothing to a phone.
        "flags": ["strip-extmap"],
        "replace": _REPLACE,
    }
    if has_ice(sdp) and not is_ice_lite(sdp):
        # The offerer is a browser (a full ICE agent): ICE-lite towards it too, for its answer.  Not when
        # the offer is rtpengine's own (a phone's leg chained to this one, already ICE-lite): two lite
        # agents would never check each other, so this leg stays a full agent towards that one.
        request["ICE-lite"] = "backward"
    return request


def _webrtc_answer() -> dict[str, bencode.Encodable]:
    # The browser offered (ICE-lite was set in that offer): keep its protocol, ICE and rtcp-mux.
    return {"ICE": "force", "SDES": ["off"], "rtcp-mux": ["accept"], "flags": ["generate-mid"], "replace": _REPLACE}


def _sip_answer() -> dict[str, bencode.Encodable]:
    # No transport override: rtpengine answers in the protocol the phone offered (RTP/AVP or RTP/SAVP+SDES).
    return {"ICE": "remove", "replace": _REPLACE}


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, pending: dict[bytes, asyncio.Future[dict[bytes, bencode.Value]]]) -> None:
        self.pending = pending

    def datagram_received(self, data: bytes, addr: tuple[str | bytes, int]) -> None:
        cookie, sep, body = data.partition(b" ")
        waiter = self.pending.get(cookie) if sep else None
        if waiter is None or waiter.done():
            log.debug("rtpengine: an answer for no request in flight (%d bytes)", len(data))
            return
        try:
            answer = bencode.decode(body)
        except bencode.BencodeError as exc:
            waiter.set_exception(RtpEngineError(f"rtpengine answered with malformed bencode: {exc}"))
            return
        if not isinstance(answer, dict):
            waiter.set_exception(RtpEngineError("rtpengine answered with something other than a dictionary"))
            return
        waiter.set_result(answer)

    def error_received(self, exc: Exception) -> None:
        # Nobody listens (ICMP port unreachable): the request in flight times out after its retries.
        log.debug("rtpengine socket: %s", exc)


class RtpEngine:
    """An asyncio client of one rtpengine's *ng* port."""

    def __init__(self, address: tuple[str, int], *, timeout: float = 1.0, retries: int = 2) -> None:
        if timeout <= 0 or retries < 0:
            raise ValueError("rtpengine: the timeout must be positive and retries not negative")
        self.address = address
        self.timeout = timeout
        self.retries = retries
        self._pending: dict[bytes, asyncio.Future[dict[bytes, bencode.Value]]] = {}
        self._transport: asyncio.DatagramTransport | None = None
        self._opened = 0.0  # loop time the socket was opened

    async def start(self) -> None:
        if self._transport is None:
            loop = asyncio.get_running_loop()
            self._transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self._pending), remote_addr=self.address
            )
            self._opened = loop.time()

    async def _reopen(self) -> None:
        """A request went unanswered: the next try goes out on a new socket (a new port).  A socket of
        uvloop's was seen to stop reading for good with no error (bench/sip's phones, which now use the
        standard loop); here, where uvicorn picks uvloop, a deaf socket would fail every call's media
        until a restart.  At most once per ``timeout``: the requests in flight share the socket, and
        their own retries go out on the new one (answers are matched by cookie, not by socket)."""
        now = asyncio.get_running_loop().time()
        if self._transport is None or now - self._opened < self.timeout:
            return
        old, self._transport = self._transport, None
        old.close()
        await self.start()

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        for waiter in self._pending.values():
            if not waiter.done():
                waiter.set_exception(RtpEngineError("the rtpengine client was closed"))
        self._pending.clear()

    async def request(self, command: str, **fields: bencode.Encodable) -> dict[bytes, bencode.Value]:
        """Send one command; its answer (``result`` ok or pong), or :class:`RtpEngineError`."""
        if self._transport is None:
            raise RtpEngineError("the rtpengine client is not started")
        cookie = secrets.token_hex(8).encode()
        datagram = cookie + b" " + bencode.encode({"command": command, **fields})
        if len(datagram) > 65_000:
            raise RtpEngineError(f"an rtpengine {command} of {len(datagram)} bytes does not fit a datagram")
        waiter: asyncio.Future[dict[bytes, bencode.Value]] = asyncio.get_running_loop().create_future()
        self._pending[cookie] = waiter
        try:
            for _ in range(self.retries + 1):
                if self._transport is None:
                    raise RtpEngineError("the rtpengine client was closed")
                self._transport.sendto(datagram)
                try:
                    answer = await asyncio.wait_for(asyncio.shield(waiter), self.timeout)
                except TimeoutError:
                    await self._reopen()
                    continue
                return _checked(command, answer)
        finally:
            self._pending.pop(cookie, None)
            if not waiter.done():
                waiter.cancel()
        tries = self.retries + 1
        raise RtpEngineError(
            f"no answer from rtpengine at {self.address[0]}:{self.address[1]} to {command} "
            f"({tries} tries, {self.timeout:g} s each)"
        )

    async def ping(self) -> bool:
        try:
            answer = await self.request("ping")
        except RtpEngineError:
            return False
        return answer.get(b"result") == b"pong"

    async def offer(self, call_id: str, from_tag: str, sdp: str, *, towards: Side) -> str:
        _check_sdp(sdp)
        try:
            if towards == "webrtc":
                flags = _webrtc_offer()
                sdp = with_feedback(sdp)
            else:
                flags = _sip_offer(sdp)
                sdp = for_phone(sdp)
        except SdpError as exc:
            raise RtpEngineError(f"unusable SDP: {exc}") from None
        answer = await self.request("offer", **{"call-id": call_id, "from-tag": from_tag, "sdp": sdp}, **flags)
        return _sdp_of(answer)

    async def answer(self, call_id: str, from_tag: str, to_tag: str, sdp: str, *, towards: Side) -> str:
        _check_sdp(sdp)
        flags = _webrtc_answer() if towards == "webrtc" else _sip_answer()
        if towards == "webrtc":
            try:
                sdp = with_feedback(sdp)
            except SdpError as exc:
                raise RtpEngineError(f"unusable SDP: {exc}") from None
        fields: dict[str, bencode.Encodable] = {"call-id": call_id, "from-tag": from_tag, "to-tag": to_tag, "sdp": sdp}
        answer = await self.request("answer", **fields, **flags)
        return _sdp_of(answer)

    async def delete(self, call_id: str, from_tag: str | None = None) -> None:
        """End the call (or one party of it); an unknown call is no error (rtpengine only warns)."""
        fields: dict[str, bencode.Encodable] = {"call-id": call_id, "delete-delay": 0}
        if from_tag is not None:
            fields["from-tag"] = from_tag
        await self.request("delete", **fields)


def _check_sdp(sdp: str) -> None:
    if not sdp.startswith("v=0"):
        raise RtpEngineError("not an SDP (it must start with v=0)")
    if len(sdp) > MAX_SDP:
        raise RtpEngineError(f"an SDP of {len(sdp)} characters is more than the {MAX_SDP} allowed")


def _checked(command: str, answer: dict[bytes, bencode.Value]) -> dict[bytes, bencode.Value]:
    result = answer.get(b"result")
    if result in (b"ok", b"pong"):
        warning = answer.get(b"warning")
        if isinstance(warning, bytes):
            log.info("rtpengine %s: %s", command, warning.decode(errors="replace"))
        return answer
    reason = answer.get(b"error-reason")
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else repr(result)
    raise RtpEngineError(f"rtpengine refused {command}: {text}")


def _sdp_of(answer: dict[bytes, bencode.Value]) -> str:
    sdp = answer.get(b"sdp")
    if not isinstance(sdp, bytes) or not sdp.startswith(b"v=0"):
        raise RtpEngineError("rtpengine answered without an SDP")
    return sdp.decode("utf-8", errors="strict")
