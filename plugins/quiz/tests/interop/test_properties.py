"""Property-based: any valid bank exported and imported again comes back equal."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.quiz.interop import gift, moodle_xml
from plugins.quiz.interop.model import Bank
from plugins.quiz.interop.validation import question_problems

from .strategies import banks

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,  # the working tree is shared: keep no example database in it
)


@SETTINGS
@given(banks(gift_only=True))
def test_generated_banks_are_valid(bank: Bank):
    for question in bank.questions:
        assert question_problems(question) == []


@SETTINGS
@given(banks(gift_only=True))
def test_gift_export_then_import_gives_the_same_bank(bank: Bank):
    text = gift.write(bank)
    result = gift.parse(text)
    assert result.problems == (), text
    assert result.bank == bank, text
    # And the bytes Moodle would download read the same.
    assert gift.parse(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")).bank == bank


@SETTINGS
@given(banks())
def test_moodle_xml_export_then_import_gives_the_same_bank(bank: Bank):
    data = moodle_xml.write(bank)
    result = moodle_xml.parse(data)
    assert result.problems == ()
    assert result.bank == bank


@SETTINGS
@given(banks(gift_only=True))
def test_gift_bank_through_xml_and_back_to_gift(bank: Bank):
    through_xml = moodle_xml.parse(moodle_xml.write(bank))
    assert through_xml.bank == bank
    assert gift.parse(gift.write(through_xml.bank)).bank == bank


GIFT_PIECES = st.sampled_from(
    [
        "::",
        "{",
        "}",
        "=",
        "~",
        "#",
        "####",
        "->",
        "%50%",
        "%-100%",
        "%x%",
        "\\",
        ":",
        "..",
        "\n",
        "\n\n",
        "// c\n",
        "$CATEGORY: a/b\n",
        "[html]",
        "T",
        "FALSE",
        "1.5",
        "1e999999999",
        "1e-30",
        "-2",
        "_____",
        " ",
        "mot",
        "مرحبا",
    ]
)


@SETTINGS
@given(st.lists(GIFT_PIECES, max_size=40).map("".join))
def test_gift_parser_never_crashes_and_keeps_only_valid_questions(source: str):
    result = gift.parse(source)
    for question in result.questions:
        assert question_problems(question) == []
    for problem in result.problems:
        assert problem.line is not None and 1 <= problem.line <= source.count("\n") + 1
        assert problem.reason


@SETTINGS
@given(banks(), st.data())
def test_xml_parser_never_crashes_on_damaged_files(bank: Bank, data: st.DataObject):
    written = bytearray(moodle_xml.write(bank))
    for _ in range(data.draw(st.integers(1, 4))):
        if not written:
            break
        at = data.draw(st.integers(0, len(written) - 1))
        written[at : at + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
    result = moodle_xml.parse(bytes(written))
    for question in result.questions:
        assert question_problems(question) == []
