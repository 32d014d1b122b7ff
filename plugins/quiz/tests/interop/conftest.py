"""The format layer's messages are checked in English: pin the language for each test, since an
application built by an earlier test in the same process leaves its catalogues loaded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core import i18n


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
