"""The payment gateway as the service sees it (R-23): signing, the hosted checkout link, notifications
and the query API.

Messages between merchant and gateway are signed with HMAC-SHA256 (hex) over the *canonical string*:
every field except ``sign``, sorted by key, ``key=value`` joined with ``&``.  Both sides hold the
merchant's shared secret; signatures are compared in constant time.  Checkout links and query requests
carry a ``timestamp`` (Unix seconds) that the receiver checks within :data:`TIMESTAMP_WINDOW`.

:class:`BuiltinGatewayClient` talks to the built-in gateway (``videophone gateway``, package
``videophone.gateway``) over HTTP; tests pass an ``httpx`` transport to run that app in-process.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote, urlencode

import httpx

TIMESTAMP_WINDOW = 30 * 60  # seconds a signed link or query stays valid (either side of "now")
STATUSES = frozenset({"paid", "closed"})  # what a notification may report


def canonical(fields: Mapping[str, object]) -> str:
    """``k=v`` of every field but ``sign``, sorted by key, joined with ``&`` (values as sent)."""
    return "&".join(f"{k}={'' if fields[k] is None else fields[k]}" for k in sorted(fields) if k != "sign")


def sign(fields: Mapping[str, object], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(fields).encode(), hashlib.sha256).hexdigest()


def signed(fields: Mapping[str, object], secret: str) -> dict[str, str]:
    """``fields`` as strings plus their ``sign``."""
    out = {k: "" if v is None else str(v) for k, v in fields.items() if k != "sign"}
    out["sign"] = sign(out, secret)
    return out


def verify(fields: Mapping[str, object], secret: str) -> bool:
    """Whether ``fields['sign']`` is the signature of the other fields (constant-time compare)."""
    given = fields.get("sign")
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.lower(), sign(fields, secret))


def timestamp_fresh(raw: object, now: datetime, window: int = TIMESTAMP_WINDOW) -> bool:
    try:
        stamp = int(str(raw))
    except ValueError:
        return False
    return abs(now.timestamp() - stamp) <= window


@dataclass(frozen=True)
class GatewayNotice:
    """A notification whose signature checked out (fields parsed)."""

    merchant_id: str
    out_trade_no: str
    trade_no: str
    amount_fen: int
    status: str  # paid | closed
    paid_at: datetime | None
    notify_id: str


@dataclass(frozen=True)
class TradeStatus:
    """The gateway's answer to a query: ``status`` is pending | paid | closed | unknown."""

    out_trade_no: str
    status: str
    trade_no: str = ""
    amount_fen: int = 0
    paid_at: datetime | None = None


class GatewayError(RuntimeError):
    """The gateway could not be asked (network, bad answer, bad signature)."""


class PaymentGateway(Protocol):
    merchant_id: str

    def checkout_url(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        subject: str,
        notify_url: str,
        return_url: str,
        now: datetime,
        language: str = "zh-CN",
    ) -> str:
        """The gateway's hosted pay page for this payment (a signed link), in ``language`` (zh-CN or en)."""
        ...

    def verify_notification(self, payload: Mapping[str, object]) -> GatewayNotice | None:
        """The parsed notification, or ``None`` if its signature (or shape) is bad."""
        ...

    async def query(self, out_trade_no: str, now: datetime) -> TradeStatus:
        """Ask the gateway about a trade; raises :class:`GatewayError` if it cannot be asked."""
        ...


def parse_time(raw: object) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_notice(payload: Mapping[str, object]) -> GatewayNotice | None:
    """The fields of a notification, or ``None`` when one is missing or malformed."""
    try:
        amount = int(str(payload.get("amount_fen", "")))
    except ValueError:
        return None
    status = str(payload.get("status", ""))
    needed = ("merchant_id", "out_trade_no", "trade_no", "notify_id")
    if status not in STATUSES or any(not str(payload.get(k, "")) for k in needed) or amount <= 0:
        return None
    return GatewayNotice(
        merchant_id=str(payload["merchant_id"]),
        out_trade_no=str(payload["out_trade_no"]),
        trade_no=str(payload["trade_no"]),
        amount_fen=amount,
        status=status,
        paid_at=parse_time(payload.get("paid_at")),
        notify_id=str(payload["notify_id"]),
    )


class BuiltinGatewayClient:
    """The merchant side of the built-in gateway (``videophone.gateway``)."""

    def __init__(
        self,
        base_url: str,
        merchant_id: str,
        secret: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.merchant_id = merchant_id
        self._secret = secret
        self._transport = transport
        self._timeout = timeout

    def checkout_url(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        subject: str,
        notify_url: str,
        return_url: str,
        now: datetime,
        language: str = "zh-CN",
    ) -> str:
        fields = signed(
            {
                "merchant_id": self.merchant_id,
                "out_trade_no": out_trade_no,
                "amount_fen": amount_fen,
                "subject": subject,
                "notify_url": notify_url,
                "return_url": return_url,
                "timestamp": int(now.timestamp()),
                "lang": language,  # the page the payer sees follows the portal's language
            },
            self._secret,
        )
        return f"{self.base_url}/pay?{urlencode(fields)}"

    def verify_notification(self, payload: Mapping[str, object]) -> GatewayNotice | None:
        if not verify(payload, self._secret):
            return None
        return parse_notice(payload)

    async def query(self, out_trade_no: str, now: datetime) -> TradeStatus:
        params = signed({"merchant_id": self.merchant_id, "timestamp": int(now.timestamp())}, self._secret)
        url = f"{self.base_url}/api/trades/{quote(out_trade_no, safe='')}"
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout) as client:
                response = await client.get(url, params=params)
            if response.status_code != 200:
                raise GatewayError(f"gateway answered {response.status_code}")
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(body, dict) or not verify(body, self._secret):
            raise GatewayError("the gateway's answer is not signed correctly")
        if body.get("out_trade_no") != out_trade_no or body.get("merchant_id") != self.merchant_id:
            raise GatewayError("the gateway answered about another trade")
        status = str(body.get("status", ""))
        if status not in ("pending", "paid", "closed", "unknown"):
            raise GatewayError(f"unknown trade status {status!r}")
        try:
            amount = int(str(body.get("amount_fen") or 0))
        except ValueError as exc:
            raise GatewayError("bad amount in the gateway's answer") from exc
        return TradeStatus(
            out_trade_no=out_trade_no,
            status=status,
            trade_no=str(body.get("trade_no") or ""),
            amount_fen=amount,
            paid_at=parse_time(body.get("paid_at")),
        )
