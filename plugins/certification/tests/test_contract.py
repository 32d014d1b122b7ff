"""The platform's contract check (metadata, hooks, files, switching, isolation, privacy)."""

from __future__ import annotations

from core.testing import assert_plugin_contract


def test_certification_passes_the_plugin_contract(declic) -> None:
    assert_plugin_contract(declic, "certification")
