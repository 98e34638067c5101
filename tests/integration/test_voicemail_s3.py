"""Video voicemail with its recordings in S3-compatible object storage (R-18): the same service over a
real SeaweedFS S3 server (``tests/support/seaweed.py``), its bucket created at start, every object
ciphertext, deleted with the message, by retention and with the account."""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FAST_HASHER, TEST_KEY, _empty_tables
from tests.support.seaweed import SeaweedS3, require_weed, start_seaweed, wait_ready
from tests.support.voicemail import diverted_call, parties
from tests.support.webm import webm
from videophone.adapters.blobs import OVERHEAD, BlobNotFound
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container, build
from videophone.calling.domain import voicemail as rules
from videophone.common.deps import Actor
from videophone.config import Settings

PROBE_BUCKET = "videophone-voicemail-probe"


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    server = start_seaweed(require_weed(), tmp_path_factory.mktemp("seaweed-voicemail"))
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, wait_ready(server, PROBE_BUCKET)).result()
        yield server
    finally:
        server.stop()


@pytest.fixture
async def s3_container(
    database_url: str, clock: FakeClock, tmp_path: Path, seaweed: SeaweedS3
) -> AsyncIterator[tuple[Container, str]]:
    await _empty_tables(database_url)
    bucket = f"vm-{uuid.uuid4().hex[:16]}"  # a bucket of its own: ids restart with every test's tables
    settings = Settings(
        demo=True,
        database_url=database_url,
        data_key=TEST_KEY,
        data_dir=tmp_path,
        blob_store="s3",
        s3_endpoint=seaweed.endpoint,
        s3_bucket=bucket,
        s3_access_key=seaweed.access_key,
        s3_secret_key=seaweed.secret_key,
    )
    c = build(settings, clock=clock, hasher=FAST_HASHER)
    await c.ensure_reference_data()
    await c.start_storage()  # creates the bucket
    try:
        yield c, bucket
    finally:
        await c.close()


async def test_messages_in_object_storage_are_ciphertext_and_deleted_every_way(
    s3_container: tuple[Container, str], seaweed: SeaweedS3, clock: FakeClock
) -> None:
    c, bucket = s3_container
    raw = seaweed.store(bucket)
    try:
        caller, callee = await parties(c)
        recording = webm(10_000, frame_bytes=300)
        _, deposit = await diverted_call(c, caller, callee)
        assert deposit is not None
        left = await c.voicemail.leave(caller.id, deposit.token, recording)
        key = rules.message_key(callee.id, left.id)
        stored = await raw.get(key)
        assert len(stored) == len(recording) + OVERHEAD and recording[:64] not in stored
        assert (await c.voicemail.play(callee.id, left.id)).data == recording

        # Deleted by its owner.
        await c.voicemail.delete(callee.id, left.id)
        with pytest.raises(BlobNotFound):
            await raw.get(key)

        # Deleted by retention.
        _, d2 = await diverted_call(c, caller, callee)
        assert d2 is not None
        kept = await c.voicemail.leave(caller.id, d2.token, recording)
        clock.advance(timedelta(days=30))
        assert (await c.voicemail_admin.expire_due())["expired"] == 1
        assert not await raw.exists(rules.message_key(callee.id, kept.id))

        # Deleted with the account, greeting included.
        _, d3 = await diverted_call(c, caller, callee)
        assert d3 is not None
        last = await c.voicemail.leave(caller.id, d3.token, recording)
        await c.voicemail.set_greeting(callee.id, webm(2000))
        assert await raw.usage(rules.mailbox_prefix(callee.id)) > 0
        await c.termination.operator_terminate(Actor("staff", None, "10.0.0.3"), callee.id, reason="breach", note="x")
        assert await raw.usage(rules.mailbox_prefix(callee.id)) == 0
        assert not await raw.exists(rules.message_key(callee.id, last.id))
        assert (await c.voicemail.mailbox(callee.id)).total == 0
    finally:
        await raw.aclose()
