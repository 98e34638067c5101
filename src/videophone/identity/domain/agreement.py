"""The service agreement as a document (R-06, R-51).

The agreement text is a versioned template (``resources/agreement_v<N>.txt``) in which every blank of
the contract is a ``string.Template`` placeholder: operator policy parameters by their
:class:`~videophone.identity.domain.policy.OperatorPolicy` field name, the subscriber's details as
``${subscriber_*}``, plus ``${signed_date}`` and ``${agreement_version}``.  Rendering fills them from
the same policy object the rules enforce, so the text and the rules cannot disagree.

Template format — plain text, one paragraph per line, blank lines ignored:

* ``# text`` — the document title;
* ``## text`` — a section heading;
* ``[party] label：value`` — a line of the party block (a line starting with 甲方/乙方 opens a party);
* ``[signature] label：value`` — a line of the signature block (grouped the same way);
* any other line — a body paragraph (numbered clauses are written as ``1. …``, items as ``(1) …``).

A ``[party]`` line holding an organization-only placeholder (legal representative, credit code) is
left out when the subscriber is a person.  Without a subscriber (the unsigned template page) every
subscriber detail is shown as :data:`BLANK`.

Pure: no clock and no I/O — the caller passes the template text and the dates.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from string import Template
from typing import Literal

from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import FieldError, ValidationFailed

BLANK = "＿＿＿＿＿＿"
"""A visible blank line to be filled in by hand."""

BLANK_DATE = "＿＿＿＿年＿＿月＿＿日"
BLANK_DATE_EN = "＿＿ (day) ＿＿ (month) ＿＿＿＿ (year)"
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

PartyKind = Literal["person", "organization"]
ParagraphKind = Literal["title", "heading", "text", "party", "signature"]

SUBSCRIBER_PLACEHOLDERS: tuple[str, ...] = (
    "subscriber_name",
    "subscriber_address",
    "subscriber_postal_code",
    "subscriber_phone",
    "subscriber_id_type",
    "subscriber_id_number",
    "subscriber_legal_representative",
    "subscriber_credit_code",
)
ORGANIZATION_ONLY_PLACEHOLDERS: frozenset[str] = frozenset(
    {"subscriber_legal_representative", "subscriber_credit_code"}
)
DOCUMENT_PLACEHOLDERS: tuple[str, ...] = ("signed_date", "agreement_version")

_PARTY_TAG = "[party]"
_SIGNATURE_TAG = "[signature]"


def policy_placeholders() -> tuple[str, ...]:
    """The names of every operator policy parameter, each usable as a placeholder."""
    return tuple(f.name for f in dataclasses.fields(OperatorPolicy))


def known_placeholders() -> frozenset[str]:
    """Every placeholder name a template may use."""
    return frozenset(policy_placeholders()) | frozenset(SUBSCRIBER_PLACEHOLDERS) | frozenset(DOCUMENT_PLACEHOLDERS)


@dataclass(frozen=True)
class SubscriberParty:
    """The subscriber (甲方) as a party of the agreement, already prepared for display."""

    kind: PartyKind
    name: str
    address: str
    postal_code: str
    phone: str
    id_type_label: str
    id_number_display: str  # masked by the caller when the viewer may not see it in full
    legal_representative: str = ""  # organizations only
    credit_code: str = ""  # organizations only

    def __post_init__(self) -> None:
        if self.kind not in ("person", "organization"):
            raise ValidationFailed([FieldError("kind", "invalid_choice", {"value": self.kind})])


@dataclass(frozen=True)
class Paragraph:
    kind: ParagraphKind
    text: str


@dataclass(frozen=True)
class AgreementDocument:
    """A rendered agreement: the version it was rendered from, its title and its paragraphs."""

    version: int
    title: str
    paragraphs: tuple[Paragraph, ...]
    issuer: str = ""  # the operator's name: the PDF's author
    # The language of the text: "en" only for a translation (for convenience: the Chinese prevails).
    language: str = "zh-CN"
    has_translation: bool = False  # whether the version has an English translation

    def plain_text(self) -> str:
        """The document as plain text, one paragraph per line with blank lines between."""
        return "\n\n".join(p.text for p in self.paragraphs) + "\n"


# -- template inspection -------------------------------------------------------------------------------


def template_placeholders(template: str) -> set[str]:
    """The names of the placeholders used in ``template`` (``$name`` and ``${name}``)."""
    names: set[str] = set()
    for match in Template.pattern.finditer(template):
        name = match.group("named") or match.group("braced")
        if name:
            names.add(name)
    return names


def check_template(template: str) -> list[FieldError]:
    """Every problem of ``template``: malformed ``$`` uses and unknown placeholder names."""
    errors: list[FieldError] = []
    for match in Template.pattern.finditer(template):
        if match.group("invalid") is not None:
            line = template.count("\n", 0, match.start()) + 1
            errors.append(FieldError("template", "agreement_template_malformed", {"line": line}))
    known = known_placeholders()
    for name in sorted(template_placeholders(template) - known):
        errors.append(FieldError("template", "agreement_unknown_placeholder", {"name": name}))
    return errors


# -- rendering -----------------------------------------------------------------------------------------


def format_decimal(value: Decimal) -> str:
    """A decimal without trailing zeros and never in exponent notation: 3.00 → 3, 0.50 → 0.5."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def format_date_zh(value: date | None) -> str:
    """``2026年11月21日``, or a blank date to be filled in by hand."""
    if value is None:
        return BLANK_DATE
    return f"{value.year}年{value.month}月{value.day}日"


def format_date_en(value: date | None) -> str:
    """``21 November 2026``, or a blank date to be filled in by hand."""
    if value is None:
        return BLANK_DATE_EN
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def _policy_values(policy: OperatorPolicy) -> dict[str, str]:
    values: dict[str, str] = {}
    for f in dataclasses.fields(policy):
        value = getattr(policy, f.name)
        values[f.name] = format_decimal(value) if isinstance(value, Decimal) else str(value)
    return values


def _subscriber_values(subscriber: SubscriberParty | None) -> dict[str, str]:
    if subscriber is None:
        return dict.fromkeys(SUBSCRIBER_PLACEHOLDERS, BLANK)
    raw = {
        "subscriber_name": subscriber.name,
        "subscriber_address": subscriber.address,
        "subscriber_postal_code": subscriber.postal_code,
        "subscriber_phone": subscriber.phone,
        "subscriber_id_type": subscriber.id_type_label,
        "subscriber_id_number": subscriber.id_number_display,
        "subscriber_legal_representative": subscriber.legal_representative,
        "subscriber_credit_code": subscriber.credit_code,
    }
    return {k: v.strip() or BLANK for k, v in raw.items()}


_WHITESPACE = re.compile(r"\s+")


def _one_line(value: str) -> str:
    """Values go into one paragraph: collapse line breaks and runs of white space."""
    return _WHITESPACE.sub(" ", value).strip()


def _classify(line: str) -> tuple[ParagraphKind, str]:
    if line.startswith("# "):
        return "title", line[2:].strip()
    if line.startswith("## "):
        return "heading", line[3:].strip()
    if line.startswith(_PARTY_TAG):
        return "party", line[len(_PARTY_TAG) :].strip()
    if line.startswith(_SIGNATURE_TAG):
        return "signature", line[len(_SIGNATURE_TAG) :].strip()
    return "text", line


def render_agreement(
    template: str,
    *,
    version: int,
    policy: OperatorPolicy,
    subscriber: SubscriberParty | None,
    signed_on: date | None,
    language: str = "zh-CN",
    has_translation: bool = False,
) -> AgreementDocument:
    """Fill ``template`` with the policy, the subscriber's details and the signing date.  ``language``
    is the template's: "en" for an English translation (the date is written the English way).

    Raises :class:`ValidationFailed` (the errors of :func:`check_template`) for a broken template.
    """
    errors = check_template(template)
    if errors:
        raise ValidationFailed(errors)
    values = _policy_values(policy)
    values.update(_subscriber_values(subscriber))
    values["signed_date"] = format_date_en(signed_on) if language == "en" else format_date_zh(signed_on)
    values["agreement_version"] = str(version)
    values = {k: _one_line(v) for k, v in values.items()}

    person = subscriber is not None and subscriber.kind == "person"
    paragraphs: list[Paragraph] = []
    for raw_line in template.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        kind, body = _classify(line)
        if not body:
            continue
        if kind == "party" and person and template_placeholders(body) & ORGANIZATION_ONLY_PLACEHOLDERS:
            continue
        paragraphs.append(Paragraph(kind, Template(body).substitute(values)))

    title = next((p.text for p in paragraphs if p.kind == "title"), "")
    return AgreementDocument(
        version=version,
        title=title,
        paragraphs=tuple(paragraphs),
        issuer=policy.operator_name,
        language="en" if language == "en" else "zh-CN",
        has_translation=has_translation or language == "en",
    )


# -- a policy change's effect on the text ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of a previewed paragraph; ``changed`` when it is a policy value the change alters."""

    text: str
    changed: bool


@dataclass(frozen=True)
class ClausePreview:
    """A paragraph that quotes a changed policy value: its text now, and after the change in pieces."""

    kind: ParagraphKind
    parameters: tuple[str, ...]
    before: str
    after: tuple[Segment, ...]


def _unsigned_values(policy: OperatorPolicy, version: int) -> dict[str, str]:
    values = _policy_values(policy)
    values.update(_subscriber_values(None))
    values["signed_date"] = format_date_zh(None)
    values["agreement_version"] = str(version)
    return {k: _one_line(v) for k, v in values.items()}


def _segments(body: str, values: dict[str, str], changed: set[str]) -> tuple[Segment, ...]:
    pieces: list[Segment] = []

    def add(text: str, is_changed: bool) -> None:
        if not text:
            return
        if pieces and pieces[-1].changed == is_changed:
            pieces[-1] = Segment(pieces[-1].text + text, is_changed)
        else:
            pieces.append(Segment(text, is_changed))

    position = 0
    for match in Template.pattern.finditer(body):
        add(body[position : match.start()], False)
        name = match.group("named") or match.group("braced")
        if name:
            add(values[name], name in changed)
        else:
            add("$", False)  # ``$$`` (a validated template has no invalid ``$``)
        position = match.end()
    add(body[position:], False)
    return tuple(pieces)


def preview_policy_change(
    template: str, *, version: int, before: OperatorPolicy, after: OperatorPolicy
) -> list[ClausePreview]:
    """The paragraphs of the (unsigned) agreement that quote a parameter changed from ``before`` to
    ``after``, with the new values marked — what staff see before they save a policy change."""
    errors = check_template(template)
    if errors:
        raise ValidationFailed(errors)
    old, new = _policy_values(before), _policy_values(after)
    changed = {name for name in old if old[name] != new[name]}
    values_before, values_after = _unsigned_values(before, version), _unsigned_values(after, version)
    previews: list[ClausePreview] = []
    for raw_line in template.splitlines():
        kind, body = _classify(raw_line.strip())
        quoted = template_placeholders(body) & changed if body else set()
        if not quoted:
            continue
        previews.append(
            ClausePreview(
                kind=kind,
                parameters=tuple(sorted(quoted)),
                before=Template(body).substitute(values_before),
                after=_segments(body, values_after, changed),
            )
        )
    return previews
