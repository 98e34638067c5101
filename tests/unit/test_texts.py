"""The text catalogues (issue 13), each context's in its ``texts/`` package: the UI labels
(``<context>/texts/ui_*.py``, the shell's in ``edge/ui_text.py``), the error messages
(``<context>/texts/messages_*.py``, the generic ones in ``edge/messages/``) and the notification texts
(``<context>/texts/notice_texts_*.py``).

Every text exists in zh-CN and English, no key is defined in two of the modules merged into one
catalogue, both languages use the same placeholders, every key the templates and scripts ask for
exists, and a page inlines every key its scripts ask for.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType

import jinja2
import pytest
from jinja2 import nodes

import videophone.edge
import videophone.edge.messages
from videophone.edge import catalogues, messages, ui_text
from videophone.edge.messages import CATALOG
from videophone.edge.ui_text import UI
from videophone.notices.services import notifications
from videophone.web import page_texts
from videophone.web.page_texts import STATIC, TEMPLATES, js_strings

LANGUAGES = {"zh-CN", "en"}
SCRIPTS = sorted(p.name for p in STATIC.glob("*.js"))
TEMPLATE_NAMES = sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


def _modules(package: ModuleType, prefix: str) -> list[ModuleType]:
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith(prefix)
    ]


CONTEXTS = ("identity", "calling", "billing", "collections", "enforcement", "notices", "terminals")


def _context_texts(prefix: str) -> list[ModuleType]:
    return [
        m
        for context in CONTEXTS
        if importlib.util.find_spec(f"videophone.{context}.texts") is not None
        for m in _modules(importlib.import_module(f"videophone.{context}.texts"), prefix)
    ]


NOTICE_MODULES = _context_texts("notice_texts_")


# -- both languages ------------------------------------------------------------------------------------
def _missing_language(catalogue: Mapping[str, Mapping[str, object]]) -> list[str]:
    problems = []
    for key, entry in catalogue.items():
        if set(entry) != LANGUAGES:
            problems.append(f"{key}: languages {sorted(entry)}")
            continue
        for language, text in entry.items():
            texts = text if isinstance(text, tuple) else (text,)
            if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
                problems.append(f"{key}: empty in {language}")
    return problems


def test_every_ui_text_is_in_both_languages() -> None:
    assert _missing_language(UI) == []


def test_every_error_message_is_in_both_languages() -> None:
    assert _missing_language(CATALOG) == []


def test_every_notice_text_is_in_both_languages() -> None:
    assert _missing_language(notifications.TEXTS) == []
    assert all(len(text) == 2 for entry in notifications.TEXTS.values() for text in entry.values())


def test_the_checks_see_a_missing_or_empty_language() -> None:
    assert _missing_language(
        {"a": {"zh-CN": "甲"}, "b": {"zh-CN": "乙", "en": " "}, "c": {"zh-CN": ("", "x"), "en": ("s", "b")}}
    ) == [
        "a: languages ['zh-CN']",
        "b: empty in en",
        "c: empty in zh-CN",
    ]


# -- no key twice ----------------------------------------------------------------------------------------
def test_merging_refuses_a_key_defined_twice() -> None:
    with pytest.raises(catalogues.DuplicateTextKey, match=r"'save'.*ui_text_a and ui_text_b"):
        catalogues.merge({"ui_text_a": {"save": {"en": "Save"}}, "ui_text_b": {"save": {"en": "Store"}}})
    assert catalogues.merge({"a": {"x": 1}, "b": {"y": 2}}) == {"x": 1, "y": 2}


def test_every_ui_text_module_is_merged_and_no_key_is_defined_twice() -> None:
    modules = _context_texts("ui_")
    assert len(modules) >= 16
    merged = [id(part) for part in ui_text.PARTS.values()]
    assert [m.__name__ for m in modules if id(m.UI) not in merged] == []
    assert catalogues.merge(ui_text.PARTS) == UI
    assert len(UI) == sum(len(part) for part in ui_text.PARTS.values())


def test_every_message_module_is_merged_and_no_code_is_defined_twice() -> None:
    modules = _modules(videophone.edge.messages, "") + _context_texts("messages_")
    assert len(modules) >= 13
    merged = [id(part) for part in messages.PARTS.values()]
    assert [m.__name__ for m in modules if id(m.MESSAGES) not in merged] == []
    assert len(CATALOG) == sum(len(part) for part in messages.PARTS.values())


def test_every_notice_module_is_merged_and_no_kind_is_defined_twice() -> None:
    # services.notifications merges these with ``**``, where a later module would silently win.
    assert len(NOTICE_MODULES) >= 10
    assert {m.__name__ for m in NOTICE_MODULES} <= {m.__name__ for m in notifications._MODULES}
    texts = catalogues.merge({m.__name__: m.TEXTS for m in NOTICE_MODULES})
    assert texts == notifications.TEXTS
    catalogues.merge({m.__name__: getattr(m, "CATEGORIES", {}) for m in NOTICE_MODULES})


# -- placeholders ----------------------------------------------------------------------------------------
def _fields(text: str) -> set[str]:
    """The ``str.format`` fields of a text; ``x_zh`` and ``x_en`` (a value given in each language, like
    ``method_zh`` or an announcement's ``title``/``title_en``) count as ``x``."""
    found = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            name = re.split(r"[.\[!:]", field)[0]
            found.add(re.sub(r"_(zh|en)$", "", name))
    return found


def _placeholder_mismatches(catalogue: Mapping[str, Mapping[str, object]]) -> list[str]:
    problems = []
    for key, entry in catalogue.items():
        zh, en = entry.get("zh-CN"), entry.get("en")
        pairs = zip(zh, en, strict=True) if isinstance(zh, tuple) and isinstance(en, tuple) else [(zh, en)]
        for a, b in pairs:
            if isinstance(a, str) and isinstance(b, str) and _fields(a) != _fields(b):
                problems.append(f"{key}: {sorted(_fields(a))} != {sorted(_fields(b))}")
    return problems


def test_both_languages_of_a_text_have_the_same_placeholders() -> None:
    assert _placeholder_mismatches(UI) == []
    assert _placeholder_mismatches(CATALOG) == []
    assert _placeholder_mismatches(notifications.TEXTS) == []


def test_the_placeholder_check_sees_a_difference() -> None:
    assert _placeholder_mismatches({"k": {"zh-CN": "{a} {b}", "en": "{a}"}}) == ["k: ['a', 'b'] != ['a']"]
    assert _placeholder_mismatches({"n": {"zh-CN": ("{title}", "{body}"), "en": ("{title_en}", "{body_en}")}}) == []


# -- keys the scripts and templates ask for -----------------------------------------------------------------
@dataclass(frozen=True)
class Lookup:
    where: str
    key: str
    prefix: bool  # a computed key starts with it


_CALL = re.compile(r"(?<![\w$])(t|labelOf|hasKey)\(")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_OPEN, _CLOSE = "([{", ")]}"

# Lookups whose key is in a variable: each is read and its keys are literals of the script (so the
# page's catalogue holds them); a new one must be looked at and added here.
DYNAMIC = {
    ("app.js", "key"),  # t(key, params) itself
    ("audit-console.js", "prefix"),  # firstLabel(["kind_", "pay_kind_", …], code): literals of the script
    ("phone.js", "roleKey"),  # "phone_reason_" + reason + "_" + role
    ("phone.js", "key"),  # "phone_reason_" + …
    ("phone.js", "valueKey"),  # setCheck(…, "phone_check_…")
    ("terminals-console.js", "TITLES[kind]"),  # TITLES = {…: "cterminals_…"}
    ("termination.js", "key"),  # "termination_state_…"
}


def _first_argument(code: str, start: int) -> int:
    depth = 0
    for i in range(start, len(code)):
        char = code[i]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            if depth == 0:
                return i
            depth -= 1
        elif char == "," and depth == 0:
            return i
    raise AssertionError("unbalanced call")


def script_lookups(script: str) -> Iterator[Lookup]:
    """The keys (or key prefixes) a script passes to ``t``, ``labelOf`` and ``hasKey``."""
    source = (STATIC / script).read_text(encoding="utf-8")
    strings = js_strings(source)
    code = list(source)
    for s in strings:  # blank the strings, then the comments: what is left is code
        code[s.start : s.end] = " " * (s.end - s.start)
    blank = _COMMENT.sub(lambda m: " " * len(m.group(0)), "".join(code))
    for call in _CALL.finditer(blank):
        if call.start() > 0 and blank[call.start() - 9 : call.start()].endswith("function "):
            continue
        start, end = call.end(), _first_argument(blank, call.end())
        where = f"{script}:{source.count(chr(10), 0, start) + 1}"
        inside = [s for s in strings if start <= s.start < end]
        if not inside:
            assert (script, blank[start:end].strip()) in DYNAMIC, f"{where}: a key in a variable ({blank[start:end]})"
            continue
        for s in inside:
            if s.computed or call.group(1) == "labelOf":
                yield Lookup(where, s.text, prefix=True)
            elif s.text:
                yield Lookup(where, s.text, prefix=False)


def template_lookups(name: str) -> Iterator[Lookup]:
    """The keys (or key prefixes) a template passes to ``t``, also through a loop over literals."""
    env = jinja2.Environment(autoescape=True)
    tree = env.parse((TEMPLATES / name).read_text(encoding="utf-8"))
    loops: dict[str, list[str]] = {}
    for loop in tree.find_all(nodes.For):
        if isinstance(loop.target, nodes.Tuple) and isinstance(loop.iter, nodes.Tuple):
            for position, target in enumerate(loop.target.items):
                if isinstance(target, nodes.Name):
                    loops[target.name] = [
                        row.items[position].value
                        for row in loop.iter.items
                        if isinstance(row, nodes.Tuple) and isinstance(row.items[position], nodes.Const)
                    ]
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "t" and call.args):
            continue
        arg, where = call.args[0], f"{name}:{call.lineno}"
        if isinstance(arg, nodes.Const):
            yield Lookup(where, arg.value, prefix=False)
        elif isinstance(arg, nodes.Concat) and isinstance(arg.nodes[0], nodes.Const):
            yield Lookup(where, arg.nodes[0].value, prefix=True)
        elif isinstance(arg, nodes.Name) and arg.name in loops:
            yield from (Lookup(where, key, prefix=False) for key in loops[arg.name])
        else:
            raise AssertionError(f"{where}: a key the test cannot follow")


def _unknown(lookups: Iterator[Lookup]) -> list[str]:
    return [
        f"{x.where}: {x.key}{'…' if x.prefix else ''}"
        for x in lookups
        if not (any(k.startswith(x.key) for k in UI) if x.prefix else x.key in UI)
    ]


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_key_a_script_asks_for_exists(script: str) -> None:
    assert _unknown(script_lookups(script)) == []


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_key_a_template_asks_for_exists(template: str) -> None:
    assert _unknown(template_lookups(template)) == []


def test_the_key_checks_find_lookups() -> None:
    found = list(script_lookups("phone.js"))
    assert any(x.key == "phone_state_" and x.prefix for x in found)
    assert any(x.key == "phone_reason_unknown" and not x.prefix for x in found)
    assert any(x.key == "pay_method_" and x.prefix for x in script_lookups("payments.js"))
    staff = {x.key for x in template_lookups("console/staff.html")}
    assert {"field_username", "field_password", "role_", "staff_title"} <= staff
    assert _unknown(iter([Lookup("x", "no_such_key", False), Lookup("x", "no_such_", True)])) == [
        "x: no_such_key",
        "x: no_such_…",
    ]


# -- what a page inlines ----------------------------------------------------------------------------------
@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_a_page_inlines_every_key_its_scripts_ask_for(template: str) -> None:
    if template == "base.html":
        return
    inlined = set(page_texts.page_catalog(template, "en"))
    assert inlined == page_texts.template_keys(template)
    for script in page_texts.template_scripts(template):
        for x in script_lookups(script):
            wanted = {k for k in UI if k.startswith(x.key)} if x.prefix else {x.key}
            assert wanted <= inlined, f"{template} lacks {sorted(wanted - inlined)} ({x.where})"


def test_a_page_inlines_only_the_texts_of_its_scripts() -> None:
    assert page_texts.template_scripts("portal/bills.html") == (
        "app.js",
        "table-scroll.js",
        "badge.js",
        "push.js",
        "bills.js",
    )
    bills = page_texts.page_catalog("portal/bills.html", "zh-CN")
    assert bills["empty_list"] == "暂无记录。"  # app.js
    assert any(k.startswith("bill_line_") for k in bills)  # labelOf("bill_line_", …) in bills.js
    assert "phone_reason_unknown" not in bills
    phone = page_texts.page_catalog("portal/phone.html", "en")
    assert {"phone_reason_busy", "phone_state_calling", "phone_check_granted"} <= set(phone)
    assert len(bills) < len(UI) / 5 and len(phone) < len(UI) / 5
    shell = page_texts.script_keys("app.js") | page_texts.script_keys("table-scroll.js")  # base.html's scripts
    assert page_texts.page_catalog("console/subscribers.html", "en").keys() <= shell


# -- error codes ------------------------------------------------------------------------------------------
_RAISED = (re.compile(r'raise [A-Z]\w*\(\s*"([a-z_]+)"'), re.compile(r'FieldError\(\s*"[^"]*",\s*"([a-z_]+)"'))


def test_every_error_code_the_code_raises_with_a_literal_has_a_message() -> None:
    source = TEMPLATES.parents[1]
    raised: dict[str, str] = {}
    for path in sorted(source.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in _RAISED:
            for match in pattern.finditer(text):
                raised.setdefault(
                    match.group(1), f"{path.relative_to(source)}:{text.count(chr(10), 0, match.start()) + 1}"
                )
    assert len(raised) > 50
    assert {code: where for code, where in raised.items() if code not in CATALOG} == {}


# -- no text nobody shows -------------------------------------------------------------------------------
_SOURCES = [
    p
    for p in (STATIC.parent.parent).rglob("*")
    if p.suffix in {".py", ".html", ".js"} and p.parent.name != "texts" and p.name != "ui_text.py"
]


def _unused(keys: list[str], sources: str) -> list[str]:
    """Keys that no template, script or module names, neither whole nor by a prefix it completes
    (``t("hist_reason_" + r)``, ``t('role_' ~ role)``, ```pay_state_${s}```)."""
    words = set(re.findall(r"[\w+-]+", sources))
    prefixes = set(re.findall(r"""["'`]([\w-]+_)(?:["'`]|\$\{)""", sources))
    unused = []
    for key in keys:
        parts = key.split("_")
        if key in words or any("_".join(parts[:i]) + "_" in prefixes for i in range(1, len(parts))):
            continue
        unused.append(key)
    return unused


def test_every_ui_text_is_shown_somewhere() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in _SOURCES)
    assert _unused(list(UI), sources) == []


def test_the_unused_check_sees_a_dead_key() -> None:
    assert _unused(["a_b", "c_d_e", "f_g", "dead_key"], "t('a_b'); t(\"c_d_\" + x); `f_${y}`") == ["dead_key"]
