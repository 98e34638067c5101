"""The gateway's SIP transport over TCP (adapters/sip/transport.py), with plain sockets on loopback as
the edge: messages of one dialog in order, and a response whose connection has gone still delivered."""

from __future__ import annotations

import asyncio

from videophone.adapters.sip.message import SipMessage, StreamFramer, new_branch, response_to
from videophone.adapters.sip.transport import SipConnection, SipTransport


def _invite(call_id: str) -> bytes:
    invite = SipMessage(method="INVITE", uri="sip:95100000001@videophone.test")
    invite.headers = [
        ("via", f"SIP/2.0/TCP 127.0.0.1:5060;branch={new_branch()}"),
        ("from", "<sip:a@videophone.test>;tag=1"),
        ("to", "<sip:95100000001@videophone.test>"),
        ("call-id", call_id),
        ("cseq", "1 INVITE"),
    ]
    return invite.encode()


async def _read_one(reader: asyncio.StreamReader) -> SipMessage:
    framer = StreamFramer()
    while True:
        data = await asyncio.wait_for(reader.read(65536), 5)
        assert data, "the connection closed before a message came"
        messages = framer.feed(data)
        if messages:
            return messages[0]


async def test_a_response_whose_connection_closed_goes_to_the_edge_on_the_gateways_own() -> None:
    """RFC 3261 §18.2.2: the edge closed the connection an INVITE came on while the gateway worked on
    it; the answer is not lost but sent on a connection the gateway opens to the edge, and the work on
    the INVITE is not cancelled by the close."""
    arrived: asyncio.Queue[SipMessage] = asyncio.Queue()

    async def edge_accepts(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        arrived.put_nowait(await _read_one(reader))
        writer.close()

    edge = await asyncio.start_server(edge_accepts, "127.0.0.1", 0)
    edge_port = edge.sockets[0].getsockname()[1]
    may_answer = asyncio.Event()

    async def handler(message: SipMessage, connection: SipConnection) -> None:
        await may_answer.wait()  # the gateway is busy with the INVITE (the media relay, the hub)
        await connection.send(response_to(message, 180, "Ringing", to_tag="t1"))

    transport = SipTransport(("127.0.0.1", 0), ("127.0.0.1", edge_port), handler)
    await transport.start()
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", transport.port)
        writer.write(_invite("closed-early@test"))
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.close()  # the edge's side goes away
        await asyncio.sleep(0.1)
        may_answer.set()
        answer = await asyncio.wait_for(arrived.get(), 5)
        assert answer.status == 180 and answer.call_id == "closed-early@test"
    finally:
        await transport.stop()
        edge.close()
        await edge.wait_closed()


async def test_messages_of_one_call_in_order_of_different_calls_at_once() -> None:
    seen: list[str] = []
    release = asyncio.Event()

    async def handler(message: SipMessage, connection: SipConnection) -> None:
        if message.call_id == "slow@test" and message.cseq[0] == 1:
            await release.wait()
        seen.append(f"{message.call_id}:{message.cseq[0]}")
        if message.call_id == "fast@test":
            release.set()

    transport = SipTransport(("127.0.0.1", 0), ("127.0.0.1", 9), handler)
    await transport.start()
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", transport.port)
        second = _invite("slow@test").replace(b"CSeq: 1 INVITE", b"CSeq: 2 INVITE")
        writer.write(_invite("slow@test") + second + _invite("fast@test"))
        await writer.drain()
        for _ in range(100):
            if len(seen) == 3:
                break
            await asyncio.sleep(0.02)
        assert seen == ["fast@test:1", "slow@test:1", "slow@test:2"]
        writer.close()
    finally:
        await transport.stop()
