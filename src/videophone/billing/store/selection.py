"""A set of subscribers as the rating and bill-run statements select it: an id range or an id list.

A dense set (a batch of a period run, contiguous in id order) is read as the range of ids it spans —
PostgreSQL then scans the range in physical order instead of one index probe per subscriber; the rows
of other subscribers in the range are skipped by the caller —; a scattered set (the callers of the calls
that just ended) as an ``IN`` list (see ``bulk.dense``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.sql.elements import TextClause

from videophone.adapters.db.bulk import dense as _dense
from videophone.adapters.db.types import UTCDateTime


class Who(NamedTuple):
    """Which of a statement's two forms to run (``dense``: the id range) and its bound ids."""

    dense: bool
    params: dict[str, Any]


def who(subscriber_ids: Sequence[int]) -> Who:
    """The selection of ``subscriber_ids`` (not empty), worked out once for the statements that share it."""
    dense = _dense(subscriber_ids)
    if dense:
        return Who(dense, {"lo": min(subscriber_ids), "hi": max(subscriber_ids)})
    return Who(dense, {"ids": list(subscriber_ids)})


def by_subscribers(sql: str, column: str, *, window: bool = False) -> dict[bool, TextClause]:
    """``sql`` (no ``WHERE`` of its own subscribers yet: ``{who}``) for a range of ids (key ``True``:
    a batch of a period run, contiguous in id order; others in the range are skipped) and for a list
    of ids (``False``: the callers of the calls that just ended, scattered); see ``bulk.dense``.
    With ``window``, the ``:start``/``:end`` instants of the month are bound as UTC datetimes."""
    variants: dict[bool, TextClause] = {
        True: text(sql.format(who=f"{column} >= :lo AND {column} <= :hi")),
        False: text(sql.format(who=f"{column} IN :ids")).bindparams(bindparam("ids", expanding=True)),
    }
    if window:
        instants = (bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))
        variants = {dense: statement.bindparams(*instants) for dense, statement in variants.items()}
    return variants
