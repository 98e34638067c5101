"""Call forwarding (呼叫转移, R-17): a subscriber's rules and the diversion decision (ADR 0010).

Pure.  A subscriber with the ``forwarding`` feature sets, per condition, where their calls go instead:
another number of the service or their own voicemail (only while they have the ``voicemail``
feature).  The decision for one call: given the condition that applies now, the chain so far (the
original caller first, then every party the call was offered to, the forwarding one last) and the
forwarder's rules, the next target — or none.  A call is forwarded at most ``MAX_HOPS`` times, never
back to a party already in it (A→B→A stops), never to a target found blocked or barred.  When no
forward applies, a callee with voicemail who is busy, does not answer or is unreachable gets the
message left in their mailbox instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from videophone.kernel.errors import FieldError

MAX_HOPS = 3  # a call is forwarded at most this many times
DELAY_MIN, DELAY_MAX, DELAY_DEFAULT = 5, 60, 20  # seconds before forwarding on no answer


class Condition(StrEnum):
    UNCONDITIONAL = "unconditional"  # 无条件转移: at once, without ringing
    BUSY = "busy"  # 遇忙转移: the callee is in a call
    NO_ANSWER = "no_answer"  # 无应答转移: nobody answered within N seconds
    UNREACHABLE = "unreachable"  # 不可及转移: no device online


CONDITIONS: tuple[str, ...] = tuple(c.value for c in Condition)


class TargetKind(StrEnum):
    NUMBER = "number"
    VOICEMAIL = "voicemail"


@dataclass(frozen=True)
class Rule:
    condition: Condition
    target: TargetKind
    number: str = ""  # TargetKind.NUMBER: the number calls go to
    delay_seconds: int | None = None  # Condition.NO_ANSWER: after this many seconds of ringing


@dataclass(frozen=True)
class Target:
    """Where a call goes next: another number (a new leg) or the forwarder's own voicemail."""

    kind: TargetKind
    number: str = ""
    by_rule: bool = True  # False: voicemail because no rule applied

    @property
    def voicemail(self) -> bool:
        return self.kind is TargetKind.VOICEMAIL


# -- settings ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleInput:
    """A rule as the subscriber asks for it (API/portal), before it is checked."""

    condition: str
    target: str
    number: str = ""
    delay_seconds: int | None = None


def check_rule(
    raw: RuleInput,
    *,
    own_numbers: Collection[str],
    number_known: bool,
    has_voicemail: bool,
    index: int = 0,
) -> tuple[Rule | None, list[FieldError]]:
    """Check one rule: the condition and target kind known, a number of the service that is not the
    subscriber's own, voicemail only with the feature, a delay (no answer only) in bounds.  Errors
    name their field ``rules.<condition>.<field>`` (``rules.<index>.condition`` for an unknown one)."""
    if raw.condition not in CONDITIONS:
        return None, [FieldError(f"rules.{index}.condition", "forwarding_condition_unknown")]
    condition = Condition(raw.condition)
    prefix = f"rules.{condition.value}."
    errors: list[FieldError] = []
    if raw.target not in (TargetKind.NUMBER.value, TargetKind.VOICEMAIL.value):
        return None, [FieldError(prefix + "target", "forwarding_target_unknown")]
    target = TargetKind(raw.target)
    number = ""
    if target is TargetKind.NUMBER:
        number = raw.number
        if not number:
            errors.append(FieldError(prefix + "number", "forwarding_number_required"))
        elif number in own_numbers:
            errors.append(FieldError(prefix + "number", "forwarding_number_own"))
        elif not number_known:
            errors.append(FieldError(prefix + "number", "forwarding_number_unknown"))
    elif not has_voicemail:
        errors.append(FieldError(prefix + "target", "forwarding_voicemail_unavailable"))
    delay: int | None = None
    if condition is Condition.NO_ANSWER:
        delay = DELAY_DEFAULT if raw.delay_seconds is None else raw.delay_seconds
        if not DELAY_MIN <= delay <= DELAY_MAX:
            errors.append(
                FieldError(prefix + "delay_seconds", "forwarding_delay_range", {"min": DELAY_MIN, "max": DELAY_MAX})
            )
    elif raw.delay_seconds is not None:
        errors.append(FieldError(prefix + "delay_seconds", "forwarding_delay_only_no_answer"))
    if errors:
        return None, errors
    return Rule(condition, target, number, delay), []


def rules_by_condition(rules: Iterable[Rule]) -> dict[Condition, Rule]:
    return {r.condition: r for r in rules}


def no_answer_delay(rules: Mapping[Condition, Rule], timeout: int, voicemail: bool) -> int | None:
    """When (seconds after the call started ringing) the no-answer diversion is due, if one may be:
    the rule's delay when it comes before the normal no-answer timeout; else the timeout itself when
    the call could still go to voicemail (a voicemail rule, or no rule and the feature)."""
    rule = rules.get(Condition.NO_ANSWER)
    if rule is not None and rule.delay_seconds is not None and rule.delay_seconds < timeout:
        return rule.delay_seconds
    if voicemail:
        return timeout
    return None


# -- the decision -------------------------------------------------------------------------------------------
def next_target(
    condition: Condition,
    chain: Sequence[str],
    rules: Mapping[Condition, Rule],
    *,
    forwarding: bool,
    voicemail: bool,
    refused: Collection[str] = (),
) -> Target | None:
    """Where the call goes next under ``condition``, or ``None`` (it goes on, or ends, as without
    forwarding).

    ``chain``: the numbers of the parties already in the call, the original caller first and the
    forwarder (whose ``rules`` these are) last; ``forwarding``: the forwarder has the feature and may
    forward now (their restrictions and credit allow a call of theirs); ``voicemail``: they have the
    voicemail feature; ``refused``: targets found blocked, barred or unknown."""
    hops = max(0, len(chain) - 2)  # A→B is the call dialled; each number after B is one forward
    rule = rules.get(condition) if forwarding else None
    if rule is not None:
        if rule.target is TargetKind.VOICEMAIL:
            if voicemail:
                return Target(TargetKind.VOICEMAIL)
        elif hops < MAX_HOPS and rule.number not in chain and rule.number not in refused:
            return Target(TargetKind.NUMBER, rule.number)
    if condition is not Condition.UNCONDITIONAL and voicemail:
        # No rule applied (none, or it could not be followed): the callee's mailbox takes the call.
        return Target(TargetKind.VOICEMAIL, by_rule=False)
    return None
