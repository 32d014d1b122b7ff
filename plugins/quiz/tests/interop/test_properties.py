"""Property-based: any valid bank exported and imported again comes back equal."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from plugins.quiz.interop import gift, moodle_xml
from plugins.quiz.interop.model import Bank
from plugins.quiz.interop.validation import question_problems

from .strategies import banks

SETTINGS = settings(
    max_examples=150,
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
