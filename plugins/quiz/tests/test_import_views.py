"""The import pages (upload → preview → confirmation) and the export download."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.testing import Kit
from plugins.quiz.models import Question, QuestionCategory, QuestionVersion
from plugins.quiz.tests.interop_helpers import snapshot

GOOD = """\
$CATEGORY: $course$/top/Atelier 1

::Souris::[html]La souris sert à <b>pointer</b>.<script>steal()</script>{T}

::Clavier::Combien de touches a un clavier français ? {#105:5}
"""
WITH_A_BAD_ONE = (
    GOOD
    + """
::Trop::Quels sont les bons ? {~%150%Celui-ci ~%-50%Celui-là}
"""
)
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<quiz><question type="essay"><name><text>&lol2;</text></name></question></quiz>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&xxe;</text></name>
<questiontext format="html"><text>&xxe;</text></questiontext></question></quiz>"""


@pytest.fixture
def site(declic: Kit) -> dict[str, Any]:
    org = declic.org("assoc-a")
    declic.enable(org, "quiz")
    trainer = declic.user(org, "trainer", language="en")
    client = declic.client(trainer)
    return {"org": org, "trainer": trainer, "client": client, "base": "/o/assoc-a/quiz/bank"}


def upload(declic: Kit, site: dict[str, Any], content: bytes, name: str = "bank.gift", **data: Any):
    return declic.post(
        site["client"],
        site["base"] + "/import",
        data,
        files={"file": (name, content, "application/octet-stream")},
    )


def token_of(page: str) -> str:
    found = re.search(r'name="token" value="([0-9a-f]{32})"', page)
    assert found, page
    return found.group(1)


def confirm(declic: Kit, site: dict[str, Any], page: str, **data: Any):
    return declic.post(
        site["client"], site["base"] + "/import/confirm", {"token": token_of(page), **data}
    )


def test_the_bank_links_to_import_and_export(declic: Kit, site: dict[str, Any]) -> None:
    page = site["client"].get(site["base"]).text
    assert 'href="/o/assoc-a/quiz/bank/import"' in page
    assert 'href="/o/assoc-a/quiz/bank/export"' in page
    form = site["client"].get(site["base"] + "/import")
    assert form.status_code == 200 and 'type="file"' in form.text


def test_preview_then_confirm(declic: Kit, site: dict[str, Any], tmp_path: Path) -> None:
    preview = upload(declic, site, GOOD.encode())
    assert preview.status_code == 200, preview.text
    assert "2 questions will be created" in preview.text
    assert "Atelier 1" in preview.text and "True or false: 1" in preview.text
    assert declic.count(Question) == 0  # a preview writes nothing
    kept = list((declic.state.settings.data_dir / "imports").glob("*.upload"))
    assert len(kept) == 1
    done = confirm(declic, site, preview.text)
    assert done.status_code == 303
    assert done.headers["location"] == "/o/assoc-a/quiz/bank?imported=2"
    assert "2 questions imported." in site["client"].get(done.headers["location"]).text
    assert declic.count(Question) == 2
    with declic.db() as db:
        souris = db.scalar(select(QuestionVersion).where(QuestionVersion.name == "Souris"))
        assert souris is not None
        assert souris.text == "La souris sert à <b>pointer</b>."  # the script is gone
    assert not list((declic.state.settings.data_dir / "imports").glob("*.upload"))
    # The same token cannot be used twice.
    again = confirm(declic, site, preview.text)
    assert again.status_code == 409 and declic.count(Question) == 2


def test_all_or_nothing_unless_the_valid_part_is_asked(declic: Kit, site: dict[str, Any]) -> None:
    preview = upload(declic, site, WITH_A_BAD_ONE.encode())
    assert "line 7" in preview.text and "150 % is over 100 %" in preview.text
    assert 'name="keep_valid"' in preview.text
    refused = confirm(declic, site, preview.text)
    assert refused.status_code == 422 and "Nothing was imported" in refused.text
    assert declic.count(Question) == 0 and declic.count(QuestionCategory) == 0
    done = confirm(declic, site, refused.text, keep_valid="1")
    assert done.status_code == 303 and declic.count(Question) == 2


def test_target_category(declic: Kit, site: dict[str, Any]) -> None:
    with declic.db() as db:
        target = QuestionCategory(organisation_id=site["org"].id, name="Mes questions")
        db.add(target)
        db.flush()
        target_id = target.id
    preview = upload(declic, site, GOOD.encode(), category_id=str(target_id))
    assert "Mes questions" in preview.text
    confirm(declic, site, preview.text, category_id=str(target_id))
    assert declic.count(Question, category_id=target_id) == 2
    assert declic.count(QuestionCategory) == 1


@pytest.mark.parametrize("content", [BOMB, EXTERNAL])
def test_xml_bombs_and_external_entities(declic: Kit, site: dict[str, Any], content: bytes) -> None:
    preview = upload(declic, site, content, "bank.xml")
    assert preview.status_code == 200
    assert "The file declares a document type (DTD)" in preview.text
    assert "root:" not in preview.text
    assert 'name="token"' not in preview.text  # nothing to confirm
    assert declic.count(Question) == 0


def test_a_20_mb_file_is_refused_naming_the_limit(declic: Kit, site: dict[str, Any]) -> None:
    response = upload(declic, site, b"// x\n" * (4 * 1024 * 1024))
    assert response.status_code == 422
    assert "The file is 20.0 MB; the largest file that can be imported is 10 MB." in response.text
    assert not (declic.state.settings.data_dir / "imports").exists() or not list(
        (declic.state.settings.data_dir / "imports").glob("*.upload")
    )


def test_missing_file_and_bad_format(declic: Kit, site: dict[str, Any]) -> None:
    response = declic.post(site["client"], site["base"] + "/import", {"format": "doc"})
    assert response.status_code == 422
    assert "Choose a .gift, .txt or .xml file." in response.text
    assert "Choose GIFT, Moodle XML" in response.text


def test_only_the_uploader_confirms(declic: Kit, site: dict[str, Any]) -> None:
    preview = upload(declic, site, GOOD.encode())
    colleague = declic.client(declic.user(site["org"], "trainer", language="en"))
    response = declic.post(
        colleague, site["base"] + "/import/confirm", {"token": token_of(preview.text)}
    )
    assert response.status_code == 409 and "not yours" in response.text
    assert declic.count(Question) == 0


def test_other_organisations_and_learners_are_kept_out(declic: Kit, site: dict[str, Any]) -> None:
    preview = upload(declic, site, GOOD.encode())
    other = declic.org("assoc-b")
    declic.enable(other, "quiz")
    outsider = declic.client(declic.user(other, "admin", language="en"))
    # Org B's admin cannot reach A's pages, nor use A's upload from B's own pages.
    assert outsider.get(site["base"] + "/import").status_code in (403, 404)
    assert outsider.get(site["base"] + "/export/download?format=gift").status_code in (403, 404)
    response = declic.post(
        outsider, "/o/assoc-b/quiz/bank/import/confirm", {"token": token_of(preview.text)}
    )
    assert response.status_code == 409
    learner = declic.client(declic.user(site["org"], "learner"))
    assert learner.get(site["base"] + "/import").status_code == 403
    assert declic.count(Question) == 0


def test_export_downloads(declic: Kit, site: dict[str, Any]) -> None:
    confirm(declic, site, upload(declic, site, GOOD.encode()).text)
    client = site["client"]
    assert "The whole bank" in client.get(site["base"] + "/export").text
    gift = client.get(site["base"] + "/export/download?format=gift")
    assert gift.status_code == 200
    assert 'filename="assoc-a-questions.gift.txt"' in gift.headers["content-disposition"]
    assert "::Souris::" in gift.text and "$CATEGORY: $course$/top/Atelier 1" in gift.text
    with declic.db() as db:
        category_id = db.scalar(select(QuestionCategory.id))
    xml = client.get(f"{site['base']}/export/download?format=xml&category={category_id}")
    assert xml.status_code == 200 and xml.content.startswith(b"<?xml")
    # The XML export imported into another organisation gives the same bank.
    other = declic.org("assoc-b")
    declic.enable(other, "quiz")
    admin = declic.client(declic.user(other, "admin", language="en"))
    preview = declic.post(
        admin,
        "/o/assoc-b/quiz/bank/import",
        files={"file": ("x.xml", xml.content, "application/xml")},
    )
    declic.post(admin, "/o/assoc-b/quiz/bank/import/confirm", {"token": token_of(preview.text)})
    assert snapshot(declic, other) == snapshot(declic, site["org"])


def test_every_string_of_import_export_and_grades_is_in_french() -> None:
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    quiz = Path(__file__).resolve().parents[1]
    sources = [
        (quiz / name, "python")
        for name in ("interop_bank.py", "course_grades.py", "views/imports.py", "views/grades.py")
    ]
    sources += [
        (path, "jinja2")
        for pattern in ("import*.html", "export*.html")
        for path in (quiz / "templates" / "quiz").glob(pattern)
    ]
    found = set()
    for path, method in sources:
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _line, message, _comments, _context in extract_from_file(method, path, options=options):
            found.add(message if isinstance(message, str) else message[0])
    assert len(found) > 40
    with (quiz / "locale" / "fr" / "LC_MESSAGES" / "quiz.po").open("rb") as po:
        catalogue = read_po(po)
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue if m.string}
    assert found - translated == set()


def test_what_gift_cannot_say_is_refused_plainly(declic: Kit, site: dict[str, Any]) -> None:
    from plugins.quiz.bank import create_question, ensure_category

    with declic.db() as db:
        category = ensure_category(db, site["org"].id, "Flèches")
        data = {"answers": [{"text": "a -> b", "fraction": 1.0, "feedback": ""}]}
        create_question(db, site["org"].id, category.id, "shortanswer", "Flèche", "t", data)
    gift = site["client"].get(site["base"] + "/export/download?format=gift")
    assert gift.status_code == 422
    assert "“Flèche”: GIFT would read “-&gt;” in an answer as a matching pair." in gift.text
    assert site["client"].get(site["base"] + "/export/download?format=xml").status_code == 200


def test_an_upload_is_claimed_once_and_only_by_its_owner(tmp_path: Path) -> None:
    from plugins.quiz import import_store

    token = import_store.keep(tmp_path, 1, 10, "bank.gift", b"::A::x {T}")
    assert import_store.claim(tmp_path, token, 2, 10) is None  # another organisation
    assert import_store.claim(tmp_path, token, 1, 11) is None  # another user
    assert import_store.claim(tmp_path, "../../etc/passwd", 1, 10) is None
    pending = import_store.claim(tmp_path, token, 1, 10)
    assert pending is not None and pending.data == b"::A::x {T}"
    assert import_store.claim(tmp_path, token, 1, 10) is None  # a double click gets nothing
    import_store.release(tmp_path, token)
    assert import_store.claim(tmp_path, token, 1, 10) is not None
    import_store.discard(tmp_path, token)
    assert list((tmp_path / "imports").iterdir()) == []
