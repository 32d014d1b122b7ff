"""The four folder hooks of a plugin of the standard shape, in one statement.

Why: a plugin of the standard shape (docs/plugins.md, *The files of a plugin*) keeps its
``templates/``, ``static/``, ``locale/`` and ``migrations/`` next to its ``plugin.py``, and every
such plugin used to repeat the same four hook implementations returning ``HERE / "templates"``
and so on. :func:`standard_folders` writes them::

    from core.plugin_folders import standard_folders

    declic_template_dir, declic_static_dir, declic_locale_dir, declic_migrations_dir = standard_folders(
        __file__
    )

(``ruff format`` lays the statement out on three lines.) The four names must be attributes of the
plugin module: pluggy looks for hook implementations among the attributes of the module it
registers (functions marked with ``core.hookimpl``), never inside an object they hold. Each
function also names its hook as pluggy's ``specname``, so an assignment in another order still
answers the right hooks. The hooks stay ordinary hooks of ``core/hookspecs.py``: a plugin with
another layout writes them by hand.

A folder that does not exist is returned all the same, as the hand-written hooks did, and core
treats that path as an empty folder: no static files are served for it (``core/app.py``), Alembic
skips a missing version location, no template or catalogue is found there, and
``declic revision --branch NAME`` creates the migrations folder for the first revision.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from core import hookimpl

FolderHook = Callable[[], Path]


class StandardFolders(NamedTuple):
    """The four hook implementations, in the order they are unpacked."""

    declic_template_dir: FolderHook
    declic_static_dir: FolderHook
    declic_locale_dir: FolderHook
    declic_migrations_dir: FolderHook


# hook name -> folder next to the plugin module
FOLDERS: dict[str, str] = {
    "declic_template_dir": "templates",
    "declic_static_dir": "static",
    "declic_locale_dir": "locale",
    "declic_migrations_dir": "migrations",
}


def _folder_hook(hook: str, folder: Path) -> FolderHook:
    def implementation() -> Path:
        return folder

    implementation.__name__ = implementation.__qualname__ = hook
    implementation.__doc__ = f"{folder} (core.plugin_folders.standard_folders)"
    return hookimpl(specname=hook)(implementation)


def standard_folders(plugin_file: str | os.PathLike[str]) -> StandardFolders:
    """The folder hooks of the plugin whose module is ``plugin_file`` (pass ``__file__``).

    Each returns ``<folder of plugin_file>/templates`` (``static``, ``locale``,
    ``migrations``), resolved as the hand-written ``Path(__file__).resolve().parent / ...``
    was, whether the folder exists or not.
    """
    here = Path(plugin_file).resolve().parent
    return StandardFolders(*(_folder_hook(hook, here / name) for hook, name in FOLDERS.items()))
