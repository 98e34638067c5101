"""Which channels a notification goes out on (R-35): categories, per-subscriber preferences, defaults.

Every notification is shown in the portal (in-app, always).  Its copies by email, SMS and Web Push
(R-36: to each browser the subscriber enabled) follow the subscriber's preference for the
notification's *category* and the channel:

======================  =====================================================  =======  =====  ====
category                kinds (examples)                                       email    SMS    push
======================  =====================================================  =======  =====  ====
``billing``             bill issued, payment received, refund, outage credit   on       off    on
``overdue``             payment overdue, late fees                             on       on     on
``service``             suspension, restoration, termination, restrictions     on       on     on
``announcements``       announcements, agreement changes                       on       off    on
``disputes``            dispute opened / decided                               on       off    on
``credit_limit``        credit-limit warnings, calls barred / restored         on       off    on
``calls``               missed calls                                           off      off    on
``other``               terminals, warranty, voicemail, anything else          on       off    on
======================  =====================================================  =======  =====  ====

(the right-hand columns are the defaults, used until the subscriber changes them).

**Legally required notices ignore an "off" preference**: notice of a suspension or termination of the
service (the agreement, §5/§6, and the telecom regulations require the operator to tell the subscriber)
and of a change of the agreement (deemed acceptance at the end of the objection window is only valid if
the subscriber was told) go to every channel the subscriber has an address for.  Which kinds these are
is :data:`MANDATORY_KINDS` plus what a feature declares (``MANDATORY`` in its ``notice_texts_*``
module), plus kinds whose name says so (:func:`is_mandatory`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from videophone.kernel.errors import FieldError, ValidationFailed

CATEGORIES: tuple[str, ...] = (
    "billing",
    "overdue",
    "service",
    "announcements",
    "disputes",
    "credit_limit",
    "calls",
    "other",
)
CHANNELS: tuple[str, ...] = ("email", "sms", "push")
SMS_ON_BY_DEFAULT = frozenset({"overdue", "service"})
EMAIL_OFF_BY_DEFAULT = frozenset({"calls"})  # a missed call by email is noise; push and in-app carry it

Key = tuple[str, str]  # (category, channel)


def _default(category: str, channel: str) -> bool:
    if channel == "push":
        return True
    if channel == "email":
        return category not in EMAIL_OFF_BY_DEFAULT
    return category in SMS_ON_BY_DEFAULT


DEFAULTS: dict[Key, bool] = {
    (category, channel): _default(category, channel) for category in CATEGORIES for channel in CHANNELS
}

# The kinds known when this was written; features may add theirs (``CATEGORIES`` / ``MANDATORY`` in
# their ``notice_texts_*`` module); anything else is classified by its name (:func:`category_of`).
KIND_CATEGORY: dict[str, str] = {
    "bill_issued": "billing",
    "payment_received": "billing",
    "refund_issued": "billing",
    "payment_overdue": "overdue",
    "service_suspended_arrears": "service",
    "service_restored": "service",
    "service_terminated": "service",
    "credit_limit_warning": "credit_limit",
    "credit_limit_barred": "credit_limit",
    "credit_limit_restored": "credit_limit",
    "dispute_opened": "disputes",
    "dispute_adjusted": "disputes",
    "dispute_rejected": "disputes",
    "missed_call": "calls",
}
MANDATORY_KINDS = frozenset({"service_suspended_arrears", "service_terminated"})

# Name rules, first match wins: (substring of the kind, category).
_NAME_RULES: tuple[tuple[str, str], ...] = (
    ("missed_call", "calls"),
    ("credit_limit", "credit_limit"),
    ("dispute", "disputes"),
    ("overdue", "overdue"),
    ("late_fee", "overdue"),
    ("announcement", "announcements"),
    ("agreement", "announcements"),
    ("maintenance", "announcements"),
    ("outage", "billing"),
    ("bill", "billing"),
    ("payment", "billing"),
    ("refund", "billing"),
    ("warranty", "other"),
    ("terminal", "other"),
    ("release", "other"),
    ("suspen", "service"),
    ("terminat", "service"),
    ("restrict", "service"),
    ("restor", "service"),
    ("violation", "service"),
    ("warning", "service"),
    ("lawful", "service"),
    ("inactiv", "service"),
    ("service", "service"),
)
_MANDATORY_WORDS = ("suspen", "terminat", "agreement")


def category_of(kind: str, declared: Mapping[str, str] | None = None) -> str:
    """The category of a notification kind: declared by its feature, known, or by its name."""
    if declared and kind in declared and declared[kind] in CATEGORIES:
        return declared[kind]
    if kind in KIND_CATEGORY:
        return KIND_CATEGORY[kind]
    for word, category in _NAME_RULES:
        if word in kind:
            return category
    return "other"


def is_mandatory(kind: str, declared: Iterable[str] = ()) -> bool:
    """A legally required notice (suspension, termination, agreement change): preferences don't stop it.

    ``terminal`` (the device) is not ``terminat``-ion: ``terminal_*`` kinds are never mandatory."""
    if kind in MANDATORY_KINDS or kind in set(declared):
        return True
    name = kind.replace("terminal", "")
    return any(word in name for word in _MANDATORY_WORDS)


def effective(overrides: Mapping[Key, bool]) -> dict[Key, bool]:
    """Every (category, channel) switch: the subscriber's choice, else the default."""
    return {key: bool(overrides.get(key, default)) for key, default in DEFAULTS.items()}


@dataclass(frozen=True)
class Addresses:
    email: str
    phone: str
    push: bool = False  # the subscriber enabled push on at least one browser


def channels_for(
    kind: str,
    switches: Mapping[Key, bool],
    addresses: Addresses,
    *,
    declared_categories: Mapping[str, str] | None = None,
    declared_mandatory: Iterable[str] = (),
    email_wanted: bool = True,
) -> tuple[str, ...]:
    """The outside channels (``email``, ``sms``, ``push``) a notification of ``kind`` goes to.

    ``switches`` is :func:`effective` of the subscriber's preferences.  A channel needs an address;
    a mandatory kind ignores "off"; ``email_wanted=False`` (the caller's choice) sends no copy at all."""
    if not email_wanted:
        return ()
    category = category_of(kind, declared_categories)
    mandatory = is_mandatory(kind, declared_mandatory)
    address = {"email": addresses.email, "sms": addresses.phone, "push": "push" if addresses.push else ""}
    out = []
    for channel in CHANNELS:
        if not address[channel].strip():
            continue
        if mandatory or switches.get((category, channel), DEFAULTS[(category, channel)]):
            out.append(channel)
    return tuple(out)


def parse_update(items: Iterable[Mapping[str, object]]) -> dict[Key, bool]:
    """Validate a change of preferences (``[{category, channel, enabled}]``); every bad item is
    reported (``notification_pref_*`` codes) and nothing is kept if any is bad."""
    errors: list[FieldError] = []
    out: dict[Key, bool] = {}
    for i, item in enumerate(items):
        category, channel, enabled = item.get("category"), item.get("channel"), item.get("enabled")
        if category not in CATEGORIES:
            errors.append(
                FieldError(f"preferences.{i}.category", "notification_pref_category_unknown", {"value": category})
            )
        if channel not in CHANNELS:
            errors.append(
                FieldError(f"preferences.{i}.channel", "notification_pref_channel_unknown", {"value": channel})
            )
        if not isinstance(enabled, bool):
            errors.append(FieldError(f"preferences.{i}.enabled", "notification_pref_enabled_invalid"))
        if isinstance(category, str) and isinstance(channel, str) and isinstance(enabled, bool):
            if (category, channel) in out and out[(category, channel)] != enabled:
                errors.append(FieldError(f"preferences.{i}", "notification_pref_contradictory"))
            out[(category, channel)] = enabled
    if errors:
        raise ValidationFailed(errors)
    return out


def sms_text(subject: str, body: str, limit: int = 300) -> str:
    """An SMS: the subject then the body, cut to ``limit`` characters (an ellipsis marks the cut)."""
    text = f"{subject}：{body}" if body else subject
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
