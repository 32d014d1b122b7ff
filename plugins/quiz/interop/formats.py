"""Pick the reader for an uploaded file when the user did not say which format it is."""

from __future__ import annotations

from typing import Literal

from . import gift, moodle_xml
from .model import ParseResult

Format = Literal["gift", "xml"]


def detect_format(data: bytes, filename: str | None = None) -> Format:
    """``.xml`` is Moodle XML, ``.gift`` / ``.txt`` GIFT; otherwise XML starts with "<"."""
    name = (filename or "").lower()
    if name.endswith(".xml"):
        return "xml"
    if name.endswith((".gift", ".txt")):
        return "gift"
    start = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip()
    return "xml" if start.startswith(b"<") else "gift"


def parse(data: bytes, fmt: Format) -> ParseResult:
    return moodle_xml.parse(data) if fmt == "xml" else gift.parse(data)
