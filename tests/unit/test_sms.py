"""The SMS adapters (R-35): the HTTP gateway client against a real HTTP server on loopback (body,
token, HMAC signature, errors), the demo file sender and the memory one."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from videophone.adapters.sms import (
    FileSmsSender,
    HttpSmsSender,
    MemorySmsSender,
    Sms,
    SmsError,
    signature,
    verify_signature,
)

TOKEN = "sms-token-for-tests"


class Gateway:
    """A tiny SMS gateway: checks the token and signature, remembers references, answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, str]]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.headers.append(dict(self.headers))
            auth = self.headers.get("Authorization", "")
            if auth != f"Bearer {TOKEN}" or not verify_signature(body, TOKEN, self.headers.get("X-Signature", "")):
                self.send_response(401)
                self.end_headers()
                self.wfile.write(b"bad credentials")
                return
            state.received.append(json.loads(body))
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    finally:
        server.shutdown()
        server.server_close()


async def test_http_sender_posts_signed_json_to_the_gateway(gateway: tuple[Gateway, str]) -> None:
    state, url = gateway
    await HttpSmsSender(url, TOKEN).send(
        Sms(to="13800138000", text="【可视电话】账单已出：应缴 31.54 元", reference="outbox-7")
    )
    [message] = state.received
    assert message["to"] == "13800138000"
    assert message["text"] == "【可视电话】账单已出：应缴 31.54 元"
    assert message["reference"] == "outbox-7"
    assert isinstance(message["timestamp"], int)
    assert state.headers[0]["Content-Type"].startswith("application/json")


async def test_http_sender_raises_on_refusal_wrong_token_and_no_server(gateway: tuple[Gateway, str]) -> None:
    state, url = gateway
    state.status = 503
    with pytest.raises(SmsError, match="503"):
        await HttpSmsSender(url, TOKEN).send(Sms(to="13800138000", text="x"))
    with pytest.raises(SmsError, match="401"):
        await HttpSmsSender(url, "wrong-token").send(Sms(to="13800138000", text="x"))
    with pytest.raises(SmsError, match="unreachable"):
        await HttpSmsSender("http://127.0.0.1:9/none", TOKEN, timeout=2).send(Sms(to="1", text="x"))
    with pytest.raises(ValueError, match="URL"):
        HttpSmsSender("", TOKEN)


def test_signature_is_hmac_sha256_of_the_exact_body() -> None:
    body = b'{"to":"1","text":"hi"}'
    sig = signature(body, TOKEN)
    assert len(sig) == 64 and verify_signature(body, TOKEN, sig) and verify_signature(body, TOKEN, sig.upper())
    assert not verify_signature(body + b" ", TOKEN, sig)
    assert not verify_signature(body, TOKEN + "x", sig)


async def test_file_sender_appends_one_json_line_per_sms(tmp_path: Path) -> None:
    sender = FileSmsSender(tmp_path / "sms")
    assert sender.read() == []
    await sender.send(Sms(to="13800138000", text="第一条", reference="outbox-1"))
    await sender.send(Sms(to="13900139000", text="second", reference="outbox-2"))
    assert sender.read() == [
        Sms(to="13800138000", text="第一条", reference="outbox-1"),
        Sms(to="13900139000", text="second", reference="outbox-2"),
    ]
    assert "第一条" in (tmp_path / "sms" / "sms.jsonl").read_text(encoding="utf-8")


async def test_memory_sender_keeps_what_was_sent() -> None:
    sender = MemorySmsSender()
    await sender.send(Sms(to="1", text="a"))
    assert sender.sent == [Sms(to="1", text="a")]
