"""Asset photos: only real images (decoded by Pillow, not trusted from the file name or the
browser's content type), of bounded size."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from core.i18n import gettext as _
from plugins.equipment.refusals import RefusedError

MAX_PHOTO_BYTES = 3 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def checked_image(data: bytes) -> str:
    """The content type of ``data`` if it is a JPEG, PNG or WebP picture.

    Raises :class:`RefusedError` otherwise.
    """
    if not data:
        raise RefusedError(_("Choose a photo to send."))
    if len(data) > MAX_PHOTO_BYTES:
        raise RefusedError(_("The photo is too large (3 MB at most)."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                if image.width * image.height > MAX_PIXELS:
                    raise RefusedError(_("The photo has too many pixels."))
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        raise RefusedError(_("This file is not a photo (JPEG, PNG or WebP).")) from exc
    if fmt not in FORMATS:
        raise RefusedError(_("This file is not a photo (JPEG, PNG or WebP)."))
    return FORMATS[fmt]
