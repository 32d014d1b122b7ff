"""No user-facing text reaches a page without going through gettext.

Templates: every ``.html`` template of core, the themes and each installed plugin is parsed with
Jinja; the literal markup left once ``{{ _() }}`` and ``{% trans %}`` are set aside (the parser's
TemplateData nodes, every expression replaced by a neutral mark) is read as HTML, and any text
with letters, or any user-facing attribute (title, alt, aria-label, placeholder, the value of a
button-like input) with letters, is reported.

Python: every module of each domain is parsed with ``ast``; string literals given to a
user-facing sink (the message of core.errors exceptions, the labels, titles and descriptions of
the contract objects, and words like ``error=`` or ``title=`` handed to ``ctx.render``) must be
wrapped in gettext (``_``, ``gettext``, ``ngettext``, ``_l``, ``lazy_gettext``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from core import errors
from core.templating import THEMES_DIR
from core.testing import make_host

CORE_DIR = Path(__file__).resolve().parents[2] / "core"

# Domains still being written; the lead empties this once their authors are done. Nothing else
# is skipped.
PENDING_DOMAINS: set[str] = set()

LETTERS = re.compile(r"[^\W\d_]")
MARK = "\x00"  # stands for any {{ expression }}: never a letter
ATTRIBUTE = re.compile(r"""([\w:.-]+)=("[^"]*"|'[^']*')""")
USER_FACING_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}
BUTTON_INPUTS = {"submit", "button", "reset"}
# Text there is never read by a person as prose.
SILENT_ELEMENTS = {"script", "style"}
# Literal text a person copies or types exactly as shown (file headers, codes, commands): it
# must stay the same in every language, so it is not translated.
LITERAL_ELEMENTS = {"code", "kbd", "samp"}

# Proven non-user-facing literals, by (file name, text). Each says why.
TEMPLATE_ALLOWED: dict[tuple[str, str], str] = {}

GETTEXT_NAMES = {"_", "gettext", "ngettext", "_l", "lazy_gettext", "N_"}
ERROR_CLASSES = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.HTTPProblem)
}
# Contract objects: the fields a person reads, in declaration order for positional arguments.
CONTRACT_FIELDS: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "MenuItem": (("label", "url"), {"label"}),
    "Widget": (("title", "template"), {"title"}),
    "ActivityType": (("name", "label", "description"), {"label", "description"}),
    "Capability": (("name", "description"), {"description"}),
    "SettingSpec": (("name", "label", "default"), {"label", "help"}),
    "PrivacyField": (("table", "fields", "purpose"), {"purpose"}),
    "PluginInfo": (("name", "version", "description"), {"label", "description"}),
    "PageRoute": ((), {"label"}),
}
# Mappings of form errors: field name -> the message shown next to the field.
ERROR_MAPPINGS = {"errors", "field_errors"}
RENDER_KEYWORDS = {
    "error",
    "errors",
    "title",
    "label",
    "message",
    "notice",
    "heading",
    "hint",
    "help",
    "status",
    "success",
    "warning",
}


# --- where the sources are -----------------------------------------------------------------


def _domains() -> dict[str, tuple[list[Path], list[Path]]]:
    """``domain -> (template folders, python folders)``."""
    host = make_host()
    found: dict[str, tuple[list[Path], list[Path]]] = {
        "core": ([CORE_DIR / "templates", THEMES_DIR], [CORE_DIR]),
    }
    templates = dict(host.call_each("declic_template_dir"))
    for name, locale_dir in host.call_each("declic_locale_dir"):
        if not locale_dir:
            continue
        package = Path(locale_dir).parent
        folder = templates.get(name)
        found[name] = ([Path(folder)] if folder else [], [package])
    return found


DOMAINS = _domains()


def _python_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.py")):
        parts = set(path.relative_to(folder).parts)
        if parts & {"tests", "migrations", "scaffold_template", "__pycache__"}:
            continue
        yield path


# --- templates -----------------------------------------------------------------------------


# Filters that print their argument as it is (so a literal under them is still shown).
PASS_THROUGH_FILTERS = {"e", "escape", "safe", "upper", "lower", "capitalize", "title", "trim"}


def _literal_parts(expr: nodes.Node) -> list[str]:
    """The literal strings an expression may print as they are: ``{{ "Yes" if a else x }}``."""
    if isinstance(expr, nodes.Const) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, nodes.CondExpr):
        return _literal_parts(expr.expr1) + (_literal_parts(expr.expr2) if expr.expr2 else [])
    if isinstance(expr, (nodes.Or, nodes.And)):
        return _literal_parts(expr.left) + _literal_parts(expr.right)
    if isinstance(expr, nodes.Concat):
        return [part for node in expr.nodes for part in _literal_parts(node)]
    if isinstance(expr, nodes.Filter) and expr.name in PASS_THROUGH_FILTERS and expr.node:
        return _literal_parts(expr.node)
    return []


def _markup(node: nodes.Node) -> Iterator[str]:
    """The template's literal markup in source order: expressions that print a literal string
    print it, every other expression is replaced by MARK."""
    if isinstance(node, nodes.Output):
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                yield child.data
            else:
                yield " ".join(_literal_parts(child)) or MARK
        return
    for child in node.iter_child_nodes():
        yield from _markup(child)


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            user_facing = name in USER_FACING_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_INPUTS
            )
            if user_facing and value and LETTERS.search(value.replace(MARK, "")):
                self.found.append(f'<{tag} {name}="{value.replace(MARK, "{{…}}")}">')
        if tag not in {"br", "hr", "img", "input", "meta", "link", "source", "wbr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if set(self.stack) & (SILENT_ELEMENTS | LITERAL_ELEMENTS):
            return
        # A partial included inside a tag holds bare attributes (name="{{ value }}"): they are
        # attributes, not text.
        for match in ATTRIBUTE.finditer(data):
            name, value = match.group(1), match.group(2)[1:-1]
            if name in USER_FACING_ATTRIBUTES and LETTERS.search(value.replace(MARK, "")):
                self.found.append(f'{name}="{value.replace(MARK, "{{…}}")}"')
        text = ATTRIBUTE.sub(" ", data).replace(MARK, " ").strip()
        if LETTERS.search(text):
            self.found.append(" ".join(text.split()))


def template_problems(source: str, name: str = "page.html") -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n"])
    tree = env.parse(source, name=name)
    finder = _TextFinder()
    finder.feed("".join(_markup(tree)))
    finder.close()
    return [
        text for text in finder.found if (name.rsplit("/", 1)[-1], text) not in TEMPLATE_ALLOWED
    ]


def _template_cases() -> Iterator[tuple[str, Path, Path]]:
    for domain, (folders, _python) in DOMAINS.items():
        for folder in folders:
            for path in sorted(folder.rglob("*.html")):
                yield domain, folder, path


@pytest.mark.parametrize(
    ("domain", "folder", "path"),
    list(_template_cases()),
    ids=lambda value: value.name if isinstance(value, Path) else str(value),
)
def test_template_text_goes_through_gettext(domain: str, folder: Path, path: Path) -> None:
    if domain in PENDING_DOMAINS:
        pytest.skip(f"{domain} listed in PENDING_DOMAINS")
    name = path.relative_to(folder).as_posix()
    problems = template_problems(path.read_text(encoding="utf-8"), name)
    assert not problems, f"{path}: text outside gettext:\n" + "\n".join(problems)


# --- python --------------------------------------------------------------------------------


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal_text(node: ast.expr | None) -> str | None:
    """The prose a literal carries, if it is one (a string, an f-string, ``"..." % x``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if LETTERS.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        return text if LETTERS.search(text) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    return None


def _choice_labels(node: ast.expr | None) -> Iterator[ast.expr]:
    """The labels of ``choices=((value, label), ...)``."""
    if isinstance(node, (ast.Tuple, ast.List)):
        for item in node.elts:
            if isinstance(item, (ast.Tuple, ast.List)) and len(item.elts) == 2:
                yield item.elts[1]


def python_problems(source: str, filename: str = "module.py") -> list[str]:
    problems: list[str] = []

    def flag(node: ast.expr | None, what: str) -> None:
        text = _literal_text(node)
        if text is not None and node is not None:
            problems.append(f"{filename}:{node.lineno}: {what}: {text!r}")

    for call in ast.walk(ast.parse(source, filename)):
        # errors["field"] = "..." : the message shown next to a form field.
        if isinstance(call, ast.Assign):
            for target in call.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _called_name(target.value) in ERROR_MAPPINGS
                ):
                    flag(call.value, f"{_called_name(target.value)}[...]")
            continue
        if not isinstance(call, ast.Call):
            continue
        name = _called_name(call.func)
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        if name in ERROR_CLASSES:
            flag(call.args[0] if call.args else keywords.get("message"), f"{name} message")
        elif name in CONTRACT_FIELDS:
            positional, user_facing = CONTRACT_FIELDS[name]
            for field, value in zip(positional, call.args, strict=False):
                if field in user_facing:
                    flag(value, f"{name}.{field}")
            for field in user_facing:
                flag(keywords.get(field), f"{name}.{field}")
            for label in _choice_labels(keywords.get("choices")):
                flag(label, f"{name}.choices")
        elif name == "render" and isinstance(call.func, ast.Attribute):
            for word, value in keywords.items():
                if word in RENDER_KEYWORDS:
                    flag(value, f"render({word}=)")
    # ast.walk goes breadth first: report in line order.
    return sorted(problems, key=lambda line: int(line.split(":")[1]))


def _python_cases() -> Iterator[tuple[str, Path]]:
    for domain, (_templates, folders) in DOMAINS.items():
        for folder in folders:
            for path in _python_files(folder):
                yield domain, path


@pytest.mark.parametrize(
    ("domain", "path"),
    list(_python_cases()),
    ids=lambda value: "/".join(value.parts[-2:]) if isinstance(value, Path) else str(value),
)
def test_python_text_goes_through_gettext(domain: str, path: Path) -> None:
    if domain in PENDING_DOMAINS:
        pytest.skip(f"{domain} listed in PENDING_DOMAINS")
    problems = python_problems(path.read_text(encoding="utf-8"), path.name)
    assert not problems, "text outside gettext:\n" + "\n".join(problems)


# --- the checks themselves -----------------------------------------------------------------


def test_template_check_finds_text_and_attributes_and_spares_gettext():
    source = (
        "{% extends 'base.html' %}{% block content %}"
        "<h1>{{ _('Courses') }}</h1><p>Hello {{ name }}</p>"
        '<img src="x.png" alt="Logo"><input type="submit" value="{{ _(\'Save\') }}">'
        '<button title="Close">×</button><input type="text" value="abc">'
        "{% trans %}Welcome{% endtrans %}<code>login;firstname</code>"
        ' data-id="{{ i }}" aria-label="Bare"'
        "<script>let a = 'b';</script> 12:30 — {{ n }} / {{ m }}"
        '<p dir="{{ "rtl" if r else "ltr" }}">{{ _("To come") if a else "—" }}{{ x or "None" }}</p>'
        "{% endblock %}"
    )
    assert template_problems(source) == [
        "Hello",
        '<img alt="Logo">',
        '<button title="Close">',
        'aria-label="Bare"',
        "—None",  # the dash of the first expression, then the bare "None"
    ]


def test_python_check_finds_bare_strings_in_sinks():
    source = """
from core.errors import NotFound
def view(ctx):
    if ctx:
        raise NotFound("No such page")
    raise NotFound(_("Fine"))
def menu():
    return [MenuItem(_l("Mine"), "/x"), MenuItem(label="Bare", url="/y")]
def spec():
    return SettingSpec("n", _l("Ok"), 1, choices=(("a", _l("A")), ("b", "Bee")), help=f"Help {1}")
def page(ctx, x):
    return ctx.render("t.html", error="Wrong", title=x, items=["kept"])
def check(errors, values):
    errors["name"] = "Too long"
    errors["code"] = _("Fine")
    values["name"] = "kept"
"""
    assert python_problems(source) == [
        "module.py:5: NotFound message: 'No such page'",
        "module.py:8: MenuItem.label: 'Bare'",
        "module.py:10: SettingSpec.help: 'Help '",
        "module.py:10: SettingSpec.choices: 'Bee'",
        "module.py:12: render(error=): 'Wrong'",
        "module.py:14: errors[...]: 'Too long'",
    ]
