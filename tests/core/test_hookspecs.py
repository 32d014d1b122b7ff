"""Meta-tests: the hook catalogue, its tests and the plugin author's guide stay in step."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import core
from core import hookspecs

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
TEST_DIRS = [ROOT / "tests", *ROOT.glob("plugins/*/tests"), *ROOT.glob("examples/*/tests")]

HOOKS = sorted(
    name
    for name, function in vars(hookspecs).items()
    if name.startswith("declic_") and inspect.isfunction(function)
)


def test_every_hookspec_is_marked_and_there_are_enough():
    assert len(HOOKS) >= 20
    for name in HOOKS:
        assert hasattr(getattr(hookspecs, name), "declic_spec"), f"{name} lacks @hookspec"


def test_the_markers_are_exported_from_core():
    assert core.hookimpl.project_name == core.PROJECT_NAME == "declic"
    assert core.hookspec.project_name == "declic"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hookspec_says_when_it_is_called_and_what_it_returns(name):
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert len(doc) > 60, f"{name}: docstring too short"
    assert "called" in doc.lower(), f"{name}: say when it is called"
    assert "return" in doc.lower(), f"{name}: say what it returns"


def _test_sources() -> str:
    texts = []
    for folder in TEST_DIRS:
        for path in folder.rglob("test_*.py"):
            if path.name != Path(__file__).name:
                texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hookspec_has_a_test(name):
    assert re.search(rf"\b{name}\b", _test_sources()), f"no test mentions {name}"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hookspec_has_a_section_with_an_example_in_the_guide(name):
    guide = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"^### `{name}`\n(.*?)(?=^#{{2,3}} |\Z)", guide, re.MULTILINE | re.DOTALL)
    assert match, f"docs/plugins.md has no '### `{name}`' section"
    assert "```python" in match.group(1), f"the section on {name} has no example"
    assert f"def {name}(" in match.group(1), f"the example for {name} does not implement it"


def test_the_guide_documents_no_hook_that_does_not_exist():
    guide = GUIDE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(declic_[a-z_]+)`", guide, re.MULTILINE))
    assert documented == set(HOOKS)
