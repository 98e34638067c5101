"""Identity document numbers and unified social credit codes."""

from __future__ import annotations

import ast
import string
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import videophone.identity.domain.identity_numbers as identity_numbers
from videophone.identity.domain.identity_numbers import (
    ID_TYPE_LABELS,
    USCC_CHARSET,
    IdDocumentType,
    birth_date_from_resident_id,
    check_id_document,
    check_resident_id,
    check_uscc,
    normalize_id_number,
    resident_id_check_char,
    uscc_check_char,
)
from videophone.kernel.errors import FieldError

# -- generators ------------------------------------------------------------------------------------

_ID_ALPHABET = "0123456789X"
_REAL_USCC = ("91440300MA5G24KH9F", "91350100M000100Y43")


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=n, max_size=n)


@st.composite
def resident_ids(draw: st.DrawFn) -> tuple[str, date]:
    region = draw(_digits(6))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)))
    sequence = draw(_digits(3))
    first17 = f"{region}{born:%Y%m%d}{sequence}"
    return first17 + resident_id_check_char(first17), born


@st.composite
def usccs(draw: st.DrawFn) -> str:
    charset = st.sampled_from(USCC_CHARSET)
    head = draw(st.text(alphabet=charset, min_size=2, max_size=2))
    division = draw(_digits(6))
    tail = draw(st.text(alphabet=charset, min_size=9, max_size=9))
    first17 = head + division + tail
    return first17 + uscc_check_char(first17)


def _codes(errors: list[FieldError]) -> list[str]:
    return [error.code for error in errors]


# -- the domain stays pure -------------------------------------------------------------------------


@pytest.mark.parametrize("module_name", ["identity_numbers", "contact_details"])
def test_domain_modules_import_only_stdlib_and_domain(module_name: str) -> None:
    source = Path(identity_numbers.__file__).with_name(f"{module_name}.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert (
                name.startswith(("videophone.identity.domain", "videophone.kernel")) or top in sys.stdlib_module_names
            ), name


# -- labels ----------------------------------------------------------------------------------------


def test_every_document_type_has_zh_and_en_labels() -> None:
    assert set(ID_TYPE_LABELS) == set(IdDocumentType)
    for zh, en in ID_TYPE_LABELS.values():
        assert zh
        assert en
    assert ID_TYPE_LABELS[IdDocumentType.RESIDENT_ID][0] == "居民身份证"


# -- normalization ---------------------------------------------------------------------------------


def test_normalize_strips_spaces_and_uppercases() -> None:
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_id_number("110105 19491231 002X") == "11010519491231002X"
    assert normalize_id_number("h1234\u30005678") == "H12345678"


def test_normalize_converts_full_width() -> None:
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalize_id_number("Ｈ１２３４５６７８") == "H12345678"


def test_normalize_leaves_other_characters_alone() -> None:
    assert normalize_id_number("AB-12") == "AB-12"
    assert normalize_id_number("") == ""


# -- check character -------------------------------------------------------------------------------


def test_resident_id_check_char_known_values() -> None:
    # GB 11643-1999 sample number and another well-known sample ending in X.
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X", "١" * 17])
def test_resident_id_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        resident_id_check_char(bad)


# -- birth date ------------------------------------------------------------------------------------


def test_birth_date_from_resident_id() -> None:
    assert birth_date_from_resident_id("11010519491231002X") == date(1949, 12, 31)
    assert birth_date_from_resident_id("11010519491231002x") == date(1949, 12, 31)
    assert birth_date_from_resident_id("110105 19491231 002X") == date(1949, 12, 31)


@pytest.mark.parametrize(
    "value",
    [
        "110105190002290010",
        "110105200113010010",
        "110105200100000010",
        "1101051949123100",
        "110105ABCD12310010",
    ],
)
def test_birth_date_from_resident_id_none_when_not_a_date(value: str) -> None:
    assert birth_date_from_resident_id(value) is None


# -- resident ID: properties -----------------------------------------------------------------------


@given(resident_ids())
def test_valid_resident_ids_are_accepted_and_birth_date_round_trips(generated: tuple[str, date]) -> None:
    number, born = generated
    assert check_resident_id(number, birth_date=None) == []
    assert check_resident_id(number, birth_date=born) == []
    assert birth_date_from_resident_id(number) == born
    assert check_id_document("resident_id", number, birth_date=born) == []


@given(resident_ids(), st.data())
def test_any_single_substitution_is_rejected(generated: tuple[str, date], data: st.DataObject) -> None:
    number, _ = generated
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from(_ID_ALPHABET).filter(lambda ch: ch != number[position]))
    mutated = number[:position] + replacement + number[position + 1 :]
    assert check_resident_id(mutated, birth_date=None) != []


@given(resident_ids(), st.integers(min_value=0, max_value=15))
def test_any_adjacent_transposition_is_rejected(generated: tuple[str, date], position: int) -> None:
    number, _ = generated
    a, b = number[position], number[position + 1]
    assume(a != b)
    mutated = number[:position] + b + a + number[position + 2 :]
    assert check_resident_id(mutated, birth_date=None) != []


@given(
    _digits(6),
    st.integers(min_value=1900, max_value=2100).filter(lambda y: not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0))),
    _digits(3),
)
def test_feb_29_of_non_leap_year_is_rejected(region: str, year: int, sequence: str) -> None:
    first17 = f"{region}{year:04d}0229{sequence}"
    number = first17 + resident_id_check_char(first17)
    assert _codes(check_resident_id(number, birth_date=None)) == ["id_number_birth_date_invalid"]


@given(
    _digits(6),
    st.integers(min_value=1900, max_value=2100),
    st.integers(min_value=13, max_value=99),
    _digits(5),
)
def test_month_13_or_more_is_rejected(region: str, year: int, month: int, rest: str) -> None:
    first17 = f"{region}{year:04d}{month:02d}{rest}"
    number = first17 + resident_id_check_char(first17)
    assert _codes(check_resident_id(number, birth_date=None)) == ["id_number_birth_date_invalid"]


@given(resident_ids(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_birth_date_mismatch_is_reported(generated: tuple[str, date], declared: date) -> None:
    number, born = generated
    assume(declared != born)
    errors = check_resident_id(number, birth_date=declared, field="holder_id")
    assert errors == [FieldError("holder_id", "id_number_birth_date_mismatch", {"expected": born.isoformat()})]


@given(resident_ids())
def test_lowercase_x_is_accepted_after_normalize(generated: tuple[str, date]) -> None:
    number, _ = generated
    typed = number.lower()[:6] + " " + number.lower()[6:]
    assert check_resident_id(normalize_id_number(typed), birth_date=None) == []


# -- resident ID: examples -------------------------------------------------------------------------


def test_resident_id_valid_example() -> None:
    assert check_resident_id("11010519491231002X", birth_date=date(1949, 12, 31)) == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "110105491231002",  # first-generation 15-digit number
        "11010519491231002",  # 17 characters
        "11010519491231002X1",  # 19 characters
        "11010519491231002x",  # not normalized
        "1101051949123100X2",  # X not last
        "11010519491231002Y",
        " 11010519491231002X",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width, not normalized
        "11010519491231002X\n",
    ],
)
def test_resident_id_format(value: str) -> None:
    assert check_resident_id(value, birth_date=None) == [FieldError("id_number", "id_number_format")]


def test_resident_id_before_1900_is_invalid() -> None:
    first17 = "11010518991231002"
    number = first17 + resident_id_check_char(first17)
    assert _codes(check_resident_id(number, birth_date=None)) == ["id_number_birth_date_invalid"]


def test_resident_id_date_reported_before_checksum() -> None:
    # Month 13 and a wrong check character: only the date problem is reported.
    first17 = "11010519491331002"
    wrong = "0" if resident_id_check_char(first17) != "0" else "1"
    assert _codes(check_resident_id(first17 + wrong, birth_date=None)) == ["id_number_birth_date_invalid"]


def test_resident_id_checksum() -> None:
    assert check_resident_id("110105194912310021", birth_date=None, field="x") == [
        FieldError("x", "id_number_checksum")
    ]


def test_resident_id_checksum_reported_before_mismatch() -> None:
    assert _codes(check_resident_id("110105194912310021", birth_date=date(2000, 1, 1))) == ["id_number_checksum"]


def test_resident_id_mismatch_example() -> None:
    assert check_resident_id("11010519491231002X", birth_date=date(1949, 12, 30)) == [
        FieldError("id_number", "id_number_birth_date_mismatch", {"expected": "1949-12-31"})
    ]


# -- other documents -------------------------------------------------------------------------------


def test_unknown_document_type() -> None:
    assert check_id_document("driving_licence", "123456", birth_date=None) == [FieldError("id_type", "id_type_unknown")]
    assert check_id_document("", "123456", birth_date=None) == [FieldError("id_type", "id_type_unknown")]


def test_document_type_accepts_enum_members() -> None:
    assert check_id_document(IdDocumentType.PASSPORT, "E12345678", birth_date=None) == []


def test_resident_id_dispatch_uses_field_and_birth_date() -> None:
    assert check_id_document("resident_id", "11010519491231002X", birth_date=date(1950, 1, 1), field="holder") == [
        FieldError("holder", "id_number_birth_date_mismatch", {"expected": "1949-12-31"})
    ]


@pytest.mark.parametrize("value", ["E12345678", "G1234567", "12345", "AB12345678901234567C", "ea1234567"])
def test_passport_valid(value: str) -> None:
    assert check_id_document("passport", value, birth_date=date(1990, 1, 1)) == []


@pytest.mark.parametrize("value", ["", "E123", "A" * 21, "E1234 5678", "E-1234567", "护照12345", "Ｅ12345678"])
def test_passport_format(value: str) -> None:
    assert check_id_document("passport", value, birth_date=None, field="doc") == [FieldError("doc", "passport_format")]


@pytest.mark.parametrize("value", ["H12345678", "M12345678", "H1234567890", "M0123456789"])
def test_hk_macau_permit_valid(value: str) -> None:
    assert check_id_document("hk_macau_permit", value, birth_date=None) == []


@pytest.mark.parametrize(
    "value", ["", "12345678", "C12345678", "h12345678", "H1234567", "H123456789", "H12345678901", "HM1234567"]
)
def test_hk_macau_permit_format(value: str) -> None:
    assert check_id_document("hk_macau_permit", value, birth_date=None) == [FieldError("id_number", "id_number_format")]


@pytest.mark.parametrize("value", ["12345678", "0123456789"])
def test_taiwan_permit_valid(value: str) -> None:
    assert check_id_document("taiwan_permit", value, birth_date=None) == []


@pytest.mark.parametrize("value", ["", "1234567", "123456789", "12345678901", "T12345678", "1234567X"])
def test_taiwan_permit_format(value: str) -> None:
    assert check_id_document("taiwan_permit", value, birth_date=None) == [FieldError("id_number", "id_number_format")]


def test_foreign_permanent_residence_old_format() -> None:
    assert check_id_document("foreign_permanent_residence", "USA110085061501", birth_date=None) == []


@given(_digits(16))
def test_foreign_permanent_residence_new_format_valid(digits: str) -> None:
    first17 = "9" + digits
    number = first17 + resident_id_check_char(first17)
    assert check_id_document("foreign_permanent_residence", number, birth_date=None) == []


@given(_digits(16), st.data())
def test_foreign_permanent_residence_new_format_substitution_rejected(digits: str, data: st.DataObject) -> None:
    first17 = "9" + digits
    number = first17 + resident_id_check_char(first17)
    position = data.draw(st.integers(min_value=1, max_value=17))
    replacement = data.draw(st.sampled_from(_ID_ALPHABET).filter(lambda ch: ch != number[position]))
    mutated = number[:position] + replacement + number[position + 1 :]
    assert check_id_document("foreign_permanent_residence", mutated, birth_date=None) != []


def test_foreign_permanent_residence_new_format_checksum() -> None:
    first17 = "93115619850101001"
    check = resident_id_check_char(first17)
    wrong = "0" if check != "0" else "1"
    assert check_id_document("foreign_permanent_residence", first17 + check, birth_date=None) == []
    assert check_id_document("foreign_permanent_residence", first17 + wrong, birth_date=None) == [
        FieldError("id_number", "id_number_checksum")
    ]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "US110085061501",  # 2 letters
        "USA11008506150",  # 11 digits
        "usa110085061501",  # not normalized
        "831156198501010014",  # 18 chars not starting with 9
        "9311561985010100",  # 16 chars
        "9311561985010100X1",  # 18 chars, X not last
    ],
)
def test_foreign_permanent_residence_format(value: str) -> None:
    assert check_id_document("foreign_permanent_residence", value, birth_date=None) == [
        FieldError("id_number", "id_number_format")
    ]


# -- unified social credit code --------------------------------------------------------------------


@pytest.mark.parametrize("code", _REAL_USCC)
def test_real_uscc_accepted(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert check_uscc(code) == []


def test_uscc_check_char_31_maps_to_zero() -> None:
    # All zeros: weighted sum 0, 31 - 0 = 31 -> "0".
    assert uscc_check_char("0" * 17) == "0"


@pytest.mark.parametrize("bad", ["", "0" * 16, "0" * 18, "I" + "0" * 16, "9144030OMA5G24KH9"])
def test_uscc_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@given(usccs())
def test_generated_uscc_accepted(code: str) -> None:
    assert check_uscc(code) == []
    assert check_uscc(normalize_id_number(code.lower())) == []


@given(usccs(), st.data())
def test_uscc_single_substitution_rejected(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from(USCC_CHARSET).filter(lambda ch: ch != code[position]))
    mutated = code[:position] + replacement + code[position + 1 :]
    assert check_uscc(mutated) != []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "91440300MA5G24KH9",  # 17
        "91440300MA5G24KH9FF",  # 19
        "91440300ma5g24kh9f",  # not normalized
        "91440300MA5G24KH9I",  # I not in charset
        "9144O300MA5G24KH9F",  # O not in charset
        "91440300SA5G24KH9F",  # S not in charset
        "914A0300MA5G24KH9F",  # letter in the division code
        "91440300MA5G24KH9 ",
    ],
)
def test_uscc_format(value: str) -> None:
    assert check_uscc(value, field="org") == [FieldError("org", "uscc_format")]


def test_uscc_checksum() -> None:
    assert check_uscc("91440300MA5G24KH9E") == [FieldError("credit_code", "uscc_checksum")]
