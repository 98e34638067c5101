from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from videophone.identity.domain import masking


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
