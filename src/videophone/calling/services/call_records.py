"""Group commit of call-record writes (the signaling hub's insert at invite, answer, end).

Every call writes its record three times.  One transaction per write made the single SQLite
connection (and its thread hand-offs) the bottleneck of call setup; here writes from many calls are
collected and committed together: while one batch is being committed, the next one fills up.  Each
caller awaits the commit of the batch that holds its write, so "on record before anyone is told"
still holds for every write.  Updates keep their ``WHERE ended_at IS NULL`` guard (a record is
finalized exactly once; the statements are in ``store.call_records``).  If a batch fails (say a
duplicate id from another node), its writes are retried one transaction each, so only the offending
write fails.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog

from videophone.adapters.db.uow import UnitOfWorkFactory
from videophone.calling.store import call_records as store
from videophone.calling.store.call_records import ANSWER, END, FORWARD, INSERT

log = structlog.get_logger(__name__)

MAX_BATCH = 500

_Write = tuple[int, dict[str, Any], "asyncio.Future[None]"]


class CallRecordWriter:
    """Queue call-record writes; ``await`` returns once the write is committed."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
        self._pending: list[_Write] = []
        self._committing: list[_Write] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def insert(self, values: dict[str, Any]) -> None:
        await self._write(INSERT, values)

    async def answer(self, call_id: str, *, state: str, answered_at: Any, callee_device: str) -> None:
        await self._write(
            ANSWER, {"b_id": call_id, "b_state": state, "b_answered_at": answered_at, "b_device": callee_device}
        )

    async def end(
        self,
        call_id: str,
        *,
        state: str,
        answered_at: Any,
        callee_device: str,
        ended_at: Any,
        outcome: str,
        end_reason: str,
        billable_seconds: int,
    ) -> None:
        await self._write(
            END,
            {
                "b_id": call_id,
                "b_state": state,
                "b_answered_at": answered_at,
                "b_device": callee_device,
                "b_ended_at": ended_at,
                "b_outcome": outcome,
                "b_end_reason": end_reason,
                "b_billable_seconds": billable_seconds,
            },
        )

    async def forward(self, call_id: str, to_number: str) -> None:
        """The call (or leg) ``call_id`` was forwarded to ``to_number`` (R-17)."""
        await self._write(FORWARD, {"b_id": call_id, "b_to": to_number})

    async def close(self) -> None:
        """Stop the committer once everything queued is written."""
        task, self._task = self._task, None
        if task is None:
            return
        waiting = [future for _, _, future in self._pending + self._committing]
        if waiting and not task.done():
            await asyncio.wait(waiting, timeout=30)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        pending, self._pending = self._pending, []
        for _, _, future in pending:
            _fail(future, RuntimeError("call-record writer closed"))

    async def _write(self, kind: int, params: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((kind, params, future))
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()  # bound to this loop
            self._task = loop.create_task(self._run(), name="call-record-writer")
        self._wake.set()
        await future

    async def _run(self) -> None:
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
            # Let the writes of whatever is ready to run in this loop iteration join the batch.
            await asyncio.sleep(0)
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            self._committing = batch
            try:
                await self._commit(batch)
            except asyncio.CancelledError:
                for _, _, future in batch:
                    if not future.done():
                        future.cancel()
                raise
            except Exception as exc:
                if len(batch) == 1:
                    _fail(batch[0][2], exc)
                else:
                    log.warning("call-record batch failed; writing one by one", size=len(batch))
                    for write in batch:
                        try:
                            await self._commit([write])
                        except asyncio.CancelledError:
                            raise
                        except Exception as one:
                            _fail(write[2], one)
                        else:
                            _done(write[2])
            else:
                for _, _, future in batch:
                    _done(future)
            self._committing = []

    async def _commit(self, batch: list[_Write]) -> None:
        groups: list[list[dict[str, Any]]] = [[], [], [], []]
        for kind, params, _ in batch:
            groups[kind].append(params)
        async with self._uow() as uow:
            await store.write_batch(await uow.session.connection(), groups)
            await uow.commit()


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():  # (a caller that was cancelled no longer waits)
        future.set_result(None)


def _fail(future: asyncio.Future[None], exc: Exception) -> None:
    """Hand the error of a failed write to the caller awaiting it."""
    if not future.done():
        future.set_exception(exc)
