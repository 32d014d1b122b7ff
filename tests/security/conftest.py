"""Fixtures of the security tests: the two-organisation world of ``core.security_probe``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.clock import set_offset
from core.security_probe import World, build_world
from core.testing import Kit


@pytest.fixture
def world(declic: Kit) -> Iterator[World]:
    yield build_world(declic)


@pytest.fixture(autouse=True)
def _clock_back() -> Iterator[None]:
    """Tests move the clock; put it back whatever happens."""
    yield
    set_offset(timedelta(0))
