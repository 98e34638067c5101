"""Rotation of the data key (issue 17): every encrypted value moves to the new key in batches, each
its own transaction; a rotation stopped half-way — by an injected failure, or the real CLI killed with
SIGKILL — leaves every value readable and continues when run again; at the end everything is on the
new key and the old one is retired.  On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import FAST_HASHER, TEST_KEY
from tests.support.server import videophone_command
from videophone.adapters import keyring
from videophone.adapters.crypto import FieldCipher
from videophone.adapters.db import rekey
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.models import IdentityDocument, StaffUser, Subscriber
from videophone.adapters.db.models_base import Base
from videophone.adapters.db.models_enforcement import LawfulSuspension
from videophone.bootstrap import Container, build
from videophone.config import Settings
from videophone.enforcement.services.lawful import REFERENCE_CONTEXT
from videophone.enforcement.services.violations import EVIDENCE_CONTEXT
from videophone.terminals.services.terminals import PHOTO_CONTEXT

OLD = base64.b64decode(TEST_KEY)


def id_number(i: int) -> str:
    return f"1101051990{i:07d}X"[:18]


def format_1(key: bytes, plaintext: bytes, context: str) -> bytes:
    """As written before ciphertexts named their key."""
    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


async def seed(c: Container, n: int) -> None:
    """``n`` subscribers (every third in the old format without a key id), an identity document for
    every tenth and a lawful suspension for every fiftieth."""
    cipher = c.deps.cipher
    now = datetime.now(UTC)

    def enc(i: int, name: str, value: str) -> str:
        context = f"subscribers.{name}"
        if i % 3 == 0:
            return base64.b64encode(format_1(OLD, value.encode(), context)).decode()
        return cipher.encrypt(value, context=context)

    async with c.deps.uow() as uow:
        staff = StaffUser(username="rot", display_name="rot", password_hash="x", roles="admin", created_at=now)
        uow.session.add(staff)
        subs = [
            Subscriber(
                number=f"952{i:08d}",
                kind="person",
                name=f"用户{i}",
                email=f"rot{i}@example.com",
                contact_phone="13800138000",
                postal_code="100022",
                id_type="resident_id",
                id_number_enc=enc(i, "id_number", id_number(i)),
                id_number_masked="x",
                id_number_index=cipher.blind_index(id_number(i)),
                birth_date_enc=enc(i, "birth_date", "1990-03-07") if i % 2 else None,
                address_enc=enc(i, "address", f"北京市朝阳区{i}号"),
                employer_enc=enc(i, "employer", f"单位{i}"),
                review_state="verified",
                password_hash="x",
                created_at=now,
                updated_at=now,
            )
            for i in range(n)
        ]
        uow.session.add_all(subs)
        await uow.session.flush()
        for i, s in enumerate(subs):
            if i % 10 == 0:
                content = f"scan {i}".encode()
                sealed = format_1(OLD, content, "identity_documents") if i % 20 == 0 else None
                uow.session.add(
                    IdentityDocument(
                        subscriber_id=s.id,
                        filename="id.png",
                        content_type="image/png",
                        size=len(content),
                        sha256="0" * 64,
                        content_enc=sealed or cipher.seal(content, context="identity_documents"),
                        uploaded_at=now,
                    )
                )
            if i % 50 == 0:
                uow.session.add(
                    LawfulSuspension(
                        subscriber_id=s.id,
                        authority="公安局",
                        reference_enc=cipher.encrypt(f"京公网{i}", context=REFERENCE_CONTEXT),
                        scope="both",
                        period_from=date(2025, 1, 1),
                        state="active",
                        recorded_at=now,
                        recorded_by=staff.id,
                    )
                )
        await uow.commit()


async def assert_readable(sm: async_sessionmaker[AsyncSession], cipher: FieldCipher, n: int) -> None:
    """Every value decrypts to what was written, and each blind index is one the ring can look up."""
    async with sm() as s:
        subs = list(await s.scalars(select(Subscriber).order_by(Subscriber.id)))
        assert len(subs) == n
        for s_ in subs:
            i = int(s_.number[3:])
            number = cipher.decrypt(s_.id_number_enc, context="subscribers.id_number")
            assert number == id_number(i)
            assert s_.id_number_index in cipher.blind_indexes(number)
            assert cipher.decrypt(s_.address_enc, context="subscribers.address") == f"北京市朝阳区{i}号"
            assert cipher.decrypt(s_.employer_enc, context="subscribers.employer") == f"单位{i}"
            if s_.birth_date_enc is not None:
                assert cipher.decrypt(s_.birth_date_enc, context="subscribers.birth_date") == "1990-03-07"
        docs = list(await s.scalars(select(IdentityDocument)))
        assert len(docs) == (n + 9) // 10
        for d in docs:
            assert cipher.open(d.content_enc, context="identity_documents").startswith(b"scan ")
        refs = list(await s.scalars(select(LawfulSuspension)))
        assert len(refs) == (n + 49) // 50
        assert all(cipher.decrypt(r.reference_enc, context=REFERENCE_CONTEXT).startswith("京公网") for r in refs)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def test_every_encrypted_column_is_rotated_with_the_context_its_service_uses() -> None:
    enc_columns = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns if c.name.endswith("_enc")}
    assert enc_columns == {(t.table, col) for t in rekey.TARGETS for col, _ in t.columns}
    contexts = {ctx for t in rekey.TARGETS for _, ctx in t.columns}
    assert {REFERENCE_CONTEXT, EVIDENCE_CONTEXT, PHOTO_CONTEXT} <= contexts


class Injected(RuntimeError):
    pass


async def test_a_rotation_stopped_after_some_batches_leaves_everything_readable_and_resumes(
    container: Container, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, database_url: str
) -> None:
    n = 120
    await seed(container, n)
    ring = keyring.KeyRing(OLD).begin_rotation()
    cipher = ring.cipher()
    before = {c.column: c for c in await rekey.status(sessions, cipher)}
    new_id, old_id = (k.hex() for k in cipher.key_ids)
    assert before["subscribers.address_enc"].by_key == {new_id: 0, old_id: 80, "?": 40}  # "?": format 1
    assert sum(c.on_current for c in before.values()) == 0

    batches: list[tuple[str, int]] = []

    def fail_after_three(table: str, rows: int) -> None:
        batches.append((table, rows))
        if len(batches) == 3:
            raise Injected("the power went out")

    with pytest.raises(Injected):
        await rekey.rotate(sessions, cipher, batch_size=10, on_batch=fail_after_three)
    assert batches == [("subscribers", 10)] * 3
    half = {c.column: c for c in await rekey.status(sessions, cipher)}
    assert half["subscribers.address_enc"].on_current == 30  # three committed batches, no more
    assert half["subscribers.address_enc"].left == n - 30
    await assert_readable(sessions, cipher, n)

    # Mid-way, the service with the ring finds a subscriber by ID number whichever key indexed it.
    ring_file = tmp_path / "ring" / "data.keys"
    keyring.save(ring, ring_file)
    settings = Settings(demo=True, database_url=database_url, data_dir=tmp_path, data_key_ring=ring_file)
    c2 = build(settings, hasher=FAST_HASHER)
    try:
        for i in (1, 110):  # moved, not yet moved
            total, found = await c2.subscribers.search(id_number(i))
            assert total == 1 and found[0].number == f"952{i:08d}"
    finally:
        await c2.close()

    rewritten = await rekey.rotate(sessions, cipher, batch_size=10)
    assert rewritten == (n - 30) + (n + 9) // 10 + (n + 49) // 50
    after = await rekey.status(sessions, cipher)
    assert all(c.left == 0 for c in after)
    assert await rekey.rotate(sessions, cipher, batch_size=10) == 0  # nothing left: nothing rewritten
    await assert_readable(sessions, FieldCipher(ring.current), n)  # the new key alone reads everything
    async with sessions() as s:
        sub = (await s.scalars(select(Subscriber).where(Subscriber.number == f"952{7:08d}"))).one()
        assert sub.id_number_index == FieldCipher(ring.current).blind_index(id_number(7))


def cli(database_url: str, data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VIDEOPHONE_DATABASE_URL": database_url,
        "VIDEOPHONE_DEMO": "true",
        "VIDEOPHONE_DATA_DIR": str(data_dir),
        "VIDEOPHONE_DATA_KEY": TEST_KEY,
    }
    return subprocess.Popen(
        [*videophone_command(), "keys", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


async def test_the_rotate_command_killed_half_way_then_run_again_finishes_the_rotation(
    container: Container, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, database_url: str
) -> None:
    n = 1500
    await seed(container, n)
    data_dir = tmp_path / "var"
    ring_file = data_dir / "data.keys"
    process = cli(database_url, data_dir, "rotate", "--batch-size", "5")
    killed_at = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if ring_file.exists():
            cipher = keyring.load(
                ring_file=ring_file, configured=TEST_KEY, key_file=data_dir / "x", create=False
            ).cipher()
            moved = {c.column: c.on_current for c in await rekey.status(sessions, cipher)}["subscribers.address_enc"]
            if 0 < moved < n // 2:
                process.send_signal(signal.SIGKILL)
                killed_at = moved
                break
        await asyncio.sleep(0.01)
    output = process.stdout.read() if process.stdout else b""
    process.wait(timeout=30)
    assert killed_at is not None, f"the rotation was not caught mid-way: {output!r}"
    assert process.returncode == -signal.SIGKILL

    ring = keyring.load(ring_file=ring_file, configured=TEST_KEY, key_file=data_dir / "x", create=False)
    assert ring.rotating and ring.old == (OLD,)
    cipher = ring.cipher()
    await assert_readable(sessions, cipher, n)  # killed between (or inside) batches: all readable
    left = sum(c.left for c in await rekey.status(sessions, cipher))
    assert left > 0

    status = cli(database_url, data_dir, "status")
    shown, _ = status.communicate(timeout=120)
    assert status.returncode == 0, shown.decode()
    assert b"rotation in progress" in shown and cipher.key_id.encode() in shown

    again = cli(database_url, data_dir, "rotate", "--batch-size", "50")
    finished, _ = again.communicate(timeout=300)
    assert again.returncode == 0, finished.decode()
    assert b"continuing the rotation to key " + cipher.key_id.encode() in finished

    final = keyring.load(ring_file=ring_file, configured=TEST_KEY, key_file=data_dir / "x", create=False)
    assert final.current == ring.current and final.retired == (OLD,) and not final.rotating
    assert all(c.left == 0 for c in await rekey.status(sessions, final.cipher()))
    await assert_readable(sessions, FieldCipher(final.current), n)
    # Key material is never printed: only key ids.
    for text in (output, shown, finished):
        for key in (OLD, final.current):
            assert base64.b64encode(key) not in text
    assert ring_file.stat().st_mode & 0o777 == 0o600
