"""Contact details: mobile number, postal code, e-mail, required text."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.identity.domain.contact_details import (
    check_email,
    check_mobile,
    check_postal_code,
    check_required_text,
    normalize_email,
    normalize_mobile,
)
from videophone.kernel.errors import FieldError

_mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet=string.digits, min_size=9, max_size=9),
)

# -- mobile ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13800138000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("＋８６ １３８００１３８０００", "13800138000"),
        ("+86 1380013800", "+861380013800"),  # prefix kept unless 11 digits follow
        ("86123", "86123"),
        ("010-12345678", "01012345678"),
    ],
)
def test_normalize_mobile(typed: str, expected: str) -> None:
    assert normalize_mobile(typed) == expected


@given(_mobiles, st.sampled_from(["", "+86", "0086", "86", "+86 ", "+86-"]))
def test_normalized_mobiles_with_prefix_are_accepted(mobile: str, prefix: str) -> None:
    typed = f"{prefix}{mobile[:3]} {mobile[3:7]}-{mobile[7:]}"
    assert normalize_mobile(typed) == mobile
    assert check_mobile(normalize_mobile(typed)) == []


@pytest.mark.parametrize("value", ["13800138000", "19912345678", "17012345678", "15000000000"])
def test_check_mobile_valid(value: str) -> None:
    assert check_mobile(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12800138000",  # second digit 2
        "10800138000",
        "23800138000",
        "1380013800",  # 10 digits
        "138001380000",  # 12 digits
        "+8613800138000",
        "138 0013 8000",  # not normalized
        "13800138000\n",
        "１３８００１３８０００",  # full-width, not normalized
        "1380013800a",
    ],
)
def test_check_mobile_format(value: str) -> None:
    assert check_mobile(value) == [FieldError("contact_phone", "mobile_format")]


def test_check_mobile_custom_field() -> None:
    assert check_mobile("123", field="emergency_phone") == [FieldError("emergency_phone", "mobile_format")]


# -- postal code -----------------------------------------------------------------------------------


@given(st.text(alphabet=string.digits, min_size=6, max_size=6))
def test_any_six_digits_is_a_postal_code(value: str) -> None:
    assert check_postal_code(value) == []


@pytest.mark.parametrize("value", ["", "10008", "1000800", "10008O", " 100080", "100 080", "１０００８０", "٣٣٣٣٣٣"])
def test_check_postal_code_format(value: str) -> None:
    assert check_postal_code(value, field="zip") == [FieldError("zip", "postal_code_format")]


# -- e-mail ----------------------------------------------------------------------------------------


def test_normalize_email() -> None:
    assert normalize_email("  Zhang.San@Example.COM \n") == "zhang.san@example.com"


@pytest.mark.parametrize(
    "value",
    [
        "a@b.cn",
        "zhang.san@example.com",
        "user+tag@mail.example.com.cn",
        "o'brien@example.org",
        "x_y-z@sub-domain.example.io",
        "!#$%&'*+/=?^_`{|}~-@example.com",
        "1234567@qq.com",
        "info@example.xn--fiqs8s",
        "a" * 64 + "@example.com",
        "a@" + "b" * 63 + ".com",
    ],
)
def test_check_email_valid(value: str) -> None:
    assert check_email(value) == []


def _long_address() -> str:
    # Every part within its own limit, but 312 characters in total.
    return "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".com"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plainaddress",
        "@example.com",
        "user@",
        "user@@example.com",
        "a@b@example.com",
        "user@localhost",
        "user@example",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "a" * 65 + "@example.com",
        "user@-example.com",
        "user@example-.com",
        "user@exa_mple.com",
        "user@example..com",
        "user@.example.com",
        "user@example.com.",
        "user@example.c",
        "user@example.c0m",
        "user@example.123",
        "user@" + "b" * 64 + ".com",
        "us er@example.com",
        "user@exam ple.com",
        "张三@example.com",
        "user@例子.中国",
        '"quoted"@example.com',
        "user@[192.168.0.1]",
        "user@example.com\n",
        "info@xn--fiqs8s",  # a TLD alone is not a domain
        "user(comment)@example.com",
    ],
)
def test_check_email_format(value: str) -> None:
    assert check_email(value) == [FieldError("email", "email_format")]


def test_check_email_total_length() -> None:
    address = _long_address()
    assert len(address) > 254
    assert check_email(address, field="contact_email") == [FieldError("contact_email", "email_format")]
    fits = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".cn"
    assert len(fits) == 250
    assert check_email(fits) == []


@given(
    st.from_regex(r"[a-z0-9]{1,20}(\.[a-z0-9]{1,10}){0,2}", fullmatch=True),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["com", "cn", "net", "org", "xn--fiqs8s"]),
)
def test_generated_emails_are_accepted(local: str, label: str, tld: str) -> None:
    address = f"{local}@{label}.{tld}"
    assert check_email(normalize_email(address.upper())) == []


# -- required text ---------------------------------------------------------------------------------


def test_required_text_ok() -> None:
    assert check_required_text("张三", field="name", max_length=2) == []
    assert check_required_text("  张三  ", field="name", max_length=2) == []


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", "\n\t"])
def test_required_text_missing(value: str | None) -> None:
    assert check_required_text(value, field="name", max_length=10) == [FieldError("name", "required")]


def test_required_text_too_long() -> None:
    assert check_required_text("张三丰", field="name", max_length=2) == [FieldError("name", "too_long", {"max": 2})]


@given(st.text(alphabet="abc张", min_size=1, max_size=30), st.integers(min_value=1, max_value=30))
def test_required_text_length_boundary(value: str, max_length: int) -> None:
    errors = check_required_text(value, field="f", max_length=max_length)
    assert (errors == []) == (len(value) <= max_length)
