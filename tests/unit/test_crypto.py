from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from videophone.adapters import keyring
from videophone.adapters.crypto import FieldCipher, UnknownKey, key_id, load_or_create_key

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


# -- key ids, format 1 and the key ring (issue 17: rotation of the data key) ----------------------------
OLD, NEW = b"\x01" * 32, b"\x02" * 32


def format_1(key: bytes, plaintext: bytes, context: str) -> bytes:
    """A value as written before key ids: version 1 || nonce || ciphertext+tag."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = b"\x07" * 12
    return b"\x01" + nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def test_a_ciphertext_names_its_key_and_the_database_can_see_it_without_decrypting() -> None:
    sealed = CIPHER.encrypt("北京市朝阳区", context="subscribers.address")
    assert sealed.startswith(CIPHER.text_prefix()) and len(CIPHER.text_prefix()) == 12
    assert CIPHER.sealed_key_id(base64.b64decode(sealed)) == CIPHER.key_id == key_id(OLD).hex()
    assert FieldCipher(NEW).text_prefix() != CIPHER.text_prefix()
    blob = CIPHER.seal(b"scan", context="identity_documents")
    assert CIPHER.is_current(blob) and not FieldCipher(NEW).is_current(blob)


def test_format_1_is_still_read_by_any_key_of_the_ring() -> None:
    old = format_1(OLD, b"110105", "subscribers.id_number")
    ring = FieldCipher(NEW, [OLD])
    assert ring.open(old, context="subscribers.id_number") == b"110105"
    assert ring.decrypt(base64.b64encode(old).decode(), context="subscribers.id_number") == "110105"
    assert CIPHER.open(old, context="subscribers.id_number") == b"110105"
    with pytest.raises(InvalidTag):
        FieldCipher(NEW).open(old, context="subscribers.id_number")
    moved = ring.reseal(old, context="subscribers.id_number")
    assert ring.is_current(moved) and FieldCipher(NEW).open(moved, context="subscribers.id_number") == b"110105"


def test_old_keys_read_the_current_key_writes_and_an_unknown_key_is_named() -> None:
    by_old = CIPHER.encrypt("x", context="c")
    ring = FieldCipher(NEW, [OLD])
    assert ring.decrypt(by_old, context="c") == "x"
    again = ring.reencrypt(by_old, context="c")
    assert again.startswith(ring.text_prefix()) and ring.reencrypt(again, context="c") == again
    with pytest.raises(UnknownKey, match=key_id(NEW).hex()):
        CIPHER.decrypt(again, context="c")
    assert ring.blind_indexes("110105") == [FieldCipher(NEW).blind_index("110105"), CIPHER.blind_index("110105")]


def test_key_ring_file_round_trip_roles_and_rotation_steps(tmp_path: Path) -> None:
    path = tmp_path / "data.keys"
    configured = base64.b64encode(OLD).decode()
    ring = keyring.load(ring_file=path, configured=configured, key_file=tmp_path / "none", create=False)
    assert ring.current == OLD and not ring.rotating
    prepared = ring.prepare()
    keyring.save(prepared, path)
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = keyring.load(ring_file=path, configured=configured, key_file=tmp_path / "none", create=False)
    assert loaded == prepared and loaded.current == OLD and len(loaded.next) == 1
    rotating = loaded.begin_rotation()
    assert rotating.current == loaded.next[0] and rotating.old == (OLD,) and rotating.rotating
    done = rotating.finish_rotation()
    assert done.retired == (OLD,) and not done.rotating and set(done.readable()) == {OLD, rotating.current}
    keyring.save(done, path)
    text = path.read_text()
    assert [line.split()[0] for line in text.splitlines() if not line.startswith("#")] == ["current", "retired"]
    # the configured key, once retired in the ring, is not listed twice
    again = keyring.load(ring_file=path, configured=configured, key_file=tmp_path / "none", create=False)
    assert again.extra == () and [r for r, _ in again.rows()] == ["current", "retired"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "exactly one `current`"),
        ("current abc\n", "expected"),
        (f"current 0000000000000000 {base64.b64encode(OLD).decode()}\n", "key id does not match"),
        (f"current {key_id(OLD).hex()} not-base64!\n", "not base64"),
        (f"current {key_id(OLD).hex()} {base64.b64encode(b'short').decode()}\n", "not 32 bytes"),
    ],
)
def test_a_bad_ring_file_is_refused_without_showing_a_key(text: str, error: str) -> None:
    with pytest.raises(keyring.KeyRingError, match=error) as caught:
        keyring.parse(text, source="data.keys")
    assert base64.b64encode(OLD).decode() not in str(caught.value)
