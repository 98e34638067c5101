"""The blob store (adapters/blobs): one contract, run against the local directory and a real SeaweedFS
S3 server, each bare and encrypted; then what only one backend or the wrapper has, the factory and
the SigV4 signer against the published example vectors."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.support import seaweed as seaweed_support
from tests.support.seaweed import SeaweedS3, require_weed, start_seaweed, wait_ready
from tests.support.server import free_port
from videophone.adapters import logs
from videophone.adapters.blobs import (
    OVERHEAD,
    BlobCorrupt,
    BlobNotFound,
    BlobStore,
    BlobStoreError,
    BlobStoreUnavailable,
    EncryptedBlobStore,
    LocalBlobStore,
    S3BlobStore,
    check_key,
    make_blob_store,
    sigv4,
)
from videophone.adapters.blobs.local import _TEMP_PREFIX
from videophone.config import Settings, SettingsError

DATA_KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
BUCKET = "videophone-blobs-test"
PAGE_SIZE = 3  # several listing pages from a handful of objects
KINDS = ["local", "s3", "encrypted-local", "encrypted-s3"]


# -- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """One SeaweedFS S3 server for the session (loopback, free ports, its own data directory).

    A plain fixture, so that the backend fixture can ask for it only for the S3 cases; the wait until
    it is ready runs on its own event loop in a worker thread (the tests' loop may be running)."""
    server = start_seaweed(require_weed(), tmp_path_factory.mktemp("seaweed"))
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, wait_ready(server, BUCKET)).result()
        yield server
    finally:
        server.stop()


def _sub() -> str:
    """A fresh subscriber id: the S3 tests share one bucket, so each test writes under its own folder."""
    return uuid.uuid4().hex[:12]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def raw(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[BlobStore]:
    """The bare backend of ``kind`` (what is really stored)."""
    store: BlobStore
    if kind.endswith("s3"):
        server: SeaweedS3 = request.getfixturevalue("seaweed")
        store = server.store(BUCKET, page_size=PAGE_SIZE)
    else:
        store = LocalBlobStore(tmp_path / "blobs")
    await store.prepare()
    try:
        yield store
    finally:
        await store.aclose()


@pytest.fixture
def store(kind: str, raw: BlobStore) -> BlobStore:
    return EncryptedBlobStore(raw, DATA_KEY) if kind.startswith("encrypted") else raw


def _stored(kind: str, size: int) -> int:
    return size + OVERHEAD if kind.startswith("encrypted") else size


# -- the contract -------------------------------------------------------------------------------------


async def test_round_trip_binary_empty_and_large(store: BlobStore) -> None:
    sub = _sub()
    binary = bytes(range(256)) * 41 + b"\x00\r\n\xff"
    large = os.urandom(5 * 1024 * 1024 + 17)  # a few minutes of WebM
    await store.put(f"voicemail/{sub}/binary", binary, "video/webm")
    await store.put(f"voicemail/{sub}/empty", b"", "video/webm")
    await store.put(f"voicemail/{sub}/large.webm", large, "video/webm")
    assert await store.get(f"voicemail/{sub}/binary") == binary
    assert await store.get(f"voicemail/{sub}/empty") == b""
    assert await store.get(f"voicemail/{sub}/large.webm") == large
    assert await store.exists(f"voicemail/{sub}/empty")
    await store.put(f"voicemail/{sub}/binary", b"replaced", "video/webm")  # a put replaces whole
    assert await store.get(f"voicemail/{sub}/binary") == b"replaced"
    assert await store.delete_prefix(f"voicemail/{sub}") == 3


async def test_a_missing_key_is_blob_not_found(store: BlobStore) -> None:
    key = f"voicemail/{_sub()}/never"
    with pytest.raises(BlobNotFound) as caught:
        await store.get(key)
    assert caught.value.key == key and key in str(caught.value)
    assert not await store.exists(key)
    assert await store.usage(f"voicemail/{_sub()}") == 0
    assert await store.delete_prefix(f"voicemail/{_sub()}") == 0


async def test_delete_is_idempotent(store: BlobStore) -> None:
    key = f"voicemail/{_sub()}/m1"
    await store.put(key, b"message", "video/webm")
    await store.delete(key)
    await store.delete(key)  # again: no error
    await store.delete(f"voicemail/{_sub()}/never-stored")
    assert not await store.exists(key)
    with pytest.raises(BlobNotFound):
        await store.get(key)


async def test_delete_prefix_and_usage_over_several_listing_pages(kind: str, store: BlobStore) -> None:
    sub = _sub()
    sizes = [0, 1, 10, 100, 1000, 5, 7, 2048]  # 8 objects: three pages of PAGE_SIZE on S3
    for i, size in enumerate(sizes):
        await store.put(f"voicemail/{sub}/m{i}", os.urandom(size), "video/webm")
    await store.put(f"voicemail/{sub}/deeper/m", b"12345", "video/webm")
    # Neighbours that share the prefix as a string but not as a folder, and another subscriber's.
    await store.put(f"voicemail/{sub}0/m", b"neighbour", "video/webm")
    await store.put(f"voicemail/{sub}-x/m", b"neighbour", "video/webm")
    count = len(sizes) + 1
    expected = sum(_stored(kind, size) for size in [*sizes, 5])
    assert await store.usage(f"voicemail/{sub}") == expected
    assert await store.usage(f"voicemail/{sub}/") == expected  # a trailing slash means the same folder
    assert await store.delete_prefix(f"voicemail/{sub}") == count
    assert await store.usage(f"voicemail/{sub}") == 0
    assert await store.delete_prefix(f"voicemail/{sub}/") == 0  # again: nothing left, no error
    assert not await store.exists(f"voicemail/{sub}/m0")
    assert await store.get(f"voicemail/{sub}0/m") == b"neighbour"
    assert await store.get(f"voicemail/{sub}-x/m") == b"neighbour"
    assert await store.usage(f"voicemail/{sub}0") == _stored(kind, 9)
    await store.delete_prefix(f"voicemail/{sub}0")
    await store.delete_prefix(f"voicemail/{sub}-x")


BAD_KEYS = [
    "",
    "/",
    "/voicemail/1/m",
    "voicemail/1/m/",
    "voicemail//m",
    "..",
    "../etc/passwd",
    "voicemail/../../etc/passwd",
    "voicemail/./m",
    ".hidden",
    "voicemail/.tmp-x",
    "voicemail/1/m n",
    "voicemail\\1\\m",
    "voicemail/1/m\x00",
    "voicemail/1/m\n",
    "voicemail/é",
    "voicemail/1/m?x=1",
    "voicemail/1/m#x",
    "voicemail/1/%2e%2e",
    "x" * 513,
    "voicemail/" + "m" * 129,
]
BAD_PREFIXES = ["", "/", "//", "../", "voicemail/..", "voicemail/../other", "voicemail//", "/voicemail"]


async def test_bad_keys_and_prefixes_are_refused_before_any_io(store: BlobStore, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    for key in BAD_KEYS:
        with pytest.raises(ValueError):
            await store.put(key, b"x", "video/webm")
        with pytest.raises(ValueError):
            await store.get(key)
        with pytest.raises(ValueError):
            await store.exists(key)
        with pytest.raises(ValueError):
            await store.delete(key)
    for prefix in BAD_PREFIXES:
        with pytest.raises(ValueError):
            await store.delete_prefix(prefix)
        with pytest.raises(ValueError):
            await store.usage(prefix)
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before  # nothing written beside the store
    # The longest and the most varied keys that are valid work.
    longest = "/".join(["a" * 128, "b" * 128, "c" * 128, "d" * 125])
    assert len(longest) == 512
    varied = f"voicemail/{_sub()}/Msg_01-a.b.webm"
    for key in (longest, varied):
        await store.put(key, b"ok", "video/webm")
        assert await store.get(key) == b"ok"
        await store.delete(key)


async def test_concurrent_puts_of_different_keys(store: BlobStore) -> None:
    sub = _sub()
    payloads = {f"voicemail/{sub}/m{i}": os.urandom(1000 + i * 20_000) for i in range(16)}
    await asyncio.gather(*(store.put(key, data, "video/webm") for key, data in payloads.items()))
    got = await asyncio.gather(*(store.get(key) for key in payloads))
    assert got == list(payloads.values())
    assert await store.delete_prefix(f"voicemail/{sub}") == len(payloads)


def test_a_missing_weed_binary_fails_in_strict_mode_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seaweed_support, "weed_binary", lambda: None)
    monkeypatch.setenv("VIDEOPHONE_TEST_STRICT", "1")
    with pytest.raises(pytest.fail.Exception, match="weed"):
        require_weed()
    monkeypatch.delenv("VIDEOPHONE_TEST_STRICT")
    with pytest.raises(pytest.skip.Exception, match="weed"):
        require_weed()


# -- encryption at rest -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["local", "s3"], indirect=True)
async def test_only_ciphertext_is_stored_and_it_is_bound_to_its_key(kind: str, raw: BlobStore, tmp_path: Path) -> None:
    store = EncryptedBlobStore(raw, DATA_KEY)
    sub = _sub()
    plaintext = b"WEBM-PLAINTEXT-MARKER " * 400
    await store.put(f"voicemail/{sub}/a", plaintext, "video/webm")
    await store.put(f"voicemail/{sub}/b", plaintext, "video/webm")
    sealed_a = await raw.get(f"voicemail/{sub}/a")
    if kind == "local":  # the file on disk, read past the store
        assert (tmp_path / "blobs" / "voicemail" / sub / "a").read_bytes() == sealed_a
    assert b"PLAINTEXT-MARKER" not in sealed_a
    assert sealed_a[:1] == b"\x02" and len(sealed_a) == len(plaintext) + OVERHEAD
    assert sealed_a != await raw.get(f"voicemail/{sub}/b")  # a fresh nonce per object
    assert await store.get(f"voicemail/{sub}/a") == plaintext
    assert await store.usage(f"voicemail/{sub}") == 2 * (len(plaintext) + OVERHEAD)  # stored bytes

    # Another subscriber's message copied into this mailbox does not decrypt.
    await raw.put(f"voicemail/{sub}/b", sealed_a, "application/octet-stream")
    with pytest.raises(BlobCorrupt, match="does not decrypt"):
        await store.get(f"voicemail/{sub}/b")
    # One flipped bit, another data key, a truncated object: refused the same way.
    tampered = bytearray(sealed_a)
    tampered[40] ^= 1
    await raw.put(f"voicemail/{sub}/c", bytes(tampered), "application/octet-stream")
    with pytest.raises(BlobCorrupt):
        await store.get(f"voicemail/{sub}/c")
    with pytest.raises(BlobCorrupt):
        await EncryptedBlobStore(raw, OTHER_KEY).get(f"voicemail/{sub}/a")
    await raw.put(f"voicemail/{sub}/d", sealed_a[:5], "application/octet-stream")
    with pytest.raises(BlobCorrupt):
        await store.get(f"voicemail/{sub}/d")
    await store.delete_prefix(f"voicemail/{sub}")


async def test_the_seaweed_data_directory_holds_no_plaintext(seaweed: SeaweedS3) -> None:
    """Below the S3 API too: SeaweedFS's own volume files never see the plaintext."""
    store = EncryptedBlobStore(seaweed.store(BUCKET), DATA_KEY)
    sub = _sub()
    marker = b"SEAWEED-AT-REST-MARKER-" + sub.encode()
    try:
        await store.put(f"voicemail/{sub}/m", marker * 50, "video/webm")
        found = [
            path for path in (seaweed.workdir / "data").rglob("*") if path.is_file() and marker in path.read_bytes()
        ]
        assert found == []
        await store.delete(f"voicemail/{sub}/m")
    finally:
        await store.aclose()


def test_the_encryption_key_must_be_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        EncryptedBlobStore(LocalBlobStore(tmp_path), b"short")


# -- the local store ----------------------------------------------------------------------------------


@given(st.text(max_size=40) | st.from_regex(r"[a-z./-]{0,12}", fullmatch=True))
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_key_names_a_path_outside_the_directory(tmp_path: Path, key: str) -> None:
    root = tmp_path / "blobs"
    store = LocalBlobStore(root)
    try:
        path = store._path(key)
    except ValueError:
        return
    assert check_key(key) == key
    assert os.path.commonpath([os.path.abspath(path), root]) == str(root)
    assert os.path.abspath(path) == str(path) and path != root


async def test_local_writes_are_atomic_private_and_leave_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    await store.put("voicemail/1/m", b"first", "video/webm")
    path = tmp_path / "blobs" / "voicemail" / "1" / "m"
    assert path.stat().st_mode & 0o777 == 0o600

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        await store.put("voicemail/1/m", b"second, never complete", "video/webm")
    monkeypatch.undo()
    assert await store.get("voicemail/1/m") == b"first"  # the old blob, whole
    assert [p.name for p in path.parent.iterdir()] == ["m"]  # the temporary file is gone

    # A crash's leftover temporary file is no blob: not counted, not listed, removed with its folder.
    (path.parent / f"{_TEMP_PREFIX}crashed").write_bytes(b"x" * 100)
    assert await store.usage("voicemail/1") == len(b"first")
    assert await store.delete_prefix("voicemail/1") == 1
    assert not await store.exists("voicemail/1/m")


async def test_local_refuses_a_key_that_is_also_a_folder(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    await store.put("voicemail/1/m", b"x", "video/webm")
    with pytest.raises(BlobStoreError, match="already a folder"):
        await store.put("voicemail/1", b"x", "video/webm")
    with pytest.raises(BlobStoreError, match="already a blob"):
        await store.put("voicemail/1/m/n", b"x", "video/webm")
    with pytest.raises(BlobNotFound):
        await store.get("voicemail/1")  # a folder is not a blob
    assert not await store.exists("voicemail/1")
    await store.delete("voicemail/1")  # nor deleted as one
    assert await store.get("voicemail/1/m") == b"x"


async def test_local_delete_prefix_removes_the_folders(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    await store.put("voicemail/1/a/b", b"x", "video/webm")
    await store.put("voicemail/1/c", b"y", "video/webm")
    await store.put("voicemail/2/c", b"z", "video/webm")
    assert await store.delete_prefix("voicemail/1") == 2
    assert sorted(p.name for p in (tmp_path / "blobs" / "voicemail").iterdir()) == ["2"]
    await store.put("voicemail/1/again", b"x", "video/webm")  # and the folder comes back when needed
    assert await store.get("voicemail/1/again") == b"x"


# -- the S3 store -------------------------------------------------------------------------------------


async def test_s3_ensure_bucket_creates_a_missing_bucket_once(seaweed: SeaweedS3) -> None:
    bucket = f"vp-new-{uuid.uuid4().hex[:10]}"
    store = seaweed.store(bucket)
    try:
        with pytest.raises(BlobStoreError, match="bucket does not exist"):
            await store.get("voicemail/1/m")
        await store.ensure_bucket()
        await store.ensure_bucket()  # already there: nothing to do
        assert not await store.exists("voicemail/1/m")
        assert await store.usage("voicemail/1") == 0
    finally:
        await store.aclose()


async def test_s3_refused_credentials_are_a_clear_error_without_the_secret(seaweed: SeaweedS3) -> None:
    wrong = "wrong-secret-" + uuid.uuid4().hex
    store = seaweed.store(BUCKET, secret_key=wrong)
    try:
        for call in (store.get("voicemail/1/m"), store.put("voicemail/1/m", b"x", "video/webm"), store.ensure_bucket()):
            with pytest.raises(BlobStoreError, match="credentials refused") as caught:
                await call
            assert wrong not in str(caught.value) and seaweed.secret_key not in str(caught.value)
        assert wrong not in repr(store)
    finally:
        await store.aclose()


async def test_s3_unreachable_is_unavailable_within_the_timeout() -> None:
    store = S3BlobStore(f"http://127.0.0.1:{free_port()}", BUCKET, "ak", "sk", timeout=2.0)
    try:
        with pytest.raises(BlobStoreUnavailable, match="unreachable"):
            await store.get("voicemail/1/m")
    finally:
        await store.aclose()


def test_s3_signs_as_the_published_examples() -> None:
    """AWS's SigV4 examples for S3 (GET Object with a range; ListObjects with a query)."""
    common = {
        "payload_sha256": sigv4.EMPTY_SHA256,
        "access_key": "AKIAIOSFODNN7EXAMPLE",
        "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "region": "us-east-1",
        "now": datetime(2013, 5, 24, tzinfo=UTC),
    }
    host = "examplebucket.s3.amazonaws.com"
    get = sigv4.sign(method="GET", path="/test.txt", query="", headers={"Host": host, "Range": "bytes=0-9"}, **common)  # type: ignore[arg-type]
    assert get["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
    query = sigv4.canonical_query([("prefix", "J"), ("max-keys", "2")])
    assert query == "max-keys=2&prefix=J"
    listing = sigv4.sign(method="GET", path="/", query=query, headers={"Host": host}, **common)  # type: ignore[arg-type]
    assert listing["Authorization"].endswith(
        "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
    )
    assert sigv4.canonical_query([("delete", ""), ("token", "a+b/c=")]) == "delete=&token=a%2Bb%2Fc%3D"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"endpoint_url": "ftp://127.0.0.1:1"}, "expected http"),
        ({"endpoint_url": "127.0.0.1:8333"}, "expected http"),
        ({"bucket": "Bad_Bucket"}, "naming rules"),
        ({"bucket": "ab"}, "naming rules"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
        ({"secret_key": ""}, "required"),
    ],
)
def test_s3_refuses_a_bad_configuration(arguments: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "endpoint_url": "http://127.0.0.1:8333",
        "bucket": "videophone",
        "access_key": "ak",
        "secret_key": "sk",
        **arguments,
    }
    with pytest.raises(ValueError, match=message):
        S3BlobStore(**values)  # type: ignore[arg-type]


# -- the factory and the settings ---------------------------------------------------------------------


def test_the_factory_defaults_to_an_encrypted_local_store_under_var(tmp_path: Path) -> None:
    store = make_blob_store(Settings(data_dir=tmp_path / "var"), data_key=DATA_KEY)
    assert isinstance(store, EncryptedBlobStore)
    assert isinstance(store.inner, LocalBlobStore) and store.inner.directory == tmp_path / "var" / "blobs"
    elsewhere = make_blob_store(Settings(data_dir=tmp_path, blob_dir=tmp_path / "b"), data_key=DATA_KEY)
    assert isinstance(elsewhere, EncryptedBlobStore) and elsewhere.inner.directory == tmp_path / "b"  # type: ignore[attr-defined]


def test_the_factory_uses_the_service_data_key_by_default(tmp_path: Path) -> None:
    import base64

    settings = Settings(data_dir=tmp_path, data_key=base64.b64encode(DATA_KEY).decode())
    assert isinstance(make_blob_store(settings), EncryptedBlobStore)
    with pytest.raises(ValueError, match="no data key"):
        make_blob_store(Settings(demo=False, data_dir=tmp_path / "none"))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "VIDEOPHONE_S3_ENDPOINT, VIDEOPHONE_S3_BUCKET, VIDEOPHONE_S3_ACCESS_KEY, VIDEOPHONE_S3_SECRET_KEY"),
        ({"s3_endpoint": "http://127.0.0.1:8333"}, "needs VIDEOPHONE_S3_BUCKET, "),
        ({"s3_bucket": "videophone", "s3_access_key": "a", "s3_secret_key": "s"}, "needs VIDEOPHONE_S3_ENDPOINT$"),
        ({"s3_endpoint": "http://127.0.0.1:8333", "s3_bucket": "videophone", "s3_access_key": "a"}, "S3_SECRET_KEY$"),
        (
            {"s3_endpoint": "s3.example.com", "s3_bucket": "videophone", "s3_access_key": "a", "s3_secret_key": "s"},
            "expected http",
        ),
        (
            {"s3_endpoint": "http://1.2.3.4", "s3_bucket": "Videophone!", "s3_access_key": "a", "s3_secret_key": "s"},
            "naming rules",
        ),
    ],
)
def test_the_factory_refuses_an_incomplete_s3_configuration(values: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        make_blob_store(Settings(blob_store="s3", **values), data_key=DATA_KEY)  # type: ignore[arg-type]


def test_the_factory_never_echoes_credentials_in_the_endpoint() -> None:
    settings = Settings(
        blob_store="s3",
        s3_endpoint="http://user:hunter2-secret@127.0.0.1:8333",
        s3_bucket="videophone",
        s3_access_key="a",
        s3_secret_key="s",
    )
    with pytest.raises(SettingsError) as caught:
        make_blob_store(settings, data_key=DATA_KEY)
    assert "hunter2" not in str(caught.value) and "no credentials" in str(caught.value)


def test_an_unknown_backend_is_refused_when_the_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDEOPHONE_BLOB_STORE", "ftp")
    with pytest.raises(ValidationError, match="blob_store"):
        Settings()


async def test_the_factory_builds_s3_from_the_environment(seaweed: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = f"vp-env-{uuid.uuid4().hex[:10]}"
    for name, value in {
        "BLOB_STORE": "s3",
        "S3_ENDPOINT": seaweed.endpoint,
        "S3_BUCKET": bucket,
        "S3_ACCESS_KEY": seaweed.access_key,
        "S3_SECRET_KEY": seaweed.secret_key,
        "S3_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(f"VIDEOPHONE_{name}", value)
    settings = Settings()
    store = make_blob_store(settings, data_key=DATA_KEY)
    try:
        assert isinstance(store, EncryptedBlobStore) and isinstance(store.inner, S3BlobStore)
        assert store.inner.bucket == bucket and seaweed.secret_key not in repr(store)
        await store.prepare()  # creates the bucket
        assert not await store.exists("voicemail/1/m")
    finally:
        await store.aclose()


def test_the_s3_secret_is_redacted_from_logs_and_settings_dumps() -> None:
    import io
    import logging

    secret = "s3-secret-" + uuid.uuid4().hex
    settings = Settings(blob_store="s3", s3_secret_key=secret, s3_access_key="AKID", s3_endpoint="http://x:1")
    assert secret in settings.secret_values()
    assert secret not in repr(settings) and secret not in str(settings)
    stream = io.StringIO()
    logs.configure(settings, stream)
    try:
        logging.getLogger("videophone.test").warning("the S3 secret is %s", secret)
        structlog.get_logger("videophone.test").warning("s3", value=f"x{secret}x", s3_secret_key=secret)
    finally:
        logs.configure(Settings())
    output = stream.getvalue()
    assert secret not in output and output.count(logs.REDACTED) >= 3
