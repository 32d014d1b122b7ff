"""Fixed round trips (GIFT and XML, and across) and what each writer refuses."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from plugins.quiz.interop import gift, moodle_xml
from plugins.quiz.interop.gift_writer import GiftExportError
from plugins.quiz.interop.model import Answer, Bank, Category, MatchPair, Question
from plugins.quiz.interop.moodle_xml_writer import MoodleXmlExportError

from .test_gift_docs_examples import QUICK_EXAMPLES
from .test_moodle_xml import MOODLE_EXPORT

EVERY_FEATURE = """\
// A bank using every GIFT feature at once.
$CATEGORY: $course$/top/Bureautique/Traitement de texte

// [tag:word] [tag:débutant]
::Ouvrir:: [html]<p>Pour ouvrir un fichier, on fait :</p> {
    =Ctrl+O#[html]<b>Oui</b>
    ~Ctrl+W#Cela ferme.
    ~%-50%Alt+F4#Cela quitte \\: attention !
    ####[html]<p>Raccourci à connaître.</p>
}

::Copier-coller:: Cochez les étapes. {
    ~%50%Copier
    ~%50%Coller
    ~%-100%Supprimer
}

::Vrai:: Le clavier AZERTY est français. {TRUE#Regardez la première ligne.#Bien vu.}

::Mot:: Le logiciel de traitement de texte de Microsoft s'appelle {
    =Word#Exact
    =%50%MS Word#Presque
} ou Writer chez LibreOffice.

::Nombre:: Combien de touches sur un pavé numérique ? {#
    =17:0
    =%50%16..18#À une touche près.
    ~#Comptez encore.
}

::Associer:: Associez le raccourci à l'action. {
    =Ctrl+C -> Copier
    =Ctrl+V -> Coller
    =Ctrl+X -> Couper
    = -> Imprimer
}

::Essai:: Racontez votre premier courriel. {}

::Info:: [markdown]Les questions suivantes portent sur **Excel**.

$CATEGORY: Tableur

::Formule:: Une formule commence par \\= dans Excel. {T}

::Accolades:: Écrivez \\{ et \\} : {=\\{\\}#Bien\\#}

::العربية:: ما هي عاصمة فرنسا؟ {=باريس ~ليون ~مرسيليا}
"""


@pytest.mark.parametrize("source", [QUICK_EXAMPLES, EVERY_FEATURE], ids=["docs", "features"])
def test_gift_to_model_to_gift_to_model(source: str):
    first = gift.parse(source)
    assert first.problems == ()
    second = gift.parse(gift.write(first.bank))
    assert second.problems == ()
    assert second.bank == first.bank


def test_every_feature_bank_has_what_was_written():
    bank = gift.parse(EVERY_FEATURE).bank
    assert [c.path for c in bank.categories] == [
        ("Bureautique", "Traitement de texte"),
        ("Tableur",),
    ]
    kinds = [q.qtype for q in bank.questions]
    assert kinds == [
        "multichoice",
        "multichoice_multi",
        "truefalse",
        "shortanswer",
        "numerical",
        "matching",
        "essay",
        "description",
        "truefalse",
        "shortanswer",
        "multichoice",
    ]
    ouvrir = bank.questions[0]
    assert ouvrir.tags == ("word", "débutant") and ouvrir.text_format == "html"
    assert ouvrir.answers[2] == Answer("Alt+F4", D(-50), "Cela quitte : attention !")
    assert ouvrir.general_feedback == "<p>Raccourci à connaître.</p>"
    assert bank.questions[9].answers == (Answer("{}", D(100), "Bien#"),)
    assert bank.questions[8].text == "Une formule commence par = dans Excel."


@pytest.mark.parametrize("source", [QUICK_EXAMPLES, EVERY_FEATURE], ids=["docs", "features"])
def test_gift_to_model_to_xml_to_model(source: str):
    bank = gift.parse(source).bank
    assert moodle_xml.parse(moodle_xml.write(bank)).bank == bank


def test_xml_to_model_to_xml_to_model():
    first = moodle_xml.parse(MOODLE_EXPORT.encode())
    second = moodle_xml.parse(moodle_xml.write(first.bank))
    assert second.problems == () and second.bank == first.bank


def test_xml_to_gift_keeps_what_gift_can_say():
    bank = moodle_xml.parse(MOODLE_EXPORT.encode()).bank
    back = gift.parse(gift.write(bank)).bank
    before, after = bank.questions, back.questions
    assert [q.qtype for q in after] == [q.qtype for q in before]
    assert [q.text for q in after] == [q.text for q in before]
    assert [q.answers for q in after] == [q.answers for q in before]
    # Lost on the way, as documented: marks, images, case sensitivity.
    assert before[0].default_mark == 2 and after[0].default_mark == 1
    assert before[0].images and not after[0].images
    assert before[3].case_sensitive and not after[3].case_sensitive


def _bank(*questions: Question) -> Bank:
    return Bank((Category((), questions),))


def test_gift_writer_refuses_what_gift_would_misread():
    short = Question("shortanswer", "S", "Flèche ?", answers=(Answer("a->b", D(100)),))
    with pytest.raises(GiftExportError, match="“S”: GIFT would read “->”"):
        gift.write(_bank(short))
    # An arrow split by the feedback mark is no arrow.
    split = Question("shortanswer", "S", "Flèche ?", answers=(Answer("a-", D(100), ">b"),))
    assert gift.parse(gift.write(_bank(split))).bank == _bank(split)
    match = Question(
        "matching", "M", "Associez", pairs=(MatchPair("a->b", "1"), MatchPair("c", "2"))
    )
    with pytest.raises(GiftExportError, match="matching prompt cannot contain"):
        gift.write(_bank(match))
    tagged = Question("essay", "E", "Dites", tags=("<b>",))
    with pytest.raises(GiftExportError, match="tag “<b>”"):
        gift.write(_bank(tagged))


def test_xml_writer_refuses_control_characters():
    with pytest.raises(MoodleXmlExportError, match="“E” contains control characters"):
        moodle_xml.write(_bank(Question("essay", "E", "bell \x07")))


def test_gift_layout_is_readable():
    text = gift.write(gift.parse("::Q:: 1+1=2 {T}\n\n::E:: Why? {}\n\n::N:: Two? {#2}").bank)
    assert text == "::Q:: 1+1\\=2 {TRUE}\n\n::E:: Why? {}\n\n::N:: Two? {#\n\t=2\n}\n"


def test_gift_writes_any_other_answer_last():
    from plugins.quiz.interop.model import NumericalAnswer

    other = NumericalAnswer(None, D(0), D(0), "Non")
    exact = NumericalAnswer(D(4), D(0), D(100), "Oui")
    question = Question("numerical", "N", "2+2 ?", numerical_answers=(other, exact))
    back = gift.parse(gift.write(_bank(question))).questions[0]
    assert back.numerical_answers == (exact, other)


TRICKY_TEXTS = [
    "[html]not a marker here",
    "[plain]",
    "%50% of people",
    "// not a comment",
    "$CATEGORY: not a category",
    "::not a name::",
    "####not general feedback",
    "ends with a backslash \\",
    "a literal \\n, not a newline",
    "real\nnewline",
    "T",
    "FALSE",
    "{#1..3}",
    "~%-100%=x->y#z",
]


@pytest.mark.parametrize("tricky", TRICKY_TEXTS)
@pytest.mark.parametrize("text_format", ["moodle", "html"])
def test_tricky_texts_survive_gift_everywhere(tricky: str, text_format: str):
    question = Question(
        "multichoice",
        tricky,
        tricky,
        text_format,  # type: ignore[arg-type]
        general_feedback=tricky,
        answers=(Answer(tricky, D(100), tricky), Answer("other " + tricky, D(0), tricky)),
    )
    true_false = Question(
        "truefalse",
        tricky,
        tricky,
        text_format,  # type: ignore[arg-type]
        text_after=" " + tricky,
        correct_answer=False,
        feedback_true=tricky,
        feedback_false=tricky,
    )
    bank = Bank((Category(("Cat",), (question, true_false)),))
    written = gift.write(bank)
    result = gift.parse(written)
    assert result.problems == (), written
    assert result.bank == bank, written
    assert moodle_xml.parse(moodle_xml.write(bank)).bank == bank


def test_top_level_after_a_category_is_written_as_top():
    tf = Question("truefalse", "T", "Vrai ?", correct_answer=True)
    bank = Bank((Category(("A",), (tf,)), Category((), (tf,))))
    assert "$CATEGORY: $course$/top\n" in gift.write(bank)
    assert gift.parse(gift.write(bank)).bank == bank
    assert "<text>$course$/top</text>" in moodle_xml.write(bank).decode()
    assert moodle_xml.parse(moodle_xml.write(bank)).bank == bank
