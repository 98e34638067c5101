"""Operator policy parameters (R-51): one current version, every change kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from videophone.adapters.db.models import PolicyVersion
from videophone.adapters.db.uow import UnitOfWork
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.identity.domain.policy import OperatorPolicy, diff_policies
from videophone.kernel.errors import FieldError, ValidationFailed


async def current(uow: UnitOfWork) -> tuple[int, OperatorPolicy]:
    row = await uow.session.scalar(select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1))
    if row is None:
        return 0, OperatorPolicy()
    return row.version, OperatorPolicy.from_mapping(row.values)


class PolicyService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def ensure_initial(self, overrides: dict[str, Any] | None = None) -> None:
        """Store version 1 (the defaults, plus installation overrides) if there is none yet."""
        async with self.deps.uow() as uow:
            version, _ = await current(uow)
            if version:
                return
            policy = OperatorPolicy.from_mapping(overrides or {})
            uow.session.add(
                PolicyVersion(
                    version=1,
                    values=policy.to_mapping(),
                    changed_by=None,
                    changed_at=self.deps.clock.now(),
                    reason="initial",
                )
            )
            await uow.commit()

    async def get(self) -> tuple[int, OperatorPolicy]:
        async with self.deps.uow() as uow:
            return await current(uow)

    async def update(
        self, actor: Actor, changes: dict[str, Any], *, reason: str, expected_version: int | None = None
    ) -> tuple[int, OperatorPolicy]:
        """Apply ``changes`` as a new version; ``expected_version`` guards against lost updates."""
        if not reason.strip():
            raise ValidationFailed([FieldError("reason", "required")])
        async with self.deps.uow() as uow:
            version, before = await current(uow)
            if expected_version is not None and expected_version != version:
                raise ValidationFailed([FieldError("version", "policy_changed_meanwhile")])
            after = OperatorPolicy.from_mapping(changes, base=before)
            diff = diff_policies(before, after)
            if not diff:
                raise ValidationFailed([FieldError("values", "policy_no_change")])
            now = self.deps.clock.now()
            uow.session.add(
                PolicyVersion(
                    version=version + 1,
                    values=after.to_mapping(),
                    changed_by=actor.id,
                    changed_at=now,
                    reason=reason.strip(),
                )
            )
            audit.record(
                uow,
                now,
                actor,
                "policy.update",
                "policy",
                version + 1,
                {"changes": diff, "reason": reason.strip()},
            )
            await uow.commit()
            return version + 1, after

    async def history(self) -> list[PolicyVersion]:
        async with self.deps.uow() as uow:
            rows = await uow.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc()))
            return list(rows)
