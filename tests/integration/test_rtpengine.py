"""The rtpengine client against a real rtpengine (userspace, ``--table=-1``) in a loopback-only namespace.

rtpengine runs with the configuration ``videophone sip-media render`` writes; the client runs in one
worker thread that joined the namespace.  Proven: ping; a phone's plain offer becomes a WebRTC offer and
a real Chrome answer goes back to the phone as plain RTP; a real Chrome offer (VP8, VP9, H.264, AV1, no
candidates) reaches a phone as RTP/AVP with only what phones decode, and the phone's answer goes back as
WebRTC; an SRTP phone gets SDES keys back; delete; concurrent requests on one socket; RTP really flows
phone ↔ phone, both in one call and through two legs chained by their WebRTC SDPs (the gateway's
pattern: ICE + DTLS-SRTP between the legs); and a silent rtpengine fails after the timeout.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import struct
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from tests.e2e.calls_support import create_netns, delete_netns
from tests.integration.test_sip_register import _join_netns
from videophone.adapters import sdp_codecs
from videophone.adapters.rtpengine import RtpEngine, RtpEngineError
from videophone.adapters.rtpengine_config import MediaConfig, command, render

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/rtpengine"), reason="rtpengine is not installed")

T = TypeVar("T")
NG = ("127.0.0.1", 2223)
SDP_DIR = Path(__file__).parent / "sdp"
CHROME_OFFER = (SDP_DIR / "chrome-156-offer.sdp").read_bytes().decode()
# Chrome's answer to what rtpengine offers for PHONE below (mids 1 and 2 are rtpengine's).
CHROME_ANSWER = (SDP_DIR / "chrome-156-answer.sdp").read_bytes().decode()


def phone_sdp(audio: int, video: int, proto: str = "RTP/AVP", extra: str = "", session: int = 1) -> str:
    """A baresip-like offer: opus, PCMU, telephone-event and VP8, no ICE."""
    return (
        f"v=0\r\no=- {session} 1 IN IP4 127.0.0.1\r\ns=baresip\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {audio} {proto} 111 0 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
        f"a=rtpmap:101 telephone-event/8000\r\n{extra}a=sendrecv\r\n"
        f"m=video {video} {proto} 100\r\na=rtpmap:100 VP8/90000\r\n{extra}a=sendrecv\r\n"
    )


def ports(sdp: str) -> list[int]:
    return [int(m) for m in re.findall(r"^m=\w+ (\d+) ", sdp, re.M)]


def protos(sdp: str) -> set[str]:
    return set(re.findall(r"^m=\w+ \d+ (\S+) ", sdp, re.M))


def codecs(sdp: str) -> set[str]:
    return {line.split(" ", 1)[1] for line in sdp.splitlines() if line.startswith("a=rtpmap:")}


class Media:
    """rtpengine in the namespace and a thread there that runs coroutines with a started client."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool

    def run(self, make: Callable[[RtpEngine], Awaitable[T]], address: tuple[str, int] = NG, **kw: float) -> T:
        async def go() -> T:
            engine = RtpEngine(address, **kw)  # type: ignore[arg-type]
            await engine.start()
            try:
                return await make(engine)
            finally:
                await engine.close()

        return self.pool.submit(lambda: asyncio.run(go())).result(timeout=60)

    def call(self, fn: Callable[[], T]) -> T:
        return self.pool.submit(fn).result(timeout=60)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Media]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    workdir = tmp_path_factory.mktemp("rtpengine")
    conf = render(MediaConfig(listen_ng=NG, interface="127.0.0.1", port_min=30000, port_max=30999), workdir)
    log = open(workdir / "rtpengine.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(["ip", "netns", "exec", name, *command(conf)], stdout=log, stderr=subprocess.STDOUT)
    pool = ThreadPoolExecutor(max_workers=1, initializer=_join_netns, initargs=(name,))
    try:
        media = Media(pool)
        deadline = time.monotonic() + 20
        while not media.run(lambda e: e.ping(), timeout=0.3, retries=0):
            assert process.poll() is None, (workdir / "rtpengine.log").read_text()
            assert time.monotonic() < deadline, "rtpengine did not answer its ping"
        yield media
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        process.terminate()
        process.wait(timeout=10)
        log.close()
        delete_netns(name)


def test_ping(media: Media) -> None:
    assert media.run(lambda e: e.ping()) is True


def test_a_phone_offer_reaches_a_browser_as_webrtc_and_the_browser_answer_goes_back_plain(media: Media) -> None:
    async def go(e: RtpEngine) -> tuple[str, str]:
        offer = await e.offer("call-phone-to-browser", "phone-tag", phone_sdp(40000, 40002), towards="webrtc")
        answer = await e.answer("call-phone-to-browser", "phone-tag", "tab-tag", CHROME_ANSWER, towards="sip")
        return offer, answer

    offer, answer = media.run(go)
    assert protos(offer) == {"UDP/TLS/RTP/SAVPF"}
    assert len(re.findall(r"^a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 3\d{4} typ host", offer, re.M)) == 2
    assert offer.count("a=fingerprint:sha-256 ") == 2 and offer.count("a=setup:actpass") == 2
    assert offer.count("a=rtcp-mux") == 2 and "a=ice-lite" in offer and offer.count("a=mid:") == 2
    assert "a=crypto" not in offer and "a=rtcp-fb:100 nack pli" in offer and "a=rtcp-fb:100 ccm fir" in offer
    assert all(30000 <= p <= 30999 for p in ports(offer))

    assert protos(answer) == {"RTP/AVP"}
    assert "a=ice-" not in answer and "a=candidate" not in answer and "a=fingerprint" not in answer
    assert "c=IN IP4 127.0.0.1" in answer and "a=rtcp-mux" not in answer
    assert codecs(answer) == {"opus/48000/2", "PCMU/8000", "telephone-event/8000", "VP8/90000"}
    assert all(30000 <= p <= 30999 for p in ports(answer)) and set(ports(answer)).isdisjoint(ports(offer))


def test_a_chrome_offer_reaches_a_phone_with_only_what_phones_decode(media: Media) -> None:
    phone_answer = (
        "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=phone\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 40010 RTP/AVP 111 126\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n"
        "m=video 40012 RTP/AVP 108\r\na=rtpmap:108 H264/90000\r\n"
        "a=fmtp:108 packetization-mode=1;profile-level-id=42e01f\r\n"
    )

    async def go(e: RtpEngine) -> tuple[str, str]:
        offer = await e.offer("call-browser-to-phone", "tab-tag", CHROME_OFFER, towards="sip")
        answer = await e.answer("call-browser-to-phone", "tab-tag", "phone-tag", phone_answer, towards="webrtc")
        return offer, answer

    offer, answer = media.run(go)
    assert protos(offer) == {"RTP/AVP"}
    assert codecs(offer) == {
        "opus/48000/2",
        "PCMU/8000",
        "PCMA/8000",
        "telephone-event/48000",
        "telephone-event/8000",
        "VP8/90000",
        "H264/90000",
    }
    fmtps = [line for line in offer.splitlines() if line.startswith("a=fmtp:")]
    assert all("profile-level-id=42e01f" in f for f in fmtps if "packetization-mode" in f)
    for absent in ("VP9", "AV1", "rtx/", "red/", "ulpfec", "G722", "a=candidate", "a=ice-", "a=fingerprint"):
        assert absent not in offer, absent
    assert "BUNDLE" not in offer and "a=rtcp-mux" not in offer and "a=extmap" not in offer

    assert protos(answer) == {"UDP/TLS/RTP/SAVPF"}
    assert "a=ice-lite" in answer and answer.count("a=candidate:") == 2 and answer.count("a=rtcp-mux") == 2
    assert answer.count("a=fingerprint:") == 2 and "a=setup:actpass" not in answer
    assert re.search(r"^a=mid:0\r?$", answer, re.M) and re.search(r"^a=mid:1\r?$", answer, re.M)  # Chrome's own mids
    assert codecs(answer) == {"opus/48000/2", "telephone-event/8000", "H264/90000"}
    assert "a=rtcp-fb:108 nack pli" in answer and "a=rtcp-fb:108 ccm fir" in answer  # keyframes asked for


def test_a_phone_that_offered_srtp_gets_sdes_keys_back(media: Media) -> None:
    crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"

    async def go(e: RtpEngine) -> tuple[str, str]:
        offer = await e.offer("call-srtp", "phone-tag", phone_sdp(40020, 40022, "RTP/SAVP", crypto), towards="webrtc")
        answer = await e.answer("call-srtp", "phone-tag", "tab-tag", CHROME_ANSWER, towards="sip")
        return offer, answer

    offer, answer = media.run(go)
    assert protos(offer) == {"UDP/TLS/RTP/SAVPF"} and "a=crypto" not in offer
    assert protos(answer) == {"RTP/SAVP"} and answer.count("a=crypto:") == 2 and "a=fingerprint" not in answer


def test_delete_ends_the_call_and_an_unknown_call_is_no_error(media: Media) -> None:
    async def go(e: RtpEngine) -> str:
        await e.offer("call-deleted", "a", phone_sdp(40030, 40032), towards="webrtc")
        await e.delete("call-deleted")
        await e.delete("call-never-seen")
        await e.delete("call-never-seen", "some-tag")
        with pytest.raises(RtpEngineError, match="refused answer") as refused:
            await e.answer("call-deleted", "a", "b", CHROME_ANSWER, towards="sip")
        return str(refused.value)

    assert "unknown call" in media.run(go).lower()


def test_many_requests_in_flight_on_one_socket(media: Media) -> None:
    async def go(e: RtpEngine) -> list[str]:
        offers = [
            e.offer(f"call-many-{i}", "a", phone_sdp(41000 + 4 * i, 41002 + 4 * i), towards="webrtc") for i in range(12)
        ]
        done = await asyncio.gather(*offers, *(e.ping() for _ in range(12)))
        for i in range(12):
            await e.delete(f"call-many-{i}")
        return [d for d in done if isinstance(d, str)]

    sdps = media.run(go)
    assert len(sdps) == 12
    all_ports = [p for sdp in sdps for p in ports(sdp)]
    assert len(set(all_ports)) == 24  # every call got its own ports: each answer went to its request


def _rtp(seq: int, payload: bytes, pt: int = 111, ssrc: int = 0x1234ABCD) -> bytes:
    return struct.pack("!BBHII", 0x80, pt, seq, seq * 960, ssrc) + payload


def _relay(sender: socket.socket, receiver: socket.socket, to: int, label: bytes) -> set[bytes]:
    """Send RTP from ``sender`` to rtpengine's port ``to``; what ``receiver`` gets (payloads)."""
    got: set[bytes] = set()
    receiver.settimeout(0.1)
    for seq in range(40):
        sender.sendto(_rtp(seq, label + b"%d" % seq), ("127.0.0.1", to))
        try:
            while True:
                packet = receiver.recv(2048)
                got.add(packet[12:])
        except TimeoutError:
            pass
        if len(got) >= 5:
            break
    return got


def _pair() -> tuple[socket.socket, socket.socket]:
    sockets = []
    for _ in range(2):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    return sockets[0], sockets[1]


def test_rtp_flows_phone_to_phone_in_one_call(media: Media) -> None:
    def go() -> tuple[set[bytes], set[bytes]]:
        a, b = _pair()
        pa, pb = a.getsockname()[1], b.getsockname()[1]
        try:

            async def signal(e: RtpEngine) -> tuple[str, str]:
                to_b = await e.offer("call-p2p", "tag-a", phone_sdp(pa, pa + 2), towards="sip")
                to_a = await e.answer("call-p2p", "tag-a", "tag-b", phone_sdp(pb, pb + 2, session=2), towards="sip")
                return to_b, to_a

            to_b, to_a = asyncio.run(_with_engine(signal))
            assert protos(to_b) == protos(to_a) == {"RTP/AVP"}
            a_to_b = _relay(a, b, ports(to_a)[0], b"a>b ")
            b_to_a = _relay(b, a, ports(to_b)[0], b"b>a ")
            return a_to_b, b_to_a
        finally:
            a.close()
            b.close()

    a_to_b, b_to_a = media.call(go)
    assert len(a_to_b) >= 5 and all(p.startswith(b"a>b ") for p in a_to_b)
    assert len(b_to_a) >= 5 and all(p.startswith(b"b>a ") for p in b_to_a)


def test_rtp_flows_phone_to_phone_through_two_legs_chained_by_webrtc(media: Media) -> None:
    """The gateway's pattern: phone A's leg offers WebRTC (the hub's SDP), phone B's leg turns it back into
    plain RTP; between the two legs rtpengine speaks ICE + DTLS-SRTP to itself."""

    def go() -> tuple[set[bytes], set[bytes]]:
        a, b = _pair()
        pa, pb = a.getsockname()[1], b.getsockname()[1]
        try:

            async def signal(e: RtpEngine) -> tuple[str, str]:
                hub_offer = await e.offer("leg-a", "tag-a", phone_sdp(pa, pa + 2), towards="webrtc")
                to_b = await e.offer("leg-b", "tag-gw", hub_offer, towards="sip")
                hub_answer = await e.answer(
                    "leg-b", "tag-gw", "tag-b", phone_sdp(pb, pb + 2, session=2), towards="webrtc"
                )
                to_a = await e.answer("leg-a", "tag-a", "tag-gw-a", hub_answer, towards="sip")
                return to_b, to_a

            to_b, to_a = asyncio.run(_with_engine(signal))
            assert protos(to_b) == protos(to_a) == {"RTP/AVP"}
            deadline = time.monotonic() + 5  # ICE and the DTLS handshake between the legs come first
            a_to_b: set[bytes] = set()
            while not a_to_b and time.monotonic() < deadline:
                a_to_b = _relay(a, b, ports(to_a)[0], b"a>b ")
            b_to_a = _relay(b, a, ports(to_b)[0], b"b>a ")
            return a_to_b, b_to_a
        finally:
            a.close()
            b.close()

    a_to_b, b_to_a = media.call(go)
    assert len(a_to_b) >= 5 and all(p.startswith(b"a>b ") for p in a_to_b)
    assert len(b_to_a) >= 5 and all(p.startswith(b"b>a ") for p in b_to_a)


async def _with_engine(fn: Callable[[RtpEngine], Awaitable[T]]) -> T:
    engine = RtpEngine(NG)
    await engine.start()
    try:
        return await fn(engine)
    finally:
        await engine.close()


def test_a_silent_rtpengine_fails_after_the_timeout_not_a_hang(media: Media) -> None:
    async def go(e: RtpEngine) -> tuple[float, str, bool]:
        started = time.monotonic()
        with pytest.raises(RtpEngineError, match="no answer from rtpengine") as failed:
            await e.offer("call-nowhere", "a", phone_sdp(40040, 40042), towards="webrtc")
        return time.monotonic() - started, str(failed.value), await e.ping()

    took, message, pinged = media.run(go, address=("127.0.0.1", 2299), timeout=0.2, retries=2)
    assert 0.55 <= took < 2.0, took
    assert "3 tries" in message and pinged is False


def test_a_socket_that_stopped_reading_is_replaced_and_the_request_answered(media: Media) -> None:
    """A UDP socket of uvloop's was seen to stop reading with no error: after an unanswered try the
    client sends on a new socket, so the service's media relay never goes deaf until a restart."""

    async def go(e: RtpEngine) -> tuple[bool, float, bool]:
        assert e._transport is not None
        deaf = e._transport.get_protocol()
        deaf.datagram_received = lambda data, addr: None  # type: ignore[method-assign]  # reads nothing
        started = time.monotonic()
        answered = await e.ping()
        took = time.monotonic() - started
        return answered, took, e._transport.get_protocol() is not deaf

    answered, took, replaced = media.run(go, timeout=0.3, retries=2)
    assert answered and replaced
    assert 0.3 <= took < 0.9, took  # one unanswered try, then the answer on the new socket


def test_a_ringing_legs_relay_reaches_the_caller_only_once_given_the_whole_offer(media: Media) -> None:
    """The gateway's pattern for a phone that rings beside other devices: its leg is offered the hub's SDP
    without a way to reach the caller's relay (sdp_codecs.unreachable) while it rings, then the whole
    offer again when it answers; media flows from then on."""

    def go() -> tuple[set[bytes], set[bytes]]:
        a, b = _pair()
        pa, pb = a.getsockname()[1], b.getsockname()[1]
        try:

            async def signal(e: RtpEngine) -> tuple[str, str]:
                hub_offer = await e.offer("ring-a", "tag-a", phone_sdp(pa, pa + 2), towards="webrtc")
                to_b = await e.offer("ring-b", "tag-gw", sdp_codecs.unreachable(hub_offer), towards="sip")
                again = await e.offer("ring-b", "tag-gw", hub_offer, towards="sip")
                # What the phone was told while it rang stays true: same ports, not on hold.
                assert ports(again) == ports(to_b) and "c=IN IP4 0.0.0.0" not in to_b, (ports(to_b), ports(again))
                hub_answer = await e.answer(
                    "ring-b", "tag-gw", "tag-b", phone_sdp(pb, pb + 2, session=2), towards="webrtc"
                )
                to_a = await e.answer("ring-a", "tag-a", "tag-gw-a", hub_answer, towards="sip")
                return to_b, to_a

            to_b, to_a = asyncio.run(_with_engine(signal))
            deadline = time.monotonic() + 5
            a_to_b: set[bytes] = set()
            while not a_to_b and time.monotonic() < deadline:
                a_to_b = _relay(a, b, ports(to_a)[0], b"a>b ")
            b_to_a = _relay(b, a, ports(to_b)[0], b"b>a ")
            return a_to_b, b_to_a
        finally:
            a.close()
            b.close()

    a_to_b, b_to_a = media.call(go)
    assert len(a_to_b) >= 5 and len(b_to_a) >= 5
