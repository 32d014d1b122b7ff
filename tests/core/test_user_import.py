"""Learners from a CSV file: reading what spreadsheets write, checking each line, the plan, the
one-transaction import, the pages (upload, preview, confirm, codes) and the PDF sheet."""

from __future__ import annotations

import io
import os
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from core import i18n, user_import
from core.auth import user_for_code
from core.login_codes_pdf import CodeCard, render
from core.models import Enrolment, Group, GroupMember, LoginCode, Membership, User
from core.testing import TEST_SECRET, form_token
from core.user_import import (
    MAX_LINES,
    ImportFileError,
    LinesRejectedError,
    apply_plan,
    plan_import,
    read_table,
)

MOODLE = (
    "username;firstname;lastname;email;lang;group1;role1\r\n"
    "marie.dupont;Marie;Dupont;marie@example.org;fr;Mardi matin;student\r\n"
    "zoe.lefevre;Zoé;Lefèvre;;en;Mardi matin;\r\n"
    "samira.benali;سميرة;بن علي;;ar;Jeudi;\r\n"
    "thomas.f;Thomas;Formateur;thomas@example.org;;Mardi matin;editingteacher\r\n"
)
FRENCH = (
    "Identifiant,Prénom,Nom,Courriel,Langue,Groupe,Rôle,Téléphone\r\n"
    "jerome.noel,Jérôme,Noël,,Français,Atelier 1,apprenant,06 00 00 00 00\r\n"
    "helene.cote,Hélène,Côté,helene@example.org,fr_FR,Atelier 1,Formatrice,\r\n"
)


def counts(declic) -> dict[str, int]:
    return {
        model.__name__: declic.count(model)
        for model in (User, Membership, Enrolment, Group, GroupMember, LoginCode)
    }


def plan_for(declic, org, course, data: bytes):
    table = read_table(data)
    with declic.db() as db:
        return plan_import(db, org.id, course.id, table)


def run_import(declic, org, course, data: bytes, *, valid_only: bool = False, actor=None):
    table = read_table(data)
    with declic.db() as db:
        plan = plan_import(db, org.id, course.id, table)
        outcome = apply_plan(db, plan, actor=actor, secret_key=TEST_SECRET, valid_only=valid_only)
    return plan, outcome


@pytest.fixture(autouse=True)
def english():
    """Reasons read in English here (the msgids); the French catalogue has its own test."""
    previous = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(previous)


@pytest.fixture
def place(declic):
    # English pages, so the assertions read the msgids (the French catalogue has its own test).
    org = declic.org(name="Association Navigateur", default_language="en")
    course = declic.course(org, title="Clic'Emploi")
    admin = declic.user(org, "admin", login="alice.admin")
    return org, course, admin


# --- reading ----------------------------------------------------------------------------------


def test_reads_utf8_with_bom_semicolons_and_moodle_headings():
    table = read_table(MOODLE.encode("utf-8-sig"))
    assert (table.encoding, table.separator) == ("utf-8-sig", ";")
    assert table.columns["login"] == "username"
    assert [row.number for row in table.rows] == [2, 3, 4, 5]
    assert table.rows[1].cells["firstname"] == "Zoé"
    assert table.rows[2].cells["lastname"] == "بن علي"
    assert table.rows[0].groups == ("Mardi matin",)


def test_reads_windows_1252_commas_and_french_headings():
    table = read_table(FRENCH.encode("cp1252"))
    assert (table.encoding, table.separator) == ("windows-1252", ",")
    assert table.rows[0].cells["firstname"] == "Jérôme"
    assert table.rows[0].cells["lastname"] == "Noël"
    assert table.rows[1].cells["email"] == "helene@example.org"
    assert table.ignored == ("Téléphone",)


def test_utf8_without_bom_excel_sep_line_and_quoted_cells():
    data = 'sep=,\n"login","prénom","nom"\n"a.b","Anne, Marie","Bé"\n'.encode()
    table = read_table(data)
    assert table.separator == ","
    assert table.rows[0].number == 2
    assert table.rows[0].cells["firstname"] == "Anne, Marie"


def test_blank_lines_keep_the_spreadsheet_numbering():
    table = read_table(b"login;firstname;lastname\n\na.b;A;B\n;;\nc.d;C;D\n")
    assert [row.number for row in table.rows] == [3, 5]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("firstname;lastname;email", "login name"),
        ("identifiant;courriel", "first name and last name"),
    ],
)
def test_missing_columns_are_named(header, missing):
    with pytest.raises(ImportFileError) as refused:
        read_table(f"{header}\nx;y;z\n".encode())
    assert missing in refused.value.message


def test_two_columns_for_the_same_field_are_refused():
    with pytest.raises(ImportFileError, match="“username” and “identifiant”"):
        read_table(b"username;identifiant;nom\na;b;c\n")


def test_a_20_mb_file_is_refused_naming_the_limit():
    with pytest.raises(ImportFileError) as refused:
        read_table(b"login;nom\n" + b"a;b\n" * (5 * 1024 * 1024))
    assert "The file is 20 MB" in refused.value.message
    assert "2 MB" in refused.value.message


def test_excel_unicode_text_utf16_with_tabs_is_read():
    table = read_table("login\tprénom\tnom\r\nali.b\tAli\tBen Salah\r\n".encode("utf-16"))
    assert (table.encoding, table.separator) == ("utf-16", "\t")
    assert table.rows[0].cells["lastname"] == "Ben Salah"


def test_more_people_than_one_file_may_hold_is_refused():
    lines = "".join(f"user{i};Nom{i}\n" for i in range(MAX_LINES + 1))
    with pytest.raises(ImportFileError, match=f"at most {MAX_LINES} people"):
        read_table(f"login;nom\n{lines}".encode())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00 workbook bytes", "spreadsheet workbook, not a CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls", "spreadsheet workbook, not a CSV"),
        (b"login;nom\na\x00b;c\n", "not a CSV text file"),
        (b"login;nom\r\n;;\r\n", "no learner below it"),
        (b"login;nom\n\x81\x8d\x8f;\x9d\n", "cannot be read as text"),
    ],
)
def test_what_is_not_a_csv_of_learners_is_refused_with_the_way_out(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=600),
        st.lists(
            st.text(alphabet=st.sampled_from('login;nom,prénom"\r\n\t ?é\ufeffسx'), max_size=40),
            max_size=8,
        ).map(lambda parts: "\n".join(parts).encode("utf-8")),
    )
)
def test_any_bytes_are_read_or_refused_in_plain_words(data):
    try:
        table = read_table(data)
    except ImportFileError as refused:
        assert refused.message
    else:
        assert all(row.number >= 2 for row in table.rows)


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError, match="empty"):
        read_table(b"\xef\xbb\xbf\r\n")


# --- checking each line -----------------------------------------------------------------------


def test_every_bad_line_is_rejected_with_its_spreadsheet_line_number(declic, place):
    org, course, _admin = place
    data = (
        b"login;firstname;lastname;email;language;role\n"
        b"good.one;Good;One;;;\n"
        b"Bad Login;Bad;Login;;;\n"
        b"no.name;;;;;\n"
        b"bad.mail;Bad;Mail;not-an-email;;\n"
        b"\n"
        b"bad.lang;Bad;Lang;;klingon;\n"
        b"bad.role;Bad;Role;;;pilote\n"
        b"boss;The;Boss;;;administrateur\n"
        b"lost.letters;?????;?? ???;;;\n"
    )
    plan = plan_for(declic, org, course, data)
    by_line = {line.number: line for line in plan.lines}
    assert by_line[2].status == "created"
    assert "not valid" in by_line[3].reason
    assert "name is empty" in by_line[4].reason
    assert "does not look like an email" in by_line[5].reason
    assert "Unknown language “klingon”" in by_line[7].reason
    assert "Unknown role “pilote”" in by_line[8].reason
    assert "Administrators are not imported" in by_line[9].reason
    assert "Save the file as “CSV UTF-8”" in by_line[10].reason
    assert [line.number for line in plan.rejected] == [3, 4, 5, 7, 8, 9, 10]


def test_a_login_twice_in_the_file_rejects_both_lines(declic, place):
    org, course, _admin = place
    data = b"login;nom\nsame.one;A\nother;B\nSAME.ONE;C\n"
    plan = plan_for(declic, org, course, data)
    rejected = {line.number: line.reason for line in plan.rejected}
    assert set(rejected) == {2, 4}
    assert "also on line 4" in rejected[2]
    assert "also on line 2" in rejected[4]


def test_a_login_of_another_organisation_is_rejected(declic, place):
    org, course, _admin = place
    elsewhere = declic.org(name="Autre association")
    karim = declic.user(elsewhere, "learner", login="karim.autre", display_name="Karim")
    before = counts(declic)
    plan = plan_for(declic, org, course, b"login;nom\nkarim.autre;Karim\n")
    assert plan.lines[0].status == "rejected"
    assert "not a member of this organisation" in plan.lines[0].reason
    with declic.db() as db, pytest.raises(LinesRejectedError):
        apply_plan(db, plan, actor=None, secret_key=TEST_SECRET)
    assert counts(declic) == before
    assert declic.count(Membership, user_id=karim.id, organisation_id=org.id) == 0


def test_an_email_already_used_by_another_account_is_rejected(declic, place):
    org, course, _admin = place
    declic.user(org, "learner", login="first", email="shared@example.org")
    plan = plan_for(declic, org, course, b"login;nom;email\nsecond;S;Shared@Example.org\n")
    assert "Another account (first) already uses" in plan.lines[0].reason


# --- applying ---------------------------------------------------------------------------------


def test_import_creates_accounts_memberships_enrolments_groups_and_codes(declic, place):
    org, course, admin = place
    with declic.db() as db:
        db.add(Group(organisation_id=org.id, course_id=course.id, name="Jeudi"))
    plan, outcome = run_import(declic, org, course, MOODLE.encode("utf-8-sig"), actor=admin)

    assert [line.status for line in plan.lines] == ["created"] * 4
    assert plan.new_groups == ["Mardi matin"]
    assert (outcome.created, outcome.enrolments, outcome.groups_created) == (4, 4, 1)
    assert outcome.group_joins == 4
    with declic.db() as db:
        users = {u.login: u for u in db.query(User).filter(User.login != "alice.admin")}
        assert users["samira.benali"].display_name == "سميرة بن علي"
        assert users["samira.benali"].language == "ar"
        assert users["zoe.lefevre"].email is None
        assert users["marie.dupont"].password_hash is None
        roles = dict(
            db.query(User.login, Membership.role)
            .join(Membership)
            .filter(Membership.organisation_id == org.id)
        )
        assert roles["thomas.f"] == "trainer" and roles["marie.dupont"] == "learner"
        enrolled = dict(
            db.query(User.login, Enrolment.role).join(Enrolment, Enrolment.user_id == User.id)
        )
        assert enrolled == {
            "marie.dupont": "learner",
            "zoe.lefevre": "learner",
            "samira.benali": "learner",
            "thomas.f": "trainer",
        }
        groups = {
            (login, name)
            for login, name in db.query(User.login, Group.name)
            .join(GroupMember, GroupMember.user_id == User.id)
            .join(Group, Group.id == GroupMember.group_id)
        }
        assert ("samira.benali", "Jeudi") in groups
        assert ("thomas.f", "Mardi matin") in groups
        assert db.query(Group).filter(Group.course_id == course.id).count() == 2
    # Codes for the three new learners only (a trainer never gets one), and each signs in.
    assert sorted(learner.login for learner in outcome.learners) == [
        "marie.dupont",
        "samira.benali",
        "zoe.lefevre",
    ]
    with declic.db() as db:
        for learner in outcome.learners:
            found = user_for_code(db, learner.code, TEST_SECRET)
            assert found is not None and found[1].login == learner.login
            assert found[0].created_by_id == admin.id


def test_running_the_same_file_again_changes_nothing(declic, place):
    org, course, _admin = place
    run_import(declic, org, course, MOODLE.encode("utf-8-sig"))
    before = counts(declic)
    codes_before = declic.count(LoginCode, revoked_at=None)
    plan, outcome = run_import(declic, org, course, MOODLE.encode("utf-8-sig"))
    assert [line.status for line in plan.lines] == ["unchanged"] * 4
    assert (outcome.created, outcome.enrolments, outcome.groups_created, outcome.learners) == (
        0,
        0,
        0,
        [],
    )
    assert counts(declic) == before
    assert declic.count(LoginCode, revoked_at=None) == codes_before


def test_an_existing_member_is_enrolled_and_grouped_but_their_account_is_kept(declic, place):
    org, course, _admin = place
    member = declic.user(org, "learner", login="nadia.h", display_name="Nadia H.", language="fr")
    plan, outcome = run_import(
        declic, org, course, b"login;prenom;nom;langue;groupe\nnadia.h;Nadia;Haddad;ar;Lundi\n"
    )
    assert plan.lines[0].status == "updated"
    assert (outcome.updated, outcome.enrolments, outcome.group_joins) == (1, 1, 1)
    assert outcome.learners == []  # an existing learner keeps the code they have
    kept = declic.reload(User, member.id)
    assert (kept.display_name, kept.language) == ("Nadia H.", "fr")
    assert declic.count(Enrolment, user_id=member.id) == 1


def test_all_or_nothing_writes_nothing_and_valid_only_writes_the_valid_lines(declic, place):
    org, course, _admin = place
    data = b"login;nom;groupe\ngood.one;Good;Nouveau\nbad one;Bad;Autre\ngood.two;Two;\n"
    before = counts(declic)
    table = read_table(data)
    with declic.db() as db:
        plan = plan_import(db, org.id, course.id, table)
        with pytest.raises(LinesRejectedError):
            apply_plan(db, plan, actor=None, secret_key=TEST_SECRET)
    assert counts(declic) == before

    _plan, outcome = run_import(declic, org, course, data, valid_only=True)
    assert (outcome.created, outcome.rejected, outcome.groups_created) == (2, 1, 1)
    after = counts(declic)
    assert after["User"] == before["User"] + 2
    assert after["Group"] == before["Group"] + 1  # "Autre" was only on the rejected line
    assert after["LoginCode"] == before["LoginCode"] + 2


# --- the PDF sheet ----------------------------------------------------------------------------


def test_the_pdf_sheet_holds_every_name_and_code_eight_cards_a_page():
    cards = [
        CodeCard(f"Apprenant Numéro {i}", f"login{i}", f"ABCD-EF{i:02d}", f"http://x/?c={i}")
        for i in range(9)
    ]
    cards.append(CodeCard("سميرة بن علي", "samira", "WXYZ-2345", "http://x/?c=s"))
    reader = PdfReader(io.BytesIO(render(cards, "Association Navigateur", "Codes")))
    assert len(reader.pages) == 2
    # Long names wrap on the card: compare with the line breaks as spaces.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for card in cards:
        assert card.name in text
        assert card.code in text
    assert reader.metadata.title == "Codes"


# --- the pages --------------------------------------------------------------------------------


def assert_accessible(html: str) -> None:
    """One h1, headers with their scope, a label for each file field and checkbox."""
    assert html.count("<h1") == 1
    assert not re.search(r"<th(?![^>]*scope=)[ >]", html)
    for field_id in re.findall(r'<input[^>]*type="(?:file|checkbox)"[^>]*id="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id
    for form in re.findall(r'<form method="post".*?</form>', html, re.S):
        assert 'name="csrf_token" value="' in form


def _upload(declic, client, url: str, data: bytes, name: str = "learners.csv"):
    return client.post(
        url,
        data={"csrf_token": declic.csrf(client)},
        files={"file": (name, data, "text/csv")},
    )


def test_upload_preview_confirm_then_codes_sheet_and_pdf(declic, place):
    org, course, admin = place
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    page = client.get(url)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text

    sent = _upload(declic, client, url, FRENCH.encode("cp1252"))
    assert sent.status_code == 303
    preview_url = sent.headers["location"]
    assert re.fullmatch(rf"{url}/[A-Za-z0-9_-]+", preview_url)
    before = counts(declic)
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert "Jérôme Noël" in preview.text and "Hélène Côté" in preview.text
    assert "Téléphone" in preview.text  # the column left aside is named
    assert counts(declic) == before  # the preview writes nothing
    assert_accessible(preview.text)

    done = client.post(preview_url, data={"csrf_token": form_token(preview.text)})
    assert done.status_code == 200
    codes = re.findall(r'name="code" value="([A-Z0-9-]+)"', done.text)
    assert len(codes) == 1  # Hélène is a trainer: no code, but a pointer to set her password
    assert (
        "Set a password for each of them on the members page: <bdi>Hélène Côté</bdi>." in done.text
    )
    assert codes[0] in done.text and "Jérôme Noël" in done.text
    assert_accessible(done.text)
    assert declic.count(User) == before["User"] + 2
    # The stored upload is gone: confirming twice is refused, and writes nothing.
    again = client.post(preview_url, data={"csrf_token": form_token(preview.text)})
    assert again.status_code == 404

    token = form_token(done.text)
    user_id = re.search(r'name="user_id" value="(\d+)"', done.text).group(1)
    codes_url = f"{url}/codes"
    sheet = client.post(codes_url, data={"csrf_token": token, "user_id": user_id, "code": codes[0]})
    assert sheet.status_code == 200 and codes[0] in sheet.text and "<svg" in sheet.text
    pdf = client.post(
        codes_url,
        data={"csrf_token": token, "user_id": user_id, "code": codes[0], "format": "pdf"},
    )
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Jérôme Noël" in text and codes[0] in text


def test_the_codes_sheet_prints_only_codes_that_still_sign_in(declic, place):
    org, course, admin = place
    _plan, outcome = run_import(declic, org, course, b"login;nom\nlina;Lina\n", actor=admin)
    learner = outcome.learners[0]
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import/codes"
    forged = declic.post(client, url, {"user_id": str(learner.user_id), "code": "ABCD-EFGH"})
    assert forged.status_code == 404
    other = declic.user(org, "learner", login="other")
    mismatched = declic.post(client, url, {"user_id": str(other.id), "code": learner.code})
    assert mismatched.status_code == 404
    good = declic.post(client, url, {"user_id": str(learner.user_id), "code": learner.code})
    assert good.status_code == 200 and learner.code in good.text


def test_rejected_lines_are_listed_and_nothing_is_written_unless_valid_only(declic, place):
    org, course, admin = place
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    data = b"login;nom;email\nok.one;Ok;\nbad one;Bad;\nok.two;Two;nope\n"
    preview_url = _upload(declic, client, url, data).headers["location"]
    preview = client.get(preview_url)
    assert "Import the valid lines only" in preview.text
    assert "nope" in preview.text and "bad one" in preview.text
    assert_accessible(preview.text)
    before = counts(declic)
    refused = client.post(preview_url, data={"csrf_token": form_token(preview.text)})
    assert refused.status_code == 400
    assert "Nothing was imported" in refused.text
    assert counts(declic) == before
    done = client.post(
        preview_url, data={"csrf_token": form_token(preview.text), "valid_only": "1"}
    )
    assert done.status_code == 200
    assert declic.count(User) == before["User"] + 1
    assert declic.count(User, login="ok.one") == 1


def test_a_20_mb_file_is_refused_on_the_page_naming_the_limit(declic, place):
    org, course, admin = place
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    answer = _upload(declic, client, url, b"login;nom\n" + b"a;b\n" * (5 * 1024 * 1024))
    assert answer.status_code == 400
    assert "The file is 20 MB; the largest file that can be imported is 2 MB." in answer.text
    assert not (declic.state.settings.data_dir / "imports").exists() or not list(
        (declic.state.settings.data_dir / "imports").glob("users-*")
    )


def test_a_bad_file_is_refused_next_to_the_field(declic, place):
    org, course, admin = place
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    answer = _upload(declic, client, url, b"nom;prenom\nDupont;Jean\n")
    assert answer.status_code == 400
    assert 'id="e-file"' in answer.text and "login name" in answer.text
    empty = client.post(url, data={"csrf_token": declic.csrf(client)})
    assert empty.status_code == 400 and "Choose the CSV file" in empty.text


def test_only_user_managers_of_the_organisation_reach_the_import(declic, place):
    org, course, admin = place
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    trainer = declic.user(org, "trainer")
    declic.enrol(course, trainer, "trainer")
    assert declic.client(trainer).get(url).status_code == 403
    other = declic.org()
    other_admin = declic.user(other, "admin")
    assert declic.client(other_admin).get(url).status_code == 403
    foreign = f"/o/{other.slug}/admin/courses/{course.id}/import"
    assert declic.client(other_admin).get(foreign).status_code == 404

    # An upload belongs to its organisation, course and admin.
    client = declic.client(admin)
    preview_url = _upload(declic, client, url, b"login;nom\nx.y;X\n").headers["location"]
    token = preview_url.rsplit("/", 1)[1]
    second_admin = declic.user(org, "admin")
    assert declic.client(second_admin).get(preview_url).status_code == 404
    other_course = declic.course(org, title="Autre")
    assert (
        client.get(f"/o/{org.slug}/admin/courses/{other_course.id}/import/{token}").status_code
        == 404
    )
    assert client.get(f"{url}/not-a-token").status_code == 404


def test_an_upload_left_unconfirmed_for_a_day_is_forgotten(declic, place):
    org, course, admin = place
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    preview_url = _upload(declic, client, url, b"login;nom\nx.y;X\n").headers["location"]
    folder = declic.state.settings.data_dir / "imports"
    stored = sorted(folder.glob("users-*"))
    assert [p.suffix for p in stored] == [".csv", ".json"]
    day_ago = time.time() - 25 * 3600
    for path in stored:
        os.utime(path, (day_ago, day_ago))
    assert client.get(preview_url).status_code == 404
    assert list(folder.glob("users-*")) == []


def test_an_account_made_between_the_checks_and_the_writes_makes_the_import_refused_whole(
    declic, place, monkeypatch
):
    """Two admins confirming the same people at once: the database's unique login stops the
    second, whose import is refused as a whole (409), nothing of it written."""
    org, course, admin = place
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    preview_url = _upload(declic, client, url, b"login;nom\nfirst.one;A\nrace.one;B\n").headers[
        "location"
    ]
    preview = client.get(preview_url)
    planned = user_import.plan_import

    def plan_then_someone_else_creates_the_account(db, *args):
        plan = planned(db, *args)
        db.add(User(login="race.one", display_name="Made meanwhile"))
        db.flush()
        return plan

    monkeypatch.setattr(user_import, "plan_import", plan_then_someone_else_creates_the_account)
    before = counts(declic)
    answer = client.post(preview_url, data={"csrf_token": form_token(preview.text)})
    assert answer.status_code == 409
    assert "Nothing was imported" in answer.text
    assert counts(declic) == before


def test_the_size_limit_is_named_in_french_on_a_french_page(declic):
    org = declic.org(name="Association Francophone")  # French is the default language
    course = declic.course(org)
    admin = declic.user(org, "admin")
    client = declic.client(admin)
    url = f"/o/{org.slug}/admin/courses/{course.id}/import"
    assert "2 Mo et 500 personnes au plus" in client.get(url).text
    answer = _upload(declic, client, url, b"login;nom\n" + b"a;b\n" * (5 * 1024 * 1024))
    assert "Le fichier fait 20 Mo ; le plus gros fichier importable fait 2 Mo." in answer.text
