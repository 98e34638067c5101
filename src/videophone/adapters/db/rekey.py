"""Re-encrypt every encrypted column with the current data key (``videophone keys rotate``).

The rotation walks each table in primary-key order, in batches; each batch is its own transaction that
locks its rows (``FOR UPDATE`` on PostgreSQL; SQLite's write lock is taken at ``BEGIN``), re-encrypts
the values not yet on the current key and, for subscribers, recomputes the blind index of the ID number
with the current key.  Nothing records where it got to: "not yet on the current key" is a prefix of the
stored value (the key id, :mod:`videophone.adapters.crypto`), so a run killed at any point and started
again simply finds what is left.  Every value stays readable throughout — the old keys stay in the ring
until nothing is left on them.

A node that still encrypts with an old key (it has not been restarted with the new ring) writes values
the walk may already have passed; so after a walk the rotation counts what is left and walks again, and
gives up after a few walks with a clear message rather than loop for ever.

The columns are listed here, not found by reflection: a new encrypted column must be added to
:data:`TARGETS` (tests/integration/test_key_rotation.py checks that every ``*_enc`` column is listed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from sqlalchemy import ColumnElement, LargeBinary, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from videophone.adapters.crypto import FieldCipher, sealed_prefix, text_prefix
from videophone.adapters.db.models import IdentityDocument, Subscriber
from videophone.adapters.db.models_base import Base
from videophone.adapters.db.models_enforcement import LawfulSuspension, ViolationEvidence
from videophone.adapters.db.models_terminals import WarrantyPhoto

MAX_WALKS = 5


@dataclass(frozen=True)
class Target:
    """One table's encrypted columns and the associated data (context) each is sealed with."""

    table: str
    model: type[Base]
    columns: tuple[tuple[str, str], ...]  # (column, context)
    binary: bool


TARGETS: tuple[Target, ...] = (
    Target(
        "subscribers",
        Subscriber,
        tuple((f"{name}_enc", f"subscribers.{name}") for name in ("id_number", "birth_date", "address", "employer")),
        binary=False,
    ),
    Target("lawful_suspensions", LawfulSuspension, (("reference_enc", "lawful_suspensions.reference"),), binary=False),
    Target("identity_documents", IdentityDocument, (("content_enc", "identity_documents"),), binary=True),
    Target("violation_evidence", ViolationEvidence, (("content_enc", "violation_evidence"),), binary=True),
    Target("warranty_photos", WarrantyPhoto, (("content_enc", "warranty_photos"),), binary=True),
)


class RekeyError(RuntimeError):
    """The rotation cannot go on (the message names the row, never its content)."""


def _on_key(target: Target, column: str, kid: bytes) -> ColumnElement[bool]:
    col = getattr(target.model, column)
    if target.binary:
        prefix = sealed_prefix(kid)
        return func.substr(col, 1, len(prefix), type_=LargeBinary) == literal(prefix, LargeBinary)
    text = text_prefix(kid)
    return func.substr(col, 1, len(text)) == text


def _not_on_key(target: Target, column: str, kid: bytes) -> ColumnElement[bool]:
    col: ColumnElement[object] = getattr(target.model, column)
    return col.is_not(None) & ~_on_key(target, column, kid)


def _pending(target: Target, kid: bytes) -> ColumnElement[bool]:
    return or_(*(_not_on_key(target, column, kid) for column, _ in target.columns))


async def _batch(s: AsyncSession, target: Target, cipher: FieldCipher, after_id: int, limit: int) -> list[int]:
    kid = bytes.fromhex(cipher.key_id)
    model = target.model
    pk = model.id  # type: ignore[attr-defined]
    rows = list(
        await s.scalars(
            select(model).where(pk > after_id, _pending(target, kid)).order_by(pk).limit(limit).with_for_update()
        )
    )
    for row in rows:
        for column, context in target.columns:
            value = getattr(row, column)
            if value is None:
                continue
            try:
                if target.binary:
                    setattr(row, column, cipher.reseal(bytes(value), context=context))
                else:
                    setattr(row, column, cipher.reencrypt(value, context=context))
            except (InvalidTag, ValueError) as exc:
                raise RekeyError(
                    f"{target.table} row {row.id}: {column} does not decrypt with any key of the ring "  # type: ignore[attr-defined]
                    "(a key missing from the ring file, or an altered value)"
                ) from exc
        if isinstance(row, Subscriber):
            id_number = cipher.decrypt(row.id_number_enc, context="subscribers.id_number")
            row.id_number_index = cipher.blind_index(id_number)
    await s.flush()
    return [int(r.id) for r in rows]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ColumnStatus:
    column: str  # table.column
    values: int  # not null
    on_current: int
    by_key: dict[str, int]  # key id (hex) → values, for every key of the ring; "?" other (format 1)

    @property
    def left(self) -> int:
        return self.values - self.on_current


async def status(sessionmaker: async_sessionmaker[AsyncSession], cipher: FieldCipher) -> list[ColumnStatus]:
    """How many values each encrypted column holds, and on which key."""
    out = []
    async with sessionmaker() as s:
        for target in TARGETS:
            for column, _ in target.columns:
                col = getattr(target.model, column)
                counts = [func.count(col)] + [func.count().filter(_on_key(target, column, k)) for k in cipher.key_ids]
                row = (await s.execute(select(*counts).select_from(target.model))).one()
                total, per_key = int(row[0]), [int(n) for n in row[1:]]
                by_key = {k.hex(): n for k, n in zip(cipher.key_ids, per_key, strict=True)}
                other = total - sum(per_key)
                if other:
                    by_key["?"] = other
                out.append(ColumnStatus(f"{target.table}.{column}", total, per_key[0], by_key))
    return out


async def left(sessionmaker: async_sessionmaker[AsyncSession], cipher: FieldCipher) -> int:
    return sum(c.left for c in await status(sessionmaker, cipher))


async def rotate(
    sessionmaker: async_sessionmaker[AsyncSession],
    cipher: FieldCipher,
    *,
    batch_size: int = 100,
    on_batch: Callable[[str, int], None] | None = None,
) -> int:
    """Re-encrypt everything not on ``cipher``'s current key; returns how many rows were rewritten.
    ``on_batch(table, rows)`` is called after each committed batch (progress; tests inject a failure)."""
    if not 1 <= batch_size <= 10_000:
        raise ValueError("the batch size must be between 1 and 10000")
    rewritten = 0
    for _ in range(MAX_WALKS):
        for target in TARGETS:
            after = 0
            while True:
                async with sessionmaker() as s, s.begin():
                    ids = await _batch(s, target, cipher, after, batch_size)
                if not ids:
                    break
                after = ids[-1]
                rewritten += len(ids)
                if on_batch is not None:
                    on_batch(target.table, len(ids))
        if await left(sessionmaker, cipher) == 0:
            return rewritten
    raise RekeyError(
        f"values are still being written with an old key after {MAX_WALKS} walks: a node has not been "
        "restarted with the new key ring; restart every node, then run `videophone keys rotate` again"
    )
