"""The UI texts a page's scripts ask for: a page inlines those, not the whole catalogue.

Texts in the templates are rendered on the server (``t('key')`` in Jinja); only the static scripts read
the inlined ``VP.t``.  They look texts up with ``t("key")``, ``t("prefix_" + value)``,
``labelOf("prefix_", value)`` (app.js) or keep a key in a variable first (``const key = "…"``), so a
script's keys are found from its string literals: a literal that is a key is used, and a literal that
starts a computed key (it ends in ``_``, is followed by ``+``, or is the head of a template literal
before ``${``) brings every key that starts with it.  That over-approximates on purpose: a text too many
costs a few bytes, a text too few shows its key.

A template's scripts are the ``/static/*.js`` it names, with those of the templates it extends or
includes (base.html: app.js and badge.js).  Both are read once per template, at its first render.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from videophone.edge.i18n import ui_catalog
from videophone.edge.ui_text import UI

WEB = Path(__file__).parent
STATIC = WEB / "static"
TEMPLATES = WEB / "templates"

_TOKEN = re.compile(
    r"""//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`""",
    re.DOTALL,
)
_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")
_KEY_LIKE = re.compile(r"[a-z][a-z0-9_]*")
_FOLLOWED_BY_PLUS = re.compile(r"\s*\+(?!\+)")
_SCRIPT = re.compile(r"""src=["']/static/([\w.-]+\.js)""")
_PARENT = re.compile(r"""\{%-?\s*(?:extends|include)\s+["']([^"']+)["']""")


@dataclass(frozen=True)
class JsString:
    """A string literal of a script: its text (of a template literal, the part before the first
    ``${``), where it is in the source, and whether it starts a computed key."""

    text: str
    start: int
    end: int
    computed: bool


def js_strings(source: str, offset: int = 0) -> list[JsString]:
    """The string literals of a script, comments skipped, with those inside ``${…}`` of template literals."""
    found: list[JsString] = []
    for match in _TOKEN.finditer(source):
        token = match.group(0)
        if token.startswith("/"):
            continue
        start, end = match.start() + offset, match.end() + offset
        body = token[1:-1]
        if token.startswith("`"):
            head, _, _ = body.partition("${")
            found.append(JsString(head, start, end, computed="${" in body))
            for inner in _PLACEHOLDER.finditer(body):
                found.extend(js_strings(inner.group(1), match.start() + offset + 1 + inner.start(1)))
            continue
        followed = _FOLLOWED_BY_PLUS.match(source, match.end()) is not None
        found.append(JsString(body, start, end, computed=followed))
    return found


def keys_in(strings: Iterable[JsString], keys: Iterable[str]) -> frozenset[str]:
    """The catalogue keys that these string literals name or start."""
    catalogue = set(keys)
    exact: set[str] = set()
    prefixes: set[str] = set()
    for s in strings:
        if s.text in catalogue:
            exact.add(s.text)
        if _KEY_LIKE.fullmatch(s.text) and (s.computed or s.text.endswith("_")):
            prefixes.add(s.text)
    started = tuple(sorted(prefixes))
    return frozenset(exact | ({k for k in catalogue if k.startswith(started)} if started else set()))


@cache
def script_keys(script: str) -> frozenset[str]:
    """The keys one static script (``phone.js``) may ask for."""
    return keys_in(js_strings((STATIC / script).read_text(encoding="utf-8")), UI)


@cache
def template_scripts(template: str) -> tuple[str, ...]:
    """The static scripts a page of this template loads, its parents' (extends, include) first."""
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    scripts: list[str] = []
    for parent in _PARENT.findall(source):
        scripts.extend(s for s in template_scripts(parent) if s not in scripts)
    scripts.extend(s for s in _SCRIPT.findall(source) if s not in scripts)
    return tuple(scripts)


@cache
def template_keys(template: str) -> frozenset[str]:
    """The keys the scripts of a page of this template may ask for."""
    keys: set[str] = set()
    for script in template_scripts(template):
        keys |= script_keys(script)
    return frozenset(keys)


@cache
def page_catalog(template: str, language: str) -> Mapping[str, str]:
    """The texts inlined into a page of this template, in its language."""
    return ui_catalog(language, template_keys(template))
