"""The password rule (R-05, R-54 item 9): length, no control characters, no own data, and a minimum
zxcvbn strength with the user's own data known to the estimator."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.adapters.password_strength import zxcvbn_strength
from videophone.identity.domain.passwords import MIN_SCORE, Strength, check_password, personal_inputs


def codes(password: str, personal: Sequence[str] = ()) -> list[str]:
    return [e.code for e in check_password(password, estimate=zxcvbn_strength, personal=personal)]


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaaaa", "1111111111111111", "abcdefghijklmnop", "qwertyuiopasdfgh"])
def test_repeats_and_sequences_are_too_weak(password: str) -> None:
    assert codes(password) == ["password_too_weak"]


@pytest.mark.parametrize(
    "password", ["Good-Passw0rd\x00x", "Tr4in-Lamp\nMosaic", "\x7fTr4in-Lamp-Mosaic", "Tr4in-\ud800-Lamp"]
)
def test_control_characters_are_refused(password: str) -> None:
    assert codes(password) == ["password_control_characters"]


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "Tr4in-Lamp-Mosaic-91", "mulberry-Quartz-7-Harbor", "桥上 lamp 91 mosaic tiger"],
)
def test_strong_passphrases_are_accepted(password: str) -> None:
    assert codes(password) == []


def test_length_common_and_own_data() -> None:
    assert codes("short1A!") == ["password_too_short"]
    assert codes("x" * 129) == ["too_long"]
    assert codes("1qaz2wsx3edc") == ["password_common"]
    assert codes("Lowercase12") == ["password_too_weak"]
    assert codes("Abc-13800138000", ("13800138000",)) == ["password_personal"]
    assert codes("Qiaolinzhuo-7", personal_inputs("qiaolinzhuo@example.cn")) == ["password_personal"]
    # The user's own data, disguised, makes an otherwise strong password guessable: the estimator knows it.
    assert codes("Q1a0l1nzhu0#7") == []
    assert codes("Q1a0l1nzhu0#7", personal_inputs("qiaolinzhuo@example.cn")) == ["password_too_weak"]


def test_personal_inputs_add_the_email_name() -> None:
    assert personal_inputs(" liming@example.com ", "", "13800138000", "李明") == (
        "liming@example.com",
        "liming",
        "13800138000",
        "李明",
    )


@given(st.integers(min_value=0, max_value=4), st.text(min_size=10, max_size=40).filter(lambda s: s.isprintable()))
def test_the_score_decides_once_the_other_rules_pass(score: int, password: str) -> None:
    """Whatever the estimator says below the minimum is refused, at or above it accepted."""

    def fixed(_password: str, _inputs: Sequence[str]) -> Strength:
        return Strength(score)

    errors = check_password(password, estimate=fixed)
    if errors and errors[0].code in ("password_common", "password_too_short"):
        return
    assert [e.code for e in errors] == ([] if score >= MIN_SCORE else ["password_too_weak"])


def test_long_passwords_are_estimated_quickly() -> None:
    # zxcvbn refuses more than 72 characters; the estimator looks at the first 72.
    assert zxcvbn_strength("a" * 128).score == 0
    assert zxcvbn_strength("Tr4in-Lamp-Mosaic-91" * 6).score == 4
