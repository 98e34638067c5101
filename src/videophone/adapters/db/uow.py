"""Unit of work: one transaction, the events it publishes, and the effects that may only happen once it
commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from videophone.adapters.events import Events
from videophone.kernel.events import Event

AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork:
    """``async with uow_factory() as uow: ...; await uow.commit()``.

    Leaving the block without ``commit`` rolls everything back.  :meth:`publish` tells the other parts
    of the business what happened (ADR 0007): their in-transaction handlers run at once, in this
    transaction; their after-commit handlers, like callbacks registered with :meth:`after_commit`
    (notifications, pushes), run only after a successful commit — what was published in a transaction
    that rolled back is dropped.
    """

    session: AsyncSession

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], events: Events[UnitOfWork] | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._events: Events[UnitOfWork] = events if events is not None else Events()
        self._after: list[AfterCommit] = []
        self._published: list[Event] = []

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessionmaker()
        self._after = []
        self._published = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed without expiring loaded objects, so
        # values read inside the block stay usable after it.
        self._after, self._published = [], []
        await self.session.close()

    async def publish(self, event: Event) -> None:
        """``event`` happened in this transaction.  In-transaction handlers run now (their failure
        propagates: the transaction must not commit); after-commit ones once it commits."""
        self._published.append(event)
        await self._events.run_in_transaction(self, event)

    async def commit(self) -> None:
        await self.session.commit()
        callbacks, self._after = self._after, []
        published, self._published = self._published, []
        await self._events.run_after_commit(published)  # logs failures, never raises
        for callback in callbacks:
            await callback()

    async def rollback(self) -> None:
        """Undo everything since the last commit, the events published and the callbacks included."""
        self._after, self._published = [], []
        await self.session.rollback()

    def after_commit(self, callback: AfterCommit) -> None:
        self._after.append(callback)


UnitOfWorkFactory = Callable[[], UnitOfWork]
