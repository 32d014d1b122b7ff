"""Learners from a CSV file into a course: upload, preview, confirm, then the login codes.

1. The admin uploads the file; it is checked as a whole (size, encoding, columns) and kept under
   ``DATA_DIR/imports/`` with a random token, so the preview and the confirmation read exactly
   the same bytes (a browser cannot re-send a file without the admin picking it again).
2. The preview lists, line by line, what will be created and what is rejected and why.
3. The confirmation reads the stored file again and checks it again against the database as it
   is now, then writes everything in one transaction, or nothing: the valid lines alone only
   when the admin ticks "import the valid lines only".
4. The result lists the new learners with their login codes, shown only then (codes are stored
   hashed). Its buttons post the codes back to get the printable sheet or its PDF; each code is
   checked to still sign in as that learner before it is printed.

The rules of what a line does are in :mod:`core.user_import`.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile
from starlette.responses import Response

from core import user_import
from core.account_rules import COURSE_ROLE_LABELS
from core.auth import format_code, normalise_code, user_for_code
from core.clock import now
from core.context import RequestContext
from core.contracts import needs
from core.errors import Conflict, NotFound
from core.i18n import gettext as _
from core.login_codes_pdf import CodeCard, render
from core.models import Course
from core.routing import RouteDef
from core.views.login_codes import SheetEntry, qr_svg

MANAGE = needs("core:user.manage")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# A stored upload not confirmed within a day is forgotten.
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Stored:
    token: str
    data: bytes
    filename: str


def _course(ctx: RequestContext, course_id: str) -> Course:
    return ctx.course(course_id, "core:user.manage")


def _folder(ctx: RequestContext) -> Path:
    """``DATA_DIR/imports``, where uploads older than a day are removed (they hold personal
    data: an import left unconfirmed must not keep it)."""
    folder = Path(ctx.app.settings.data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = now().timestamp() - KEEP_SECONDS
    for old in folder.glob("users-*"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # removed by another worker meanwhile
    return folder


def _store(ctx: RequestContext, course: Course, data: bytes, filename: str) -> str:
    folder = _folder(ctx)
    token = secrets.token_urlsafe(18)
    meta = {
        "organisation_id": ctx.org.id,
        "course_id": course.id,
        "user_id": ctx.user.id if ctx.user else None,
        "filename": filename,
    }
    (folder / f"users-{token}.csv").write_bytes(data)
    (folder / f"users-{token}.json").write_text(json.dumps(meta))
    return token


def _stored(ctx: RequestContext, course: Course, token: str) -> Stored:
    """The upload of this organisation, course and admin, or 404 (unknown, done, forgotten)."""
    if not TOKEN_RE.match(token):
        raise NotFound(_("This import does not exist."))
    folder = _folder(ctx)
    try:
        meta = json.loads((folder / f"users-{token}.json").read_text())
        data = (folder / f"users-{token}.csv").read_bytes()
    except (OSError, ValueError):
        raise NotFound(
            _("This import is finished or too old. Upload the file again to see where it stands.")
        ) from None
    owner = ctx.user.id if ctx.user else None
    if (meta.get("organisation_id"), meta.get("course_id"), meta.get("user_id")) != (
        ctx.org.id,
        course.id,
        owner,
    ):
        raise NotFound(_("This import does not exist."))
    return Stored(token, data, str(meta.get("filename", "")))


def _forget(ctx: RequestContext, token: str) -> None:
    folder = _folder(ctx)
    for suffix in (".csv", ".json"):
        (folder / f"users-{token}{suffix}").unlink(missing_ok=True)


def upload_page(ctx: RequestContext, course_id: str) -> Response:
    course = _course(ctx, course_id)
    if ctx.request.method == "GET":
        return _upload_form(ctx, course)
    upload = ctx.form.get("file") if ctx.form is not None else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_form(ctx, course, _("Choose the CSV file to import."), status=400)
    data = upload.file.read(user_import.MAX_BYTES + 1)
    try:
        if len(data) > user_import.MAX_BYTES:
            user_import.check_size(upload.size if upload.size is not None else len(data))
        user_import.read_table(data)
    except user_import.ImportFileError as problem:
        return _upload_form(ctx, course, problem.message, status=400)
    token = _store(ctx, course, data, upload.filename[:200])
    return ctx.redirect(ctx.url("core.user_import_preview", course_id=course.id, token=token))


def _upload_form(
    ctx: RequestContext, course: Course, error: str = "", status: int = 200
) -> Response:
    return ctx.render(
        "core/user_import.html",
        status=status,
        course=course,
        error=error,
        limit=user_import.max_size_label(),
        max_lines=user_import.MAX_LINES,
    )


@dataclass(frozen=True)
class PreviewLine:
    number: int
    login: str
    name: str
    status: str
    what: str


def _describe(line: user_import.LinePlan) -> str:
    """What a line will do, in a sentence (or why it is rejected)."""
    if line.reasons:
        return " ".join(line.reasons)
    # Inside a sentence ("enrolled as learner"); the labels are capitalised for lists.
    role = str(COURSE_ROLE_LABELS[line.role]).lower()
    parts: list[str] = []
    if line.user_id is None:
        parts.append(_("New account, enrolled as %(role)s.", role=role))
    elif line.enrol:
        parts.append(_("Already a member: enrolled as %(role)s.", role=role))
    else:
        parts.append(line.note)
    if line.join:
        parts.append(_("Joins: %(groups)s.", groups=", ".join(line.join)))
    if line.user_id is None and line.role == "learner":
        parts.append(_("Gets a login code."))
    elif line.user_id is None:
        parts.append(_("No login code for a trainer: set a password on the members page."))
    return " ".join(parts)


def _preview(
    ctx: RequestContext,
    course: Course,
    stored: Stored,
    plan: user_import.ImportPlan,
    error: str = "",
    status: int = 200,
) -> Response:
    counts = user_import.summary_counts(plan)
    lines = [
        PreviewLine(line.number, line.login, line.display_name, line.status, _describe(line))
        for line in plan.lines
    ]
    return ctx.render(
        "core/user_import_preview.html",
        status=status,
        course=course,
        token=stored.token,
        filename=stored.filename,
        table=plan.table,
        lines=lines,
        counts=counts,
        new_groups=plan.new_groups,
        enrolments=plan.enrolments,
        error=error,
        valid_only=ctx.field("valid_only") == "1",
    )


def preview_page(ctx: RequestContext, course_id: str, token: str) -> Response:
    course = _course(ctx, course_id)
    stored = _stored(ctx, course, token)
    try:
        table = user_import.read_table(stored.data)
    except user_import.ImportFileError as problem:
        return _upload_form(ctx, course, problem.message, status=400)
    plan = user_import.plan_import(ctx.db, ctx.org.id, course.id, table)
    if ctx.request.method == "GET":
        return _preview(ctx, course, stored, plan)
    valid_only = ctx.field("valid_only") == "1"
    try:
        outcome = user_import.apply_plan(
            ctx.db,
            plan,
            actor=ctx.user,
            secret_key=ctx.app.settings.secret_key,
            valid_only=valid_only,
        )
    except user_import.LinesRejectedError:
        error = _(
            "Nothing was imported: some lines are rejected. Correct the file and upload it "
            "again, or tick “Import the valid lines only”."
        )
        return _preview(ctx, course, stored, plan, error=error, status=400)
    except IntegrityError:
        # Another import of the same people was confirmed at the same moment.
        raise Conflict(
            _("Someone imported some of these people at the same moment. Nothing was imported.")
        ) from None
    ctx.audit(
        "users.imported",
        target=f"course:{course.id}",
        detail={
            "file": stored.filename,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "rejected": outcome.rejected,
            "groups_created": outcome.groups_created,
            "logins": [line.login for line in plan.valid if line.status != "unchanged"],
        },
    )
    if outcome.learners:
        ctx.audit(
            "logincode.issued",
            target=f"course:{course.id}",
            detail={"users": [learner.login for learner in outcome.learners]},
        )
    _forget(ctx, stored.token)
    return ctx.render(
        "core/user_import_done.html",
        course=course,
        outcome=outcome,
        learners=outcome.learners,
    )


def _cards(ctx: RequestContext) -> list[CodeCard]:
    """The (learner, code) pairs posted back, each checked to still sign in as that learner of
    this organisation; names and logins come from the database, never from the form."""
    assert ctx.form is not None
    ids = ctx.form.getlist("user_id")
    codes = ctx.form.getlist("code")
    base = str(ctx.request.base_url).rstrip("/")
    cards: list[CodeCard] = []
    for raw_id, raw_code in zip(ids, codes, strict=False):
        if not isinstance(raw_id, str) or not isinstance(raw_code, str) or not raw_id.isdigit():
            continue
        found = user_for_code(ctx.db, raw_code, ctx.app.settings.secret_key)
        if found is None:
            continue
        login_code, user = found
        if user.id != int(raw_id) or login_code.organisation_id != ctx.org.id:
            continue
        code = normalise_code(raw_code)
        cards.append(
            CodeCard(
                user.display_name, user.login, format_code(code), f"{base}/login/code?c={code}"
            )
        )
    return cards


def codes_sheet(ctx: RequestContext, course_id: str) -> Response:
    """The printable sheet (HTML) or its PDF, for the codes the result page posts back."""
    course = _course(ctx, course_id)
    cards = _cards(ctx)
    if not cards:
        raise NotFound(_("These codes no longer work: make new ones on the login codes page."))
    if ctx.field("format") == "pdf":
        pdf = render(cards, ctx.org.name, _("Login codes: %(course)s", course=course.title))
        filename = f"login-codes-course-{course.id}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    entries = [
        SheetEntry(card.name, card.login, card.code, card.url, qr_svg(card.url, card.name))
        for card in cards
    ]
    return ctx.render(
        "core/login_code_sheet.html",
        course=course,
        entries=entries,
        page=ctx.url("core.login_codes", course_id=course.id),
    )


BASE = "/o/{org}/admin/courses/{course_id}/import"
ROUTES = [
    RouteDef(BASE, upload_page, ("GET", "POST"), MANAGE, "core.user_import"),
    RouteDef(BASE + "/codes", codes_sheet, ("POST",), MANAGE, "core.user_import_codes"),
    RouteDef(BASE + "/{token}", preview_page, ("GET", "POST"), MANAGE, "core.user_import_preview"),
]
