"""Moodle XML reading and writing, element paths in problems, and hostile files."""

from __future__ import annotations

import base64
from decimal import Decimal as D

from plugins.quiz.interop import moodle_xml
from plugins.quiz.interop.model import (
    Answer,
    Bank,
    Category,
    Image,
    MatchPair,
    NumericalAnswer,
    Question,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))

MOODLE_EXPORT = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Informatique/Souris</text>
    </category>
    <info format="moodle_auto_format">
      <text>Questions sur la souris</text>
    </info>
    <idnumber></idnumber>
  </question>
<!-- question: 101  -->
  <question type="multichoice">
    <name>
      <text>Clic droit</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>Le clic droit ouvre : <img src="@@PLUGINFILE@@/souris.png"
 alt="souris"></p>]]></text>
      <file name="souris.png" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>Le menu contextuel.</p>]]></text>
    </generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
    <correctfeedback format="html">
      <text>Votre réponse est correcte.</text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text></text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text></text>
    </incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>un menu</p>]]></text>
      <feedback format="html">
        <text>Oui</text>
      </feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>une fenêtre</text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <tags>
      <tag><text>souris</text></tag>
      <tag><text>débutant</text></tag>
    </tags>
  </question>
  <question type="multichoice">
    <name><text>Touches</text></name>
    <questiontext format="moodle_auto_format"><text>Quelles touches effacent ?</text></questiontext>
    <generalfeedback format="moodle_auto_format"><text></text></generalfeedback>
    <defaultgrade>1</defaultgrade>
    <single>false</single>
    <answer fraction="50"><text>Retour arrière</text><feedback><text></text></feedback></answer>
    <answer fraction="50"><text>Suppr</text><feedback><text></text></feedback></answer>
    <answer fraction="-100"><text>Entrée</text><feedback><text>Non !</text></feedback></answer>
  </question>
  <question type="truefalse">
    <name><text>Écran</text></name>
    <questiontext format="plain_text"><text>L'écran est un périphérique de sortie.</text>
    </questiontext>
    <generalfeedback format="plain_text"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>1.0000000</penalty>
    <answer fraction="100" format="moodle_auto_format">
      <text>true</text>
      <feedback format="moodle_auto_format"><text>Bravo</text></feedback>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>false</text>
      <feedback format="moodle_auto_format"><text>Il affiche.</text></feedback>
    </answer>
  </question>
  <question type="shortanswer">
    <name><text>Mot de passe</text></name>
    <questiontext format="markdown"><text>Tapez **Azerty**</text></questiontext>
    <defaultgrade>1</defaultgrade>
    <usecase>1</usecase>
    <answer fraction="100" format="moodle_auto_format"><text>Azerty</text>
      <feedback format="html"><text>Exact</text></feedback></answer>
    <answer fraction="50" format="moodle_auto_format"><text>azerty</text>
      <feedback format="html"><text>Attention aux majuscules</text></feedback></answer>
  </question>
  <question type="numerical">
    <name><text>Année</text></name>
    <questiontext format="html"><text>Le Minitel est lancé en _____.</text></questiontext>
    <defaultgrade>1</defaultgrade>
    <answer fraction="100" format="moodle_auto_format"><text>1982</text>
      <feedback format="html"><text></text></feedback><tolerance>0</tolerance></answer>
    <answer fraction="50" format="moodle_auto_format"><text>1982</text>
      <feedback format="html"><text>Presque</text></feedback><tolerance>2</tolerance></answer>
    <answer fraction="0" format="moodle_auto_format"><text>*</text>
      <feedback format="html"><text>Non</text></feedback><tolerance>0</tolerance></answer>
    <units></units>
    <unitgradingtype>0</unitgradingtype>
  </question>
  <question type="matching">
    <name><text>Associer</text></name>
    <questiontext format="html"><text>Associez.</text></questiontext>
    <defaultgrade>3</defaultgrade>
    <shuffleanswers>true</shuffleanswers>
    <subquestion format="html"><text>Ctrl+C</text><answer><text>Copier</text></answer></subquestion>
    <subquestion format="html"><text>Ctrl+V</text><answer><text>Coller</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Imprimer</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text></text></answer></subquestion>
  </question>
  <question type="essay">
    <name><text>Raconter</text></name>
    <questiontext format="html"><text>Racontez votre premier courriel.</text></questiontext>
    <generalfeedback format="html"><text>Merci.</text></generalfeedback>
    <defaultgrade>5</defaultgrade>
    <responseformat>editor</responseformat>
    <graderinfo format="html"><text>Lire avec bienveillance.</text></graderinfo>
  </question>
  <question type="description">
    <name><text>Info</text></name>
    <questiontext format="html"><text>Les questions suivantes portent sur le clavier.</text>
    </questiontext>
    <defaultgrade>0</defaultgrade>
  </question>
</quiz>
"""


def test_reads_a_moodle_export():
    result = moodle_xml.parse(MOODLE_EXPORT.encode("utf-8"))
    assert result.problems == ()
    (category,) = result.bank.categories
    assert category.path == ("Informatique", "Souris")
    mc, multi, tf, short, num, match, essay, desc = category.questions
    assert mc == Question(
        qtype="multichoice",
        name="Clic droit",
        text='<p>Le clic droit ouvre : <img src="@@PLUGINFILE@@/souris.png"\n alt="souris"></p>',
        text_format="html",
        general_feedback="<p>Le menu contextuel.</p>",
        default_mark=D(2),
        answers=(Answer("<p>un menu</p>", D(100), "Oui"), Answer("une fenêtre", D(0), "")),
        tags=("souris", "débutant"),
        images=(Image("souris.png", PNG),),
    )
    assert multi.qtype == "multichoice_multi"
    assert [a.fraction for a in multi.answers] == [50, 50, -100]
    assert (tf.correct_answer, tf.feedback_true, tf.feedback_false) == (
        True,
        "Bravo",
        "Il affiche.",
    )
    assert tf.text_format == "plain"
    assert short.case_sensitive and short.text_format == "markdown"
    assert (num.text, num.text_after) == ("Le Minitel est lancé en ", ".")
    assert num.numerical_answers == (
        NumericalAnswer(D(1982), D(0), D(100)),
        NumericalAnswer(D(1982), D(2), D(50), "Presque"),
        NumericalAnswer(None, D(0), D(0), "Non"),
    )
    assert match.pairs == (
        MatchPair("Ctrl+C", "Copier"),
        MatchPair("Ctrl+V", "Coller"),
        MatchPair("", "Imprimer"),
    )
    assert match.default_mark == 3
    assert (essay.qtype, essay.general_feedback, essay.default_mark) == ("essay", "Merci.", 5)
    assert (desc.qtype, desc.default_mark) == ("description", 0)


def test_round_trip_of_a_moodle_export_is_stable():
    first = moodle_xml.parse(MOODLE_EXPORT.encode("utf-8"))
    written = moodle_xml.write(first.bank)
    again = moodle_xml.parse(written)
    assert again.problems == ()
    assert again.bank == first.bank
    assert moodle_xml.write(again.bank) == written


def test_written_file_embeds_images_and_uses_moodle_names():
    bank = Bank(
        (
            Category(
                ("Bureautique",),
                (
                    Question(
                        "multichoice_multi",
                        "Q",
                        'Voir <img src="@@PLUGINFILE@@/a.png">',
                        "html",
                        answers=(Answer("a", D(100)), Answer("b", D(-50))),
                        images=(Image("a.png", b"PNGDATA"),),
                    ),
                ),
            ),
        )
    )
    text = moodle_xml.write(bank).decode("utf-8")
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>")
    assert "<text>$course$/top/Bureautique</text>" in text
    assert '<question type="multichoice">' in text and "<single>false</single>" in text
    assert '<file name="a.png" path="/" encoding="base64">UE5HREFUQQ==</file>' in text
    assert '<answer fraction="-50" format="html">' in text
    assert moodle_xml.parse(text.encode()).bank == bank


def _quiz(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>{body}</quiz>'.encode()


def _problems(body: str) -> list[tuple[str | None, str]]:
    return [(p.path, p.reason) for p in moodle_xml.parse(_quiz(body)).problems]


GOOD_TF = (
    '<question type="truefalse"><name><text>T</text></name>'
    "<questiontext><text>Vrai ?</text></questiontext>"
    '<answer fraction="100"><text>true</text></answer>'
    '<answer fraction="0"><text>false</text></answer>'
    "</question>"
)


def test_problems_name_the_element():
    body = (
        GOOD_TF
        + '<question type="calculated"><name><text>C</text></name></question>'
        + '<question type="numerical"><name><text>N</text></name>'
        + "<questiontext><text>Combien ?</text></questiontext>"
        + '<answer fraction="100"><text>12</text><tolerance>0</tolerance></answer>'
        + '<answer fraction="50"><text>douze</text></answer></question>'
        + '<question type="multichoice"><name><text>M</text></name>'
        + "<questiontext><text>Choisir</text></questiontext>"
        + '<answer fraction="150"><text>a</text></answer>'
        + '<answer fraction="0"><text>b</text></answer>'
        + "</question>"
        + '<question type="shortanswer"><name><text>S</text></name>'
        + "<questiontext><text>Dire</text></questiontext>"
        + '<answer fraction="abc"><text>x</text></answer></question>'
        + '<question type="numerical"><name><text>N2</text></name>'
        + "<questiontext><text>Combien ?</text></questiontext>"
        + '<answer fraction="100"><text>12</text><tolerance>beaucoup</tolerance></answer>'
        + "</question>"
    )
    assert _problems(body) == [
        ("/quiz/question[2]", "The question type “calculated” is not supported."),
        ("/quiz/question[3]/answer[2]", "“douze” is not a number."),
        ("/quiz/question[4]", "A weight of 150 % is over 100 %."),
        ("/quiz/question[5]/answer[1]", "The weight “abc” is not a number."),
        ("/quiz/question[6]/answer[1]/tolerance", "The tolerance is not a number."),
    ]
    assert [q.name for q in moodle_xml.parse(_quiz(body)).questions] == ["T"]


def test_other_problems():
    assert _problems(
        '<question type="multichoice"><name><text>M</text></name>'
        '<questiontext format="wiki"><text>x</text></questiontext></question>'
    ) == [("/quiz/question[1]/questiontext", "The text format “wiki” is unknown.")]
    assert _problems(
        '<question type="truefalse"><name><text>T</text></name>'
        "<questiontext><text>x</text></questiontext>"
        '<answer fraction="100"><text>oui</text></answer>'
        '<answer fraction="0"><text>non</text></answer>'
        '<answer fraction="0"><text>peut-être</text></answer></question>'
    ) == [
        (
            "/quiz/question[1]",
            "A true/false question needs one answer “true” and one answer “false”.",
        )
    ]
    assert _problems(
        '<question type="essay"><name><text>E</text></name>'
        "<questiontext><text>x</text>"
        '<file name="a.png" encoding="base64">***</file></questiontext></question>'
    ) == [("/quiz/question[1]/questiontext[1]/file[1]", "The file “a.png” is not valid base64.")]
    assert _problems(
        '<question type="essay"><name><text>E</text></name>'
        "<questiontext><text>x</text>"
        '<file name="../../etc/passwd" encoding="base64">AAAA</file></questiontext></question>'
    ) == [("/quiz/question[1]", "The image name “../../etc/passwd” is not a plain file name.")]
    assert _problems(
        '<question type="essay"><name><text></text></name><questiontext><text>x</text>'
        "</questiontext><defaultgrade>un</defaultgrade></question>"
    ) == [("/quiz/question[1]/defaultgrade", "The default mark is not a number.")]


def test_not_xml_or_not_a_quiz():
    result = moodle_xml.parse(b"<quiz><question></quiz>")
    assert result.problems[0].reason.startswith("The file is not well-formed XML (line 1, column")
    result = moodle_xml.parse(b"<html><body/></html>")
    assert result.problems[0].reason == (
        "This is not a Moodle XML question file: it starts with <html>, not <quiz>."
    )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="essay"><name><text>&lol4;</text></name></question></quiz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<quiz><question type="essay"><name><text>&secret;</text></name>
<questiontext><text>&secret;</text></questiontext></question></quiz>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/evil.dtd">
<quiz/>"""


def test_xml_bomb_external_entity_and_dtd_are_refused_unread():
    for hostile in (BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD):
        result = moodle_xml.parse(hostile)
        assert result.questions == ()
        assert [(p.path, p.reason) for p in result.problems] == [
            (
                "/",
                "The file declares a document type (DTD). Moodle never writes one and it can "
                "hide dangerous entity definitions, so the file was refused without being read.",
            )
        ]


def test_undeclared_entity_is_a_parse_error_not_a_lookup():
    result = moodle_xml.parse(
        b"<quiz><question type='essay'><name><text>&xxe;</text></name></question></quiz>"
    )
    assert result.questions == ()
    assert "not well-formed XML" in result.problems[0].reason


def test_size_limit():
    result = moodle_xml.parse(b"<quiz>" + b" " * (20 * 1024 * 1024) + b"</quiz>")
    assert result.problems[0].reason == (
        "The file is 20.0 MB; the largest file that can be imported is 10 MB."
    )


def test_text_string_input_and_bom():
    assert moodle_xml.parse(_quiz(GOOD_TF).decode()).questions[0].name == "T"
    assert moodle_xml.parse(b"\xef\xbb\xbf" + _quiz(GOOD_TF)).questions[0].name == "T"


def test_questions_before_any_category_go_to_the_top():
    bank = moodle_xml.parse(_quiz(GOOD_TF)).bank
    assert [c.path for c in bank.categories] == [()]
    assert (
        moodle_xml.parse(
            _quiz(
                '<question type="category"><category><text>$course$/top</text>'
                "</category></question>" + GOOD_TF
            )
        ).bank
        == bank
    )


def test_absurd_numbers_are_refused():
    body = (
        '<question type="essay"><name><text>E</text></name><questiontext><text>x</text>'
        "</questiontext><defaultgrade>1e400</defaultgrade></question>"
    )
    assert _problems(body) == [
        (
            "/quiz/question[1]",
            "The number 1E+400 is too large or too precise (at most 15 digits before the "
            "decimal point and 12 after).",
        )
    ]


def test_images_from_every_text_area_in_document_order_once_each():
    body = (
        '<question type="multichoice"><name><text>M</text></name>'
        '<questiontext format="html"><text>x</text>'
        '<file name="a.png" encoding="base64">QQ==</file></questiontext>'
        '<generalfeedback format="html"><text>y</text>'
        '<file name="b.png" encoding="base64">Qg==</file></generalfeedback>'
        '<answer fraction="100"><text>1</text><feedback><text>z</text>'
        '<file name="c.png" encoding="base64">Qw==</file>'
        '<file name="a.png" encoding="base64">QQ==</file></feedback></answer>'
        '<answer fraction="0"><text>2</text></answer></question>'
    )
    (question,) = moodle_xml.parse(_quiz(body)).questions
    assert question.images == (Image("a.png", b"A"), Image("b.png", b"B"), Image("c.png", b"C"))


def test_deeply_nested_hostile_file_is_read_quickly():
    deep = (
        b'<quiz><question type="essay"><name><text>E</text></name>'
        b"<questiontext><text>x</text></questiontext>"
        + b"<a>" * 50000
        + b'<file name="a.png">QQ==</file>'
        + b"</a>" * 50000
        + b"</question></quiz>"
    )
    (question,) = moodle_xml.parse(deep).questions
    assert question.images == (Image("a.png", b"A"),)


def test_old_true_false_files_and_single_flags_read_as_moodle_does():
    old_tf = (
        '<question type="truefalse"><name><text>T</text></name>'
        "<questiontext><text>x</text></questiontext>"
        '<answer fraction="0"><text>Vrai</text><feedback><text>Non</text></feedback></answer>'
        '<answer fraction="100"><text>Faux</text></answer></question>'
    )
    (question,) = moodle_xml.parse(_quiz(old_tf)).questions
    assert (question.correct_answer, question.feedback_true) == (False, "Non")

    def kind(single: str) -> str:
        body = (
            '<question type="multichoice"><name><text>M</text></name>'
            f"<questiontext><text>x</text></questiontext>{single}"
            '<answer fraction="100"><text>a</text></answer>'
            '<answer fraction="0"><text>b</text></answer></question>'
        )
        return moodle_xml.parse(_quiz(body)).questions[0].qtype

    assert kind("") == "multichoice"
    assert kind("<single>true</single>") == kind("<single>1</single>") == "multichoice"
    assert kind("<single>false</single>") == kind("<single>0</single>") == "multichoice_multi"
