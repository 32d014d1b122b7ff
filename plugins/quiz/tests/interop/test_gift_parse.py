"""GIFT reading beyond the documentation's examples: files, comments, tags, and bad input."""

from __future__ import annotations

from decimal import Decimal as D

from plugins.quiz.interop import gift
from plugins.quiz.interop.limits import MAX_IMPORT_BYTES
from plugins.quiz.interop.model import NumericalAnswer

from .helpers import one_gift, problems_of

TWO_QUESTIONS = "::A:: Café ? {=oui ~non}\n\n::B:: مرحبا {T}\n"


def test_utf8_bytes_with_and_without_bom_and_any_line_ending():
    plain = gift.parse(TWO_QUESTIONS.encode("utf-8"))
    assert plain.problems == () and len(plain.questions) == 2
    for variant in (
        b"\xef\xbb\xbf" + TWO_QUESTIONS.encode("utf-8"),
        TWO_QUESTIONS.replace("\n", "\r\n").encode("utf-8"),
        b"\xef\xbb\xbf" + TWO_QUESTIONS.replace("\n", "\r\n").encode("utf-8"),
        TWO_QUESTIONS.replace("\n", "\r").encode("utf-8"),
        "\ufeff" + TWO_QUESTIONS,
    ):
        assert gift.parse(variant).bank == plain.bank
    assert plain.questions[0].name == "A" and plain.questions[1].text == "مرحبا"


def test_crlf_keeps_line_numbers_and_multiline_text():
    source = "::A:: first\r\nline {T}\r\n\r\n::B:: broken {=a\r\n"
    result = gift.parse(source)
    assert result.questions[0].text == "first\nline"
    assert [(p.line, p.reason) for p in result.problems] == [
        (4, "The answer block opened with “{” is never closed with “}”.")
    ]


def test_not_utf8_is_refused_with_the_line():
    result = gift.parse("::A:: ok {T}\n\n::B:: caf\xe9 {T}\n".encode("latin-1"))
    assert result.questions == ()
    assert [(p.line, p.reason) for p in result.problems] == [
        (3, "The file is not UTF-8 text; save it as UTF-8 and import it again.")
    ]


def test_whole_line_comments_anywhere_and_urls_kept():
    q = one_gift(
        "// heading\n::A:: See http://example.org {\n"
        "// inside the answers\n=yes\n~no // not a comment\n}"
    )
    assert q.text == "See http://example.org"
    assert [a.text for a in q.answers] == ["yes", "no // not a comment"]
    assert gift.parse("// only a comment\n// and another\n").questions == ()


def test_tags_from_moodle_comment_convention():
    q = one_gift("// [tag:bureautique] [tag:niveau 1]\n::A:: Word? {T}")
    assert q.tags == ("bureautique", "niveau 1")
    q = one_gift("// [tag:a\\]b] [id:X12]\n// [tag: c ]\n::A:: Word? {T}")
    assert q.tags == ("a]b", "c")
    tagged = gift.write(gift.parse("// [tag:a\\]b]\n// [tag:end\\]\n::A:: Word? {T}").bank)
    assert tagged.startswith("// [tag:a\\]b]\n// [tag:end\\]\n")


def test_blank_lines_separate_questions_and_spaces_only_lines_count_as_blank():
    result = gift.parse("::A:: one {T}\n   \t\n::B:: two {F}\n\n\n\n::C:: three {T}")
    assert [q.name for q in result.questions] == ["A", "B", "C"]


def test_category_line_directly_followed_by_a_question():
    result = gift.parse("$CATEGORY: Word\n::A:: one {T}\n\n$CATEGORY: Excel\n\n::B:: two {T}\n")
    assert [(c.path, [q.name for q in c.questions]) for c in result.bank.categories] == [
        (("Word",), ["A"]),
        (("Excel",), ["B"]),
    ]


def test_category_paths_moodle_style_and_empty_category_kept():
    result = gift.parse(
        "::Top:: at the top {T}\n\n$CATEGORY: $course$/top/A//B/C\n\n$CATEGORY: $system$/Vide\n"
    )
    assert [c.path for c in result.bank.categories] == [(), ("A/B", "C"), ("Vide",)]
    assert result.bank.categories[2].questions == ()


def test_unnamed_question_named_after_its_text():
    q = one_gift("<p>What is   the <b>capital</b> of France?</p>{=Paris ~Lyon}")
    assert q.name == "What is the capital of France?"
    long = one_gift("x" * 200 + " {T}")
    assert len(long.name) == 80 and long.name.endswith("…")


def test_escaped_newline_and_backslash_rules():
    q = one_gift("::A:: a\\nb c\\\\d e\\qf {T}")
    assert q.text == "a\nb c\\d e\\qf"
    # "\\{" is a backslash followed by a real brace.
    q = one_gift("::A:: back\\\\{T}")
    assert q.text == "back\\" and q.qtype == "truefalse"


def test_numerical_variants():
    q = one_gift("::N:: {#-5..5} is a range")
    assert q.numerical_answers == (NumericalAnswer(D(0), D(5), D(100)),)
    q = one_gift("::N:: Speed? {#=%100%1.5e2:10 =%50%150:20 ~#Way off.}")
    assert q.numerical_answers == (
        NumericalAnswer(D(150), D(10), D(100)),
        NumericalAnswer(D(150), D(20), D(50)),
        NumericalAnswer(None, D(0), D(0), "Way off."),
    )


def test_moodle_export_of_missing_word_comes_back_as_missing_word():
    # Moodle's GIFT export writes the blank as "_____" and the answers at the end.
    q = one_gift("::Q3::Two plus _____ equals four.{\n\t=%100%two#\n\t=%100%2#\n}")
    assert (q.text, q.text_after) == ("Two plus ", " equals four.")
    # Two blanks, or a longer line, are plain text.
    assert one_gift("::Q:: a _____ b _____ {=x}").text_after is None
    assert one_gift("::Q:: a ______ b {=x}").text_after is None


def test_short_answer_weighted_leading_text_and_percent_answers():
    # Text before the first "=" is an answer too, as in Moodle.
    q = one_gift("::S:: Name it {cat =chat}")
    assert [a.text for a in q.answers] == ["cat", "chat"]
    q = one_gift("::S:: Rate? {=%100%%50%% of it}")
    assert q.answers[0].text == "%50%% of it"


MOODLE_GIFT_EXPORT = """\
// question: 0  name: Switch category to $course$/top/Défaut pour Bureautique
$CATEGORY: $course$/top/Défaut pour Bureautique


// question: 12  name: Q1
// [tag:clavier]
::Q1::[html]<p>1+1\\=2</p>{TRUE#[html]<p>Faux.</p>#[html]<p>Juste.</p>}


// question: 13  name: Q3
::Q3::[html]<p>Two plus _____ equals four.</p>{
\t=%100%two#
\t=%100%2#
}


// question: 14  name: Q7
::Q7::When was Ulysses S. Grant born?{#
\t=%100%1822:0#Correct! Full credit.
\t=%50%1822:2#He was born in 1822. Half credit for being close.
\t~#Not even close.
\t####General feedback.
}


// question: 15  name: Q9
::Q9::Which two?{
\t~%50%a
\t~%50%b
\t~%-100%c#No!
}
"""


def test_reads_moodle_own_gift_export():
    result = gift.parse(MOODLE_GIFT_EXPORT)
    assert result.problems == ()
    (category,) = result.bank.categories
    assert category.path == ("Défaut pour Bureautique",)
    q1, q3, q7, q9 = category.questions
    assert (q1.text, q1.text_format, q1.tags) == ("<p>1+1=2</p>", "html", ("clavier",))
    assert (q1.feedback_true, q1.feedback_false) == ("<p>Juste.</p>", "<p>Faux.</p>")
    assert (q3.text, q3.text_after) == ("<p>Two plus ", " equals four.</p>")
    assert [(a.text, a.feedback) for a in q3.answers] == [("two", ""), ("2", "")]
    assert q7.numerical_answers[-1] == NumericalAnswer(None, D(0), D(0), "Not even close.")
    assert q7.general_feedback == "General feedback."
    assert q9.qtype == "multichoice_multi"


# -- bad input: every problem carries its line ------------------------------------------------


def test_unbalanced_braces():
    assert problems_of("::A:: first {T}\n\n::B:: no end {=a ~b\n") == [
        (3, "The answer block opened with “{” is never closed with “}”.")
    ]
    assert problems_of("::A:: no start =a ~b}") == [
        (1, "A “}” closes an answer block that was never opened with “{”.")
    ]
    assert problems_of("::A:: one\n{=a {~b}\n") == [
        (2, "A “{” opens a second answer block inside the first; write \\{ for a brace.")
    ]
    assert problems_of("::A:: one {=a ~b}\nand {=c ~d}") == [
        (2, "A question has only one answer block {…}; write \\{ or \\} for a brace.")
    ]
    assert problems_of("::A:: backwards } here {") == [
        (1, "A “}” comes before the “{” that opens the answers.")
    ]


def test_unclosed_name():
    assert problems_of("::A name without end {T}") == [
        (1, "The question name starts with “::” but is not closed.")
    ]


def test_weights_over_100_negative_or_not_numbers():
    assert problems_of("::A:: Pick {~%150%a =b}") == [(1, "A weight of 150 % is over 100 %.")]
    assert problems_of("::A:: Pick {~%-150%a =b}") == [(1, "A weight of -150 % is below -100 %.")]
    assert problems_of("::A:: Say {=%-50%a =b}") == [
        (1, "A weight of -50 % is negative: only multiple-choice questions may take marks away.")
    ]
    assert problems_of("::A:: Pick {\n=b\n~%5,5%a\n}") == [
        (3, "The weight “%5,5%” is not a number like %50% or %-33.333%.")
    ]


def test_weight_totals_moodle_refuses():
    assert problems_of("::A:: Pick two {~%50%a ~%40%b ~c}") == [
        (1, "The positive weights add up to 90 %; they must add up to 100 %.")
    ]
    # Thirds are fine: Moodle rounds the total.
    assert problems_of("::A:: Pick {~%33.33333%a ~%33.33333%b ~%33.33333%c ~d}") == []
    assert problems_of("::A:: Say {=%50%a =%20%b}") == [
        (1, "No answer is worth 100 % (the best is 50 %): nobody could get full marks.")
    ]


def test_numerical_answer_not_a_number():
    assert problems_of("::A:: Year?\n{#\n=1822:0\n=about 1822\n}") == [
        (4, "“about 1822” is not a number.")
    ]
    assert problems_of("::A:: Pi? {#3,14:0.01}") == [
        (1, "“3,14” is not a number: write decimals with a dot.")
    ]
    assert problems_of("::A:: Pi? {#3.14:big}") == [(1, "“big” is not a number.")]
    assert problems_of("::A:: Range? {#5..1}") == [
        (1, "The range 5..1 goes down; write the smaller number first.")
    ]


def test_matching_needs_two_pairs_and_arrows():
    assert problems_of("::M:: Match {=a -> 1}") == [
        (1, "A matching question needs at least two pairs.")
    ]
    assert problems_of("::M:: Match {\n=a -> 1\n=b -> 2\n=c 3 ->\n}") == [
        (1, "A pair has nothing on the right of “->”.")
    ]
    assert problems_of("::M:: Match {\n=a -> 1\n=b -> 2\n=c 3\n}") == [
        (4, "Each pair of a matching question is written “=left -> right”."),
    ]


def test_answer_block_no_type_accepts():
    # GIFT has no type names: the type is read from the answers, so a block that fits no type
    # is GIFT's "unknown type".
    assert problems_of("::A:: Number?\n{#}") == [
        (2, "The numerical question has no accepted number.")
    ]
    assert problems_of("::A:: Number? {#####only feedback}") == [
        (1, "The numerical question has no accepted number.")
    ]


def test_multiple_choice_needs_two_non_empty_choices():
    assert problems_of("::A:: Pick {~%100%only}") == [
        (1, "A multiple-choice question needs at least two choices.")
    ]
    assert problems_of("::A:: Pick {=a ~#feedback only}") == [(1, "A choice is empty.")]


def test_problems_do_not_stop_the_valid_questions():
    source = (
        "::Good1:: ok {T}\n\n::Bad:: Pick {~%500%x =y}\n\n::Good2:: ok {=a ~b}\n\n::Bad2:: Num {#x}"
    )
    result = gift.parse(source)
    assert [q.name for q in result.questions] == ["Good1", "Good2"]
    assert [p.line for p in result.problems] == [3, 7]
    assert not result.ok


def test_reserved_characters_refused():
    assert problems_of("::A:: odd \ufdd1 char {T}") == [
        (1, "The line contains a character reserved by Unicode for internal use.")
    ]


def test_size_limit_is_named():
    big = "x" * (20 * 1024 * 1024)
    result = gift.parse(big)
    assert result.questions == ()
    assert result.problems[0].reason == (
        "The file is 20.0 MB; the largest file that can be imported is 10 MB."
    )
    assert gift.parse(b"y" * (MAX_IMPORT_BYTES + 1)).problems[0].reason.endswith("10 MB.")


def test_stray_brace_after_the_block_points_at_its_own_line():
    assert problems_of("::A:: one {=a ~b}\nthen\n} and {") == [
        (3, "A question has only one answer block {…}; write \\{ or \\} for a brace.")
    ]


def test_absurd_numbers_are_refused_not_exported_as_a_billion_digits():
    reason = (
        "The number %s is too large or too precise (at most 15 digits before the decimal "
        "point and 12 after)."
    )
    assert problems_of("::A:: n {#1e999999999}") == [(1, reason % "1E+999999999")]
    assert problems_of("::A:: n {#1e-20}") == [(1, reason % "1E-20")]
    assert problems_of("::A:: n {#2:1e16}") == [(1, reason % "1E+16")]
    assert problems_of("::A:: n {~%33.3333333333333%a ~%66.6666666666667%b}") == [
        (1, reason % "33.3333333333333")
    ]
    q = one_gift("::A:: n {#123456789012345.123456789012}")
    assert q.numerical_answers[0].value == D("123456789012345.123456789012")
    assert gift.parse(gift.write(gift.parse("::A:: n {#1e3:2.50}").bank)).questions[0] == (
        one_gift("::A:: n {#1000:2.5}")
    )


def test_text_full_of_angle_brackets_is_named_quickly():
    q = one_gift("<" * 200000 + " {T}")
    assert q.name == "<" * 79 + "…"
