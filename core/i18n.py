"""Languages: catalogue loading, per-request locale, gettext callables, locale formatting.

Each domain (``core`` and one per plugin) keeps its catalogues as ``.po`` files under
``LOCALE_DIR/LANG/LC_MESSAGES/DOMAIN.po``. They are compiled in memory at start-up (no build step
on a fresh clone). Lookups are domain-aware: a string asked for by a plugin (its views, its
hooks, its templates ``NAME/...``) is looked up in that plugin's catalogue first, then in core's,
then in the others merged; so two plugins may translate the same English text differently. The
active language and domain live in context variables set once per request (and per hook call).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations
from jinja2 import pass_context
from jinja2.runtime import Context

CORE_LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "fr"
# Names written in their own script: the language picker never uses flags.
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})

_catalogues: dict[str, NullTranslations] = {}
_by_domain: dict[str, dict[str, Translations]] = {}
_current_language: ContextVar[str] = ContextVar("declic_language", default=DEFAULT_LANGUAGE)
_current_domain: ContextVar[str | None] = ContextVar("declic_domain", default=None)


def compile_po(path: Path) -> Translations:
    """Read a ``.po`` file and return it as gettext translations, compiled in memory."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def catalogue_languages(locale_dir: Path = CORE_LOCALE_DIR, domain: str = "core") -> list[str]:
    """The languages ``domain`` has a catalogue for, named in LANGUAGE_NAMES (in its order)."""
    return [
        language
        for language in LANGUAGE_NAMES
        if (locale_dir / language / "LC_MESSAGES" / f"{domain}.po").exists()
    ]


def load_catalogues(
    domains: Iterable[tuple[str, Path]], languages: Iterable[str] | None = None
) -> None:
    """(Re)build the merged catalogue of each language from ``(domain, locale_dir)`` pairs.

    Domains listed first win over later ones for the same message id. ``languages`` limits the
    languages loaded (a deployment's setting); without it, every language core has a catalogue
    for and LANGUAGE_NAMES names. A language is offered only when core's catalogue exists.
    """
    _catalogues.clear()
    _by_domain.clear()
    domain_list = list(domains)
    core_dir = dict(domain_list).get("core", CORE_LOCALE_DIR)
    present = catalogue_languages(core_dir)
    wanted = present if languages is None else [lang for lang in languages if lang in present]
    for language in wanted:
        merged: NullTranslations | None = None
        _by_domain[language] = {}
        for domain, locale_dir in reversed(domain_list):
            po = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
            if not po.exists():
                continue
            _by_domain[language][domain] = compile_po(po)
            translations = compile_po(po)
            if merged is None:
                merged = translations
            elif isinstance(merged, Translations):
                merged.merge(translations)
        _catalogues[language] = merged or NullTranslations()


def available_languages() -> list[str]:
    """Languages users may pick: a core catalogue is loaded for them and they have a name."""
    return [lang for lang in LANGUAGE_NAMES if lang in _catalogues] or [DEFAULT_LANGUAGE]


def supported_languages() -> dict[str, str]:
    """``code -> name written in its own script`` of :func:`available_languages` (the picker)."""
    return {lang: LANGUAGE_NAMES.get(lang, lang) for lang in available_languages()}


def set_language(language: str) -> None:
    _current_language.set(language if language in LANGUAGE_NAMES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current_language.get()


def is_rtl(language: str | None = None) -> bool:
    return (language or current_language()) in RTL_LANGUAGES


def set_domain(domain: str | None) -> Any:
    """Make ``domain`` (a plugin name, or None for core) the first catalogue looked up.

    Returns a token for :func:`reset_domain`."""
    return _current_domain.set(domain)


def reset_domain(token: Any) -> None:
    _current_domain.reset(token)


def _translations(key: Any, domain: str | None = None) -> NullTranslations:
    """The catalogue to answer ``key`` from: the domain's own when it has it, else core's, else
    the merged one."""
    language = current_language()
    per_domain = _by_domain.get(language, {})
    for name in (domain or _current_domain.get(), "core"):
        if name and name in per_domain and key in per_domain[name]._catalog:
            return per_domain[name]
    return _catalogues.get(language) or NullTranslations()


def gettext(message: str, **variables: Any) -> str:
    """Translate ``message`` into the request's language; ``%(name)s`` takes ``variables``."""
    text = _translations(message).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """Plural-aware translation; ``%(num)s`` is ``n``. Arabic has six plural forms."""
    variables.setdefault("num", n)
    return _translations((singular, 0)).ngettext(singular, plural, n) % variables


def _template_domain(context: Context) -> str | None:
    """``quiz/attempt.html`` belongs to the ``quiz`` domain; layout and core templates to none."""
    name = context.name or ""
    first = name.split("/", 1)[0] if "/" in name else ""
    if first and first != "core" and first in _by_domain.get(current_language(), {}):
        return first
    return None


@pass_context
def template_gettext(context: Context, message: str) -> str:
    """gettext for templates: the template's own plugin domain first."""
    return _translations(message, _template_domain(context)).gettext(message)


@pass_context
def template_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _translations((singular, 0), _template_domain(context)).ngettext(singular, plural, n)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction only; it is translated where it is shown (for instance a
    PluginInfo label, passed through ``_()`` by the page that lists plugins)."""
    return message


N_ = gettext_noop


def lazy_gettext(message: str, **variables: Any) -> str:
    """A string translated when it is displayed (for module-level constants).

    Typed as ``str``: the proxy behaves as one wherever text is expected (formatting, joining,
    templates), so the value types in ``core.contracts`` stay plain ``str`` for plugin authors.
    """
    return cast(str, LazyProxy(gettext, message, enable_cache=False, **variables))


_ = gettext


def negotiate(
    user_language: str | None,
    organisation_language: str | None,
    accept_language: str | None,
    cookie_language: str | None = None,
) -> str:
    """The user's choice, then the cookie's, then the organisation's, then the browser's."""
    for choice in (user_language, cookie_language, organisation_language):
        if choice in LANGUAGE_NAMES:
            return choice
    if accept_language:
        wanted = [
            part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")
        ]
        for tag in wanted:
            base = tag.split("_")[0].lower()
            if base in LANGUAGE_NAMES:
                return base
    return DEFAULT_LANGUAGE


def _locale() -> Locale:
    return Locale.parse(current_language())


def format_datetime(value: datetime | None, fmt: str = "medium", tz: str = "Europe/Paris") -> str:
    if value is None:
        return ""
    return dates.format_datetime(value, fmt, tzinfo=dates.get_timezone(tz), locale=_locale())


def format_date(value: datetime | None, fmt: str = "medium", tz: str = "Europe/Paris") -> str:
    if value is None:
        return ""
    local = value.astimezone(dates.get_timezone(tz)) if isinstance(value, datetime) else value
    return dates.format_date(local, fmt, locale=_locale())


def format_time(value: datetime | None, fmt: str = "short", tz: str = "Europe/Paris") -> str:
    if value is None:
        return ""
    return dates.format_time(value, fmt, tzinfo=dates.get_timezone(tz), locale=_locale())


def format_number(value: float | int) -> str:
    return numbers.format_decimal(value, locale=_locale())


def format_percent(value: float) -> str:
    return numbers.format_percent(value, locale=_locale())
