"""Events between the parts of the business (ADR 0007).

A part of the business says what happened — ``await uow.publish(BalanceReduced(...))`` inside its
transaction — and never calls another part's follow-up itself: the composition root
(``videophone.bootstrap``) subscribes the reactions, in one of two ways:

* **in the transaction** (:meth:`Events.in_transaction`): the handler gets the unit of work and runs
  at once, before the commit; if it fails, the exception reaches the publisher and the whole
  transaction — the money included — is rolled back.  For what must be true together with the fact
  (a suspension lifted by the payment that settles the arrears).
* **after the commit** (:meth:`Events.after_commit`): the handler gets the event once the transaction
  committed (never if it rolled back); a failure is logged and never reaches the publisher.  For what
  reaches outside the database (ending calls in progress on every node).

Events are frozen dataclasses named in the past tense; handlers run in the order they were
subscribed, for the exact class of the event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import structlog

log = structlog.get_logger(__name__)


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
class CallsEnded(Event):
    """The records of these calls are ended and committed (signaling's record writer), in one batch."""

    call_ids: tuple[str, ...]


E = TypeVar("E", bound=Event)
U = TypeVar("U")  # the unit of work an in-transaction handler is given

AfterCommit = Callable[[E], Awaitable[None]]


class Events(Generic[U]):
    """The registry of subscriptions, built once in the composition root and shared by every unit of
    work (``adapters.db.uow.UnitOfWork.publish`` runs it)."""

    def __init__(self) -> None:
        self._in: dict[type[Event], list[Callable[[U, Any], Awaitable[None]]]] = {}
        self._after: dict[type[Event], list[Callable[[Any], Awaitable[None]]]] = {}

    # -- subscribing (the composition root) ------------------------------------------------------------
    def in_transaction(self, kind: type[E], handler: Callable[[U, E], Awaitable[None]]) -> None:
        """Run ``handler(uow, event)`` inside the publisher's transaction, before its commit."""
        self._in.setdefault(kind, []).append(handler)

    def after_commit(self, kind: type[E], handler: AfterCommit[E]) -> None:
        """Run ``handler(event)`` once the publisher's transaction committed; failures are logged."""
        self._after.setdefault(kind, []).append(handler)

    def unsubscribe(self, kind: type[E], handler: Callable[..., Awaitable[None]]) -> None:
        """Remove ``handler`` from both kinds of subscription of ``kind`` (where it is)."""
        for handlers in (self._in.get(kind, []), self._after.get(kind, [])):
            if handler in handlers:
                handlers.remove(handler)

    def listeners(self, kind: type[E]) -> list[AfterCommit[E]]:
        """The after-commit handlers of ``kind``, in order (for a publisher whose fact was committed
        outside a unit of work and that delivers them itself, like signaling's ``CallsEnded``)."""
        return list(self._after.get(kind, ()))

    # -- dispatching (the unit of work) ----------------------------------------------------------------
    async def run_in_transaction(self, uow: U, event: Event) -> None:
        """Every in-transaction handler of ``event``; the first failure propagates."""
        for handler in list(self._in.get(type(event), ())):
            await handler(uow, event)

    async def run_after_commit(self, events: Sequence[Event]) -> None:
        """Every after-commit handler of each event, in order; failures are logged, never raised."""
        for event in events:
            for handler in list(self._after.get(type(event), ())):
                try:
                    await handler(event)
                except Exception:
                    log.exception(
                        "after-commit event handler failed",
                        event_type=type(event).__name__,
                        handler=getattr(handler, "__qualname__", type(handler).__name__),
                    )
