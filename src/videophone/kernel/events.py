"""Events between the parts of the business (ADR 0007).

A part of the business says what happened — ``await uow.publish(BalanceReduced(...))`` inside its
transaction — and never calls another part's follow-up itself: the composition root
(``videophone.bootstrap``) subscribes the reactions, in one of two ways:

* **in the transaction** (``adapters.events.Events.in_transaction``): the handler gets the unit of work and runs
  at once, before the commit; if it fails, the exception reaches the publisher and the whole
  transaction — the money included — is rolled back.  For what must be true together with the fact
  (a suspension lifted by the payment that settles the arrears).
* **after the commit** (``adapters.events.Events.after_commit``): the handler gets the event once the transaction
  committed (never if it rolled back); a failure is logged and never reaches the publisher.  For what
  reaches outside the database (ending calls in progress on every node).

Events are frozen dataclasses named in the past tense; handlers run in the order they were
subscribed, for the exact class of the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ActorRef(Protocol):
    """Who caused an event, as the audit records it (``services.deps.Actor`` is one)."""

    @property
    def type(self) -> str: ...  # staff | subscriber | system

    @property
    def id(self) -> int | None: ...

    @property
    def ip(self) -> str: ...


@dataclass(frozen=True)
class Event:
    """Base of every event."""


@dataclass(frozen=True)
class BalanceReduced(Event):
    """What a subscriber owes went down — a payment (gateway or counter), a dispute resolved by a
    credit, a staff credit or negative adjustment, an outage credit — in the transaction that posted it."""

    subscriber_id: int
    amount_fen: int
    cause: str  # gateway_payment | counter_payment | dispute_credit | staff_credit | staff_adjustment | outage_credit
    at: datetime
    actor: ActorRef


@dataclass(frozen=True)
class RestrictionChanged(Event):
    """A subscriber's service was restricted further (suspension, outgoing bar, termination): calls
    in progress that the new state forbids must end."""

    subscriber_id: int


@dataclass(frozen=True)
class FeatureStarted(Event):
    """A subscription to a value-added service bound to a calling feature (``calling.domain.features``)
    started — ordered — in the transaction that recorded it (issue 14)."""

    subscriber_id: int
    feature: str
    at: datetime
    actor: ActorRef


@dataclass(frozen=True)
class FeatureStopped(Event):
    """A subscription to a service bound to a calling feature stopped — removed by the subscriber or
    withdrawn by a violation measure — in the transaction that stopped it; the feature stops at once."""

    subscriber_id: int
    feature: str
    at: datetime
    actor: ActorRef


@dataclass(frozen=True)
class CallsEnded(Event):
    """The records of these calls are ended and committed (signaling's record writer), in one batch."""

    call_ids: tuple[str, ...]


@dataclass(frozen=True)
class SubscriberTerminated(Event):
    """A subscriber's account ended (R-32: by the subscriber once settled, or by the operator): what is
    kept only for the service — their video mailbox (R-18) — goes with it."""

    subscriber_id: int
