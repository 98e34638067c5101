from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from videophone.adapters.crypto import FieldCipher, load_or_create_key

CIPHER = FieldCipher(b"\x01" * 32)


@given(st.text())
def test_round_trip(value: str) -> None:
    sealed = CIPHER.encrypt(value, context="subscribers.address")
    assert value == CIPHER.decrypt(sealed, context="subscribers.address")


def test_ciphertext_hides_the_value_and_is_bound_to_its_column() -> None:
    sealed = CIPHER.encrypt("11010519900307123X", context="subscribers.id_number")
    assert "1101" not in sealed
    assert sealed != CIPHER.encrypt("11010519900307123X", context="subscribers.id_number")  # random nonce
    with pytest.raises(InvalidTag):
        CIPHER.decrypt(sealed, context="subscribers.address")


def test_tampering_is_detected() -> None:
    sealed = bytearray(CIPHER.seal(b"scan", context="identity_documents"))
    sealed[-1] ^= 1
    with pytest.raises(InvalidTag):
        CIPHER.open(bytes(sealed), context="identity_documents")


def test_key_file_is_created_once_in_demo_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "keys" / "data.key"
    first = load_or_create_key(configured="", key_file=path, create=True)
    assert load_or_create_key(configured="", key_file=path, create=False) == first
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError):
        load_or_create_key(configured="", key_file=tmp_path / "missing.key", create=False)
