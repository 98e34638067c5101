"""A population of SIP phones over UDP for the SIP benchmark (issue 16): REGISTER, call, answer, hang up.

Many phones share a few UDP sockets (``Endpoint``): each phone's Contact names its own user, so the edge
(Kamailio) routes a call to ``sip:<user>@127.0.0.1:<port>`` and the endpoint hands it to that phone;
responses find their transaction by the Via branch.  What a real UA over UDP must do is done: digest
answers to 401/407 (RFC 2617, qop ``auth``), request retransmissions (T1 = 500 ms doubling, T2 = 4 s,
timer B/F 32 s), the callee's 200 retransmitted until its ACK, a 2xx retransmission ACKed again, and
in-dialog requests (INFO ``picture_fast_update``, BYE) answered 200.  No media is sent.

Messages are parsed and built with the service's own SIP codec (``adapters/sip/message.py``, tested by
its unit tests); times are taken with ``time.perf_counter`` when a datagram is read off the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import secrets
import socket
import time
from dataclasses import dataclass, field
from typing import cast

from videophone.adapters.sip.message import (
    SipError,
    SipMessage,
    new_branch,
    new_tag,
    parse,
    response_to,
    uri_of,
    user_of,
)

T1, T2, TIMER_B = 0.5, 4.0, 32.0
STEP_TIMEOUT = 10.0  # a call step (e.g. the 180 after the authenticated INVITE) may take at most this long
EXPIRES = 3600
USER_AGENT = "videophone-bench-sip/1.0"
_VP8 = re.compile(r"^a=rtpmap:(\d+) VP8/90000", re.MULTILINE | re.IGNORECASE)
_PCMU = re.compile(r"^a=rtpmap:(\d+) PCMU/8000", re.MULTILINE | re.IGNORECASE)


class CallFailed(Exception):
    pass


@dataclass
class Stats:
    """What one phase measured (seconds)."""

    ringing: list[float] = field(default_factory=list)  # authenticated INVITE sent → 180 read (caller)
    ringing_full: list[float] = field(default_factory=list)  # first INVITE (before the 407) → 180 read
    setup: list[float] = field(default_factory=list)  # authenticated INVITE sent → 200 read (caller)
    ended: list[float] = field(default_factory=list)  # BYE sent → its 200 read (caller)
    registered: list[float] = field(default_factory=list)  # first REGISTER → 200 of the authenticated one
    lag: list[float] = field(default_factory=list)  # open loop: actual INVITE send − scheduled time
    completed: int = 0
    failed: int = 0
    overtaken: int = 0  # calls whose 200 was read before their 180 (UDP through the edge's workers)
    errors: dict[str, int] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.failed += 1
        self.errors[reason] = self.errors.get(reason, 0) + 1


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _challenge(header: str) -> dict[str, str]:
    return {k.lower(): v1 or v2 for k, v1, v2 in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', header)}


def digest(user: str, password: str, method: str, uri: str, header: str) -> str:
    """The Authorization / Proxy-Authorization value answering one challenge (RFC 2617)."""
    c = _challenge(header)
    realm, nonce = c.get("realm", ""), c.get("nonce", "")
    ha1, ha2 = _md5(f"{user}:{realm}:{password}"), _md5(f"{method}:{uri}")
    parts = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', "algorithm=MD5"]
    if "auth" in c.get("qop", "").split(","):
        cnonce, nc = secrets.token_hex(8), "00000001"
        parts += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    else:
        response = _md5(f"{ha1}:{nonce}:{ha2}")
    if c.get("opaque"):
        parts.append(f'opaque="{c["opaque"]}"')
    return "Digest " + ", ".join([*parts, f'response="{response}"'])


def sdp_offer(session: int) -> bytes:
    """A phone's plain RTP offer: PCMU audio and VP8 video (nobody sends media in the benchmark)."""
    return (
        f"v=0\r\no=bench {session} 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
        "m=video 40002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\n"
    ).encode()


def sdp_answer(offer: bytes, session: int) -> bytes:
    """The callee's answer: PCMU and VP8 with the payload types the offer gave them."""
    text = offer.decode(errors="replace")
    audio = _PCMU.search(text)
    video = _VP8.search(text)
    lines = [f"v=0\r\no=bench {session} 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"]
    for m in re.findall(r"^m=(\w+) ", text, re.MULTILINE):
        if m == "audio" and audio:
            lines.append(f"m=audio 40010 RTP/AVP {audio[1]}\r\na=rtpmap:{audio[1]} PCMU/8000\r\na=sendrecv\r\n")
        elif m == "video" and video:
            lines.append(f"m=video 40012 RTP/AVP {video[1]}\r\na=rtpmap:{video[1]} VP8/90000\r\na=sendrecv\r\n")
        else:
            lines.append(f"m={m} 0 RTP/AVP 0\r\n")
    return "".join(lines).encode()


class Transaction:
    """A client transaction: retransmitted until its final answer (INVITE: until any answer)."""

    def __init__(self, invite: bool) -> None:
        self.invite = invite
        self.final: asyncio.Future[SipMessage] = asyncio.get_running_loop().create_future()
        self.provisional: list[tuple[float, SipMessage]] = []
        self.ringing: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.answered = False  # any response came (an INVITE stops retransmitting)


class Endpoint(asyncio.DatagramProtocol):
    """One UDP socket shared by many phones."""

    def __init__(self, edge: tuple[str, int]) -> None:
        self.edge = edge
        self.transport: asyncio.DatagramTransport | None = None
        self.port = 0
        self.phones: dict[str, Phone] = {}  # digest user → phone
        self.transactions: dict[str, Transaction] = {}  # Via branch → the transaction
        self.acks: dict[str, bytes] = {}  # Call-ID → the ACK to send again if the final answer repeats
        self.bad = 0
        self.retransmitted: dict[str, int] = {}  # method → requests sent again (no answer within the timer)
        self.failures: dict[str, int] = {}  # exceptions while reading a datagram (a bug of this client)

    @classmethod
    async def open(cls, edge: tuple[str, int]) -> Endpoint:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        sock.bind(("127.0.0.1", 0))
        loop = asyncio.get_running_loop()
        _, endpoint = await loop.create_datagram_endpoint(lambda: cls(edge), sock=sock)
        endpoint.port = sock.getsockname()[1]
        return endpoint

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # uvloop's is not a subclass

    def send(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.sendto(data, self.edge)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        # An exception escaping here makes uvloop close the transport's reading side: every phone on
        # this socket would go deaf.  It is counted and shown instead (Endpoint.failures).
        try:
            self._received(data)
        except Exception as exc:
            key = f"{type(exc).__name__}: {exc}"[:120]
            self.failures[key] = self.failures.get(key, 0) + 1

    def _received(self, data: bytes) -> None:
        now = time.perf_counter()
        if data.strip() == b"":
            return  # a keep-alive
        try:
            message = parse(data)
        except SipError:
            self.bad += 1
            return
        if message.is_request:
            phone = self.phones.get(user_of(message.uri))
            if phone is None:
                self.send(response_to(message, 404, "Not Found").encode())
            else:
                phone.on_request(message, now)
            return
        transaction = self.transactions.get(message.branch)
        if transaction is None:
            again = self.acks.get(message.call_id)
            if again is not None and message.status >= 200:
                self.send(again)  # the final answer came again: our ACK was lost
            return
        transaction.answered = True
        if message.status < 200:
            transaction.provisional.append((now, message))
            if message.status == 180 and not transaction.ringing.done():
                transaction.ringing.set_result(now)
        elif not transaction.final.done():
            transaction.final.set_result(message)

    async def request(self, message: SipMessage, *, give_up_after: float = TIMER_B) -> tuple[Transaction, SipMessage]:
        """Send a request and retransmit it (RFC 3261 §17.1) until its final answer."""
        branch = message.branch
        transaction = Transaction(message.method == "INVITE")
        self.transactions[branch] = transaction
        data = message.encode()
        interval, deadline = T1, time.perf_counter() + give_up_after
        try:
            self.send(data)
            while True:
                wait = min(interval, deadline - time.perf_counter())
                if wait <= 0:
                    seen = "/".join(str(m.status) for _, m in transaction.provisional) or "nothing"
                    raise CallFailed(f"{message.method.lower()}_timeout_after_{seen}")
                with contextlib.suppress(TimeoutError):
                    final = await asyncio.wait_for(asyncio.shield(transaction.final), wait)
                    return transaction, final
                if not (transaction.invite and transaction.answered):
                    self.send(data)
                    self.retransmitted[message.method] = self.retransmitted.get(message.method, 0) + 1
                    interval = min(interval * 2, T2) if not transaction.answered else T2
        finally:
            if not transaction.invite:
                self.transactions.pop(branch, None)

    def done(self, message: SipMessage) -> None:
        self.transactions.pop(message.branch, None)


@dataclass
class Dialog:
    call_id: str
    local: str  # our From (or To as UAS), with our tag
    remote: str  # theirs, with their tag
    target: str  # their Contact URI
    routes: list[str]
    cseq: int


class Phone:
    """One SIP phone: a digest user on a shared endpoint; as a callee it answers 180 then 200 at once."""

    def __init__(self, endpoint: Endpoint, user: str, number: str, password: str, domain: str) -> None:
        self.endpoint, self.user, self.number, self.password, self.domain = endpoint, user, number, password, domain
        self.contact = f"<sip:{user}@127.0.0.1:{endpoint.port}>"
        self.reg_call_id = f"{secrets.token_hex(8)}@bench"
        self.reg_cseq = 0
        self.incoming: dict[str, _Incoming] = {}  # Call-ID → a call to this phone
        self.last: _Incoming | None = None  # the latest call to this phone
        endpoint.phones[user] = self

    def _headers(self, method: str, to: str, call_id: str, cseq: int, from_tag: str) -> list[tuple[str, str]]:
        return [
            ("via", f"SIP/2.0/UDP 127.0.0.1:{self.endpoint.port};branch={new_branch()};rport"),
            ("max-forwards", "70"),
            ("from", f"<sip:{self.user}@{self.domain}>;tag={from_tag}"),
            ("to", to),
            ("call-id", call_id),
            ("cseq", f"{cseq} {method}"),
            ("user-agent", USER_AGENT),
        ]

    # -- REGISTER ------------------------------------------------------------------------------------------
    async def register(self, expires: int = EXPIRES) -> float:
        """Register (answering the 401); the seconds it took."""
        began, authorization = time.perf_counter(), ""
        uri = f"sip:{self.domain}"
        for _ in range(2):
            self.reg_cseq += 1
            message = SipMessage(method="REGISTER", uri=uri)
            message.headers = self._headers(
                "REGISTER", f"<sip:{self.user}@{self.domain}>", self.reg_call_id, self.reg_cseq, "r" + new_tag()
            )
            message.headers += [("contact", self.contact), ("expires", str(expires))]
            if authorization:
                message.headers.append(("authorization", authorization))
            _, final = await self.endpoint.request(message)
            if final.status == 401 and not authorization:
                authorization = digest(self.user, self.password, "REGISTER", uri, final.get("www-authenticate"))
                continue
            if final.status != 200:
                raise CallFailed(f"register_{final.status}")
            return time.perf_counter() - began
        raise CallFailed("register_challenged_twice")

    # -- a call from this phone ------------------------------------------------------------------------------
    async def call(self, callee: Phone, hold: float, stats: Stats) -> None:
        """INVITE (answering the 407), wait for 180 and 200, ACK, hold, BYE; figures into ``stats``."""
        uri = f"sip:{callee.number}@{self.domain}"
        to = f"<{uri}>"
        call_id, tag = f"{secrets.token_hex(10)}@bench", new_tag()
        offer = sdp_offer(secrets.randbelow(1 << 30))
        first = time.perf_counter()
        authorization = ""
        callee.last = None
        for cseq in (1, 2):
            invite = SipMessage(method="INVITE", uri=uri)
            invite.headers = self._headers("INVITE", to, call_id, cseq, tag)
            invite.headers += [("contact", self.contact), ("content-type", "application/sdp")]
            if authorization:
                invite.headers.append(("proxy-authorization", authorization))
            invite.body = offer
            sent = time.perf_counter()
            transaction, final = await self.endpoint.request(invite)
            self.endpoint.done(invite)
            if final.status == 407 and not authorization:
                self._ack_failure(invite, final)
                authorization = digest(self.user, self.password, "INVITE", uri, final.get("proxy-authenticate"))
                continue
            if final.status != 200:
                self._ack_failure(invite, final)
                raise CallFailed(f"invite_{final.status}_{final.reason.replace(' ', '_')[:30]}")
            # The edge's workers forward the 180 and the 200 independently: over UDP the 200 may be read
            # first (RFC 3261 lets a UAC see no 1xx at all).  The call goes on; its INVITE → 180 is then
            # counted as INVITE → 200, an upper bound of when the 180 left the gateway.
            if transaction.ringing.done():
                rang = transaction.ringing.result()
            else:
                stats.overtaken += 1
                rang = time.perf_counter()
            stats.ringing.append(rang - sent)
            stats.ringing_full.append(rang - first)
            stats.setup.append(time.perf_counter() - sent)
            dialog = Dialog(
                call_id=call_id,
                local=f"<sip:{self.user}@{self.domain}>;tag={tag}",
                remote=final.get("to"),
                target=uri_of(final.get("contact")),
                routes=list(reversed(final.all("record-route"))),
                cseq=cseq,
            )
            ack = self._in_dialog(dialog, "ACK", cseq)
            self.endpoint.acks[call_id] = ack.encode()
            self.endpoint.send(ack.encode())
            break
        else:
            raise CallFailed("invite_challenged_twice")
        try:
            if hold > 0:
                await asyncio.sleep(hold)
            dialog.cseq += 1
            bye = self._in_dialog(dialog, "BYE", dialog.cseq)
            sent = time.perf_counter()
            _, final = await self.endpoint.request(bye)
            if final.status != 200:
                raise CallFailed(f"bye_{final.status}")
            stats.ended.append(time.perf_counter() - sent)
            # The gateway ends the callee's leg too: its BYE reaches the callee phone.
            if callee.last is None:
                raise CallFailed("callee_never_rang")
            try:
                await asyncio.wait_for(asyncio.shield(callee.last.ended), STEP_TIMEOUT)
            except TimeoutError:
                raise CallFailed("callee_got_no_bye") from None
        finally:
            self.endpoint.acks.pop(call_id, None)

    def _in_dialog(self, dialog: Dialog, method: str, cseq: int) -> SipMessage:
        message = SipMessage(method=method, uri=dialog.target)
        message.headers = [
            ("via", f"SIP/2.0/UDP 127.0.0.1:{self.endpoint.port};branch={new_branch()};rport"),
            ("max-forwards", "70"),
            ("from", dialog.local),
            ("to", dialog.remote),
            ("call-id", dialog.call_id),
            ("cseq", f"{cseq} {method}"),
        ]
        message.headers += [("route", r) for r in dialog.routes]
        return message

    def _ack_failure(self, invite: SipMessage, final: SipMessage) -> None:
        """The ACK of a non-2xx final answer: part of the INVITE's transaction (same branch)."""
        ack = SipMessage(method="ACK", uri=invite.uri)
        ack.headers = [(k, v) for k, v in invite.headers if k in ("via", "max-forwards", "from", "call-id")]
        ack.headers += [("to", final.get("to")), ("cseq", f"{invite.cseq[0]} ACK")]
        self.endpoint.send(ack.encode())

    # -- requests to this phone --------------------------------------------------------------------------------
    def on_request(self, request: SipMessage, now: float) -> None:
        method = request.method
        call = self.incoming.get(request.call_id)
        if method == "INVITE" and not request.to_tag:
            if call is None:
                call = _Incoming(self, request)
                self.incoming[request.call_id] = call
                self.last = call
                call.start()
            else:
                call.again()
        elif method == "ACK":
            if call is not None:
                call.acked.set()
        elif method == "CANCEL":
            self.endpoint.send(response_to(request, 200, "OK").encode())
            if call is not None:
                call.cancel()
        elif method == "BYE":
            self.endpoint.send(response_to(request, 200, "OK").encode())
            if call is not None:
                call.bye(now)
        else:  # INFO (picture_fast_update), OPTIONS, UPDATE: fine
            self.endpoint.send(response_to(request, 200, "OK").encode())


class _Incoming:
    """A call to a phone: 180, then 200 with the SDP answer, retransmitted until the ACK (RFC 3261 §13.3.1.4)."""

    def __init__(self, phone: Phone, invite: SipMessage) -> None:
        self.phone, self.invite = phone, invite
        self.tag = new_tag()
        self.last: bytes = b""
        self.acked = asyncio.Event()
        self.ended: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None

    def _answer(self, status: int, reason: str, body: bytes = b"") -> bytes:
        answer = response_to(self.invite, status, reason, to_tag=self.tag)
        answer.headers.append(("contact", self.phone.contact))
        if body:
            answer.headers.append(("content-type", "application/sdp"))
            answer.body = body
        return answer.encode()

    def start(self) -> None:
        self.last = self._answer(180, "Ringing")
        self.phone.endpoint.send(self.last)
        self.last = self._answer(200, "OK", sdp_answer(self.invite.body, secrets.randbelow(1 << 30)))
        self.phone.endpoint.send(self.last)
        self.task = asyncio.get_running_loop().create_task(self._until_acked())

    def again(self) -> None:
        self.phone.endpoint.send(self.last)  # the INVITE came again: so does our last answer

    async def _until_acked(self) -> None:
        interval, deadline = T1, time.perf_counter() + TIMER_B
        while not self.acked.is_set() and time.perf_counter() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.acked.wait(), interval)
            if not self.acked.is_set():
                self.phone.endpoint.send(self.last)
                interval = min(interval * 2, T2)
        self._forget_later()

    def cancel(self) -> None:
        if not self.acked.is_set():
            self.phone.endpoint.send(self._answer(487, "Request Terminated"))
        self.acked.set()
        if not self.ended.done():
            self.ended.set_result(time.perf_counter())

    def bye(self, now: float) -> None:
        self.acked.set()
        if not self.ended.done():
            self.ended.set_result(now)

    def _forget_later(self) -> None:
        async def forget() -> None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self.ended), 120)
            await asyncio.sleep(TIMER_B)  # late retransmissions of the BYE are still answered
            self.phone.incoming.pop(self.invite.call_id, None)

        asyncio.get_running_loop().create_task(forget())


# -- load patterns ------------------------------------------------------------------------------------------
async def open_endpoints(edge: tuple[str, int], count: int) -> list[Endpoint]:
    return [await Endpoint.open(edge) for _ in range(count)]


async def register_all(phones: list[Phone], concurrency: int, stats: Stats, deadline: float) -> float:
    """Register every phone, ``concurrency`` at a time; the seconds it took."""
    queue: asyncio.Queue[Phone] = asyncio.Queue()
    for phone in phones:
        queue.put_nowait(phone)
    began = time.perf_counter()

    async def worker() -> None:
        while not queue.empty() and time.perf_counter() < deadline:
            phone = queue.get_nowait()
            try:
                stats.registered.append(await phone.register())
                stats.completed += 1
            except CallFailed as exc:
                stats.fail(str(exc))

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(phones)))))
    return time.perf_counter() - began


async def one_call(caller: Phone, callee: Phone, hold: float, stats: Stats) -> None:
    try:
        await asyncio.wait_for(caller.call(callee, hold, stats), hold + 2 * TIMER_B)
        stats.completed += 1
    except CallFailed as exc:
        stats.fail(str(exc))
    except TimeoutError:
        stats.fail("call_timeout")


async def closed_loop(pairs: list[tuple[Phone, Phone]], calls: int, stats: Stats, deadline: float) -> float:
    """Each pair calls back to back (hold 0) until ``calls`` calls were made; the seconds it took."""
    left = [calls]
    began = time.perf_counter()

    async def pair_loop(caller: Phone, callee: Phone) -> None:
        while left[0] > 0 and time.perf_counter() < deadline:
            left[0] -= 1
            await one_call(caller, callee, 0.0, stats)

    await asyncio.gather(*(pair_loop(a, b) for a, b in pairs))
    return time.perf_counter() - began


async def open_loop(
    pairs: list[tuple[Phone, Phone]], calls: int, rate: float, hold: float, stats: Stats, deadline: float
) -> float:
    """A call starts every 1/``rate`` s on a free pair (``calls`` calls); the seconds until the last ended."""
    free: asyncio.Queue[tuple[Phone, Phone]] = asyncio.Queue()
    for pair in pairs:
        free.put_nowait(pair)
    began = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []

    async def run(pair: tuple[Phone, Phone]) -> None:
        try:
            await one_call(pair[0], pair[1], hold, stats)
        finally:
            free.put_nowait(pair)

    for i in range(calls):
        due = began + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if time.perf_counter() > deadline:
            break
        pair = await free.get()
        stats.lag.append(time.perf_counter() - due)
        tasks.append(asyncio.get_running_loop().create_task(run(pair)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - began
