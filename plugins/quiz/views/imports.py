"""Question bank import (GIFT, Moodle XML: preview, then confirmation) and export."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.i18n import gettext as _
from plugins.quiz import import_store
from plugins.quiz.images import is_upload
from plugins.quiz.interop import formats, gift_writer, moodle_xml_writer
from plugins.quiz.interop.limits import MAX_IMPORT_BYTES, ImportTooLargeError, check_import_size
from plugins.quiz.interop_bank import ImportPlan, apply_plan, export_bank, plan_import
from plugins.quiz.models import QuestionCategory
from plugins.quiz.questions import QTYPES

MANAGE = needs("quiz:bank.manage")
FORMAT_CHOICES = ("auto", "gift", "xml")


def _categories(ctx: RequestContext) -> list[QuestionCategory]:
    return list(
        ctx.db.scalars(
            select(QuestionCategory)
            .where(QuestionCategory.organisation_id == ctx.org.id)
            .order_by(QuestionCategory.name)
        )
    )


def _target(ctx: RequestContext) -> QuestionCategory | None:
    raw = ctx.field("category_id")
    return ctx.get(QuestionCategory, raw) if raw else None


def _form(ctx: RequestContext, errors: dict[str, str], status: int = 200) -> Response:
    return ctx.render(
        "quiz/import.html",
        status=status,
        errors=errors,
        categories=_categories(ctx),
        values={"format": ctx.field("format", "auto"), "category_id": ctx.field("category_id")},
        limit_mb=MAX_IMPORT_BYTES // (1024 * 1024),
    )


def import_page(ctx: RequestContext) -> Response:
    """GET: the upload form. POST: keep the file and show what importing it would do."""
    if ctx.request.method == "GET":
        return _form(ctx, {})
    assert ctx.form is not None and ctx.user is not None
    upload = ctx.form.get("file")
    errors: dict[str, str] = {}
    fmt = ctx.field("format", "auto")
    if fmt not in FORMAT_CHOICES:
        errors["format"] = _("Choose GIFT, Moodle XML or “guess from the file”.")
    if not is_upload(upload):
        errors["file"] = _("Choose a .gift, .txt or .xml file.")
    if errors:
        return _form(ctx, errors, 422)
    assert upload is not None and not isinstance(upload, str)
    try:
        # The size is known before the body is read: an oversized file is never parsed.
        if upload.size is not None:
            check_import_size(upload.size)
        data = upload.file.read(MAX_IMPORT_BYTES + 1)
        check_import_size(len(data))
    except ImportTooLargeError as error:
        return _form(ctx, {"file": str(error)}, 422)
    if not data.strip():
        return _form(ctx, {"file": _("The file is empty.")}, 422)
    target = _target(ctx)
    filename = upload.filename or ""
    token = import_store.keep(ctx.app.settings.data_dir, ctx.org.id, ctx.user.id, filename, data)
    chosen = formats.detect_format(data, filename) if fmt == "auto" else fmt
    plan = plan_import(formats.parse(data, chosen), target.name if target else None)  # type: ignore[arg-type]
    return _preview(ctx, plan, token, filename, chosen, target, keep_valid=False, error="")


def _preview(
    ctx: RequestContext,
    plan: ImportPlan,
    token: str,
    filename: str,
    fmt: str,
    target: QuestionCategory | None,
    keep_valid: bool,
    error: str,
) -> Response:
    labels = {name: str(t.label) for name, t in QTYPES.items()}
    return ctx.render(
        "quiz/import_preview.html",
        status=422 if error else 200,
        token=token,
        filename=filename,
        fmt=fmt,
        format_label="GIFT" if fmt == "gift" else "Moodle XML",
        target=target,
        total=len(plan.questions),
        by_type=[(labels.get(t, t), n) for t, n in plan.count_by_type().items()],
        by_category=[
            (name, [(labels.get(t, t), n) for t, n in counts.items()])
            for name, counts in plan.count_by_category().items()
        ],
        rejected=plan.rejected,
        notes=plan.notes,
        keep_valid=keep_valid,
        error=error,
    )


def confirm(ctx: RequestContext) -> Response:
    """Import the previewed file: all of it, or only its valid part when the admin ticked it."""
    assert ctx.user is not None
    settings = ctx.app.settings
    token = ctx.field("token")
    target = _target(ctx)  # before the claim: a wrong category must not leave the file taken
    pending = import_store.claim(settings.data_dir, token, ctx.org.id, ctx.user.id)
    if pending is None:
        return _form(
            ctx, {"file": _("This import has expired or is not yours: upload the file again.")}, 409
        )
    fmt = ctx.field("format")
    chosen: Any = fmt if fmt in ("gift", "xml") else formats.detect_format(pending.data)
    plan = plan_import(formats.parse(pending.data, chosen), target.name if target else None)
    keep_valid = ctx.field("keep_valid") == "1"
    if not plan.questions or (plan.rejected and not keep_valid):
        error = (
            _("Nothing was imported: no question in this file can be imported.")
            if not plan.questions
            else _(
                "Nothing was imported: some questions are rejected. Correct the file, or tick "
                "“import the valid questions only”."
            )
        )
        import_store.release(settings.data_dir, token)
        return _preview(
            ctx, plan, token, pending.filename, chosen, target, keep_valid=keep_valid, error=error
        )
    created = apply_plan(ctx.db, ctx.org.id, ctx.org.slug, plan, ctx.user.id)
    ctx.audit(
        "quiz.bank.import",
        "bank",
        {"file": pending.filename, "created": len(created), "rejected": len(plan.rejected)},
    )
    ctx.db.commit()  # written before the upload is thrown away
    import_store.discard(settings.data_dir, token)
    return ctx.redirect(ctx.url("quiz.bank") + f"?imported={len(created)}")


def export_page(ctx: RequestContext) -> Response:
    return ctx.render("quiz/export.html", categories=_categories(ctx), error="")


def export_download(ctx: RequestContext) -> Response:
    params = ctx.request.query_params
    fmt = params.get("format", "gift")
    raw = params.get("category", "")
    category = ctx.get(QuestionCategory, raw) if raw else None
    result = export_bank(ctx.db, ctx.org.id, category.id if category else None, fmt == "xml")
    try:
        if fmt == "xml":
            body, media, ext = moodle_xml_writer.write(result.bank), "application/xml", "xml"
        else:
            text = gift_writer.write(result.bank)
            body, media, ext = text.encode("utf-8"), "text/plain; charset=utf-8", "gift.txt"
    except (gift_writer.GiftExportError, moodle_xml_writer.MoodleXmlExportError) as error:
        return ctx.render(
            "quiz/export.html", status=422, categories=_categories(ctx), error=str(error)
        )
    base = "questions" if category is None else f"questions-{category.id}"
    headers = {"Content-Disposition": f'attachment; filename="{ctx.org.slug}-{base}.{ext}"'}
    return Response(body, media_type=media, headers=headers)


ROUTES = [
    PageRoute("/bank/import", import_page, ("GET", "POST"), MANAGE, "import"),
    PageRoute("/bank/import/confirm", confirm, ("POST",), MANAGE, "import_confirm"),
    PageRoute("/bank/export", export_page, ("GET",), MANAGE, "export"),
    PageRoute("/bank/export/download", export_download, ("GET",), MANAGE, "export_download"),
]
