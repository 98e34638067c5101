"""What a value-added service turns on in calling, and when a subscriber has it (issue 14, 篇2 §6.3).

A catalog entry is bound to a feature by the operator (``value_added_services.feature``) or is fee
only.  A subscriber has a feature on a day when one of their subscriptions to a service bound to it
covers the day (``start_date <= day < end_date``) and has not been stopped — removing a service or
withdrawing it by a violation measure stops the feature at once, although the day stays billed — and
while their service is active or only barred from calling out (a suspended or terminated account uses
no feature: it takes no calls).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from videophone.calling.domain.capabilities import ServiceState


class Feature(StrEnum):
    CALLER_ID = "caller_id"  # 来电显示: the callee sees who calls
    FORWARDING = "forwarding"  # 呼叫转移
    VOICEMAIL = "voicemail"  # 视频留言
    SECOND_NUMBER = "second_number"  # 第二号码


FEATURES: tuple[str, ...] = tuple(f.value for f in Feature)
NONE: frozenset[Feature] = frozenset()

# The service states in which a subscriber's features work.
_SERVING = frozenset({ServiceState.ACTIVE.value, ServiceState.OUTGOING_BARRED.value})


@dataclass(frozen=True)
class FeatureSubscription:
    """One subscription to a service bound to ``feature``."""

    feature: str
    start_date: date
    end_date: date | None  # exclusive
    stopped: bool = False


def parse_feature(raw: object) -> Feature | None:
    """A catalog entry's binding: a feature's name, or empty / None for a fee-only service.
    Raises ``ValueError`` for anything else."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    return Feature(text)


def works_in(service_state: str) -> bool:
    """Whether a subscriber's features work in this service state (active, or only barred from calling out)."""
    return service_state in _SERVING


def covers(sub: FeatureSubscription, day: date) -> bool:
    return not sub.stopped and sub.start_date <= day and (sub.end_date is None or day < sub.end_date)


def serving(service_state: str) -> bool:
    """Whether an account in ``service_state`` uses its features at all."""
    return service_state in _SERVING


def in_force(covered: bool, service_state: str) -> bool:
    """Whether a subscriber has a feature, given whether one of their subscriptions to it covers the day
    (``covers``: the signaling hub's statement answers that in SQL, ``store.entitlements.covering``)."""
    return covered and serving(service_state)


def entitlements(subscriptions: Iterable[FeatureSubscription], day: date, service_state: str) -> frozenset[Feature]:
    """The features a subscriber has on ``day``."""
    if not serving(service_state):
        return NONE
    return frozenset(
        Feature(s.feature) for s in subscriptions if s.feature in FEATURES and in_force(covers(s, day), service_state)
    )
