"""The rules of SIP credentials (issue 16) and the SIP edge's rendered configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from videophone.adapters.sip_edge import EdgeConfig, EdgeConfigError, render, settings_text
from videophone.kernel.errors import InvalidState, ValidationFailed
from videophone.terminals.domain import sip_credentials as rules
from videophone.terminals.services.sip_credentials import new_password


def test_ha1_is_the_rfc_2617_digest_of_user_realm_and_password() -> None:
    # RFC 2617 §3.5's example: HA1 of Mufasa at testrealm@host.com with "Circle Of Life".
    assert rules.ha1("Mufasa", "testrealm@host.com", "Circle Of Life") == "939e7578ed9e3c518a452acee763bce9"


def test_generated_passwords_are_strong_and_distinct() -> None:
    passwords = {new_password() for _ in range(50)}
    assert len(passwords) == 50
    for p in passwords:
        assert len(p) == rules.PASSWORD_LENGTH and rules.password_bits(p) >= 128
    with pytest.raises(ValueError):
        rules.check_password("short")
    with pytest.raises(ValueError):
        rules.check_password("0" * 40)  # not of the alphabet: no entropy claimed


def test_digest_users_are_safe_tokens() -> None:
    user = rules.auth_user_for("951 0002 6414", rules.CredentialKind.SOFTPHONE, "A1B2C3D4")
    assert user == "95100026414-s-a1b2c3d4" and rules.valid_auth_user(user)
    assert rules.auth_user_for("95100026414", rules.CredentialKind.TERMINAL, "00ff00ff").endswith("-t-00ff00ff")
    for bad in ("", "ab", "Upper-Case", "a b c", "x" * 65, "semi;colon", "../etc"):
        assert not rules.valid_auth_user(bad)


def test_at_most_three_softphones_with_a_label() -> None:
    rules.ensure_room_for_softphone(2)
    with pytest.raises(InvalidState):
        rules.ensure_room_for_softphone(3)
    assert rules.validate_label("  My   laptop ") == "My laptop"
    for bad in ("", "   ", "x" * 61):
        with pytest.raises(ValidationFailed):
            rules.validate_label(bad)


def test_who_may_register() -> None:
    assert rules.refusal(False, "active", "") is None
    # Arrears, a credit limit or a violation restrict calls, not registration.
    assert rules.refusal(False, "outgoing_barred", "credit_limit") is None
    assert rules.refusal(False, "suspended", "arrears") is None
    assert rules.refusal(True, "active", "") == rules.Refusal.REVOKED
    assert rules.refusal(False, "terminated", "") == rules.Refusal.TERMINATED
    assert rules.refusal(False, "suspended", "lawful") == rules.Refusal.LAWFUL


def test_a_registration_lasts_until_its_expiry_capped() -> None:
    at = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
    assert rules.registered_until(at, 600) == at + timedelta(seconds=600)
    assert rules.registered_until(at, 86_400) == at + timedelta(seconds=rules.MAX_EXPIRES)
    assert rules.registered_until(at, 0) is None
    until = rules.registered_until(at, 60)
    assert rules.is_registered(until, False, at + timedelta(seconds=59))
    assert not rules.is_registered(until, False, at + timedelta(seconds=60))
    assert not rules.is_registered(until, True, at)


def _config(**changes: object) -> EdgeConfig:
    values: dict[str, object] = {
        "listen_host": "127.0.0.1",
        "listen_port": 5060,
        "realm": "videophone.example",
        "service_url": "http://127.0.0.1:8000/",
        "edge_secret": "s3cret-for-the-edge-only",
    }
    return EdgeConfig(**(values | changes))  # type: ignore[arg-type]


def test_the_edge_configuration_carries_the_settings(tmp_path: Path) -> None:
    text = settings_text(_config())
    assert '#!substdef "|SIP_REALM|videophone.example|g"' in text
    assert '#!substdef "|SIP_SERVICE_URL|http://127.0.0.1:8000|g"' in text
    assert '#!substdef "|SIP_LISTEN_PORT|5060|g"' in text
    cfg = render(_config(), tmp_path / "edge")
    assert 'include_file "videophone-settings.cfg"' in cfg.read_text()
    settings = cfg.parent / "videophone-settings.cfg"
    assert settings.stat().st_mode & 0o077 == 0  # it holds the shared secret
    assert "WITH_RPC" not in text  # no RPC listener unless configured
    with_rpc = settings_text(_config(rpc_url="http://127.0.0.1:5071/RPC"))
    assert "#!define WITH_RPC" in with_rpc and '#!substdef "|SIP_RPC_PORT|5071|g"' in with_rpc
    assert "WITH_RPC" in settings_text(_config(rpc_url="http://[::1]:5071/RPC"))
    assert "WITH_TLS" not in text and not (cfg.parent / "tls.cfg").exists()
    tls = _config(tls_cert="/etc/edge/cert.pem", tls_key="/etc/edge/key.pem")
    assert "#!define WITH_TLS" in settings_text(tls) and '#!substdef "|SIP_TLS_PORT|5061|g"' in settings_text(tls)
    tls_cfg = (render(tls, tmp_path / "tls-edge").parent / "tls.cfg").read_text()
    assert "certificate = /etc/edge/cert.pem" in tls_cfg and "private_key = /etc/edge/key.pem" in tls_cfg
    # Another edge of the cluster signs nonces with the same key.
    assert settings_text(_config()) == settings_text(_config())


@pytest.mark.parametrize(
    "changes",
    [
        {"edge_secret": ""},
        {"edge_secret": 'short"'},
        {"realm": 'evil"; exit'},
        {"realm": "two words"},
        {"service_url": "ftp://example"},
        {"service_url": "http://x/ y"},
        {"listen_port": 0},
        {"listen_host": "1.2.3.4\nlisten=udp:0.0.0.0"},
        # The edge's RPC ends registrations: loopback only, never on the SIP port, plain http://ip:port.
        {"rpc_url": "http://0.0.0.0:5071/RPC"},
        {"rpc_url": "http://203.0.113.5:5071/RPC"},
        {"rpc_url": "http://localhost:5071/RPC"},
        {"rpc_url": "http://127.0.0.1/RPC"},
        {"rpc_url": "https://127.0.0.1:5071/RPC"},
        {"rpc_url": "http://127.0.0.1:5060/RPC"},
        # TLS: both files, absolute plain paths, a port of its own.
        {"tls_cert": "/etc/edge/cert.pem"},
        {"tls_cert": "relative/cert.pem", "tls_key": "/etc/edge/key.pem"},
        {"tls_cert": "/etc/edge/cert.pem\nlisten=udp:0.0.0.0:5060", "tls_key": "/etc/edge/key.pem"},
        {"tls_cert": "/etc/edge/cert.pem", "tls_key": "/etc/edge/key.pem", "tls_port": 5060},
    ],
)
def test_values_that_could_change_the_script_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(EdgeConfigError):
        settings_text(_config(**changes))
