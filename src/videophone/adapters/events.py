"""The registry that runs the reactions to events (ADR 0007): built once in the composition root,
given to every unit of work.  The events themselves are pure values in ``videophone.kernel.events``;
running handlers and logging their failures is this adapter's part."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import structlog

from videophone.kernel.events import Event

log = structlog.get_logger(__name__)


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
