"""The pages, through HTTP with the test kit: learner, trainer grid and detail, observations,
exports, frameworks upload, workshops mapping, isolation and switched-off sources."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from core.models import AuditEvent
from plugins.certification import plugin
from plugins.certification.models import Evidence, FrameworkFile, TagProblem, WorkshopMap
from plugins.certification.tests.conftest import make_setting
from plugins.certification.tests.fakes import Attempt, answers

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def base(setting) -> str:
    return f"/o/{setting.org.slug}/certification"


def graded(declic, setting, *specs, attempt_id=1, quiz_title="Bilan"):
    with declic.db() as db:
        plugin.declic_quiz_attempt_graded(
            db=db,
            result=Attempt(
                setting.org.id,
                setting.course.id,
                setting.learner.id,
                NOW,
                answers(*specs),
                attempt_id=attempt_id,
                quiz_title=quiz_title,
            ),
        )


def test_learner_sees_the_chart_the_table_and_the_verdicts(declic, setting) -> None:
    graded(declic, setting, ("crcn:1.1", 1.0), ("crcn:1.1@2", 1.0))
    page = declic.client(setting.learner).get(base(setting) + "/me")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and 'aria-hidden="true"' in html and "url(#hatch)" in html
    assert "<table>" in html and "Mener une recherche et une veille d&#39;information" in html
    assert "2 / 8" in html  # the table gives the level in words, not only the bar
    assert "B2i Adultes" in html and "PCIE / ICDL WP" in html


def test_a_learner_cannot_open_the_trainer_pages(declic, setting) -> None:
    client = declic.client(setting.learner)
    assert client.get(base(setting) + f"/courses/{setting.course.id}").status_code == 403
    url = base(setting) + f"/courses/{setting.course.id}/learners/{setting.learner.id}"
    assert client.get(url).status_code == 403


def test_trainer_grid_and_detail_show_verdicts_reasons_and_evidence(declic, setting) -> None:
    graded(declic, setting, ("crcn:5.2", 1.0), ("crcn:9.9", 1.0), quiz_title="Bilan atelier 1")
    client = declic.client(setting.trainer)
    grid = client.get(base(setting) + f"/courses/{setting.course.id}")
    assert grid.status_code == 200
    assert "Samira Benali" in grid.text and "PCIE WP" in grid.text
    # The unknown tag is shown with its question, on the trainer's page.
    assert "crcn:9.9" in grid.text and "Question 2" in grid.text
    detail = client.get(
        base(setting) + f"/courses/{setting.course.id}/learners/{setting.learner.id}"
    )
    assert detail.status_code == 200
    assert "Bilan atelier 1 — Question 1" in detail.text  # the evidence list says what
    assert "Construire un environnement numérique" in detail.text


def test_an_observation_is_recorded_with_who_and_a_comment(declic, setting) -> None:
    client = declic.client(setting.trainer)
    url = base(setting) + f"/courses/{setting.course.id}/learners/{setting.learner.id}/observe"
    answer = declic.post(
        client,
        url,
        {
            "competence": "crcn:3.1",
            "level": "2",
            "outcome": "validated",
            "comment": "CV tapé seule",
        },
    )
    assert answer.status_code == 303
    with declic.db() as db:
        row = db.scalar(select(Evidence).where(Evidence.source == "observation"))
        assert (row.competence, row.difficulty, row.outcome) == ("crcn:3.1", 2, 1.0)
        assert row.given_by_id == setting.trainer.id and row.comment == "CV tapé seule"
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "certification.observe"))
    page = client.get(answer.headers["location"])
    assert "CV tapé seule" in page.text and "Thomas Formateur" in page.text


def test_a_bad_observation_is_refused_next_to_the_fields(declic, setting) -> None:
    client = declic.client(setting.trainer)
    url = base(setting) + f"/courses/{setting.course.id}/learners/{setting.learner.id}/observe"
    answer = declic.post(
        client, url, {"competence": "crcn:9.9", "level": "1", "outcome": "", "comment": "kept"}
    )
    assert answer.status_code == 400
    assert "Choisissez une compétence dans la liste." in answer.text
    assert 'aria-invalid="true"' in answer.text and "kept" in answer.text
    answer = declic.post(
        client, url, {"competence": "crcn:3.1", "level": "9", "outcome": "validated"}
    )
    assert answer.status_code == 400
    assert declic.count(Evidence) == 0


def test_exports_hold_the_grid(declic, setting) -> None:
    graded(declic, setting, *[(f"crcn:{c}", 1.0) for c in ("1.1", "1.2", "2.1", "3.1", "4.1")])
    client = declic.client(setting.trainer)
    text = client.get(base(setting) + f"/courses/{setting.course.id}/export.csv").text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] and rows[0][1] == "Pix / CRCN"
    assert rows[1][0] == "Samira Benali" and rows[1][1] == "Prêt"
    book = load_workbook(
        io.BytesIO(client.get(base(setting) + f"/courses/{setting.course.id}/export.xlsx").content)
    )
    sheet = book.active
    assert sheet.cell(2, 1).value == "Samira Benali" and sheet.cell(2, 2).value == rows[1][1]


def test_csv_cells_cannot_run_as_formulas(declic) -> None:
    setting = make_setting(declic)
    with declic.db() as db:
        from core.models import User

        db.get(User, setting.learner.id).display_name = "=HYPERLINK(1)"
    text = (
        declic.client(setting.trainer)
        .get(base(setting) + f"/courses/{setting.course.id}/export.csv")
        .text
    )
    assert "'=HYPERLINK(1)" in text


def test_organisation_b_cannot_see_organisation_a_learners(declic, setting) -> None:
    other = make_setting(declic)
    client = declic.client(other.trainer)
    a_course = base(other) + f"/courses/{setting.course.id}"
    assert client.get(a_course).status_code == 404
    mixed = base(other) + f"/courses/{other.course.id}/learners/{setting.learner.id}"
    assert client.get(mixed).status_code == 404
    answer = declic.post(
        client, mixed + "/observe", {"competence": "crcn:1.1", "outcome": "validated"}
    )
    assert answer.status_code == 404
    assert declic.count(Evidence) == 0


def test_pages_explain_a_switched_off_evidence_source(declic, setting) -> None:
    client = declic.client(setting.trainer)
    page = client.get(base(setting) + f"/courses/{setting.course.id}")
    notice = "La présence est désactivée pour cette organisation"
    assert notice in page.text
    declic.enable(setting.org, "attendance")
    page = client.get(base(setting) + f"/courses/{setting.course.id}")
    assert page.status_code == 200 and notice not in page.text


def test_with_quiz_off_the_pages_say_why_quiz_evidence_is_missing(declic, setting) -> None:
    """Certification is installed with quiz but needs it switched on nowhere: an organisation
    that switches quiz off keeps certification, and its pages explain the missing evidence."""
    graded(declic, setting, ("crcn:1.1", 1.0))
    declic.disable(setting.org, "quiz")
    notice = "Les quiz sont désactivés pour cette organisation"
    learner_client = declic.client(setting.learner)
    trainer_client = declic.client(setting.trainer)
    course = setting.course.id
    pages = [
        learner_client.get(base(setting) + "/me"),
        trainer_client.get(base(setting) + f"/courses/{course}"),
        trainer_client.get(base(setting) + f"/courses/{course}/learners/{setting.learner.id}"),
    ]
    for page in pages:
        assert page.status_code == 200, page.url
        assert notice in page.text
    # The evidence gathered while quiz was on is kept and still counts.
    assert declic.count(Evidence) == 1


def test_switching_quiz_off_keeps_certification_and_its_data(declic, setting) -> None:
    graded(declic, setting, ("crcn:1.1", 1.0))
    declic.disable(setting.org, "quiz")
    client = declic.client(setting.learner)
    assert client.get(base(setting) + "/me").status_code == 200
    declic.disable(setting.org, "certification")
    assert client.get(base(setting) + "/me").status_code == 404
    declic.enable(setting.org, "certification")
    assert client.get(base(setting) + "/me").status_code == 200
    assert declic.count(Evidence) == 1


def test_workshops_mapping_defaults_to_the_programme_and_can_be_changed(declic, setting) -> None:
    client = declic.client(setting.trainer)
    url = base(setting) + f"/courses/{setting.course.id}/workshops"
    page = client.get(url)
    assert "crcn:5.2 crcn:1.2 b2i:D1 pcie:CE" in page.text
    data = {f"codes-{s.id}": "crcn:5.2" for s in setting.sections}
    data[f"codes-{setting.sections[0].id}"] = "crcn:5.2 crcn:77"
    bad = declic.post(client, url, data)
    assert bad.status_code == 400 and "crcn:77" in bad.text
    assert declic.count(WorkshopMap) == 0
    data[f"codes-{setting.sections[0].id}"] = "crcn:5.2, b2i:D1"
    assert declic.post(client, url, data).status_code == 303
    with declic.db() as db:
        row = db.scalar(select(WorkshopMap).where(WorkshopMap.section_id == setting.sections[0].id))
        assert row.codes == "crcn:5.2 b2i:D1"


GOOD_FILE = """\
id: clic
title: "Clic'Emploi"
source: "Association"
max_level: 2
rule: {type: share_per_domain, share: 0.5}
domains:
  - code: A
    title: "Démarches"
    competences:
      - {code: A1, title: "Créer un compte"}
"""


def test_an_admin_uploads_a_framework_and_a_bad_one_is_refused_with_line(declic, setting) -> None:
    client = declic.client(setting.admin)
    url = base(setting) + "/frameworks"
    bad = GOOD_FILE.replace("max_level: 2", "max_level: 20")
    answer = client.post(
        url,
        data={"csrf_token": declic.csrf(client)},
        files={"file": ("clic.yaml", bad.encode(), "text/yaml")},
    )
    assert answer.status_code == 400
    assert "clic.yaml" in answer.text and "4" in answer.text and "max_level" in answer.text
    assert declic.count(FrameworkFile) == 0
    answer = client.post(
        url,
        data={"csrf_token": declic.csrf(client)},
        files={"file": ("clic.yaml", GOOD_FILE.encode(), "text/yaml")},
    )
    assert answer.status_code == 303
    page = client.get(url)
    assert "Clic&#39;Emploi" in page.text
    # The new prefix is known to tags at once.
    graded(declic, setting, ("clic:A1", 1.0), ("clic:B7", 1.0))
    with declic.db() as db:
        assert db.scalar(select(Evidence.competence)) == "clic:A1"
        assert db.scalar(select(TagProblem.tag)) == "clic:B7"
    assert declic.client(setting.trainer).get(url).status_code == 403


def test_dashboard_widgets(declic, setting) -> None:
    graded(declic, setting, *[(f"crcn:{c}", 1.0) for c in ("1.1", "1.2", "2.1", "3.1", "4.1")])
    learner_home = declic.client(setting.learner).get(f"/o/{setting.org.slug}/")
    assert base(setting) + "/me" in learner_home.text
    trainer_home = declic.client(setting.trainer).get(f"/o/{setting.org.slug}/")
    assert "Samira Benali" in trainer_home.text and base(setting) + "/" in trainer_home.text


def test_the_grid_filters_by_group_and_refuses_another_courses_group(declic, setting) -> None:
    from core.models import Group, GroupMember

    other = declic.user(setting.org, "learner", display_name="Karim Hors-Groupe")
    declic.enrol(setting.course, other)
    with declic.db() as db:
        group = Group(organisation_id=setting.org.id, course_id=setting.course.id, name="Mardi")
        db.add(group)
        db.flush()
        db.add(
            GroupMember(
                organisation_id=setting.org.id, group_id=group.id, user_id=setting.learner.id
            )
        )
    client = declic.client(setting.trainer)
    url = base(setting) + f"/courses/{setting.course.id}"
    everyone = client.get(url).text
    assert "Samira Benali" in everyone and "Karim Hors-Groupe" in everyone
    mardi = client.get(url + f"?group={group.id}").text
    assert "Samira Benali" in mardi and "Karim Hors-Groupe" not in mardi
    exported = client.get(url + f"/export.csv?group={group.id}").text
    assert "Samira Benali" in exported and "Karim" not in exported
    assert client.get(url + "?group=99999").status_code == 404
