"""Client releases (R-34, agreement 003 §8: the operator upgrades the subscriber's software itself).

Staff (``manage_releases``) publish a release per platform (``web`` or ``terminal``): version, notes,
mandatory or not.  Versions compare as semantic versions (``domain.terminals.version_key``); a new
release must be newer than the newest of its platform.  The web client reports its version in the
signaling ``hello`` and gets the newest web release in ``welcome`` (see ``web.ws``); terminals learn
theirs from ``GET /api/v1/terminal/provisioning``.  When no web release is published, the web client
the server ships (``videophone.__version__``) is the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from videophone import __version__
from videophone.adapters.db.models_terminals import ClientRelease
from videophone.adapters.db.uow import UnitOfWork
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.terminals.domain import terminals as rules
from videophone.terminals.store import releases as store


@dataclass(frozen=True)
class ReleaseView:
    id: int | None
    platform: str
    version: str
    notes: str
    mandatory: bool
    published_at: datetime | None

    @staticmethod
    def of(row: ClientRelease) -> ReleaseView:
        return ReleaseView(row.id, row.platform, row.version, row.notes, row.mandatory, row.published_at)


def _sorted(rows: list[ClientRelease]) -> list[ClientRelease]:
    """Newest version first (semantic-version precedence, not text order: 0.10.0 > 0.9.0)."""
    valid = [r for r in rows if rules.version_key(r.version) is not None]
    return sorted(valid, key=lambda r: (rules.version_key(r.version), r.id), reverse=True)


async def newest_release(uow: UnitOfWork, platform: str) -> ReleaseView | None:
    rows = await store.releases_for(uow.session, platform)
    ordered = _sorted(rows)
    return ReleaseView.of(ordered[0]) if ordered else None


def offer_for(newest: ReleaseView | None, reported: str) -> dict[str, Any]:
    """What the web client is told at connect (the ``client_release`` field of ``welcome``): the
    current version, whether it is newer than the one it runs, and whether the update is mandatory."""
    current = newest.version if newest is not None else __version__
    if rules.is_newer(__version__, current):  # the server ships something newer than any release
        current, newest = __version__, None
    update = bool(reported) and rules.is_newer(current, reported)
    return {
        "version": current,
        "notes": newest.notes if newest else "",
        "mandatory": bool(update and newest is not None and newest.mandatory),
        "update": update,
    }


class ReleaseService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def publish(
        self, actor: Actor, platform: object, version: object, notes: object, mandatory: bool
    ) -> ReleaseView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            p = str(platform or "")
            newest = await newest_release(uow, p) if p in rules.PLATFORMS else None
            baseline = newest.version if newest else (__version__ if p == "web" else None)
            platform_ok, v, n = rules.validate_release(p, version, notes, baseline)
            row = ClientRelease(
                platform=platform_ok,
                version=v,
                notes=n,
                mandatory=bool(mandatory),
                published_at=now,
                published_by=actor.id if actor.type == "staff" else None,
            )
            uow.session.add(row)
            await uow.session.flush()
            audit.record(
                uow,
                now,
                actor,
                "release.publish",
                "client_release",
                row.id,
                {"platform": platform_ok, "version": v, "mandatory": bool(mandatory)},
            )
            view = ReleaseView.of(row)
            await uow.commit()
            return view

    async def list(self, platform: str = "") -> list[ReleaseView]:
        async with self.deps.uow() as uow:
            rows = await store.releases_for(uow.session, platform or None)
        return [ReleaseView.of(r) for r in _sorted(rows)]

    async def newest(self, platform: str) -> ReleaseView | None:
        async with self.deps.uow() as uow:
            return await newest_release(uow, platform)

    async def web_offer(self, reported: str) -> dict[str, Any]:
        return offer_for(await self.newest("web"), reported)
