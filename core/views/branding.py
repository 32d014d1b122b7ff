"""Organisation admin: name, colour, logo, theme and default language; the public logo route."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response

from core import i18n
from core.context import RequestContext
from core.contracts import PUBLIC, needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.routing import RouteDef
from core.templating import available_themes
from core.views.forms import COLOUR_RE, contrast_with_white, require_text, values_of

MAX_LOGO_BYTES = 512 * 1024
# Checked on the file's first bytes, never on its name or the browser's word.
LOGO_KINDS = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
MIN_CONTRAST = 4.5  # white text on the colour must stay readable (WCAG AA)


def sniff_image(head: bytes) -> str | None:
    """``png``, ``jpg`` or ``webp`` from the magic bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def theme_options() -> list[tuple[str, str]]:
    labels = {"default": _("Standard"), "contrast": _("High contrast, large text")}
    return [(t, labels.get(t, t)) for t in available_themes()]


def logo_dir(ctx: RequestContext) -> Path:
    return Path(ctx.app.settings.data_dir) / "logos"


def _read_logo(ctx: RequestContext, errors: dict[str, str]) -> tuple[bytes, str] | None:
    upload = ctx.form.get("logo") if ctx.form is not None else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = upload.file.read(MAX_LOGO_BYTES + 1)
    if not data:
        return None
    if len(data) > MAX_LOGO_BYTES:
        errors["logo"] = _("The logo is too big: 512 KB at most.")
        return None
    kind = sniff_image(data[:16])
    if kind is None:
        errors["logo"] = _("The logo must be a PNG, JPEG or WebP image.")
        return None
    return data, kind


def branding_page(ctx: RequestContext) -> Response:
    org = ctx.org
    if ctx.request.method == "GET":
        values = {
            "name": org.name,
            "colour": org.colour,
            "theme": org.theme,
            "default_language": org.default_language,
        }
        return _render(ctx, values, {})
    values = values_of(ctx, "name", "colour", "theme", "default_language")
    errors: dict[str, str] = {}
    require_text(values, errors, "name", 200)
    if not COLOUR_RE.match(values["colour"]):
        errors["colour"] = _("Give the colour as # followed by 6 hexadecimal digits, like #1f5fa8.")
    elif contrast_with_white(values["colour"]) < MIN_CONTRAST:
        errors["colour"] = _(
            "This colour is too light: white text on it would be hard to read. Choose a darker one."
        )
    if values["theme"] not in available_themes():
        errors["theme"] = _("Choose a theme from the list.")
    if values["default_language"] not in i18n.LANGUAGE_NAMES:
        errors["default_language"] = _("Choose a language from the list.")
    logo = _read_logo(ctx, errors)
    if errors:
        return _render(ctx, values, errors)
    changes: dict[str, list[str | None]] = {}
    for key in ("name", "colour", "theme", "default_language"):
        new = values[key].lower() if key == "colour" else values[key]
        if getattr(org, key) != new:
            changes[key] = [getattr(org, key), new]
            setattr(org, key, new)
    if logo is not None:
        data, kind = logo
        folder = logo_dir(ctx)
        folder.mkdir(parents=True, exist_ok=True)
        # A new name at every upload, so caches never show the old logo.
        name = f"{org.id}-{secrets.token_hex(6)}.{kind}"
        (folder / name).write_bytes(data)
        changes["logo"] = [org.logo, name]
        _remove_logo_file(ctx, org.logo)
        org.logo = name
    elif ctx.field("remove_logo") == "1" and org.logo:
        changes["logo"] = [org.logo, None]
        _remove_logo_file(ctx, org.logo)
        org.logo = None
    if changes:
        ctx.audit("organisation.branding", target=f"organisation:{org.slug}", detail=changes)
    return ctx.redirect(ctx.url("core.branding") + "?saved=1")


def _remove_logo_file(ctx: RequestContext, name: str | None) -> None:
    if name:
        (logo_dir(ctx) / Path(name).name).unlink(missing_ok=True)


def _render(ctx: RequestContext, values: dict[str, str], errors: dict[str, str]) -> Response:
    return ctx.render(
        "core/branding.html",
        values=values,
        errors=errors,
        theme_options=theme_options(),
        language_options=list(i18n.LANGUAGE_NAMES.items()),
        saved=ctx.request.query_params.get("saved") == "1" and not errors,
    )


def logo(ctx: RequestContext) -> Response:
    """The organisation's logo: public (it shows on the sign-in page and is not secret)."""
    name = ctx.org.logo
    if not name:
        raise NotFound(_("This organisation has no logo."))
    path = logo_dir(ctx) / Path(name).name
    kind = path.suffix.lstrip(".")
    if kind not in LOGO_KINDS or not path.is_file():
        raise NotFound(_("This organisation has no logo."))
    return FileResponse(
        path,
        media_type=LOGO_KINDS[kind],
        headers={"Cache-Control": "public, max-age=86400"},
    )


ROUTES = [
    RouteDef(
        "/o/{org}/admin/branding",
        branding_page,
        ("GET", "POST"),
        needs("core:organisation.manage"),
        "core.branding",
    ),
    RouteDef("/o/{org}/logo", logo, ("GET",), PUBLIC, "core.logo"),
]
