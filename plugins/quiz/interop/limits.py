"""Size limit of an imported question file.

10 MB: Moodle's own GIFT and XML exports of a whole course bank with a few dozen images stay well
below it, while a file many times larger is either not a question bank or would take the 2-core
server (shared by every organisation) too long to parse and preview. The upload form should check
the size before reading the body; the parsers check it again, so no caller can forget.
"""

from __future__ import annotations

from core.i18n import gettext as _

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_LABEL = "10 MB"


class ImportTooLargeError(ValueError):
    """Raised before anything of an over-sized file is parsed."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.limit = MAX_IMPORT_BYTES
        super().__init__(
            _(
                "The file is %(size)s MB; the largest file that can be imported is %(limit)s.",
                size=f"{size / (1024 * 1024):.1f}",
                limit=MAX_IMPORT_LABEL,
            )
        )


def check_import_size(size: int) -> None:
    """Raise ImportTooLargeError when ``size`` (in bytes) is over the limit."""
    if size > MAX_IMPORT_BYTES:
        raise ImportTooLargeError(size)
