"""Video voicemail's rules (R-18): the storage cap and the message cap, retention, what a message may be,
what leaving one costs (``domain.voicemail``), and reading a recording from its own bytes
(``domain.webm``) — properties over any mailbox, any clock and any bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.webm import element, webm
from videophone.calling.domain import voicemail as rules
from videophone.calling.domain import webm as reader
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import ValidationFailed

LIMITS = rules.Limits(
    max_seconds=60, max_bytes=16_000_000, retention_days=30, quota_bytes=50_000_000, max_messages=5, rated=False
)
limits_st = st.builds(
    rules.Limits,
    max_seconds=st.integers(10, 300),
    max_bytes=st.integers(1, 10**8),
    retention_days=st.integers(1, 365),
    quota_bytes=st.integers(1, 10**10),
    max_messages=st.integers(1, 1000),
    rated=st.booleans(),
)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))


# -- caps ---------------------------------------------------------------------------------------------------
@given(limits_st, st.lists(st.integers(1, 10**8), max_size=40), st.integers(0, 10**8))
def test_a_mailbox_never_holds_more_than_its_caps(limits: rules.Limits, sizes: list[int], extra: int) -> None:
    """Messages offered one after another: whatever is accepted stays within both caps, and a message
    that fits is never refused while a deposit would still be issued."""
    usage = rules.Usage(0, 0)
    for size in [*sizes, extra]:
        if rules.fits(usage, size, limits):
            assert rules.has_room(usage, limits) or size == 0
            usage = rules.Usage(usage.messages + 1, usage.bytes + size)
        assert usage.messages <= limits.max_messages
        assert usage.bytes <= limits.quota_bytes
    if usage.messages >= limits.max_messages or usage.bytes >= limits.quota_bytes:
        assert not rules.has_room(usage, limits)


@given(limits_st, st.integers(0, 1000), st.integers(0, 10**10), st.integers(0, 10**8))
def test_room_and_fit_agree(limits: rules.Limits, count: int, used: int, size: int) -> None:
    usage = rules.Usage(count, used)
    assert rules.fits(usage, size, limits) == (count < limits.max_messages and used + size <= limits.quota_bytes)
    if rules.fits(usage, max(size, 1), limits):
        assert rules.has_room(usage, limits)


def test_a_full_mailbox_takes_no_more() -> None:
    assert rules.has_room(rules.Usage(4, 49_999_999), LIMITS)
    assert not rules.has_room(rules.Usage(5, 0), LIMITS)  # as many messages as allowed
    assert not rules.has_room(rules.Usage(1, 50_000_000), LIMITS)  # every byte used
    assert rules.fits(rules.Usage(4, 40_000_000), 10_000_000, LIMITS)
    assert not rules.fits(rules.Usage(4, 40_000_000), 10_000_001, LIMITS)


# -- retention ----------------------------------------------------------------------------------------------
@given(moments, st.integers(1, 365), st.integers(0, 400 * 86400))
def test_a_message_is_kept_exactly_its_retention(left_at: datetime, days: int, after: int) -> None:
    expires = rules.expires_at(left_at, days)
    now = left_at + timedelta(seconds=after)
    assert rules.expired(expires, now) == (after >= days * 86400)
    assert not rules.expired(expires, left_at)  # never expired when it is left


@given(moments, st.integers(10, 300), st.integers(0, 3600))
def test_a_deposit_works_once_and_only_until_it_expires(now: datetime, max_seconds: int, after: int) -> None:
    expires = rules.deposit_expires_at(now, max_seconds)
    later = now + timedelta(seconds=after)
    assert rules.deposit_usable(expires, None, later) == (after < max_seconds + rules.DEPOSIT_GRACE.total_seconds())
    assert not rules.deposit_usable(expires, now, now)  # used: never again


def test_tokens_are_stored_hashed() -> None:
    digest = rules.token_hash("a-token-of-forty-three-characters-xxxxxxxxx")
    assert len(digest) == 64 and "token" not in digest
    assert digest == rules.token_hash("a-token-of-forty-three-characters-xxxxxxxxx")
    assert digest != rules.token_hash("a-token-of-forty-three-characters-xxxxxxxxy")


# -- a message ------------------------------------------------------------------------------------------------
@given(st.integers(-1, 10**8), st.integers(0, 400_000), st.integers(10, 300), st.integers(1, 10**8))
def test_message_errors_name_every_problem(size: int, duration_ms: int, max_seconds: int, max_bytes: int) -> None:
    codes = {e.code for e in rules.message_errors(size, duration_ms, max_seconds, max_bytes)}
    assert ("voicemail_empty" in codes) == (size <= 0)
    assert ("voicemail_too_large" in codes) == (size > max_bytes)
    assert ("voicemail_too_long" in codes) == (duration_ms > max_seconds * 1000 + rules.LENGTH_TOLERANCE_MS)


@given(st.integers(0, 600_000), st.booleans())
def test_leaving_a_message_costs_only_when_the_policy_rates_it(duration_ms: int, rated: bool) -> None:
    limits = rules.Limits(60, 1, 1, 1, 1, rated)
    seconds = rules.billable_seconds(duration_ms, limits)
    assert seconds == (-(-duration_ms // 1000) if rated else 0)
    assert rules.seconds_of(duration_ms) * 1000 >= duration_ms


def test_keys_keep_a_mailbox_in_its_own_folder() -> None:
    assert rules.message_key(42, "ab" * 16) == "voicemail/42/" + "ab" * 16
    assert rules.greeting_key(42) == "voicemail/42/greeting"
    assert rules.mailbox_prefix(42) == "voicemail/42"


def test_the_policy_defaults_and_its_consistency() -> None:
    pol = OperatorPolicy()
    assert (pol.voicemail_max_seconds, pol.voicemail_retention_days, pol.voicemail_deposit_rated) == (60, 30, 0)
    assert pol.voicemail_quota_bytes >= pol.voicemail_max_bytes
    with pytest.raises(ValidationFailed) as err:
        OperatorPolicy.from_mapping({"voicemail_quota_bytes": 2_000_000, "voicemail_max_bytes": 3_000_000})
    assert [(e.field, e.code) for e in err.value.errors] == [("voicemail_quota_bytes", "must_exceed")]
    with pytest.raises(ValidationFailed):
        OperatorPolicy.from_mapping({"voicemail_deposit_rated": 2})


# -- WebM from its bytes -------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 300_000), st.booleans(), st.sampled_from([10, 33, 100, 1000]))
def test_the_length_of_a_recording_is_read_from_its_blocks(duration_ms: int, unknown: bool, frame_ms: int) -> None:
    info = reader.inspect(webm(duration_ms, unknown_sizes=unknown, frame_ms=frame_ms, frame_bytes=1))
    assert info.duration_ms == duration_ms
    assert info.has_video and info.doc_type == "webm" and info.blocks >= 1


def test_matroska_a_longer_info_duration_and_another_timecode_scale() -> None:
    assert reader.inspect(webm(4000, doc_type="matroska")).doc_type == "matroska"
    assert reader.inspect(webm(2000, info_duration=3000.0)).duration_ms == 3000
    assert reader.inspect(webm(2000, info_duration=float("nan"))).duration_ms == 2000
    assert reader.inspect(webm(5000, timecode_scale=1000, frame_ms=10)).duration_ms == 5000


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "voicemail_not_webm"),
        (b"RIFF\x00\x00\x00\x00AVI ", "voicemail_not_webm"),
        (b"\x00\x00\x00\x18ftypmp42", "voicemail_not_webm"),  # an MP4 declared as WebM
        (b"<html><script>alert(1)</script>", "voicemail_not_webm"),
        (webm(1000, doc_type="mkvx"), "voicemail_not_webm"),
        (webm(1000, video=False), "voicemail_no_video"),  # audio only
        (element(0x1A45DFA3, element(0x4282, b"webm")), "voicemail_not_webm"),  # a header, no segment
        (
            element(0x1A45DFA3, element(0x4282, b"webm")) + element(0x18538067, b"", unknown=True),
            "voicemail_no_video",
        ),
    ],
)
def test_what_is_not_a_webm_recording_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(reader.NotWebm) as err:
        reader.inspect(data)
    assert err.value.code == code


def test_a_recording_cut_short_keeps_what_it_has() -> None:
    whole = webm(3000, frame_bytes=200)
    info = reader.inspect(whole[: len(whole) - 100])  # the last block is cut in the middle
    assert 2500 <= info.duration_ms <= 3000


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_a_recording_or_refused_never_an_error(data: bytes) -> None:
    for candidate in (data, reader.MAGIC + data, webm(500, frame_bytes=4)[:40] + data):
        try:
            info = reader.inspect(candidate)
        except reader.NotWebm as exc:
            assert exc.code in ("voicemail_not_webm", "voicemail_no_video", "voicemail_empty")
        else:
            assert info.duration_ms >= 0 and info.has_video


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 20_000), st.data())
def test_flipped_bytes_never_break_the_reader(duration_ms: int, data: st.DataObject) -> None:
    raw = bytearray(webm(duration_ms, frame_bytes=2))
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        info = reader.inspect(bytes(raw))
    except reader.NotWebm as exc:
        assert exc.code.startswith("voicemail_")
    else:
        assert info.duration_ms >= 0 and info.blocks >= 1


def test_a_deposit_token_never_reaches_the_access_log() -> None:
    import logging

    from videophone.adapters.logs import _NoQueryStrings

    token = "Zm9vYmFyYmF6cXV4LXRva2VuLW9mLWZvcnR5LXRocmVl"
    for path in (f"/api/v1/voicemail/deposits/{token}", f"/api/v1/voicemail/deposits/{token}/greeting?x=1"):
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            "",
            0,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5", "POST", path, "1.1", 201),
            None,
        )
        assert _NoQueryStrings().filter(record)
        assert token not in record.getMessage() and "/voicemail/deposits/[redacted]" in record.getMessage()
