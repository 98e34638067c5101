"""Signing of the messages between the service and the payment gateway (R-23)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from videophone.adapters.payment_gateway import (
    BuiltinGatewayClient,
    canonical,
    parse_notice,
    sign,
    signed,
    timestamp_fresh,
    verify,
)

SECRET = "s" * 40
NOTICE = {
    "merchant_id": "videophone-demo",
    "out_trade_no": "pi_0123456789abcdef01234567",
    "trade_no": "T20261105abcdef0123456789",
    "amount_fen": "5820",
    "status": "paid",
    "paid_at": "2026-11-05T02:00:00+00:00",
    "notify_id": "n_0011223344",
}


def test_canonical_string_sorts_keys_and_leaves_out_sign() -> None:
    assert canonical({"b": "2", "a": "1", "sign": "x", "c": ""}) == "a=1&b=2&c="


def test_signature_is_hex_hmac_sha256_of_the_canonical_string() -> None:
    expected = hmac.new(SECRET.encode(), canonical(NOTICE).encode(), hashlib.sha256).hexdigest()
    assert sign(NOTICE, SECRET) == expected
    assert verify({**NOTICE, "sign": expected}, SECRET)
    assert verify({**NOTICE, "sign": expected.upper()}, SECRET)  # hex case does not matter


def test_missing_or_wrong_key_signature_is_refused() -> None:
    assert not verify(NOTICE, SECRET)
    assert not verify({**NOTICE, "sign": ""}, SECRET)
    assert not verify(signed(NOTICE, "another-secret-of-the-same-length-xxxxxx"), SECRET)


@given(field=st.sampled_from(sorted(NOTICE)), value=st.text(min_size=1, max_size=20))
def test_tampering_with_any_field_breaks_the_signature(field: str, value: str) -> None:
    message = signed(NOTICE, SECRET)
    if message[field] == value:
        return
    assert not verify({**message, field: value}, SECRET)


@given(extra=st.text(alphabet="abcdefghij", min_size=1, max_size=8))
def test_adding_a_field_breaks_the_signature(extra: str) -> None:
    message = signed(NOTICE, SECRET)
    assert not verify({**message, f"x_{extra}": "1"}, SECRET)


def test_parse_notice_requires_every_field() -> None:
    notice = parse_notice(NOTICE)
    assert notice is not None and notice.amount_fen == 5820 and notice.status == "paid"
    assert notice.paid_at == datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
    assert parse_notice({**NOTICE, "status": "refunded"}) is None
    assert parse_notice({**NOTICE, "amount_fen": "12.5"}) is None
    assert parse_notice({**NOTICE, "amount_fen": "0"}) is None
    assert parse_notice({k: v for k, v in NOTICE.items() if k != "trade_no"}) is None


def test_timestamp_window() -> None:
    now = datetime(2026, 11, 5, tzinfo=UTC)
    assert timestamp_fresh(int(now.timestamp()), now)
    assert timestamp_fresh(int((now - timedelta(minutes=29)).timestamp()), now)
    assert not timestamp_fresh(int((now - timedelta(minutes=31)).timestamp()), now)
    assert not timestamp_fresh(int((now + timedelta(minutes=31)).timestamp()), now)
    assert not timestamp_fresh("yesterday", now)


def test_checkout_link_is_signed_over_every_parameter() -> None:
    client = BuiltinGatewayClient("http://gw.example/", "videophone-demo", SECRET)
    now = datetime(2026, 11, 5, tzinfo=UTC)
    url = client.checkout_url(
        out_trade_no="pi_1",
        amount_fen=5820,
        subject="可视电话缴费 Videophone 88000001",
        notify_url="http://svc/api/v1/payments/gateway/notify",
        return_url="http://svc/payments?intent=pi_1",
        now=now,
    )
    parts = urlsplit(url)
    assert parts.netloc == "gw.example" and parts.path == "/pay"
    query = dict(parse_qsl(parts.query))
    assert query["timestamp"] == str(int(now.timestamp())) and query["amount_fen"] == "5820"
    assert verify(query, SECRET)
    assert not verify({**query, "amount_fen": "1"}, SECRET)
    assert not verify({**query, "return_url": "http://evil/"}, SECRET)
