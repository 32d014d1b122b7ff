"""CSV import in three steps: upload, column mapping with a preview, then import.

Between steps the file's text travels in a hidden form field (it is small: 2 MB at most), so
nothing half-imported is ever stored. A file with rejected rows imports nothing unless the admin
ticks "import the valid rows only"; the import re-validates against the stock at that moment.
"""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.i18n import gettext as _
from plugins.equipment import csv_import
from plugins.equipment.models import Asset
from plugins.equipment.stock import import_rows
from plugins.equipment.views.common import base_context

PREVIEW_ROWS = 20


def _pack_text(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _unpack_text(blob: str) -> str | None:
    try:
        return base64.b64decode(blob.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None


def import_start(ctx: RequestContext) -> Response:
    """Step 1: choose the file."""
    return ctx.render("equipment/import_upload.html", **base_context(ctx, error=""))


def _upload_error(ctx: RequestContext, message: str) -> Response:
    return ctx.render(
        "equipment/import_upload.html", status=400, **base_context(ctx, error=message)
    )


def _existing(ctx: RequestContext) -> tuple[list[str], list[str]]:
    rows = ctx.db.execute(
        select(Asset.tag, Asset.serial).where(Asset.organisation_id == ctx.org.id)
    ).all()
    return [t for t, _s in rows], [s for _t, s in rows if s]


def _mapping_from_form(ctx: RequestContext, headers: list[str]) -> dict[str, int | None]:
    mapping: dict[str, int | None] = {}
    for name in csv_import.FIELD_NAMES:
        raw = ctx.field(f"map_{name}")
        mapping[name] = int(raw) if raw.isdigit() and int(raw) < len(headers) else None
    return mapping


def import_preview(ctx: RequestContext) -> Response:
    """Step 2: the file was sent (or the mapping changed): show the mapping and the preview."""
    blob = ctx.field("data")
    if blob:
        text = _unpack_text(blob)
        if text is None:
            return _upload_error(
                ctx, _("The file could not be read again: please send it once more.")
            )
        encoding = ctx.field("encoding") or "utf-8"
    else:
        upload = ctx.form.get("file") if ctx.form is not None else None
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _upload_error(ctx, _("Choose the CSV file to import."))
        data = upload.file.read(csv_import.MAX_BYTES + 1)
        try:
            text, encoding = csv_import.decode(data)
        except csv_import.ImportFileError as problem:
            return _upload_error(ctx, problem.message)
    try:
        parsed = csv_import.parse(text, encoding)
    except csv_import.ImportFileError as problem:
        return _upload_error(ctx, problem.message)
    mapping = (
        _mapping_from_form(ctx, parsed.headers)
        if blob
        else csv_import.guess_mapping(parsed.headers)
    )
    return _render_preview(ctx, text, parsed, mapping)


def _render_preview(
    ctx: RequestContext,
    text: str,
    parsed: csv_import.ParsedFile,
    mapping: dict[str, int | None],
    error: str = "",
    status: int = 200,
) -> Response:
    tags, serials = _existing(ctx)
    result = csv_import.validate(parsed, mapping, tags, serials)
    missing = [name for name in csv_import.REQUIRED if mapping.get(name) is None]
    return ctx.render(
        "equipment/import_preview.html",
        status=status,
        **base_context(
            ctx,
            data=_pack_text(text),
            encoding=parsed.encoding,
            delimiter=parsed.delimiter,
            headers=list(enumerate(parsed.headers)),
            fields=[(name, str(label)) for name, label in csv_import.FIELDS],
            mapping=mapping,
            missing=missing,
            preview=result.rows[:PREVIEW_ROWS],
            total=len(result.rows),
            valid=len(result.valid),
            rejected=result.rejected,
            error=error,
        ),
    )


def import_run(ctx: RequestContext) -> Response:
    """Step 3: import. All rows, or with ``valid_only`` the valid rows; otherwise nothing."""
    text = _unpack_text(ctx.field("data"))
    if text is None:
        return _upload_error(ctx, _("The file could not be read again: please send it once more."))
    try:
        parsed = csv_import.parse(text, ctx.field("encoding") or "utf-8")
    except csv_import.ImportFileError as problem:
        return _upload_error(ctx, problem.message)
    mapping = _mapping_from_form(ctx, parsed.headers)
    if mapping.get("tag") is None:
        return _render_preview(
            ctx, text, parsed, mapping, _("Choose the column that holds the asset tag."), 400
        )
    tags, serials = _existing(ctx)
    result = csv_import.validate(parsed, mapping, tags, serials)
    valid_only = ctx.field("valid_only") == "yes"
    if result.rejected and not valid_only:
        return _render_preview(
            ctx,
            text,
            parsed,
            mapping,
            _(
                "Nothing was imported: %(n)s rows have errors. Correct the file, or choose to import the valid rows only.",
                n=len(result.rejected),
            ),
            400,
        )
    if not result.valid:
        return _render_preview(
            ctx, text, parsed, mapping, _("There is no valid row to import."), 400
        )
    assert ctx.user is not None
    try:
        with ctx.db.begin_nested():
            created = import_rows(ctx.db, ctx.org.id, result.valid, ctx.user.id)
    except IntegrityError:
        # Another import added some of these tags or serials a moment ago: check again.
        return _render_preview(
            ctx,
            text,
            parsed,
            mapping,
            _("Some of this equipment was added meanwhile: nothing was imported."),
            409,
        )
    ctx.audit(
        "equipment.import", "csv", {"imported": len(created), "rejected": len(result.rejected)}
    )
    return ctx.render(
        "equipment/import_done.html",
        **base_context(
            ctx,
            imported=len(created),
            rejected=result.rejected,
            new_ids=",".join(str(a.id) for a in created),
        ),
    )


ROUTES = [
    PageRoute("/import", import_start, ("GET",), needs("equipment:manage"), "import"),
    PageRoute(
        "/import/preview", import_preview, ("POST",), needs("equipment:manage"), "import_preview"
    ),
    PageRoute("/import/run", import_run, ("POST",), needs("equipment:manage"), "import_run"),
]
