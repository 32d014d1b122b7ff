"""The neutral model mapped onto the quiz bank and back: types, weights, formats, images,
tags, categories, and round trips GIFT → bank → GIFT → bank and XML → bank → XML → bank."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from core import i18n
from core.testing import Kit
from plugins.quiz.bank import tags_of
from plugins.quiz.interop import gift, gift_writer, model, moodle_xml, moodle_xml_writer
from plugins.quiz.interop_bank import (
    apply_plan,
    export_bank,
    normalise_tag,
    plan_import,
    to_html,
)
from plugins.quiz.models import Question, QuestionCategory, QuestionVersion, QuizImage
from plugins.quiz.tests.interop.strategies import banks
from plugins.quiz.tests.interop_helpers import import_bytes, snapshot

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

EVERY_TYPE_GIFT = """\
// A bank with every GIFT question type
$CATEGORY: $course$/top/Bureautique/Word

// [tag:crcn:1.1]
// [tag:Traitement de texte]
::Capitale::[html]Quelle est la <b>capitale</b> de la France ?<script>alert(1)</script> {
\t=Paris#Oui, <i>Paris</i>.
\t~Lyon#Non.
\t~Marseille
\t####Paris est la capitale depuis longtemps.
}

::Plusieurs::Quels sont des navigateurs ? {
\t~%50%Firefox#Oui
\t~%50%Chromium
\t~%-100%Word#Non, un traitement de texte.
}

::Vrai::La souris est un périphérique d'entrée.{TRUE#Non, c'est vrai.#Oui.}

::Court::Quel logiciel ouvre un fichier .docx ? {=Word =%50%Writer#Presque. =LibreOffice*}

$CATEGORY: $course$/top/Calcul

::Nombre::Combien font 2 + 2 ? {#=4:0#Exact. =%50%4:1#Presque. ~#Non.}

::Plage::Un nombre entre 1 et 3 : {#1..3}

::Paires::Associez. {
\t=chat -> croquettes
\t=chien -> os
\t= -> carottes
}

::Trou::Le clavier sert à {=écrire ~dessiner} du texte.

::Essai::Décrivez votre dernier courriel. {}

::Info::[markdown]Ceci est une **information**.

::Auto::[moodle]Première ligne
Deuxième ligne & fin {T}
"""


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Reasons are compared in English, whatever language an earlier test left set."""
    previous = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(previous)


@pytest.fixture
def org(declic: Kit) -> Any:
    org = declic.org("assoc-a")
    declic.enable(org, "quiz")
    return org


def _versions(declic: Kit, org: Any) -> dict[str, QuestionVersion]:
    with declic.db() as db:
        rows = db.scalars(
            select(QuestionVersion).where(QuestionVersion.organisation_id == org.id)
        ).all()
        return {v.name: v for v in rows}


def test_every_gift_type_maps_onto_the_quiz_types(declic: Kit, org: Any) -> None:
    plan = import_bytes(declic, org, EVERY_TYPE_GIFT.encode(), "gift")
    assert plan.ok, plan.rejected
    v = _versions(declic, org)
    assert {n: x.qtype for n, x in v.items()} == {
        "Capitale": "single",
        "Plusieurs": "multiple",
        "Vrai": "truefalse",
        "Court": "shortanswer",
        "Nombre": "numerical",
        "Plage": "numerical",
        "Paires": "matching",
        "Trou": "single",
        "Essai": "essay",
        "Info": "description",
        "Auto": "truefalse",
    }
    capitale = v["Capitale"]
    assert "<script>" not in capitale.text and "alert" not in capitale.text
    assert "<b>capitale</b>" in capitale.text
    assert capitale.general_feedback == "Paris est la capitale depuis longtemps."
    assert [(c["text"], c["fraction"], c["feedback"]) for c in capitale.data["choices"]] == [
        ("Paris", 1.0, "Oui, <i>Paris</i>."),
        ("Lyon", 0.0, "Non."),
        ("Marseille", 0.0, ""),
    ]
    assert [c["fraction"] for c in v["Plusieurs"].data["choices"]] == [0.5, 0.5, -1.0]
    assert v["Vrai"].data == {
        "correct": True,
        "feedback_true": "Oui.",
        "feedback_false": "Non, c'est vrai.",
    }
    assert v["Court"].data["answers"] == [
        {"text": "Word", "fraction": 1.0, "feedback": ""},
        {"text": "Writer", "fraction": 0.5, "feedback": "Presque."},
        {"text": "LibreOffice*", "fraction": 1.0, "feedback": ""},
    ]
    # "Any other answer" has no place in the quiz's numerical type: dropped with a note.
    assert v["Nombre"].data["answers"] == [
        {"value": 4.0, "tolerance": 0.0, "fraction": 1.0, "feedback": "Exact."},
        {"value": 4.0, "tolerance": 1.0, "fraction": 0.5, "feedback": "Presque."},
    ]
    assert any("Nombre" in note for note in plan.notes)
    assert v["Plage"].data["answers"][0] | {"feedback": ""} == {
        "value": 2.0,
        "tolerance": 1.0,
        "fraction": 1.0,
        "feedback": "",
    }
    assert v["Paires"].data == {
        "pairs": [
            {"id": "p1", "prompt": "chat", "answer": "croquettes"},
            {"id": "p2", "prompt": "chien", "answer": "os"},
        ],
        "distractors": ["carottes"],
    }
    assert v["Trou"].text == "Le clavier sert à _____ du texte."
    assert v["Info"].text == "<p>Ceci est une <strong>information</strong>.</p>"
    assert v["Info"].default_mark == 0.0
    assert v["Auto"].text == "Première ligne<br>Deuxième ligne &amp; fin"
    with declic.db() as db:
        categories = set(db.scalars(select(QuestionCategory.name)))
        tags = tags_of(db, db.scalars(select(Question.id)).all())
    assert categories == {"Bureautique / Word", "Calcul"}
    assert sorted(tags.values()) == [["crcn:1.1", "traitement-de-texte"]]


def test_counts_per_type_and_category(declic: Kit) -> None:
    plan = plan_import(gift.parse(EVERY_TYPE_GIFT))
    assert plan.count_by_type() == {
        "single": 2,
        "multiple": 1,
        "truefalse": 2,
        "shortanswer": 1,
        "numerical": 2,
        "matching": 1,
        "essay": 1,
        "description": 1,
    }
    assert plan.count_by_category()["Bureautique / Word"] == {
        "single": 1,
        "multiple": 1,
        "truefalse": 1,
        "shortanswer": 1,
    }
    into_one = plan_import(gift.parse(EVERY_TYPE_GIFT), "Atelier 1")
    assert list(into_one.count_by_category()) == ["Atelier 1"]


def test_gift_round_trip_gives_an_equal_bank(declic: Kit, org: Any) -> None:
    import_bytes(declic, org, EVERY_TYPE_GIFT.encode(), "gift")
    first = snapshot(declic, org)
    with declic.db() as db:
        exported = gift_writer.write(export_bank(db, org.id).bank)
    other = declic.org("assoc-b")
    plan = import_bytes(declic, other, exported.encode(), "gift")
    assert plan.ok and not plan.notes, (plan.rejected, plan.notes)
    assert snapshot(declic, other) == first
    with declic.db() as db:
        again = gift_writer.write(export_bank(db, other.id).bank)
    assert again == exported


XML_WITH_IMAGES = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Images</text></category></question>
  <question type="multichoice">
    <name><text>Logo</text></name>
    <questiontext format="html"><text><![CDATA[<p>Quel logo ? <img src="@@PLUGINFILE@@/logo%20a.png" alt="logo"></p>]]></text>
      <file name="logo a.png" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file>
      <file name="photo.png" path="/" encoding="base64">{base64.b64encode(PNG + b"x").decode()}</file>
    </questiontext>
    <generalfeedback format="html"><text>Voilà.</text></generalfeedback>
    <defaultgrade>2.5</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html"><text>Celui-ci</text><feedback><text>Oui</text></feedback></answer>
    <answer fraction="0" format="html"><text>L'autre</text><feedback><text></text></feedback></answer>
    <tags><tag><text>b2i:D1</text></tag></tags>
  </question>
  <question type="shortanswer">
    <name><text>Casse</text></name>
    <questiontext format="plain_text"><text>Tapez &lt;Entrée&gt;</text></questiontext>
    <defaultgrade>3</defaultgrade>
    <usecase>1</usecase>
    <answer fraction="100"><text>Entrée</text></answer>
  </question>
</quiz>
""".encode()


def test_xml_images_marks_and_round_trip(declic: Kit, org: Any) -> None:
    plan = import_bytes(declic, org, XML_WITH_IMAGES, "xml")
    assert plan.ok, plan.rejected
    v = _versions(declic, org)
    logo = v["Logo"]
    with declic.db() as db:
        images = {i.id: i.data for i in db.scalars(select(QuizImage))}
    inline = [i for i, data in images.items() if data == PNG]
    picture = [i for i, data in images.items() if data == PNG + b"x"]
    assert f'src="/o/assoc-a/quiz/images/{inline[0]}"' in logo.text
    assert logo.image_id == picture[0]  # the file no text shows is the question's picture
    assert logo.default_mark == 2.5
    casse = v["Casse"]
    assert casse.text == "Tapez &lt;Entrée&gt;" and casse.data["case_sensitive"] is True
    first = snapshot(declic, org)
    with declic.db() as db:
        exported = moodle_xml_writer.write(export_bank(db, org.id).bank)
    # Moodle shows the picture: it is alone at the end of the question text.
    ending = f'&lt;p&gt;&lt;img src="@@PLUGINFILE@@/image-{picture[0]}.png" alt=""&gt;&lt;/p&gt;'
    assert (ending + "</text>").encode() in exported
    other = declic.org("assoc-b")
    again = import_bytes(declic, other, exported, "xml")
    assert again.ok
    assert snapshot(declic, other) == first


def test_bad_images_are_rejected_with_the_question(declic: Kit, org: Any) -> None:
    svg = XML_WITH_IMAGES.replace(
        base64.b64encode(PNG).decode().encode(), base64.b64encode(b"<svg/>").decode().encode()
    )
    plan = plan_import(moodle_xml.parse(svg))
    assert [r.question for r in plan.rejected] == ["Logo"]
    assert "not a picture" in plan.rejected[0].reason
    big = model.Question(
        "essay", "Big", "t", images=(model.Image("big.png", PNG + b"0" * (1024 * 1024)),)
    )
    plan = plan_import(model.ParseResult(model.Bank((model.Category((), (big,)),))))
    assert "too large" in plan.rejected[0].reason and plan.rejected[0].question == "Big"


def test_rules_of_the_quiz(declic: Kit) -> None:
    questions = (
        model.Question("essay", "Heavy", "t", default_mark=Decimal(150)),
        model.Question(
            "numerical",
            "Any",
            "n",
            numerical_answers=(
                model.NumericalAnswer(Decimal(1), Decimal(0), Decimal(100)),
                model.NumericalAnswer(None, Decimal(0), Decimal(50)),
            ),
        ),
        model.Question("essay", "Only script", "<script>x()</script>", text_format="html"),
        model.Question("essay", "Kept", "ok", tags=("مرحبا", "Fiche 1")),
    )
    plan = plan_import(model.ParseResult(model.Bank((model.Category((), questions),))))
    assert {r.question: r.reason for r in plan.rejected} == {
        "Heavy": "The mark 150 is over 100.",
        "Any": "Marks for “any other answer” cannot be kept: only listed numbers.",
        "Only script": "The question text is empty once unsafe content is removed.",
    }
    assert plan.questions[0].tags == ["fiche-1"]
    assert any("مرحبا" in note for note in plan.notes)
    assert plan.questions[0].category == "Imported questions"


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("crcn:1.1", "crcn:1.1"),
        ("B2I:D1", "b2i:D1"),
        ("Éducation numérique", "education-numerique"),
    ],
)
def test_tags(raw: str, tag: str) -> None:
    assert normalise_tag(raw) == tag


def test_formats_to_html() -> None:
    assert to_html("a\nb", "plain") == "a<br>b"
    assert to_html("<b>x</b>", "plain") == "&lt;b&gt;x&lt;/b&gt;"
    assert to_html("a\nb", "moodle") == "a<br>b"
    assert to_html("*a*", "markdown") == "<p><em>a</em></p>"
    assert to_html("<p>a\nb</p>", "html") == "<p>a\nb</p>"


def test_export_one_category_and_isolation(declic: Kit, org: Any) -> None:
    import_bytes(declic, org, EVERY_TYPE_GIFT.encode(), "gift")
    other = declic.org("assoc-b")
    import_bytes(declic, other, b"::Autre::Rien {T}", "gift")
    with declic.db() as db:
        calcul = db.scalar(
            select(QuestionCategory.id).where(
                QuestionCategory.name == "Calcul", QuestionCategory.organisation_id == org.id
            )
        )
        one = export_bank(db, org.id, calcul).bank
        theirs = export_bank(db, other.id).bank
        # Another organisation's category id gives nothing of this one.
        foreign = export_bank(db, other.id, calcul).bank
    assert [c.path for c in one.categories] == [("Calcul",)]
    assert len(one.questions) == 7
    assert [q.name for q in theirs.questions] == ["Autre"]
    assert foreign.questions == ()


def _with_real_pictures(bank: model.Bank) -> model.Bank:
    """The generated files start with PNG's signature, as the quiz only keeps pictures."""
    return model.Bank(
        tuple(
            replace(
                category,
                questions=tuple(
                    replace(
                        q,
                        images=tuple(replace(i, content=PNG + i.content) for i in q.images),
                        default_mark=min(q.default_mark, Decimal(100)),
                    )
                    for q in category.questions
                ),
            )
            for category in bank.categories
        )
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bank=banks())
def test_generated_banks_survive_export_and_import(declic: Kit, bank: model.Bank) -> None:
    """neutral bank → XML → quiz bank → XML → quiz bank: both quiz banks are equal."""
    bank = _with_real_pictures(bank)
    first_org = declic.org()
    declic.enable(first_org, "quiz")
    plan = import_bytes(declic, first_org, moodle_xml_writer.write(bank), "xml")
    assert len(plan.questions) == len(bank.questions), plan.rejected
    first = snapshot(declic, first_org)
    with declic.db() as db:
        exported = moodle_xml_writer.write(export_bank(db, first_org.id).bank)
    second_org = declic.org()
    plan = import_bytes(declic, second_org, exported, "xml")
    assert plan.ok, plan.rejected
    assert snapshot(declic, second_org) == first


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bank=banks(gift_only=True))
def test_generated_banks_survive_gift(declic: Kit, bank: model.Bank) -> None:
    first_org = declic.org()
    import_bytes(declic, first_org, gift_writer.write(bank).encode(), "gift")
    first = snapshot(declic, first_org)
    with declic.db() as db:
        exported = gift_writer.write(export_bank(db, first_org.id).bank)
    second_org = declic.org()
    plan = import_bytes(declic, second_org, exported.encode(), "gift")
    assert plan.ok, plan.rejected
    assert snapshot(declic, second_org) == first


def test_apply_writes_nothing_when_it_fails(declic: Kit, org: Any) -> None:
    plan = plan_import(gift.parse(EVERY_TYPE_GIFT))
    plan.questions[-1].data = {"bad": object()}  # cannot be stored: fails last
    with pytest.raises(TypeError), declic.db() as db:
        apply_plan(db, org.id, org.slug, plan)
    assert declic.count(Question) == 0 and declic.count(QuestionCategory) == 0
    assert json.dumps(plan.questions[0].data)  # the others were plain data


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_moodle_quick_examples_survive_the_bank(declic: Kit, org: Any, fmt: str) -> None:
    """The quick examples of Moodle's GIFT page: into the bank, out as GIFT or XML, back in."""
    from plugins.quiz.tests.interop.test_gift_docs_examples import QUICK_EXAMPLES

    plan = import_bytes(declic, org, QUICK_EXAMPLES.encode(), "gift")
    assert plan.ok and len(plan.questions) == 8
    with declic.db() as db:
        bank = export_bank(db, org.id).bank
    exported = gift_writer.write(bank).encode() if fmt == "gift" else moodle_xml_writer.write(bank)
    other = declic.org("assoc-b")
    assert import_bytes(declic, other, exported, fmt).ok
    assert snapshot(declic, other) == snapshot(declic, org)


def test_every_type_through_moodle_xml(declic: Kit, org: Any) -> None:
    import_bytes(declic, org, EVERY_TYPE_GIFT.encode(), "gift")
    with declic.db() as db:
        exported = moodle_xml_writer.write(export_bank(db, org.id).bank)
    other = declic.org("assoc-b")
    assert import_bytes(declic, other, exported, "xml").ok
    assert snapshot(declic, other) == snapshot(declic, org)
    with declic.db() as db:
        assert moodle_xml_writer.write(export_bank(db, other.id).bank) == exported


def test_too_many_questions_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from plugins.quiz import interop_bank

    monkeypatch.setattr(interop_bank, "MAX_QUESTIONS", 3)
    plan = plan_import(gift.parse(EVERY_TYPE_GIFT))
    assert plan.questions == []
    assert plan.rejected[0].reason == (
        "The file holds 11 questions; at most 3 can be imported at once: "
        "split it into several files."
    )


def test_questions_written_in_the_editor_export(declic: Kit, org: Any) -> None:
    """Ranges become value ± tolerance, choice pictures go with the choice, ordering is left."""
    from plugins.quiz.bank import create_question, ensure_category

    with declic.db() as db:
        category = ensure_category(db, org.id, "Éditeur")
        picture = QuizImage(
            organisation_id=org.id, content_type="image/png", size=len(PNG), sha256="x", data=PNG
        )
        db.add(picture)
        db.flush()
        numbers = {"answers": [{"min": 1.0, "max": 3.5, "fraction": 1.0, "feedback": ""}]}
        choices = {
            "choices": [
                {
                    "id": "a",
                    "text": "Souris",
                    "fraction": 1.0,
                    "feedback": "",
                    "image_id": picture.id,
                },
                {"id": "b", "text": "Clavier", "fraction": 0.0, "feedback": "", "image_id": None},
            ]
        }
        order = {"items": [{"id": "i1", "text": "un"}, {"id": "i2", "text": "deux"}]}
        for qtype, name, data in (
            ("numerical", "Plage", numbers),
            ("single", "Image", choices),
            ("ordering", "Ordre", order),
        ):
            create_question(db, org.id, category.id, qtype, name, "<p>?</p>", data)
    with declic.db() as db:
        result = export_bank(db, org.id)
    assert result.skipped == ["Ordre"]
    by_name = {q.name: q for q in result.bank.questions}
    (answer,) = by_name["Plage"].numerical_answers
    assert (answer.value, answer.tolerance, answer.fraction) == (
        Decimal("2.25"),
        Decimal("1.25"),
        Decimal(100),
    )
    image = by_name["Image"]
    assert image.answers[0].text == (
        f'Souris<br><img src="@@PLUGINFILE@@/image-{picture.id}.png" alt="">'
    )
    assert [(i.filename, i.content) for i in image.images] == [(f"image-{picture.id}.png", PNG)]


def test_a_text_that_looks_like_an_image_mark_is_left_alone(declic: Kit, org: Any) -> None:
    plan = import_bytes(declic, org, b"::Ruse::declic-import-image-7 {T}", "gift")
    assert plan.ok
    assert _versions(declic, org)["Ruse"].text == "declic-import-image-7"


def test_gift_keeps_the_quiz_image_urls_and_leaves_pictures_out(declic: Kit, org: Any) -> None:
    import_bytes(declic, org, XML_WITH_IMAGES, "xml")
    logo = _versions(declic, org)["Logo"]
    with declic.db() as db:
        bank = export_bank(db, org.id, with_files=False).bank
    (question,) = [q for q in bank.questions if q.name == "Logo"]
    assert question.images == () and "@@PLUGINFILE@@" not in question.text
    assert question.text == logo.text  # the inline image still points at this organisation's
    text = gift_writer.write(bank)
    assert "/o/assoc-a/quiz/images/" in text and "PLUGINFILE" not in text
