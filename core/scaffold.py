"""``declic plugins new NAME``: a new plugin as its own installable package.

The files come from ``core/scaffold_template/`` (each ends in ``.tmpl`` so linters and test
runners leave the template alone); ``__NAME__``, ``__LABEL__``, ``__CORE_VERSION__`` and
``__DATE__`` are replaced in paths and contents. The result installs with ``pip install -e``,
creates its table through its own Alembic branch, and passes its own tests and the contract check.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import core
from core.clock import now

TEMPLATE_DIR = Path(__file__).resolve().parent / "scaffold_template"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(ValueError):
    """The name is not usable, or the target folder already exists."""


def check_name(name: str) -> None:
    if not NAME_PATTERN.match(name) or name.endswith("_") or "__" in name:
        raise ScaffoldError(
            f"bad plugin name {name!r}: use 2 to 31 lower-case letters, digits and single _, "
            "starting with a letter (it is a URL part, a table prefix and a Python name)"
        )
    if keyword.iskeyword(name) or name in {"core", "static", "admin", "plugins"}:
        raise ScaffoldError(f"{name!r} is reserved; choose another name")


def scaffold(name: str, parent: Path, label: str | None = None) -> Path:
    """Write ``parent/declic-NAME/`` and return its path."""
    check_name(name)
    target = parent.resolve() / f"declic-{name.replace('_', '-')}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; nothing written")
    major, minor = core.__version__.split(".")[:2]
    values = {
        "__NAME__": name,
        "__LABEL__": label or name.replace("_", " ").capitalize(),
        "__CORE_VERSION__": f"{major}.{minor}",
        "__DATE__": now().date().isoformat(),
    }

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    for source in sorted(TEMPLATE_DIR.rglob("*.tmpl")):
        relative = source.relative_to(TEMPLATE_DIR).as_posix().removesuffix(".tmpl")
        destination = target / fill(relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(fill(source.read_text(encoding="utf-8")), encoding="utf-8")
    return target
