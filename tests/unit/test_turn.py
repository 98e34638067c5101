"""TURN REST API credentials as coturn's use-auth-secret checks them (R-11)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from videophone.adapters.turn import TurnConfig, ice_servers, turn_credential

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_credential_is_base64_hmac_sha1_of_the_username() -> None:
    username = "1763726400:42"
    expected = base64.b64encode(hmac.new(b"s3cret", username.encode(), hashlib.sha1).digest()).decode()
    assert turn_credential("s3cret", username) == expected
    assert len(base64.b64decode(expected)) == 20


def test_ice_servers_carry_expiring_credentials() -> None:
    config = TurnConfig(("stun:127.0.0.1:3478",), ("turn:127.0.0.1:3478?transport=udp",), "s3cret", 600)
    stun, turn = ice_servers(config, 42, NOW)
    assert stun == {"urls": ["stun:127.0.0.1:3478"]}
    expiry, subscriber = str(turn["username"]).split(":")
    assert (int(expiry), subscriber) == (int(NOW.timestamp()) + 600, "42")
    assert turn["credential"] == turn_credential("s3cret", str(turn["username"]))


def test_without_a_secret_no_turn_server_is_offered() -> None:
    assert ice_servers(TurnConfig(turn_urls=("turn:x",)), 1, NOW) == []
