"""Unit of work: one transaction, and the effects that may only happen once it commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork:
    """``async with uow_factory() as uow: ...; await uow.commit()``.

    Leaving the block without ``commit`` rolls everything back.  Callbacks registered with
    :meth:`after_commit` (notifications, pushes) run only after a successful commit.
    """

    session: AsyncSession

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._after: list[AfterCommit] = []

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessionmaker()
        self._after = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed without expiring loaded objects, so
        # values read inside the block stay usable after it.
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
        callbacks, self._after = self._after, []
        for callback in callbacks:
            await callback()

    def after_commit(self, callback: AfterCommit) -> None:
        self._after.append(callback)


UnitOfWorkFactory = Callable[[], UnitOfWork]
