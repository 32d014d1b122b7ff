"""Jinja2 environments, one per theme: the theme's templates first, then the default theme's,
then core's and each plugin's (namespaced ``core/...``, ``quiz/...``), so a theme overrides any
template by holding the same relative path."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core import i18n

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
CORE_TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_THEME = "default"


def available_themes() -> list[str]:
    return sorted(p.name for p in THEMES_DIR.iterdir() if (p / "templates").is_dir())


class Templates:
    """Renders templates for a theme; environments are built once per theme and kept."""

    def __init__(self, plugin_dirs: list[Path], globals_: dict[str, Any] | None = None) -> None:
        self.plugin_dirs = plugin_dirs
        self.globals = globals_ or {}
        self._envs: dict[str, Environment] = {}
        self._lock = threading.Lock()

    def env(self, theme: str) -> Environment:
        # Looked up by the name asked for before the themes folder is listed: listing it on
        # every page cost about 2 % of a page (profiled); an unknown name maps to the default.
        env = self._envs.get(theme)
        if env is not None:
            return env
        with self._lock:
            actual = theme if theme in available_themes() else DEFAULT_THEME
            env = self._envs.get(actual) or self._build(actual)
            self._envs[actual] = env
            self._envs[theme] = env
        return env

    def _build(self, theme: str) -> Environment:
        search = [THEMES_DIR / theme / "templates"]
        if theme != DEFAULT_THEME:
            search.append(THEMES_DIR / DEFAULT_THEME / "templates")
        search.append(CORE_TEMPLATES)
        search.extend(self.plugin_dirs)
        env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(path)) for path in search]),
            autoescape=select_autoescape(["html", "xml"], default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        env.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.template_gettext, i18n.template_ngettext, newstyle=True
        )
        env.globals.update(self.globals)
        env.globals.update(
            language_names=i18n.LANGUAGE_NAMES,
            current_language=i18n.current_language,
            is_rtl=i18n.is_rtl,
        )
        env.filters.update(
            datetime=i18n.format_datetime,
            date=i18n.format_date,
            time=i18n.format_time,
            number=i18n.format_number,
            percent=i18n.format_percent,
        )
        return env

    def render(self, theme: str, name: str, context: dict[str, Any]) -> str:
        return self.env(theme).get_template(name).render(context)
