"""Every kind of example in Moodle's GIFT documentation, written again as our own cases."""

from __future__ import annotations

from decimal import Decimal as D

from plugins.quiz.interop import gift
from plugins.quiz.interop.model import Answer, MatchPair, NumericalAnswer

from .helpers import one_gift

QUICK_EXAMPLES = """\
// true/false
::Q1:: 1+1=2 {T}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }

// fill-in-the-blank
::Q3:: Two plus {=two =2} equals four.

// matching
::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }

// math range question
::Q5:: What is a number from 1 to 5? {#3:2}

// math range specified with interval end points
::Q6:: What is a number from 1 to 5? {#1..5}
// translated on import to the same as Q5

// multiple numeric answers with partial credit and feedback
::Q7:: When was Ulysses S. Grant born? {#
         =1822:0      # Correct! Full credit.
         =%50%1822:2  # He was born in 1822. Half credit for being close.
}

// essay
::Q8:: How are you? {}
"""


def test_quick_examples_import_with_their_types():
    result = gift.parse(QUICK_EXAMPLES)
    assert result.problems == ()
    kinds = [(q.name, q.qtype) for q in result.questions]
    assert kinds == [
        ("Q1", "truefalse"),
        ("Q2", "multichoice"),
        ("Q3", "shortanswer"),
        ("Q4", "matching"),
        ("Q5", "numerical"),
        ("Q6", "numerical"),
        ("Q7", "numerical"),
        ("Q8", "essay"),
    ]
    q1, q2, q3, q4, q5, q6, q7, q8 = result.questions
    assert q1.text == "1+1=2" and q1.correct_answer is True
    assert q2.answers == (
        Answer("yellow", D(100), "right; good!"),
        Answer("red", D(0), "wrong, it's yellow"),
        Answer("blue", D(0), "wrong, it's yellow"),
    )
    assert (q3.text, q3.text_after) == ("Two plus ", " equals four.")
    assert [a.text for a in q3.answers] == ["two", "2"]
    assert q4.pairs == (MatchPair("cat", "cat food"), MatchPair("dog", "dog food"))
    # "1..5" is stored as Moodle stores it: 3 ± 2, the same as Q5.
    assert q5.numerical_answers == q6.numerical_answers == (NumericalAnswer(D(3), D(2), D(100)),)
    assert q7.numerical_answers == (
        NumericalAnswer(D(1822), D(0), D(100), "Correct! Full credit."),
        NumericalAnswer(D(1822), D(2), D(50), "He was born in 1822. Half credit for being close."),
    )
    assert q8.text == "How are you?" and q8.default_mark == 1


def test_multiple_choice_and_missing_word():
    q = one_gift("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert q.qtype == "multichoice" and q.text_after is None
    assert [(a.text, a.fraction) for a in q.answers] == [
        ("Grant", 0),
        ("Jefferson", 0),
        ("no one", 100),
    ]
    q = one_gift("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert (q.text, q.text_after) == ("Grant is ", " in Grant's tomb.")
    assert q.is_missing_word and q.qtype == "multichoice"


def test_answers_on_separate_indented_lines():
    q = one_gift(
        "The American holiday of Thanksgiving is celebrated on the {\n"
        "    ~second\n    ~third\n    =fourth\n} Thursday of November."
    )
    assert [a.text for a in q.answers] == ["second", "third", "fourth"]
    assert q.text_after == " Thursday of November."
    q = one_gift(
        "Japanese characters originally came from what country? {\n"
        "    ~India\n    =China\n    ~Korea\n    ~Egypt}"
    )
    assert [a.fraction for a in q.answers] == [0, 100, 0, 0]


def test_multiple_right_answers_with_negative_weights():
    q = one_gift(
        "What two people are entombed in Grant's tomb? {\n"
        "   ~%-100%No one\n   ~%50%Grant\n   ~%50%Grant's wife\n   ~%-100%Grant's father\n}"
    )
    assert q.qtype == "multichoice_multi"
    assert [a.fraction for a in q.answers] == [-100, 50, 50, -100]


def test_short_answers():
    q = one_gift("Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}")
    assert q.qtype == "shortanswer" and len(q.answers) == 3
    assert all(a.fraction == 100 for a in q.answers) and not q.case_sensitive
    q = one_gift("Two plus two equals {=four =4}.")
    assert q.text_after == "."


def test_true_false_spellings():
    assert one_gift("Grant is buried in Grant's tomb.{F}").correct_answer is False
    assert one_gift("The sun rises in the east.{T}").correct_answer is True
    assert one_gift("The sun rises in the east.{TRUE}").correct_answer is True
    assert one_gift("The moon is a star.{FALSE}").correct_answer is False


def test_matching_with_general_feedback():
    q = one_gift(
        "Match the following countries with their corresponding capitals. {\n"
        "   =Canada -> Ottawa\n   =Italy  -> Rome\n   =Japan  -> Tokyo\n   =India  -> New Delhi\n"
        "   ####It's good to know the capitals\n}"
    )
    assert q.qtype == "matching"
    assert q.pairs[-1] == MatchPair("India", "New Delhi")
    assert q.general_feedback == "It's good to know the capitals"


def test_numerical_forms():
    q = one_gift("When was Ulysses S. Grant born?{#1822:5}")
    assert q.numerical_answers == (NumericalAnswer(D(1822), D(5), D(100)),)
    q = one_gift("What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.")
    assert q.numerical_answers[0].tolerance == D("0.0005") and q.text_after == "."
    q = one_gift("What is the value of pi (to 3 decimal places)? {#3.141..3.142}.")
    assert q.numerical_answers[0].value == D("3.1415")
    assert q.numerical_answers[0].tolerance == D("0.0005")
    q = one_gift("What's 2 plus 2? {#4}")
    assert q.numerical_answers == (NumericalAnswer(D(4), D(0), D(100)),)


def test_comment_before_a_question_and_question_names():
    q = one_gift("// Subheading: Numerical questions below\nWhat's 2 plus 2? {#4}")
    assert q.name == "What's 2 plus 2?"
    q = one_gift(
        "::Kanji Origins::Japanese characters originally\ncame from what country? {=China}"
    )
    assert q.name == "Kanji Origins"
    assert q.text == "Japanese characters originally\ncame from what country?"
    q = one_gift(
        "::Thanksgiving Date::The American holiday of Thanksgiving is\n"
        "celebrated on the {~second ~third =fourth} Thursday of November."
    )
    assert q.name == "Thanksgiving Date" and q.text_after == " Thursday of November."


def test_feedback_on_every_answer():
    q = one_gift(
        "What's the answer to this multiple-choice question? {\n"
        "~wrong answer#feedback comment on the wrong answer\n"
        "~another wrong answer#feedback comment on this wrong answer\n"
        "=right answer#Very good!}"
    )
    assert [a.feedback for a in q.answers] == [
        "feedback comment on the wrong answer",
        "feedback comment on this wrong answer",
        "Very good!",
    ]
    q = one_gift(
        "Who's buried in Grant's tomb?{\n=no one#excellent answer!\n=nobody#excellent answer too!}"
    )
    assert [a.feedback for a in q.answers] == ["excellent answer!", "excellent answer too!"]


def test_true_false_feedback_for_both_answers():
    # The first feedback is shown to a wrong answer, the second to a right one.
    q = one_gift("Grant is buried in Grant's tomb.{F#No one is buried there.#Right, nobody.}")
    assert q.correct_answer is False
    assert q.feedback_true == "No one is buried there."
    assert q.feedback_false == "Right, nobody."
    q = one_gift("The sun rises in the east.{T#Look again at dawn.#Yes.}")
    assert (q.feedback_true, q.feedback_false) == ("Yes.", "Look again at dawn.")


def test_percentage_weights_single_choice_and_short_answer():
    q = one_gift("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}")
    assert q.qtype == "multichoice"
    assert [a.fraction for a in q.answers] == [0, 50, 100]
    q = one_gift(
        "::Jesus' hometown::Jesus Christ was from {\n"
        "~Jerusalem#This was an important city, but the wrong answer.\n"
        "~%25%Bethlehem#He was born here, but not raised here.\n"
        "~%50%Galilee#You need to be more specific.\n"
        "=Nazareth#Yes! That's right!}."
    )
    assert [a.fraction for a in q.answers] == [0, 25, 50, 100] and q.text_after == "."
    q = one_gift(
        "::Jesus' hometown:: Jesus Christ was from {\n"
        "=Nazareth#Yes! That's right!\n"
        "=%75%Nazereth#Right, but misspelled.\n"
        "=%25%Bethlehem#He was born here, but not raised here.}"
    )
    assert q.qtype == "shortanswer"
    assert [(a.text, a.fraction) for a in q.answers] == [
        ("Nazareth", 100),
        ("Nazereth", 75),
        ("Bethlehem", 25),
    ]


def test_general_feedback_on_every_type():
    q = one_gift("Capital of France? {=Paris ~London ~Berlin ####Paris, since 987.}")
    assert q.general_feedback == "Paris, since 987." and len(q.answers) == 3
    assert one_gift("1+1=2 {T####Basic arithmetic.}").general_feedback == "Basic arithmetic."
    assert one_gift("Tell us. {####We read them all.}").general_feedback == "We read them all."
    q = one_gift("2+2? {#4####Count on your fingers.}")
    assert q.general_feedback == "Count on your fingers."


def test_escaped_control_characters():
    q = one_gift("Which answer equals 5? {\n~ \\= 2 + 2\n= \\= 2 + 3\n~ \\= 2 + 4}")
    assert [(a.text, a.fraction) for a in q.answers] == [
        ("= 2 + 2", 0),
        ("= 2 + 3", 100),
        ("= 2 + 4", 0),
    ]
    q = one_gift(
        "::GIFT Control Characters::\n"
        "Which of the following is NOT a control character for the GIFT import format? {\n"
        "~ \\~ # \\~ is a control character.\n"
        "~ \\= # \\= is a control character.\n"
        "~ \\# # \\# is a control character.\n"
        "~ \\{ # \\{ is a control character.\n"
        "~ \\} # \\} is a control character.\n"
        "= \\\\ # Correct! \\\\ (backslash) is not a control character. BUT,\n"
        "it is used to escape the control characters.\n}"
    )
    assert [a.text for a in q.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert q.answers[-1].feedback == (
        "Correct! \\ (backslash) is not a control character. BUT,\n"
        "it is used to escape the control characters."
    )
    q = one_gift("::Time\\: 10\\:30:: Meet at 10\\:30\\nsharp. {T}")
    assert q.name == "Time: 10:30" and q.text == "Meet at 10:30\nsharp."


def test_description_and_categories():
    result = gift.parse(
        "$CATEGORY: tom/dick/harry\n\n"
        "You can use your pencil and paper for these next math questions.\n\n"
        "$CATEGORY: $course$/top/Maths\n\n"
        "What's 2 plus 2? {#4}\n"
    )
    assert result.problems == ()
    first, second = result.bank.categories
    assert first.path == ("tom", "dick", "harry")
    assert first.questions[0].qtype == "description"
    assert first.questions[0].default_mark == 0
    assert second.path == ("Maths",)
    assert second.questions[0].qtype == "numerical"


def test_text_formats():
    q = one_gift("::F::[html]<p>Is this <b>bold</b>?</p>{T}")
    assert q.text_format == "html" and q.text == "<p>Is this <b>bold</b>?</p>"
    q = one_gift("::F::[markdown]Is this **bold**?{T}")
    assert q.text_format == "markdown" and q.text == "Is this **bold**?"
    assert one_gift("::F::[plain]Plain <text>{T}").text_format == "plain"
    assert one_gift("::F::[moodle]Auto-formatted{T}").text_format == "moodle"
    assert one_gift("::F::No marker{T}").text_format == "moodle"
    # An unknown marker is text, as in Moodle.
    assert one_gift("::F::[note] Read this{T}").text == "[note] Read this"
    # A marker on an answer or a feedback is read and dropped.
    q = one_gift("::F::[html]<p>Pick</p>{=[html]<b>A</b>#[html]<i>yes</i> ~B}")
    assert q.answers[0] == Answer("<b>A</b>", D(100), "<i>yes</i>")


def test_matching_with_an_extra_wrong_answer():
    q = one_gift("Match. {=a -> 1 =b -> 2 = -> 3}")
    assert q.pairs == (MatchPair("a", "1"), MatchPair("b", "2"), MatchPair("", "3"))
