"""Call-forwarding settings (呼叫转移, R-17): a subscriber's rules, only while they have the
``forwarding`` feature (``services.entitlements``); the rules themselves are ``domain.forwarding``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from videophone.calling.domain import forwarding as rules
from videophone.calling.domain.contacts import normalize_number
from videophone.calling.domain.features import Feature
from videophone.calling.services import entitlements
from videophone.calling.store import forwarding as store
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, PermissionDenied, ValidationFailed

MAX_RULES = len(rules.CONDITIONS)


@dataclass(frozen=True)
class RuleView:
    condition: str
    target: str
    number: str
    delay_seconds: int | None
    updated_at: datetime


@dataclass(frozen=True)
class ForwardingView:
    subscribed: bool  # the subscriber has the forwarding feature now: the rules apply
    voicemail: bool  # they have voicemail: "to my voicemail" is a valid target
    rules: list[RuleView]
    delay_min: int
    delay_max: int
    delay_default: int
    max_hops: int


def _raw_rules(raw: Any) -> tuple[list[rules.RuleInput], list[FieldError]]:
    """The body's ``rules`` as inputs (shape only; the rule checks them)."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        return [], [FieldError("rules", "forwarding_rules_list")]
    if len(raw) > MAX_RULES:
        return [], [FieldError("rules", "forwarding_rules_too_many", {"max": MAX_RULES})]
    found: list[rules.RuleInput] = []
    for item in raw:
        if not isinstance(item, Mapping):
            return [], [FieldError("rules", "forwarding_rules_list")]
        delay = item.get("delay_seconds")
        found.append(
            rules.RuleInput(
                condition=str(item.get("condition") or ""),
                target=str(item.get("target") or ""),
                number=normalize_number(str(item.get("number") or "")),
                delay_seconds=delay if isinstance(delay, int) and not isinstance(delay, bool) else None,
            )
        )
    return found, []


class ForwardingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def settings(self, subscriber_id: int) -> ForwardingView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            features = await entitlements.features_of(uow, self.deps, subscriber_id, now)
            rows = await store.rules_of(uow.session, subscriber_id)
        return _view(
            features, [RuleView(r.condition, r.target, r.target_number, r.delay_seconds, r.updated_at) for r in rows]
        )

    async def save(self, actor: Actor, subscriber_id: int, raw_rules: Any) -> ForwardingView:
        """Replace the subscriber's rules (an empty list turns forwarding off, always allowed)."""
        inputs, errors = _raw_rules(raw_rules)
        if errors:
            raise ValidationFailed(errors)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            features = await entitlements.features_of(uow, self.deps, subscriber_id, now)
            if inputs and Feature.FORWARDING not in features:
                raise PermissionDenied("forwarding_not_subscribed")
            own = await store.number_of(uow.session, subscriber_id)
            checked: list[rules.Rule] = []
            seen: set[str] = set()
            for i, raw in enumerate(inputs):
                if raw.condition in seen:
                    errors.append(FieldError(f"rules.{raw.condition}.condition", "forwarding_condition_twice"))
                    continue
                seen.add(raw.condition)
                known = bool(raw.number) and await store.subscriber_of_number(uow.session, raw.number) is not None
                rule, problems = rules.check_rule(
                    raw, own_numbers={own}, number_known=known, has_voicemail=Feature.VOICEMAIL in features, index=i
                )
                errors += problems
                if rule is not None:
                    checked.append(rule)
            if errors:
                raise ValidationFailed(errors)
            await store.replace_rules(uow.session, subscriber_id, checked, now)
            audit.record(
                uow,
                now,
                actor,
                "forwarding.update",
                "subscriber",
                subscriber_id,
                {
                    "rules": [
                        {"condition": r.condition.value, "target": r.target.value, "number": r.number} for r in checked
                    ]
                },
            )
            await uow.commit()
        return _view(
            features, [RuleView(r.condition.value, r.target.value, r.number, r.delay_seconds, now) for r in checked]
        )


def _view(features: frozenset[Feature], rows: list[RuleView]) -> ForwardingView:
    return ForwardingView(
        subscribed=Feature.FORWARDING in features,
        voicemail=Feature.VOICEMAIL in features,
        rules=rows,
        delay_min=rules.DELAY_MIN,
        delay_max=rules.DELAY_MAX,
        delay_default=rules.DELAY_DEFAULT,
        max_hops=rules.MAX_HOPS,
    )
