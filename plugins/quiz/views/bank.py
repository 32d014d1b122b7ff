"""The question bank: categories, the list of questions, the editor of each type, versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.errors import BadRequest, Conflict
from core.i18n import gettext as _
from plugins.quiz.bank import (
    add_version,
    create_question,
    current_version,
    ensure_category,
    parse_tags,
    set_tags,
    tags_of,
)
from plugins.quiz.grading import parse_number
from plugins.quiz.images import is_upload, store_image
from plugins.quiz.models import (
    AttemptAnswer,
    Question,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    QuizSlot,
)
from plugins.quiz.questions import EDITOR_ROWS, QTYPES, parse_question_data, present, right_answer
from plugins.quiz.sanitize import sanitise_html

MANAGE = needs("quiz:bank.manage")
LIST_LIMIT = 100


def bank(ctx: RequestContext) -> Response:
    categories = ctx.db.execute(
        select(QuestionCategory, func.count(Question.id))
        .outerjoin(Question, Question.category_id == QuestionCategory.id)
        .where(QuestionCategory.organisation_id == ctx.org.id)
        .group_by(QuestionCategory.id)
        .order_by(QuestionCategory.name)
    ).all()
    params = ctx.request.query_params
    category_id = int(params["category"]) if params.get("category", "").isdigit() else None
    tag = params.get("tag", "").strip()
    stmt = (
        select(
            Question.id,
            Question.category_id,
            QuestionVersion.name,
            QuestionVersion.qtype,
            QuestionVersion.version,
        )
        .join(
            QuestionVersion,
            (QuestionVersion.question_id == Question.id)
            & (QuestionVersion.version == Question.current_version),
        )
        .where(Question.organisation_id == ctx.org.id)
    )
    if category_id:
        stmt = stmt.where(Question.category_id == category_id)
    if tag:
        stmt = stmt.where(
            Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == tag))
        )
    rows = ctx.db.execute(stmt.order_by(QuestionVersion.name).limit(LIST_LIMIT)).all()
    tags = tags_of(ctx.db, [r[0] for r in rows])
    return ctx.render(
        "quiz/bank.html",
        categories=categories,
        category_id=category_id,
        tag=tag,
        questions=[
            {
                "id": qid,
                "category_id": cid,
                "name": name,
                "qtype": QTYPES[qtype].label,
                "version": version,
                "tags": tags.get(qid, []),
            }
            for qid, cid, name, qtype, version in rows
        ],
        qtypes=list(QTYPES.values()),
        limit=LIST_LIMIT,
        error=ctx.request.query_params.get("error", ""),
        imported=int(params["imported"]) if params.get("imported", "").isdigit() else None,
    )


def new_category(ctx: RequestContext) -> Response:
    name = " ".join(ctx.field("name").split())
    if not name or len(name) > 200:
        return ctx.redirect(ctx.url("quiz.bank") + "?error=category")
    category = ensure_category(ctx.db, ctx.org.id, name)
    ctx.audit("quiz.category.create", f"category:{category.id}", {"name": name})
    return ctx.redirect(ctx.url("quiz.bank") + f"?category={category.id}")


def _editor_values(version: QuestionVersion, tags: list[str], category_id: int) -> dict[str, str]:
    """A stored version as the editor's fields."""
    data = version.data
    values = {
        "name": version.name,
        "text": version.text,
        "general_feedback": version.general_feedback,
        "default_mark": str(version.default_mark),
        "tags": ", ".join(tags),
        "category_id": str(category_id),
        "image_id": str(version.image_id or ""),
    }
    for i, c in enumerate(data.get("choices", [])):
        values.update(
            {
                f"choice_id_{i}": c["id"],
                f"choice_text_{i}": c["text"],
                f"choice_fraction_{i}": _pct(c["fraction"]),
                f"choice_feedback_{i}": c.get("feedback", ""),
                f"choice_image_id_{i}": str(c.get("image_id") or ""),
            }
        )
    for i, a in enumerate(data.get("answers", [])):
        values.update(
            {
                f"answer_fraction_{i}": _pct(a["fraction"]),
                f"answer_feedback_{i}": a.get("feedback", ""),
            }
        )
        if "text" in a:
            values[f"answer_text_{i}"] = a["text"]
        for key in ("value", "tolerance", "min", "max"):
            if a.get(key) is not None:
                values[f"num_{key}_{i}"] = _plain(a[key])
    for i, p in enumerate(data.get("pairs", [])):
        values.update(
            {
                f"pair_id_{i}": p["id"],
                f"pair_prompt_{i}": p["prompt"],
                f"pair_answer_{i}": p["answer"],
            }
        )
    for i, item in enumerate(data.get("items", [])):
        values.update({f"item_id_{i}": item["id"], f"item_text_{i}": item["text"]})
    values["distractors"] = "\n".join(data.get("distractors", []))
    values["case_sensitive"] = "1" if data.get("case_sensitive") else ""
    values["correct"] = "true" if data.get("correct", True) else "false"
    values["feedback_true"] = data.get("feedback_true", "")
    values["feedback_false"] = data.get("feedback_false", "")
    return values


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _pct(fraction: float) -> str:
    return _plain(round(float(fraction) * 100, 5))


def _rows_needed(values: dict[str, str]) -> int:
    used = [int(k.rsplit("_", 1)[1]) for k in values if k.rsplit("_", 1)[-1].isdigit()]
    return max(EDITOR_ROWS, max(used, default=-1) + 3)


def _render_editor(
    ctx: RequestContext,
    qtype: str,
    values: dict[str, str],
    errors: dict[str, str],
    question: Question | None,
) -> Response:
    categories = list(
        ctx.db.scalars(
            select(QuestionCategory)
            .where(QuestionCategory.organisation_id == ctx.org.id)
            .order_by(QuestionCategory.name)
        )
    )
    return ctx.render(
        "quiz/question_form.html",
        status=422 if errors else 200,
        qtype=qtype,
        qtype_label=QTYPES[qtype].label,
        values=values,
        errors=errors,
        rows=range(int(values.get("rows") or _rows_needed(values))),
        categories=categories,
        question=question,
    )


def _save_editor(ctx: RequestContext, qtype: str, question: Question | None) -> Response:
    """Check the editor form; on success create the question or add a version."""
    form = ctx.form
    assert form is not None and ctx.user is not None
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    overrides: dict[str, str] = {}
    # Pictures first: a bad file is a field error, and nothing else is written.
    uploads: dict[str, Any] = {}
    for key, value in form.multi_items():
        if is_upload(value) and (key == "image" or key.startswith("choice_image_")):
            uploads[key] = value
    for key, upload in uploads.items():
        image, error = store_image(ctx.db, ctx.org.id, upload, ctx.user.id)
        if error:
            errors[key] = error
        elif image is not None:
            overrides[
                "image_id" if key == "image" else key.replace("choice_image_", "choice_image_id_")
            ] = str(image.id)
    if ctx.field("remove_image") == "1":
        overrides["image_id"] = ""

    def get(name: str) -> str:
        return overrides[name] if name in overrides else ctx.field(name)

    data, type_errors = parse_question_data(qtype, get)
    errors.update(type_errors)
    name = " ".join(ctx.field("name").split())
    if not name:
        errors["name"] = _(
            "Give the question a short name (it is shown in lists, not to learners)."
        )
    text = sanitise_html(ctx.field("text"))
    if not text:
        errors["text"] = _("Write the question.")
    mark = parse_number(ctx.field("default_mark") or "1")
    if mark is None or not 0 <= mark <= 100:
        errors["default_mark"] = _("Give a mark between 0 and 100.")
    tags, bad_tags = parse_tags(ctx.field("tags"))
    if bad_tags:
        errors["tags"] = _(
            "These tags are not valid: %(tags)s. "
            "Use letters, digits and : . - _ @ (for example crcn:1.1 or crcn:1.1@3).",
            tags=", ".join(bad_tags),
        )
    category = (
        ctx.get(QuestionCategory, ctx.field("category_id")) if ctx.field("category_id") else None
    )
    if category is None:
        errors["category_id"] = _("Choose a category.")
    if errors:
        ctx.db.rollback()  # uploaded pictures of a refused form are not kept
        return _render_editor(ctx, qtype, {**values, **overrides}, errors, question)
    assert category is not None and mark is not None
    image_raw = get("image_id")
    image_id = int(image_raw) if image_raw.isdigit() else None
    common: dict[str, Any] = {
        "general_feedback": sanitise_html(ctx.field("general_feedback")),
        "default_mark": mark,
        "image_id": image_id,
        "user_id": ctx.user.id,
    }
    if question is None:
        question, _version = create_question(
            ctx.db, ctx.org.id, category.id, qtype, name, text, data, tags=tags, **common
        )
        ctx.audit("quiz.question.create", f"question:{question.id}", {"name": name})
    else:
        question.category_id = category.id
        version = add_version(ctx.db, question, name, text, data, **common)
        set_tags(ctx.db, question, tags)
        ctx.audit("quiz.question.edit", f"question:{question.id}", {"version": version.version})
    return ctx.redirect(ctx.url("quiz.question", question_id=question.id))


def new_question(ctx: RequestContext) -> Response:
    qtype = ctx.request.query_params.get("type") or ctx.field("qtype")
    if qtype not in QTYPES:
        if ctx.request.method == "GET":
            return ctx.redirect(ctx.url("quiz.bank"))  # the bank page lists the types to pick
        raise BadRequest(_("Choose a type of question."))
    if ctx.request.method == "POST":
        return _save_editor(ctx, qtype, None)
    category = ctx.request.query_params.get("category", "")
    return _render_editor(
        ctx, qtype, {"default_mark": "1", "category_id": category, "correct": "true"}, {}, None
    )


def edit_question(ctx: RequestContext, question_id: str) -> Response:
    question = ctx.get(Question, question_id)
    version = current_version(ctx.db, question)
    if ctx.request.method == "POST":
        return _save_editor(ctx, version.qtype, question)
    values = _editor_values(
        version, tags_of(ctx.db, [question.id]).get(question.id, []), question.category_id
    )
    return _render_editor(ctx, version.qtype, values, {}, question)


def show_question(ctx: RequestContext, question_id: str) -> Response:
    """A preview of the current version, with the list of versions."""
    question = ctx.get(Question, question_id)
    versions = list(
        ctx.db.scalars(
            select(QuestionVersion)
            .where(QuestionVersion.question_id == question.id)
            .order_by(QuestionVersion.version.desc())
        )
    )
    wanted = ctx.request.query_params.get("version", "")
    shown = next((v for v in versions if str(v.version) == wanted), None) or next(
        v for v in versions if v.version == question.current_version
    )
    order = [str(c["id"]) for c in shown.data.get("choices", [])]
    item = {
        "slot": 0,
        "number": 1,
        "qtype": shown.qtype,
        "answerable": QTYPES[shown.qtype].answerable,
        "text": shown.text,
        "image_url": ctx.url("quiz.image", image_id=shown.image_id) if shown.image_id else None,
        "widgets": present(shown.qtype, shown.data, order, None),
        "error": "",
        "typed": None,
        "saved_at": None,
        "immediate": {},
    }
    return ctx.render(
        "quiz/question.html",
        question=question,
        version=shown,
        versions=versions,
        item=item,
        right=right_answer(shown.qtype, shown.data),
        tags=tags_of(ctx.db, [question.id]).get(question.id, []),
        qtype_label=QTYPES[shown.qtype].label,
    )


def delete_question(ctx: RequestContext, question_id: str) -> Response:
    """Remove a question nobody has used yet; one in a quiz or an attempt stays (its history
    is what past grades rest on)."""
    question = ctx.get(Question, question_id)
    used = ctx.db.scalar(
        select(QuizSlot.id).where(QuizSlot.question_id == question.id).limit(1)
    ) or ctx.db.scalar(
        select(AttemptAnswer.id).where(AttemptAnswer.question_id == question.id).limit(1)
    )
    if used:
        raise Conflict(
            _(
                "This question is used by a quiz or an attempt: it cannot be deleted. Edit it instead."
            )
        )
    name = current_version(ctx.db, question).name
    category_id = question.category_id
    ctx.db.delete(question)
    ctx.audit("quiz.question.delete", f"question:{question.id}", {"name": name})
    return ctx.redirect(ctx.url("quiz.bank") + f"?category={category_id}")


def delete_category(ctx: RequestContext, category_id: str) -> Response:
    category = ctx.get(QuestionCategory, category_id)
    in_use = ctx.db.scalar(
        select(Question.id).where(Question.category_id == category.id).limit(1)
    ) or ctx.db.scalar(
        select(QuizSlot.id).where(QuizSlot.random_category_id == category.id).limit(1)
    )
    if in_use:
        raise Conflict(_("Only an empty category that no quiz draws from can be deleted."))
    ctx.db.delete(category)
    ctx.audit("quiz.category.delete", f"category:{category.id}", {"name": category.name})
    return ctx.redirect(ctx.url("quiz.bank"))


ROUTES = [
    PageRoute("/bank", bank, ("GET",), MANAGE, "bank"),
    PageRoute("/bank/categories", new_category, ("POST",), MANAGE, "new_category"),
    PageRoute("/bank/new", new_question, ("GET", "POST"), MANAGE, "new_question"),
    PageRoute("/bank/{question_id:int}", show_question, ("GET",), MANAGE, "question"),
    PageRoute(
        "/bank/{question_id:int}/edit", edit_question, ("GET", "POST"), MANAGE, "edit_question"
    ),
    PageRoute(
        "/bank/{question_id:int}/delete", delete_question, ("POST",), MANAGE, "delete_question"
    ),
    PageRoute(
        "/bank/categories/{category_id:int}/delete",
        delete_category,
        ("POST",),
        MANAGE,
        "delete_category",
    ),
]
