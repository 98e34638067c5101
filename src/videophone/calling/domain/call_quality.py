"""Call quality telemetry (R-15): what a client reports about a call's media, and what it means.

Pure rules: no I/O, no clock.  Clients send samples (from WebRTC ``getStats``) every few seconds
during a call and one ``final`` sample at its end.  ``check_sample`` validates one sample,
``summarize`` condenses a side's samples and ``assess`` grades the summary, so support can tell a
call spoiled by the network (high loss, long round trip, low frame rate) from a service fault
(003 §12).

Thresholds of :func:`assess` (on the averages over the call; a metric nobody reported is ignored):

========  =========================  ==================  ======================
grade     packet loss                round-trip time     frame rate (video)
========  =========================  ==================  ======================
poor      > 5 %                      > 400 ms            < 10 fps
fair      > 2 %                      > 200 ms            < 20 fps
good      otherwise
unknown   no sample, or none of these three metrics in any sample
========  =========================  ==================  ======================

Error codes used here (field errors): ``unknown_parameter``, ``not_a_decimal``, ``not_an_integer``,
``below_minimum`` (``params["min"]``) and ``above_maximum`` (``params["max"]``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from videophone.kernel.errors import FieldError

__all__ = [
    "FAIR_FPS",
    "FAIR_LOSS_PCT",
    "FAIR_RTT_MS",
    "METRICS",
    "POOR_FPS",
    "POOR_LOSS_PCT",
    "POOR_RTT_MS",
    "Grade",
    "QualitySample",
    "QualitySummary",
    "assess",
    "check_sample",
    "issues",
    "summarize",
]

Grade = Literal["good", "fair", "poor", "unknown"]

POOR_LOSS_PCT = 5.0
POOR_RTT_MS = 400.0
POOR_FPS = 10.0
FAIR_LOSS_PCT = 2.0
FAIR_RTT_MS = 200.0
FAIR_FPS = 20.0


@dataclass(frozen=True)
class Metric:
    integer: bool
    maximum: float | None  # None: no upper bound (cumulative counters)


METRICS: dict[str, Metric] = {
    "rtt_ms": Metric(False, 60_000),
    "packet_loss_pct": Metric(False, 100),
    "bitrate_in_kbps": Metric(False, 100_000),
    "bitrate_out_kbps": Metric(False, 100_000),
    "frames_per_second": Metric(False, 240),
    "frame_width": Metric(True, 8192),
    "frame_height": Metric(True, 8192),
    "frames_decoded": Metric(True, None),
    "audio_packets_received": Metric(True, None),
}
# Counters are cumulative over the call; this only keeps them inside a 32-bit column.
_COUNTER_MAX = 2_147_483_647


@dataclass(frozen=True)
class QualitySample:
    """One validated report; every metric is optional (``None``: not measured)."""

    rtt_ms: float | None = None
    packet_loss_pct: float | None = None
    bitrate_in_kbps: float | None = None
    bitrate_out_kbps: float | None = None
    frames_per_second: float | None = None
    frame_width: int | None = None
    frame_height: int | None = None
    frames_decoded: int | None = None
    audio_packets_received: int | None = None


def _number(name: str, value: Any, metric: Metric) -> tuple[float | int | None, list[FieldError]]:
    if value is None:
        return None, []
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, [FieldError(name, "not_an_integer" if metric.integer else "not_a_decimal")]
    if isinstance(value, float) and not math.isfinite(value):
        return None, [FieldError(name, "not_a_decimal")]
    if metric.integer:
        if isinstance(value, float) and not value.is_integer():
            return None, [FieldError(name, "not_an_integer")]
        value = int(value)
    if value < 0:
        return None, [FieldError(name, "below_minimum", {"min": 0})]
    maximum = metric.maximum if metric.maximum is not None else _COUNTER_MAX
    if value > maximum:
        shown = int(maximum) if float(maximum).is_integer() else maximum
        return None, [FieldError(name, "above_maximum", {"max": shown})]
    return (int(value) if metric.integer else float(value)), []


def check_sample(raw: Mapping[str, Any]) -> tuple[QualitySample, list[FieldError]]:
    """Validate a sample; returns it with every field error (the sample is meaningless if any)."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name in raw:
        if name not in METRICS:
            errors.append(FieldError(str(name), "unknown_parameter"))
    for name, metric in METRICS.items():
        value, problems = _number(name, raw.get(name), metric)
        errors.extend(problems)
        values[name] = value
    return QualitySample(**values), errors


@dataclass(frozen=True)
class QualitySummary:
    """One side's samples condensed.  Averages are over the samples that carry the metric."""

    samples: int = 0
    rtt_avg_ms: float | None = None
    rtt_max_ms: float | None = None
    loss_avg_pct: float | None = None
    loss_max_pct: float | None = None
    bitrate_in_avg_kbps: float | None = None
    bitrate_out_avg_kbps: float | None = None
    fps_avg: float | None = None
    fps_min: float | None = None
    frame_width: int | None = None  # last reported resolution
    frame_height: int | None = None
    frames_decoded: int | None = None  # cumulative counters: the highest reported
    audio_packets_received: int | None = None


def _present(samples: Sequence[QualitySample], get: Callable[[QualitySample], float | int | None]) -> list[float]:
    return [float(v) for v in (get(s) for s in samples) if v is not None]


def _avg(values: list[float]) -> float | None:
    if not values:
        return None
    # The mean of floats can stray a rounding error outside [min, max]; keep it inside.
    return min(max(math.fsum(values) / len(values), min(values)), max(values))


def _int_max(samples: Sequence[QualitySample], get: Callable[[QualitySample], int | None]) -> int | None:
    values = [v for v in (get(s) for s in samples) if v is not None]
    return max(values) if values else None


def summarize(samples: Sequence[QualitySample]) -> QualitySummary:
    """Summary of one side's samples, in the order they were taken."""
    rtt = _present(samples, lambda s: s.rtt_ms)
    loss = _present(samples, lambda s: s.packet_loss_pct)
    fps = _present(samples, lambda s: s.frames_per_second)
    width = height = None
    for s in reversed(samples):
        if s.frame_width is not None and s.frame_height is not None:
            width, height = s.frame_width, s.frame_height
            break
    return QualitySummary(
        samples=len(samples),
        rtt_avg_ms=_avg(rtt),
        rtt_max_ms=max(rtt) if rtt else None,
        loss_avg_pct=_avg(loss),
        loss_max_pct=max(loss) if loss else None,
        bitrate_in_avg_kbps=_avg(_present(samples, lambda s: s.bitrate_in_kbps)),
        bitrate_out_avg_kbps=_avg(_present(samples, lambda s: s.bitrate_out_kbps)),
        fps_avg=_avg(fps),
        fps_min=min(fps) if fps else None,
        frame_width=width,
        frame_height=height,
        frames_decoded=_int_max(samples, lambda s: s.frames_decoded),
        audio_packets_received=_int_max(samples, lambda s: s.audio_packets_received),
    )


def issues(summary: QualitySummary) -> list[str]:
    """Which metrics are worse than "good": ``loss``, ``rtt``, ``fps`` (in that order)."""
    found = []
    if summary.loss_avg_pct is not None and summary.loss_avg_pct > FAIR_LOSS_PCT:
        found.append("loss")
    if summary.rtt_avg_ms is not None and summary.rtt_avg_ms > FAIR_RTT_MS:
        found.append("rtt")
    if summary.fps_avg is not None and summary.fps_avg < FAIR_FPS:
        found.append("fps")
    return found


def assess(summary: QualitySummary) -> Grade:
    """Grade a summary with the thresholds in the module documentation."""
    loss, rtt, fps = summary.loss_avg_pct, summary.rtt_avg_ms, summary.fps_avg
    if summary.samples == 0 or (loss is None and rtt is None and fps is None):
        return "unknown"
    if (
        (loss is not None and loss > POOR_LOSS_PCT)
        or (rtt is not None and rtt > POOR_RTT_MS)
        or (fps is not None and fps < POOR_FPS)
    ):
        return "poor"
    if issues(summary):
        return "fair"
    return "good"
