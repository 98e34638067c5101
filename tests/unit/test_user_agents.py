"""Versions in SIP phones' User-Agent headers (R-34, issue 16)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.terminals.domain import terminals as rules
from videophone.terminals.domain.user_agents import version_from_user_agent


@pytest.mark.parametrize(
    ("user_agent", "version"),
    [
        ("Grandstream GXV3380 1.0.3.35", "1.0.3.35"),
        ("Yealink SIP-T58A 58.86.0.20", "58.86.0.20"),
        ("baresip v3.10.1 (x86_64/linux)", "3.10.1"),
        ("Linphone/5.2", "5.2"),
        ("Linphone/5.2.0 (belle-sip/5.2.0)", "5.2.0"),
        ("LinphoneAndroid/5.2.1 (Pixel 7) LinphoneSDK/5.2.1", "5.2.1"),
        ("MicroSIP/3.21.3", "3.21.3"),
        ("Fanvil X7 2.12.4", "2.12.4"),
        ("Grandstream GXP2170 1.0.11.08", "1.0.11.8"),  # normalised: a version the releases compare
        ("Yealink SIP-T58A", ""),  # a model is not a version
        ("1.2.3.4.5", ""),  # five parts: not a version
        ("", ""),
    ],
)
def test_common_phones_report_their_version(user_agent: str, version: str) -> None:
    assert version_from_user_agent(user_agent) == version


@given(st.text(max_size=300))
def test_any_user_agent_gives_a_comparable_version_or_nothing(user_agent: str) -> None:
    version = version_from_user_agent(user_agent)
    assert version == "" or rules.version_key(version) is not None


@given(st.lists(st.integers(0, 999_999), min_size=2, max_size=4), st.sampled_from(["Phone ", "App/", "x v"]))
def test_a_version_after_a_name_is_found(parts: list[int], head: str) -> None:
    version = ".".join(map(str, parts))
    assert version_from_user_agent(f"{head}{version} (build)") == version


def test_four_part_firmware_versions_compare_as_numbers() -> None:
    assert rules.is_newer("1.0.4", "1.0.3.35")
    assert rules.is_newer("1.0.3.36", "1.0.3.35")
    assert not rules.is_newer("1.0.3", "1.0.3.35")
    assert rules.version_key("1.0.3") == rules.version_key("1.0.3.0")
    assert rules.is_newer("58.86.0.20", "58.86.0.9")
