"""Hook implementations of the attendance plugin (registered through the entry point)."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.contracts import PluginInfo

HERE = Path(__file__).resolve().parent
NAME = "attendance"


@hookimpl
def declic_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version="0.1.0",
        description="Attendance: sessions, roll call, QR check-in, sign-in sheets, absence warnings",
        requires_core=">=0.1",
        depends=(),
    )


@hookimpl
def declic_template_dir() -> Path:
    return HERE / "templates"


@hookimpl
def declic_static_dir() -> Path:
    return HERE / "static"


@hookimpl
def declic_locale_dir() -> Path:
    return HERE / "locale"


@hookimpl
def declic_migrations_dir() -> Path:
    return HERE / "migrations"
