"""A Web Push service the tests run themselves on loopback (no internet): it takes the server's POSTs,
checks their VAPID authorization (RFC 8292: an ES256 JWT signed with the key it names, ``aud`` the
endpoint's origin, ``exp`` at most 24 h ahead, ``sub`` the operator's contact) and decrypts their
aes128gcm bodies (RFC 8291) with the private key of the subscription the test made, as a browser would."""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """A browser's side of one subscription: its P-256 key pair and auth secret."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: __import__("os").urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth_b64(self) -> str:
        return b64url(self.auth)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    claims: dict[str, Any]
    vapid_key: str
    payload: dict[str, Any]
    text: str = ""  # the decrypted body as sent (what a browser's service worker gets as ``event.data``)


def verify_vapid(authorization: str) -> tuple[dict[str, Any], str]:
    """The claims of a valid ``vapid t=<jwt>,k=<key>`` authorization (AssertionError when invalid)."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme == "vapid", authorization[:10]
    parts = dict(item.split("=", 1) for item in rest.split(","))
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    return json.loads(unb64url(claims_b64)), parts["k"]


class PushService:
    """Serves ``POST /push/<name>``; each subscription's browser is registered by name."""

    def __init__(self) -> None:
        self.browsers: dict[str, Browser] = {}
        self.received: list[Received] = []
        self.errors: list[str] = []
        self.status = 201
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                try:
                    name = self.path.rsplit("/", 1)[-1]
                    claims, key = verify_vapid(self.headers["authorization"])
                    browser = owner.browsers[name]
                    assert self.headers["content-encoding"] == "aes128gcm"
                    plain = http_ece.decrypt(
                        body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
                    )
                    owner.received.append(
                        Received(self.path, dict(self.headers), claims, key, json.loads(plain.decode()), plain.decode())
                    )
                except Exception as exc:  # the test reads them
                    owner.errors.append(repr(exc))
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(owner.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def endpoint(self, name: str) -> tuple[str, Browser]:
        browser = self.browsers.setdefault(name, Browser())
        return f"{self.origin}/push/{name}", browser

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def claims_ok(claims: dict[str, Any], origin: str) -> bool:
    return (
        claims["aud"] == origin and 0 < claims["exp"] - time.time() <= 24 * 3600 and claims["sub"].startswith("mailto:")
    )
