from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from videophone.domain import masking
from videophone.domain.passwords import check_password


def test_id_numbers_keep_region_and_last_four() -> None:
    assert masking.mask_id_number("11010519900307123X") == "110105********123X"
    assert masking.mask_id_number("E12345678") == "E1*****78"


@given(st.text(alphabet="0123456789X", min_size=15, max_size=18))
def test_masking_never_shows_the_middle(value: str) -> None:
    masked = masking.mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[6:-4] == "*" * (len(value) - 10)


def test_other_fields() -> None:
    assert masking.mask_birth_date("1990-03-07") == "1990-**-**"
    assert masking.mask_text("北京市朝阳区建国路88号").endswith("****")
    assert "建国路" not in masking.mask_text("北京市朝阳区建国路88号")
    assert masking.mask_phone("13800138000") == "138****8000"
    assert masking.mask_email("liming@example.com") == "l***@example.com"


def codes(password: str, personal: tuple[str, ...] = ()) -> list[str]:
    return [e.code for e in check_password(password, personal=personal)]


def test_password_strength_rule() -> None:
    assert codes("short1A!") == ["password_too_short"]
    assert codes("alllowercaseletters") == []  # 16+ characters are accepted on length alone
    assert codes("lowercase12") == ["password_too_weak"]
    assert codes("Lowercase12") == []
    assert codes("Password123".lower()) == ["password_too_weak"]
    assert codes("1qaz2wsx3edc") == ["password_too_weak"]
    assert codes("Abc-13800138000", ("13800138000",)) == ["password_personal"]
    assert codes("x" * 129) == ["too_long"]
