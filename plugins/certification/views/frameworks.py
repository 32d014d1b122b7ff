"""The organisation's own framework files (upload, validated with line and reason) and the
mapping of a course's workshops to competences (for attendance evidence)."""

from __future__ import annotations

from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.responses import Response

from core.context import RequestContext
from core.i18n import gettext as _
from core.models import Section
from plugins.certification.catalogue import FrameworkError
from plugins.certification.evidence import org_catalogue, org_framework_files, section_codes
from plugins.certification.framework_files import check_framework_file
from plugins.certification.models import FrameworkFile, WorkshopMap
from plugins.certification.views.common import load_course

MAX_FILE_BYTES = 256 * 1024


def _files(ctx: RequestContext) -> list[FrameworkFile]:
    return list(
        ctx.db.scalars(
            select(FrameworkFile)
            .where(FrameworkFile.organisation_id == ctx.org.id)
            .order_by(FrameworkFile.uploaded_at)
        )
    )


def frameworks_page(ctx: RequestContext) -> Response:
    error = ""
    status = 200
    if ctx.request.method == "POST":
        error = _upload(ctx)
        if not error:
            return ctx.redirect(ctx.url("certification.frameworks"))
        status = 400
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    return ctx.render(
        "certification/frameworks.html",
        status=status,
        frameworks=list(catalogue.frameworks.values()),
        files=_files(ctx),
        error=error,
    )


def _upload(ctx: RequestContext) -> str:
    """Store the uploaded file if it validates; else the error, with line and reason."""
    assert ctx.user is not None and ctx.form is not None
    upload = ctx.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _("Choose a YAML file to upload.")
    raw = upload.file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        return _("The file is too large (256 KB at most).")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _("The file must be text in UTF-8.")
    name = upload.filename.rsplit("/", 1)[-1][:120]
    others = tuple((n, c) for n, c in org_framework_files(ctx.db, ctx.org.id) if n != name)
    try:
        check_framework_file(text, name, others)
    except FrameworkError as exc:
        where = _("line %(line)s", line=exc.line) if exc.line else _("the file")
        return _(
            "%(file)s was not added: %(where)s: %(reason)s",
            file=name,
            where=where,
            reason=exc.reason,
        )
    row = ctx.db.scalar(
        select(FrameworkFile).where(
            FrameworkFile.organisation_id == ctx.org.id, FrameworkFile.name == name
        )
    )
    if row is None:
        row = FrameworkFile(organisation_id=ctx.org.id, name=name, content=text)
        ctx.db.add(row)
    row.content = text
    row.uploaded_by_id = ctx.user.id
    ctx.audit("certification.framework_upload", name)
    return ""


def workshops_page(ctx: RequestContext, course_id: str) -> Response:
    """Which competences each workshop (course section) covers."""
    course = load_course(ctx, course_id)
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    sections = list(
        ctx.db.scalars(
            select(Section)
            .where(Section.course_id == course.id, Section.organisation_id == ctx.org.id)
            .order_by(Section.position, Section.id)
        )
    )
    errors: dict[int, str] = {}
    values: dict[int, str] = {}
    if ctx.request.method == "POST":
        for section in sections:
            text = ctx.field(f"codes-{section.id}")
            codes = text.replace(",", " ").split()
            unknown = [c for c in codes if not catalogue.knows(c)]
            values[section.id] = text
            if unknown:
                errors[section.id] = _("Unknown codes: %(codes)s", codes=", ".join(unknown))
        if not errors:
            for section in sections:
                row = ctx.db.scalar(select(WorkshopMap).where(WorkshopMap.section_id == section.id))
                if row is None:
                    row = WorkshopMap(organisation_id=ctx.org.id, section_id=section.id)
                    ctx.db.add(row)
                row.codes = " ".join(values[section.id].replace(",", " ").split())
            ctx.audit("certification.workshops", f"course:{course.id}")
            return ctx.redirect(ctx.url("certification.workshops", course_id=course.id))
    rows = [
        {
            "section": s,
            "codes": values.get(s.id, " ".join(section_codes(ctx.db, catalogue, s))),
            "error": errors.get(s.id, ""),
        }
        for s in sections
    ]
    return ctx.render(
        "certification/workshops.html", status=400 if errors else 200, course=course, rows=rows
    )
