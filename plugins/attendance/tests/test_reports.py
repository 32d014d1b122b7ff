"""Reports with both rates, the learner's own page, CSV/XLSX exports, the sign-in sheet PDF."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from core import i18n
from core.clock import now
from plugins.attendance.models import AttendanceStatus
from plugins.attendance.tests.conftest import base, make_session


def _statuses(declic, world):
    with declic.db() as db:
        rows = db.scalars(
            select(AttendanceStatus).where(AttendanceStatus.organisation_id == world.org.id)
        ).all()
        return {r.key: r for r in rows}


def _history(declic, world):
    """Four planned sessions: two taken (Amélie present then late), two to come."""
    statuses = _statuses(declic, world)
    trainer = declic.client(world.trainer)
    past = [make_session(declic, world, starts_at=now() - timedelta(days=d)) for d in (14, 7)]
    future = [make_session(declic, world, starts_at=now() + timedelta(days=d)) for d in (7, 14)]
    for session in past:
        declic.post(trainer, f"{base(world)}/session/{session.id}/all-present")
    amelie, fatima, _ngozi = world.learners
    declic.post(
        trainer,
        f"{base(world)}/session/{past[1].id}/mark",
        {"user_id": amelie.id, "status_id": statuses["late"].id, "remark": "=1+1"},
    )
    declic.post(
        trainer,
        f"{base(world)}/session/{past[1].id}/mark",
        {"user_id": fatima.id, "status_id": statuses["absent"].id},
    )
    return past, future


def test_course_report_shows_both_rates_labelled(declic, world):
    _history(declic, world)
    page = declic.client(world.trainer).get(f"{base(world)}/course/{world.course.id}/report")
    assert page.status_code == 200
    assert "Taux sur les séances déjà faites" in page.text
    assert "Taux sur toutes les séances prévues" in page.text
    row = page.text.split("Amélie Dupré")[1].split("</tr>")[0]
    # Amélie: 2 + 1 = 3 points of 4 taken (75 %), of 8 planned (38 %).
    assert "75" in row.split('class="rate-so-far"')[1].split("</td>")[0]
    assert "38" in row.split('class="rate-planned"')[1].split("</td>")[0]
    assert "2 / 4" in row


def test_learner_report_and_the_learners_own_page(declic, world):
    _history(declic, world)
    fatima = world.learners[1]
    trainer_view = declic.client(world.trainer).get(
        f"{base(world)}/course/{world.course.id}/learner/{fatima.id}"
    )
    assert trainer_view.status_code == 200
    assert "50" in trainer_view.text.split('class="rate-so-far"')[1].split("</dd>")[0]
    assert "25" in trainer_view.text.split('class="rate-planned"')[1].split("</dd>")[0]
    own = declic.client(fatima).get(f"{base(world)}/my")
    assert own.status_code == 200
    assert "Ma prochaine séance" in own.text and "Salle 1" in own.text
    assert "Absent" in own.text and "À venir" in own.text
    # A learner cannot read someone else's report.
    assert (
        declic.client(fatima)
        .get(f"{base(world)}/course/{world.course.id}/learner/{world.learners[0].id}")
        .status_code
        == 403
    )


def test_learner_home_shows_the_next_session(declic, world):
    make_session(declic, world, starts_at=now() + timedelta(days=2), place="Médiathèque")
    home = declic.client(world.learners[0]).get(f"/o/{world.org.slug}/")
    assert home.status_code == 200
    assert "Ma prochaine séance" in home.text and "Médiathèque" in home.text


def test_csv_export(declic, world):
    _history(declic, world)
    client = declic.client(world.trainer)
    response = client.get(f"{base(world)}/course/{world.course.id}/report.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    # Generic words may be translated by core's catalogue (it wins over plugins'): ask gettext.
    i18n.set_language("fr")
    assert rows[0][:4] == [i18n.gettext(w) for w in ("Learner", "Date", "Place", "Status")]
    assert len(rows) == 1 + 3 * 4
    amelie = [r for r in rows if r[0] == "Amélie Dupré"]
    assert [r[3] for r in amelie] == ["Présent", "En retard", "", ""]
    assert amelie[1][6] == "'=1+1"  # a remark is never run as a formula
    summary = client.get(f"{base(world)}/course/{world.course.id}/report.csv?table=summary")
    lines = list(csv.reader(io.StringIO(summary.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][4] == "Taux sur les séances déjà faites (%)"
    assert lines[0][5] == "Taux sur toutes les séances prévues (%)"
    fatima = next(r for r in lines if r[0] == "فاطمة الزهراء")
    assert fatima[4] == "50.0" and fatima[5] == "25.0"


def test_xlsx_export(declic, world):
    _history(declic, world)
    response = declic.client(world.trainer).get(
        f"{base(world)}/course/{world.course.id}/report.xlsx"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    # "Details" is also a core string: core's translation wins ("Détails").
    assert book.sheetnames[0] == "Synthèse" and book.sheetnames[1].startswith("Détail")
    summary = list(book["Synthèse"].iter_rows(values_only=True))
    assert summary[0][4] == "Taux sur les séances déjà faites (%)"
    ngozi = next(r for r in summary if r[0] == "Ngozi Okafor")
    assert ngozi[1:6] == (4, 2, 4, 100, 50)
    details = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert len(details) == 1 + 12


def test_sign_in_sheet_pdf_holds_every_name_including_arabic(declic, world):
    past, future = _history(declic, world)
    client = declic.client(world.trainer)
    response = client.get(f"{base(world)}/session/{past[1].id}/sheet.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert float(page.mediabox.width) == 595.28 or round(float(page.mediabox.width)) == 595  # A4
    text = "\n".join(p.extract_text() for p in reader.pages)
    for learner in world.learners:
        assert learner.display_name in text, learner.display_name
    for expected in ("Feuille d'émargement", "Association Déclic", "Clic'Emploi", "Éloïse Martin"):
        assert expected in text
    assert "En retard" in text and "Absent" in text  # the statuses, as taken
    assert "matin)" in text or "après-midi)" in text  # the half-day funders count by
    blank = client.get(f"{base(world)}/session/{future[0].id}/sheet.pdf")
    blank_text = PdfReader(io.BytesIO(blank.content)).pages[0].extract_text()
    assert "Ngozi Okafor" in blank_text and "Présent" not in blank_text


def test_sign_in_sheet_runs_onto_a_second_page_with_many_learners(declic, world):
    for number in range(30):
        learner = declic.user(world.org, "learner", display_name=f"Apprenant {number:02d}")
        declic.enrol(world.course, learner)
    session = make_session(declic, world)
    response = declic.client(world.trainer).get(f"{base(world)}/session/{session.id}/sheet.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert all(f"Apprenant {n:02d}" in text for n in range(30))


def test_per_session_table_and_group_filter(declic, world):
    from plugins.attendance.tests.conftest import make_group

    _history(declic, world)
    group = make_group(declic, world, "Groupe du lundi", world.learners[:2])
    make_session(
        declic,
        world,
        starts_at=now() - timedelta(days=3),
        group_id=group.id,
        description="Rattrapage",
    )
    client = declic.client(world.trainer)
    page = client.get(f"{base(world)}/course/{world.course.id}/report")
    table = page.text.split('id="per-session"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 5  # two taken, the group's, two to come
    # Second taken session: Amélie late, Fatima absent, Ngozi present: (1 + 0 + 2) / 6 = 50 %.
    second = rows[2] if "Rattrapage" in rows[1] else rows[1]
    assert "50" in second.split("<td>")[-1]
    grouped = client.get(f"{base(world)}/course/{world.course.id}/report?group={group.id}")
    assert "Ngozi Okafor" not in grouped.text.split('id="report"')[1].split("</table>")[0]
    assert "Rattrapage" in grouped.text
    assert (
        client.get(f"{base(world)}/course/{world.course.id}/report?group=99999").status_code == 404
    )
    csv_text = client.get(
        f"{base(world)}/course/{world.course.id}/report.csv?group={group.id}"
    ).content.decode("utf-8-sig")
    assert "Ngozi Okafor" not in csv_text and "Amélie Dupré" in csv_text


def test_the_sheet_names_the_half_day(declic, world):
    from datetime import UTC, datetime

    client = declic.client(world.trainer)
    for utc_hour, expected in ((8, "(matin)"), (13, "(après-midi)")):  # 9:00 and 14:00 in Paris
        session = make_session(declic, world, starts_at=datetime(2026, 12, 1, utc_hour, tzinfo=UTC))
        pdf = client.get(f"{base(world)}/session/{session.id}/sheet.pdf")
        assert expected in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_a_learner_who_left_stays_on_the_sheets_of_sessions_they_attended(declic, world):
    from sqlalchemy import delete

    from core.models import Enrolment

    session = make_session(declic, world, starts_at=now() - timedelta(days=2))
    client = declic.client(world.trainer)
    declic.post(client, f"{base(world)}/session/{session.id}/all-present")
    with declic.db() as db:
        db.execute(delete(Enrolment).where(Enrolment.user_id == world.learners[2].id))
    pdf = client.get(f"{base(world)}/session/{session.id}/sheet.pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Ngozi Okafor" in text
    later = make_session(declic, world)
    pdf = client.get(f"{base(world)}/session/{later.id}/sheet.pdf")
    assert "Ngozi Okafor" not in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_a_learner_who_left_stays_in_the_course_report_on_their_marked_sessions(declic, world):
    from sqlalchemy import delete

    from core.models import Enrolment

    _history(declic, world)
    with declic.db() as db:
        db.execute(delete(Enrolment).where(Enrolment.user_id == world.learners[1].id))
    client = declic.client(world.trainer)
    page = client.get(f"{base(world)}/course/{world.course.id}/report")
    row = page.text.split("فاطمة الزهراء")[1].split("</tr>")[0]
    assert "a quitté le cours" in row
    # Fatima: present then absent, over the two sessions she was marked in: 50 % both ways.
    assert "2 / 2" in row
    assert "50" in row.split('class="rate-planned"')[1].split("</td>")[0]
    learner_page = client.get(
        f"{base(world)}/course/{world.course.id}/learner/{world.learners[1].id}"
    )
    assert learner_page.status_code == 200
    csv_text = client.get(f"{base(world)}/course/{world.course.id}/report.csv").content
    assert "فاطمة الزهراء" in csv_text.decode("utf-8-sig")
    # Someone never marked in the course is still not found there.
    stranger = declic.user(world.org, "learner", login="never-here")
    assert (
        client.get(f"{base(world)}/course/{world.course.id}/learner/{stranger.id}").status_code
        == 404
    )
