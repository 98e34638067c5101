"""Call quality telemetry: validation of a sample, the summary of a side, the grade (R-15)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.calling.domain.call_quality import (
    QualitySample,
    QualitySummary,
    assess,
    check_sample,
    issues,
    summarize,
)
from videophone.kernel.errors import FieldError

# -- validation ----------------------------------------------------------------------------------------


def test_an_empty_sample_is_valid() -> None:
    sample, errors = check_sample({})
    assert errors == [] and sample == QualitySample()


def test_a_full_sample_is_taken_as_given() -> None:
    raw = {
        "rtt_ms": 42.5,
        "packet_loss_pct": 0.3,
        "bitrate_in_kbps": 1200,
        "bitrate_out_kbps": 900.0,
        "frames_per_second": 29.97,
        "frame_width": 1280,
        "frame_height": 720.0,
        "frames_decoded": 1800,
        "audio_packets_received": 3000,
    }
    sample, errors = check_sample(raw)
    assert errors == []
    assert sample.frame_height == 720 and isinstance(sample.frame_height, int)
    assert sample.bitrate_in_kbps == 1200.0 and isinstance(sample.bitrate_in_kbps, float)


@pytest.mark.parametrize(
    ("field", "value", "code", "params"),
    [
        ("rtt_ms", -1, "below_minimum", {"min": 0}),
        ("rtt_ms", 60_000.5, "above_maximum", {"max": 60000}),
        ("packet_loss_pct", 100.1, "above_maximum", {"max": 100}),
        ("bitrate_in_kbps", 100_001, "above_maximum", {"max": 100000}),
        ("bitrate_out_kbps", -0.1, "below_minimum", {"min": 0}),
        ("frames_per_second", 241, "above_maximum", {"max": 240}),
        ("frame_width", 8193, "above_maximum", {"max": 8192}),
        ("frame_height", 12.5, "not_an_integer", {}),
        ("frames_decoded", -3, "below_minimum", {"min": 0}),
        ("audio_packets_received", "12", "not_an_integer", {}),
        ("rtt_ms", "fast", "not_a_decimal", {}),
        ("rtt_ms", True, "not_a_decimal", {}),
        ("packet_loss_pct", math.nan, "not_a_decimal", {}),
        ("rtt_ms", math.inf, "not_a_decimal", {}),
    ],
)
def test_bad_values_are_reported_per_field(field: str, value: Any, code: str, params: dict[str, Any]) -> None:
    _, errors = check_sample({field: value})
    assert errors == [FieldError(field, code, params)]


def test_every_field_at_fault_is_reported_at_once() -> None:
    _, errors = check_sample({"rtt_ms": -1, "packet_loss_pct": 101, "jitter": 3})
    assert {(e.field, e.code) for e in errors} == {
        ("rtt_ms", "below_minimum"),
        ("packet_loss_pct", "above_maximum"),
        ("jitter", "unknown_parameter"),
    }


def test_bounds_themselves_are_allowed() -> None:
    _, errors = check_sample(
        {"rtt_ms": 60_000, "packet_loss_pct": 100, "frames_per_second": 240, "frame_width": 8192, "rtt_ms_": None}
        | {"bitrate_in_kbps": 0}
    )
    assert [e.field for e in errors] == ["rtt_ms_"]


# -- summary -------------------------------------------------------------------------------------------


def test_summary_of_nothing() -> None:
    summary = summarize([])
    assert summary == QualitySummary()
    assert assess(summary) == "unknown"


def test_summary_averages_only_what_was_measured() -> None:
    samples = [
        QualitySample(rtt_ms=100, packet_loss_pct=1, frames_per_second=30, frame_width=640, frame_height=360),
        QualitySample(rtt_ms=300, frames_decoded=500, audio_packets_received=900),
        QualitySample(packet_loss_pct=3, frames_per_second=20, frame_width=1280, frame_height=720, frames_decoded=1000),
        QualitySample(frames_per_second=25, audio_packets_received=1500),
    ]
    s = summarize(samples)
    assert s.samples == 4
    assert (s.rtt_avg_ms, s.rtt_max_ms) == (200, 300)
    assert (s.loss_avg_pct, s.loss_max_pct) == (2, 3)
    assert (s.fps_avg, s.fps_min) == (25, 20)
    assert (s.frame_width, s.frame_height) == (1280, 720)  # the last resolution reported
    assert (s.frames_decoded, s.audio_packets_received) == (1000, 1500)
    assert s.bitrate_in_avg_kbps is None


_metric = st.one_of(st.none(), st.floats(min_value=0, max_value=60_000, allow_nan=False))
_samples = st.lists(
    st.builds(
        QualitySample,
        rtt_ms=_metric,
        packet_loss_pct=st.one_of(st.none(), st.floats(min_value=0, max_value=100)),
        frames_per_second=st.one_of(st.none(), st.floats(min_value=0, max_value=240)),
        bitrate_in_kbps=st.one_of(st.none(), st.floats(min_value=0, max_value=100_000)),
        frames_decoded=st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
    ),
    max_size=30,
)


@given(_samples)
def test_summary_invariants(samples: list[QualitySample]) -> None:
    s = summarize(samples)
    assert s.samples == len(samples)
    rtts = [x.rtt_ms for x in samples if x.rtt_ms is not None]
    if rtts:
        assert s.rtt_avg_ms is not None and s.rtt_max_ms is not None
        assert min(rtts) <= s.rtt_avg_ms <= s.rtt_max_ms == max(rtts)
    else:
        assert s.rtt_avg_ms is None and s.rtt_max_ms is None
    fps = [x.frames_per_second for x in samples if x.frames_per_second is not None]
    if fps:
        assert s.fps_avg is not None and s.fps_min is not None
        assert min(fps) == s.fps_min <= s.fps_avg <= max(fps)
    losses = [x.packet_loss_pct for x in samples if x.packet_loss_pct is not None]
    if losses:
        assert s.loss_avg_pct is not None and s.loss_max_pct is not None
        assert 0 <= s.loss_avg_pct <= s.loss_max_pct <= 100
    assert assess(s) in ("good", "fair", "poor", "unknown")
    assert (assess(s) == "unknown") == (not rtts and not fps and not losses)


@given(_samples)
def test_summary_does_not_depend_on_order_except_for_the_resolution(samples: list[QualitySample]) -> None:
    a, b = summarize(samples), summarize(list(reversed(samples)))
    assert a.rtt_max_ms == b.rtt_max_ms and a.fps_min == b.fps_min and a.frames_decoded == b.frames_decoded
    if a.rtt_avg_ms is not None and b.rtt_avg_ms is not None:
        assert math.isclose(a.rtt_avg_ms, b.rtt_avg_ms, rel_tol=1e-9, abs_tol=1e-9)


# -- assessment ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "grade", "found"),
    [
        (QualitySample(rtt_ms=50, packet_loss_pct=0.1, frames_per_second=30), "good", []),
        (QualitySample(rtt_ms=200, packet_loss_pct=2, frames_per_second=20), "good", []),
        (QualitySample(rtt_ms=250, packet_loss_pct=0, frames_per_second=30), "fair", ["rtt"]),
        (QualitySample(rtt_ms=50, packet_loss_pct=3, frames_per_second=30), "fair", ["loss"]),
        (QualitySample(rtt_ms=50, packet_loss_pct=0, frames_per_second=15), "fair", ["fps"]),
        (QualitySample(rtt_ms=401, packet_loss_pct=0, frames_per_second=30), "poor", ["rtt"]),
        (QualitySample(rtt_ms=50, packet_loss_pct=5.5, frames_per_second=30), "poor", ["loss"]),
        (QualitySample(rtt_ms=50, packet_loss_pct=0, frames_per_second=9), "poor", ["fps"]),
        (QualitySample(rtt_ms=80), "good", []),  # audio only: no frame rate, no verdict on video
        (QualitySample(bitrate_in_kbps=800), "unknown", []),
    ],
)
def test_assessment_thresholds(sample: QualitySample, grade: str, found: list[str]) -> None:
    summary = summarize([sample])
    assert assess(summary) == grade
    assert issues(summary) == found


def test_assessment_uses_averages_not_one_bad_moment() -> None:
    samples = [QualitySample(packet_loss_pct=20)] + [QualitySample(packet_loss_pct=0) for _ in range(19)]
    summary = summarize(samples)
    assert summary.loss_max_pct == 20 and assess(summary) == "good"
