"""Format detection, the parse dispatcher, summaries and problem locations."""

from __future__ import annotations

import pytest

from plugins.quiz.interop import gift, moodle_xml
from plugins.quiz.interop.formats import detect_format, parse
from plugins.quiz.interop.limits import (
    MAX_IMPORT_BYTES,
    ImportTooLargeError,
    check_import_size,
)
from plugins.quiz.interop.model import Problem, pluginfile_reference

XML = b'\xef\xbb\xbf  <?xml version="1.0"?><quiz></quiz>'


def test_detect_format_by_name_then_content():
    assert detect_format(b"::Q:: a {T}", "banque.XML") == "xml"
    assert detect_format(XML, "banque.gift") == "gift"
    assert detect_format(XML, "questions.txt") == "gift"
    assert detect_format(XML) == "xml"
    assert detect_format(b"\n// comment\n::Q:: a {T}", "upload.bin") == "gift"


def test_parse_dispatches_and_counts_by_type():
    result = parse(b"::A:: a {T}\n\n::B:: b {F}\n\n::C:: c {=x ~y}", "gift")
    assert result.count_by_type() == {"truefalse": 2, "multichoice": 1}
    xml = moodle_xml.write(result.bank)
    assert parse(xml, "xml").count_by_type() == {"truefalse": 2, "multichoice": 1}


def test_problem_says_where():
    assert Problem("x", line=3).where == "line 3"
    assert Problem("x", path="/quiz/question[2]").where == "/quiz/question[2]"
    assert Problem("x").where == ""
    assert gift.parse("::A:: {T}").problems[0].where == "line 1"


def test_size_check_before_reading():
    check_import_size(MAX_IMPORT_BYTES)
    with pytest.raises(ImportTooLargeError) as raised:
        check_import_size(20 * 1024 * 1024)
    assert str(raised.value) == (
        "The file is 20.0 MB; the largest file that can be imported is 10 MB."
    )
    assert raised.value.limit == MAX_IMPORT_BYTES


def test_pluginfile_reference_is_url_encoded_like_moodle():
    assert pluginfile_reference("a.png") == "@@PLUGINFILE@@/a.png"
    assert pluginfile_reference("schéma 1.jpg") == "@@PLUGINFILE@@/sch%C3%A9ma%201.jpg"


def test_problems_name_their_question_when_it_could_be_read():
    result = gift.parse("::Prix:: Combien ? {#3,50}\n\n::Vide:: {T}\n\nSans nom {~%150%a =b}")
    assert [(p.line, p.question) for p in result.problems] == [
        (1, "Prix"),
        (3, "Vide"),
        (5, "Sans nom"),
    ]
    xml = (
        b'<quiz><question type="calculated"><name><text>Calc</text></name></question>'
        b'<question type="essay"><name><text>Essai</text></name></question></quiz>'
    )
    assert [(p.path, p.question) for p in moodle_xml.parse(xml).problems] == [
        ("/quiz/question[1]", "Calc"),
        ("/quiz/question[2]", "Essai"),
    ]
