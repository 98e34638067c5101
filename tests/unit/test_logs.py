"""The logging pipeline (adapters/logs.py): secrets redacted, exceptions bounded and without local
variables, one line per record in JSON or plain text, uvicorn's records through the same handler."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator

import pytest
import structlog

from videophone.adapters import logs
from videophone.config import SECRET_FIELDS, Settings

SECRETS = {
    "secret_key": "sk-0123456789abcdef0123456789abcdef",
    "data_key": "ZGF0YS1rZXktZGF0YS1rZXktZGF0YS1rZXktZGF0YQ==",
    "smtp_password": "smtp-Pa55word-xyz",
    "sms_token": "sms-token-7f7f7f7f",
    "turn_secret": "turn-static-secret-42",
    "gateway_secret": "gateway-hmac-secret-0000000000000000000000",
    "s3_secret_key": "s3-secret-key-5e5e5e5e5e",
    "vapid_private_key": "vapid-private-key-9a9a9a9a9a",
    "sip_edge_secret": "sip-edge-secret-4b4b4b4b4b4b4b4b",
    "metrics_token": "metrics-token-6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c",
}
DB_URL = "postgresql+asyncpg://vp:db%2Fpass%40word@db.example/videophone"
REDIS_URL = "redis://:redis-pass-123@cache.example:6379/0"


def settings(**overrides: object) -> Settings:
    return Settings(**{**SECRETS, "database_url": DB_URL, "redis_url": REDIS_URL, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    yield out
    reset_logging()


def reset_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "videophone":
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    structlog.reset_defaults()


def test_the_secret_settings_are_marked_and_hidden_from_repr() -> None:
    assert set(SECRET_FIELDS) == set(SECRETS)
    s = settings()
    text = repr(s)
    assert not any(value in text for value in SECRETS.values())
    values = set(s.secret_values())
    assert set(SECRETS.values()) <= values
    assert {"db%2Fpass%40word", "db/pass@word", "redis-pass-123"} <= values
    assert f"demo-gateway:{SECRETS['secret_key']}" in settings(gateway_secret="").secret_values()


def test_secret_values_are_redacted_wherever_they_appear() -> None:
    redact = logs.Redactor(settings().secret_values())
    event = {
        "event": f"smtp login failed with {SECRETS['smtp_password']}",
        "detail": {"nested": [f"x{SECRETS['gateway_secret']}y", (SECRETS["turn_secret"],)]},
        "raw": SECRETS["sms_token"].encode(),
        "url": "postgresql+asyncpg://vp:db/pass@word@db.example/x",
        "obj": settings(),  # an object is logged by its str(), redacted too
    }
    out = json.dumps(redact(None, "info", event), default=str)
    for value in [*SECRETS.values(), "db/pass@word", "redis-pass-123"]:
        assert value not in out
    assert out.count(logs.REDACTED) >= 5


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("Authorization: Bearer eyJhbGciOi.abc-def_ghi", "eyJhbGciOi"),
        ("headers=[(b'authorization', b'Bearer tok123456')]", "tok123456"),
        ("Cookie: vp_session=sess-abc-123; vp_csrf=csrf-456; vp_lang=en", "sess-abc-123"),
        ("Cookie: vp_session=sess-abc-123; vp_csrf=csrf-456; vp_lang=en", "csrf-456"),
        ("GET /reset?token=reset-tok-999&x=1", "reset-tok-999"),
        ("""{"login": "a", "password": "hunter2-secret"}""", "hunter2-secret"),
        ("{'new_password': 'Correct-Horse-9'}", "Correct-Horse-9"),
        ("redis://:cache-pass@host:6379/0", "cache-pass"),
        ("(sqlite3.IntegrityError)\n[SQL: INSERT ...]\n[parameters: ('alice', 'hash-777')]", "hash-777"),
        ("api_key=AKIA-example-1", "AKIA-example-1"),
        ("""{"password": "it's-a-secret-1"}""", "it's-a-secret-1"),
    ],
)
def test_tokens_cookies_and_passwords_in_text_are_masked(text: str, leaked: str) -> None:
    out = logs.Redactor().text(text)
    assert leaked not in out
    assert logs.REDACTED in out
    assert logs.Redactor().text(out) == out  # masking twice changes nothing


@pytest.mark.parametrize(
    "hostile",
    [
        "token" * 20_000,
        "a" * 100_000 + "=",
        "x_" * 50_000 + "password",
        "'password': '" + "p" * 100_000,
        "postgresql://" + "u" * 50_000 + ":" + "p" * 50_000,
    ],
)
def test_hostile_text_is_cut_and_masked_quickly(hostile: str) -> None:
    """Text in a record may come from a caller (an exception quoting input): masking it stays linear
    and the result is bounded."""
    started = time.perf_counter()
    out = logs.Redactor(["secret-value"]).text(hostile)
    assert time.perf_counter() - started < 0.5  # generous; quadratic patterns took seconds here
    assert len(out) <= logs.MAX_VALUE_CHARS + 20


def test_values_under_secret_keys_are_redacted() -> None:
    redact = logs.Redactor()
    event = {
        "event": "x",
        "Authorization": "Bearer abc",
        "cookie": "a=b",
        "set-cookie": "vp_session=1",
        "token": "t",
        "new_password": "p",
        "client_secret": "s",
        "api_key": "k",
        "x_csrf_token": "c",
        "headers": {"Set-Cookie": "q", "accept": "text/html"},
        "request_id": "abc123",
        "count": 3,
    }
    out = redact(None, "info", event)
    for key in ("Authorization", "cookie", "set-cookie", "token", "new_password", "client_secret", "api_key"):
        assert out[key] == logs.REDACTED, key
    assert out["x_csrf_token"] == logs.REDACTED
    assert out["headers"] == {"Set-Cookie": logs.REDACTED, "accept": "text/html"}
    assert (out["event"], out["request_id"], out["count"]) == ("x", "abc123", 3)


def _recurse(depth: int, secret_local: str) -> None:
    if depth == 0:
        raise RuntimeError("deep failure")
    _alternate(depth - 1, secret_local)


def _alternate(depth: int, secret_local: str) -> None:
    _recurse(depth, secret_local)


def test_an_exception_is_type_message_and_bounded_frames_without_locals() -> None:
    with pytest.raises(RuntimeError) as info:
        _recurse(200, "local-secret-value-123")
    described = logs.describe_exception(info.value)
    assert described["type"] == "RuntimeError"
    assert described["message"] == "deep failure"
    assert len(described["frames"]) == logs.MAX_FRAMES
    assert described["frames_omitted"] == 1 + 201 + 200 - logs.MAX_FRAMES  # this test, _recurse, _alternate
    assert all(re.fullmatch(r"\S+:\d+ in \S+", frame) for frame in described["frames"])
    assert described["frames"][0].startswith("tests/unit/test_logs.py:")
    assert described["frames"][-1].endswith("in _recurse")
    text = json.dumps(described)
    assert "local-secret-value-123" not in text


def _same_line(depth: int) -> None:
    if depth:
        _same_line(depth - 1)
    raise ValueError("bottom")


def test_a_recursion_is_one_entry_with_its_count() -> None:
    with pytest.raises(ValueError) as info:
        _same_line(500)
    frames = logs.describe_exception(info.value)["frames"]
    assert len(frames) == 3
    assert frames[1].endswith("in _same_line (×500)")
    assert frames[2].endswith("in _same_line")


def test_a_huge_message_or_chain_stays_within_the_bound() -> None:
    try:
        try:
            raise ValueError("v" * 100_000)
        except ValueError as inner:
            raise KeyError("k" * 100_000) from inner
    except KeyError as exc:
        described = logs.describe_exception(exc)
    assert len(json.dumps(described)) <= logs.MAX_EXCEPTION_CHARS
    assert described["causes"][0].startswith("ValueError: vvv")


def test_a_recursion_error_is_a_few_lines() -> None:
    def dive(n: int) -> int:
        return dive(n + 1) + 1

    with pytest.raises(RecursionError) as info:
        dive(0)
    described = logs.describe_exception(info.value)
    assert len(json.dumps(described)) < 4_000
    assert described["frames"][-1].startswith("tests/unit/test_logs.py")
    assert re.search(r"in dive \(×\d+\)$", described["frames"][-1])


def _lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


def test_json_lines_when_log_json(stream: io.StringIO) -> None:
    logs.configure(settings(log_json=True), stream)
    log = structlog.get_logger("videophone.test")
    try:
        _recurse(3, SECRETS["smtp_password"])
    except RuntimeError:
        log.exception("failed", token="abc", note=SECRETS["gateway_secret"])
    logging.getLogger("some.library").warning("library says %s", SECRETS["turn_secret"])
    lines = _lines(stream)
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "failed" and first["level"] == "error" and first["logger"] == "videophone.test"
    assert first["exception"]["type"] == "RuntimeError" and first["token"] == logs.REDACTED
    assert first["note"] == logs.REDACTED
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", first["timestamp"])
    assert second == {**second, "event": f"library says {logs.REDACTED}", "level": "warning"}
    assert not any(value in stream.getvalue() for value in SECRETS.values())


def test_plain_text_lines_otherwise(stream: io.StringIO) -> None:
    logs.configure(settings(log_json=False), stream)
    log = structlog.get_logger("videophone.test")
    try:
        _recurse(3, "x")
    except RuntimeError:
        log.exception("failed\nwith a newline", job="housekeeping")
    (line,) = _lines(stream)
    assert line.startswith("20") and " error " in line
    assert "failed\\nwith a newline" in line and "job=housekeeping" in line and "RuntimeError" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_the_rich_development_renderer_is_never_used(stream: io.StringIO) -> None:
    logs.configure(settings(), stream)
    processors = structlog.get_config()["processors"]
    assert not any(isinstance(p, structlog.dev.ConsoleRenderer) for p in processors)
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "videophone"]
    formatter = handler.formatter
    assert isinstance(formatter, structlog.stdlib.ProcessorFormatter)
    assert not any(isinstance(p, structlog.dev.ConsoleRenderer) for p in formatter.processors)


def test_uvicorn_records_share_the_pipeline_without_query_strings_or_duplicates(stream: io.StringIO) -> None:
    logs.configure(settings(log_json=True), stream)
    access = logging.getLogger("uvicorn.access")
    access.setLevel(logging.INFO)
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/api/v1/me?token=qs-token-1", "1.1", 200)
    finally:
        access.setLevel(logging.NOTSET)
    error = logging.getLogger("uvicorn.error")
    for already_logged in (True, False):
        try:
            raise RuntimeError("from the app")
        except RuntimeError as exc:
            if already_logged:
                logs.mark_logged(exc)
            error.error("Exception in ASGI application\n", exc_info=exc)
    lines = [json.loads(line) for line in _lines(stream)]
    assert [line["logger"] for line in lines] == ["uvicorn.access", "uvicorn.error"]
    assert lines[0]["event"] == '127.0.0.1:5000 - "GET /api/v1/me HTTP/1.1" 200'
    assert "qs-token-1" not in stream.getvalue()
    assert lines[1]["exception"]["message"] == "from the app"


def test_a_secret_across_the_cut_of_a_long_message_is_still_masked(stream: io.StringIO) -> None:
    logs.configure(settings(log_json=True), stream)
    secret = SECRETS["smtp_password"]
    try:
        raise RuntimeError("x" * (logs.MAX_MESSAGE_CHARS - 5) + secret)
    except RuntimeError:
        structlog.get_logger("videophone.test").exception("failed")
    (line,) = _lines(stream)
    message = json.loads(line)["exception"]["message"]
    assert secret[:5] not in message and message.startswith("x" * 100)


def test_frames_name_files_from_their_package() -> None:
    assert logs._short_path("/usr/lib/python3.11/asyncio/events.py") == "asyncio/events.py"
    assert logs._short_path("/x/.venv/lib/python3.11/site-packages/starlette/routing.py") == "starlette/routing.py"
    assert logs._short_path("/work/main/src/videophone/web/app.py") == "videophone/web/app.py"
    assert logs._short_path("/somewhere/else/deep/file.py") == "else/deep/file.py"


def test_the_keys_of_the_data_key_ring_are_secrets_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A rotated key lives in the key ring file, not in a setting: its every key is redacted as well."""
    from videophone.adapters import keyring

    ring = keyring.KeyRing(b"\x11" * 32, old=(b"\x22" * 32,), retired=(b"\x33" * 32,)).prepare()
    path = tmp_path / "data.keys"
    keyring.save(ring, path)
    ring_secrets = keyring.secret_forms(ring.readable())
    assert len(ring_secrets) == 4
    s = settings(data_key_ring=path)
    assert set(ring_secrets) <= set(s.secret_values())
    redact = logs.Redactor(s.secret_values())
    event = {"event": f"could not read {path}: {ring_secrets[0]} / {ring_secrets[3]}"}
    text = json.dumps(redact(None, "error", event), ensure_ascii=False)
    assert not any(secret in text for secret in ring_secrets)
