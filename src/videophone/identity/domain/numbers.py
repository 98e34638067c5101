"""Video phone numbers (R-02): the pool, candidates and quarantine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from enum import StrEnum

from videophone.identity.domain.policy import OperatorPolicy


class NumberState(StrEnum):
    ASSIGNED = "assigned"
    QUARANTINED = "quarantined"


class NumberRole(StrEnum):
    PRIMARY = "primary"  # the subscriber's number (``subscribers.number``)
    SECOND = "second"  # 第二号码: held while the second-number service is


class NumberChangeReason(StrEnum):
    SUBSCRIBER_REQUEST = "subscriber_request"
    NETWORK_CHANGE = "network_change"


def in_pool(policy: OperatorPolicy, number: str) -> bool:
    return (
        len(number) == len(policy.number_pool_start)
        and number.isdigit()
        and int(policy.number_pool_start) <= int(number) <= int(policy.number_pool_end)
    )


def format_number(policy: OperatorPolicy, value: int) -> str:
    return str(value).zfill(len(policy.number_pool_start))


def candidates(policy: OperatorPolicy, randbelow: Callable[[int], int], tries: int) -> Iterator[str]:
    """Random numbers of the pool: concurrent registrations rarely pick the same one, and the unique
    constraint of the store settles the rare collision (the caller then takes the next candidate)."""
    start, size = int(policy.number_pool_start), policy.pool_size()
    for _ in range(tries):
        yield format_number(policy, start + randbelow(size))


def quarantine_end(released_at: datetime, policy: OperatorPolicy) -> datetime:
    return released_at + timedelta(days=policy.number_quarantine_days)
