"""Pictures for questions and choices: size-limited, checked by their first bytes, kept in the
database (so a backup of the database is a backup of the bank)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from core.i18n import gettext as _
from plugins.quiz.models import QuizImage

MAX_IMAGE_BYTES = 1024 * 1024  # 1 MiB: plenty for a picture on a learner's old laptop

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes) -> str | None:
    """The picture type from its first bytes (never from the name or the browser's word)."""
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_upload(value: Any) -> bool:
    return (
        hasattr(value, "file")
        and hasattr(value, "filename")
        and bool(getattr(value, "filename", ""))
    )


def store_image(
    db: Session, organisation_id: int, upload: Any, user_id: int | None
) -> tuple[QuizImage | None, str]:
    """Keep an uploaded picture: ``(image, "")`` or ``(None, error message for the field)``."""
    data = upload.file.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        return None, _("This picture is too large: 1 MB at most.")
    content_type = sniff(data)
    if content_type is None:
        return None, _("This file is not a picture: use a PNG, JPEG, WebP or GIF image.")
    image = QuizImage(
        organisation_id=organisation_id,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=user_id,
    )
    db.add(image)
    db.flush()
    return image, ""
