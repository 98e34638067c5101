"""Device kinds and the media path of a call (issue 16): pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.calling.domain.media_path import SIP_DEVICE_PREFIX, device_kind, media_path, reported_path
from videophone.calling.services.sip_gateway import DEVICE_PREFIX, is_sip_device


def test_the_prefix_is_the_gateways() -> None:
    assert SIP_DEVICE_PREFIX == DEVICE_PREFIX


@pytest.mark.parametrize(
    ("device", "kind"),
    [("sip:12", "sip"), ("web-aaaaaaaa", "browser"), ("AbCd_-1234", "browser"), ("", ""), ("SIP:12", "browser")],
)
def test_device_kind(device: str, kind: str) -> None:
    assert device_kind(device) == kind


@given(st.text(max_size=70))
def test_device_kind_agrees_with_the_gateway(device: str) -> None:
    assert (device_kind(device) == "sip") == (bool(device) and is_sip_device(device))


@pytest.mark.parametrize(
    ("caller", "callee", "reported", "path"),
    [
        ("sip:1", "web-bbbbbbbb", "p2p", "relay"),
        ("web-aaaaaaaa", "sip:2", None, "relay"),
        ("sip:1", "sip:2", "turn", "relay"),
        ("sip:1", "", None, "relay"),
        ("web-aaaaaaaa", "web-bbbbbbbb", "p2p", "p2p"),
        ("web-aaaaaaaa", "web-bbbbbbbb", "turn", "turn"),
        ("web-aaaaaaaa", "web-bbbbbbbb", None, ""),
        ("web-aaaaaaaa", "", None, ""),
        # A stored value other than the two reported paths is not shown as a path.
        ("web-aaaaaaaa", "web-bbbbbbbb", "relay", ""),
        ("web-aaaaaaaa", "web-bbbbbbbb", "TURN", ""),
    ],
)
def test_media_path(caller: str, callee: str, reported: str | None, path: str) -> None:
    assert media_path(caller, callee, reported) == path


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10), st.lists(st.text(max_size=4))))
def test_only_p2p_and_turn_are_reported_paths(value: object) -> None:
    assert reported_path(value) == (value if value in ("p2p", "turn") else None)
