"""The question bank: sanitised text, pictures, versions and regrading after a fix."""

from __future__ import annotations

import pytest

from plugins.quiz.bank import parse_tags
from plugins.quiz.models import Attempt, Question, QuestionTag, QuestionVersion, QuizImage
from plugins.quiz.sanitize import plain_text, sanitise_html
from plugins.quiz.tests.builders import setup_learner, start

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("dirty", "gone"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "script"),
        ('<img src="/x.png" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ('<iframe src="https://evil.example"></iframe>', "iframe"),
        ('<p style="background:url(javascript:x)">x</p>', "style"),
    ],
)
def test_sanitising_removes_scripts_handlers_and_javascript_urls(dirty, gone):
    clean = sanitise_html(dirty)
    assert gone.lower() not in clean.lower()


def test_sanitising_keeps_simple_formatting_and_plain_text_lines():
    assert (
        sanitise_html("<p><strong>Bold</strong> <em>it</em></p>")
        == "<p><strong>Bold</strong> <em>it</em></p>"
    )
    assert sanitise_html("a < b\nsecond line") == "a &lt; b<br>second line"
    assert plain_text("<p>Le <b>clavier</b> &amp; la souris</p>") == "Le clavier & la souris"


def test_tags_keep_competence_codes():
    assert parse_tags("crcn:1.1, b2i:D1 PCIE:CE") == (["crcn:1.1", "b2i:D1", "pcie:CE"], [])
    assert parse_tags("ok, <bad>")[1] == ["<bad>"]
    assert parse_tags("crcn:2.4@3") == (["crcn:2.4@3"], [])


@pytest.fixture
def admin_world(declic):
    world = setup_learner(declic, "assoc-b")
    admin = declic.user(world["org"], "admin")
    world["client"] = declic.client(admin)
    with declic.db() as db:
        world["category_id"] = db.query(Question).first().category_id
    return world


def single_form(category_id, **extra):
    data = {
        "qtype": "single",
        "category_id": str(category_id),
        "name": "Souris",
        "default_mark": "1",
        "text": '<p onclick="x()">À quoi sert la souris ?<script>alert(1)</script></p>',
        "tags": "crcn:5.2, b2i:D1",
        "choice_text_0": "Pointer",
        "choice_fraction_0": "100",
        "choice_feedback_0": "Oui",
        "choice_text_1": "Écrire",
        "choice_fraction_1": "0",
    }
    data.update(extra)
    return data


def test_create_question_sanitises_and_tags(declic, admin_world):
    org = admin_world["org"]
    r = declic.post(
        admin_world["client"],
        f"/o/{org.slug}/quiz/bank/new?type=single",
        single_form(admin_world["category_id"]),
    )
    assert r.status_code == 303, r.text
    with declic.db() as db:
        version = db.query(QuestionVersion).filter_by(name="Souris").one()
        assert "script" not in version.text and "onclick" not in version.text
        assert [c["fraction"] for c in version.data["choices"]] == [1.0, 0.0]
        tags = {t.tag for t in db.query(QuestionTag).filter_by(question_id=version.question_id)}
    assert tags == {"crcn:5.2", "b2i:D1"}
    page = admin_world["client"].get(r.headers["location"])
    assert page.status_code == 200 and "Pointer" in page.text


def test_bad_question_form_refills_and_writes_nothing(declic, admin_world):
    org = admin_world["org"]
    before = declic.count(QuestionVersion)
    form = single_form(admin_world["category_id"], choice_fraction_0="50", name="")
    r = declic.post(admin_world["client"], f"/o/{org.slug}/quiz/bank/new?type=single", form)
    assert r.status_code == 422
    assert "Pointer" in r.text and 'aria-invalid="true"' in r.text
    assert declic.count(QuestionVersion) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a picture at all", "not a picture"), (PNG + b"\x00" * (1024 * 1024), "too large")],
)
def test_bad_uploads_are_field_errors(declic, admin_world, content, message):
    org = admin_world["org"]
    client = admin_world["client"]
    form = single_form(admin_world["category_id"])
    form["csrf_token"] = declic.csrf(client)
    r = client.post(
        f"/o/{org.slug}/quiz/bank/new?type=single",
        data=form,
        files={"image": ("x.png", content, "image/png")},
    )
    assert r.status_code == 422
    assert message in r.text or "image" in r.text.lower()
    assert 'id="e-image"' in r.text
    assert declic.count(QuizImage) == 0
    assert declic.count(QuestionVersion, name="Souris") == 0


def test_picture_upload_is_served_to_members_only(declic, admin_world):
    org = admin_world["org"]
    client = admin_world["client"]
    form = single_form(admin_world["category_id"])
    form["csrf_token"] = declic.csrf(client)
    r = client.post(
        f"/o/{org.slug}/quiz/bank/new?type=single",
        data=form,
        files={"image": ("x.png", PNG, "image/png")},
    )
    assert r.status_code == 303
    with declic.db() as db:
        image = db.query(QuizImage).one()
    assert image.content_type == "image/png"
    learner = declic.client(admin_world["learner"])
    assert learner.get(f"/o/{org.slug}/quiz/images/{image.id}").content == PNG
    outsider_org = declic.org("other")
    declic.enable(outsider_org, "quiz")
    outsider = declic.client(declic.user(outsider_org, "admin"))
    assert outsider.get(f"/o/{org.slug}/quiz/images/{image.id}").status_code == 403
    assert outsider.get(f"/o/other/quiz/images/{image.id}").status_code == 404
    assert declic.client().get(f"/o/{org.slug}/quiz/images/{image.id}").status_code in (303, 401)


def test_edit_makes_a_version_past_attempts_keep_theirs_and_regrade_uses_the_fix(
    declic, admin_world
):
    org = admin_world["org"]
    learner = declic.client(admin_world["learner"])
    attempt_id = start(declic, learner, org, admin_world["quiz_id"])
    base = f"/o/{org.slug}/quiz/attempt/{attempt_id}"
    declic.post(
        learner, base + "/save", {"slot": "1", "seq": "1", "q1": "b"}
    )  # "Lyon": wrong for now
    declic.post(learner, base + "/submit")
    assert declic.reload(Attempt, attempt_id).score == 0.0
    with declic.db() as db:
        question = db.query(Question).order_by(Question.id).first()
        old = db.query(QuestionVersion).filter_by(question_id=question.id).one()
    # The trainer "fixes" the question: both Paris and Lyon are worth 100 %... (keeping choice ids)
    form = {
        "qtype": "single",
        "category_id": str(question.category_id),
        "name": old.name,
        "text": old.text,
        "default_mark": "1",
        "choice_id_0": "a",
        "choice_text_0": "Paris",
        "choice_fraction_0": "100",
        "choice_id_1": "b",
        "choice_text_1": "Lyon",
        "choice_fraction_1": "100",
    }
    r = declic.post(admin_world["client"], f"/o/{org.slug}/quiz/bank/{question.id}/edit", form)
    assert r.status_code == 303, r.text
    assert declic.count(QuestionVersion, question_id=question.id) == 2
    assert declic.reload(Question, question.id).current_version == 2
    assert declic.reload(Attempt, attempt_id).score == 0.0  # graded against the version it saw
    r = declic.post(
        admin_world["client"],
        f"/o/{org.slug}/quiz/{admin_world['quiz_id']}/regrade",
        {"to_latest": ""},
    )
    assert r.status_code == 303 and declic.reload(Attempt, attempt_id).score == 0.0
    r = declic.post(
        admin_world["client"],
        f"/o/{org.slug}/quiz/{admin_world['quiz_id']}/regrade",
        {"to_latest": "1"},
    )
    assert declic.reload(Attempt, attempt_id).score == 1.0
    # Regrading again changes nothing: deterministic.
    declic.post(
        admin_world["client"],
        f"/o/{org.slug}/quiz/{admin_world['quiz_id']}/regrade",
        {"to_latest": "1"},
    )
    assert declic.reload(Attempt, attempt_id).score == 1.0


def test_choice_pictures_are_kept_across_edits(declic, admin_world):
    org = admin_world["org"]
    client = admin_world["client"]
    form = single_form(admin_world["category_id"])
    form["csrf_token"] = declic.csrf(client)
    r = client.post(
        f"/o/{org.slug}/quiz/bank/new?type=single",
        data=form,
        files={"choice_image_1": ("souris.png", PNG, "image/png")},
    )
    assert r.status_code == 303, r.text
    with declic.db() as db:
        version = db.query(QuestionVersion).filter_by(name="Souris").one()
        image = db.query(QuizImage).one()
    assert [c["image_id"] for c in version.data["choices"]] == [None, image.id]
    edit = client.get(f"/o/{org.slug}/quiz/bank/{version.question_id}/edit")
    assert f'name="choice_image_id_1" value="{image.id}"' in edit.text
    preview = client.get(f"/o/{org.slug}/quiz/bank/{version.question_id}")
    assert f"/o/{org.slug}/quiz/images/{image.id}" in preview.text


def test_only_unused_questions_and_empty_categories_can_be_deleted(declic, admin_world):
    org = admin_world["org"]
    client = admin_world["client"]
    r = declic.post(
        client, f"/o/{org.slug}/quiz/bank/new?type=single", single_form(admin_world["category_id"])
    )
    unused_id = int(r.headers["location"].rsplit("/", 1)[1])
    with declic.db() as db:
        used_id = db.query(Question).order_by(Question.id).first().id
    assert declic.post(client, f"/o/{org.slug}/quiz/bank/{used_id}/delete").status_code == 409
    assert declic.post(client, f"/o/{org.slug}/quiz/bank/{unused_id}/delete").status_code == 303
    assert (
        declic.count(Question, id=unused_id) == 0
        and declic.count(QuestionVersion, question_id=unused_id) == 0
    )
    assert declic.count(Question, id=used_id) == 1
    base = f"/o/{org.slug}/quiz/bank/categories"
    assert declic.post(client, f"{base}/{admin_world['category_id']}/delete").status_code == 409
    declic.post(client, base, {"name": "Vide"})
    from plugins.quiz.models import QuestionCategory

    with declic.db() as db:
        empty = db.query(QuestionCategory).filter_by(name="Vide").one()
    assert declic.post(client, f"{base}/{empty.id}/delete").status_code == 303
    assert declic.count(QuestionCategory, name="Vide") == 0
    learner = declic.client(admin_world["learner"])
    assert declic.post(learner, f"/o/{org.slug}/quiz/bank/{used_id}/delete").status_code == 403
