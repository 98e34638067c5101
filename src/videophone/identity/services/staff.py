"""Staff accounts (R-50)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from videophone.adapters.db.models import StaffUser
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.identity.domain.passwords import check_password, personal_inputs
from videophone.identity.domain.staff import StaffRole
from videophone.identity.store import staff as store
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    roles: list[str]
    active: bool
    created_at: datetime


def _view(s: StaffUser) -> StaffView:
    return StaffView(s.id, s.username, s.display_name, [r for r in s.roles.split(",") if r], s.active, s.created_at)


def parse_roles(roles: list[str] | tuple[str, ...]) -> list[StaffRole]:
    parsed: list[StaffRole] = []
    for role in roles:
        try:
            parsed.append(StaffRole(role.strip()))
        except ValueError:
            raise ValidationFailed([FieldError("roles", "role_unknown", {"role": role})]) from None
    if not parsed:
        raise ValidationFailed([FieldError("roles", "required")])
    return sorted(set(parsed))


class StaffService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def create(
        self, actor: Actor, username: str, display_name: str, password: str, roles: list[str] | tuple[str, ...]
    ) -> StaffView:
        errors: list[FieldError] = []
        username = username.strip()
        if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
            errors.append(FieldError("username", "username_format"))
        if not display_name.strip():
            errors.append(FieldError("display_name", "required"))
        errors += check_password(
            password, estimate=self.deps.password_strength, personal=personal_inputs(username, display_name)
        )
        if errors:
            raise ValidationFailed(errors)
        parsed = parse_roles(roles)
        async with self.deps.uow() as uow:
            if await store.staff_id_with_username(uow.session, username):
                raise ValidationFailed([FieldError("username", "username_taken")])
            now = self.deps.clock.now()
            staff = StaffUser(
                username=username,
                display_name=display_name.strip(),
                password_hash=await self.deps.hasher.hash_async(password),
                roles=",".join(r.value for r in parsed),
                active=True,
                language="zh-CN",
                created_at=now,
            )
            uow.session.add(staff)
            await uow.session.flush()
            audit.record(
                uow,
                now,
                actor,
                "staff.create",
                "staff",
                staff.id,
                {"username": username, "roles": [r.value for r in parsed]},
            )
            await uow.commit()
            return _view(staff)

    async def list(self) -> list[StaffView]:
        async with self.deps.uow() as uow:
            return [_view(s) for s in await store.all_staff(uow.session)]

    async def set_active(self, actor: Actor, staff_id: int, active: bool) -> StaffView:
        async with self.deps.uow() as uow:
            staff = await uow.session.get(StaffUser, staff_id)
            if staff is None:
                raise NotFound("staff_not_found")
            if staff.id == actor.id and not active:
                raise ValidationFailed([FieldError("active", "staff_cannot_disable_self")])
            staff.active = active
            audit.record(
                uow, self.deps.clock.now(), actor, "staff.activate" if active else "staff.deactivate", "staff", staff.id
            )
            await uow.commit()
            return _view(staff)

    async def get(self, staff_id: int) -> StaffView:
        async with self.deps.uow() as uow:
            staff = await uow.session.get(StaffUser, staff_id)
            if staff is None:
                raise NotFound("staff_not_found")
            return _view(staff)
