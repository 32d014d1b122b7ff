"""The rules a question must follow to be imported, shared by both formats.

They are the checks Moodle itself applies when it saves an imported question (so a file Moodle
refuses is refused here too, with the same reason in plain words), plus a few that catch silent
nonsense (an empty choice, a tolerance below zero).
"""

from __future__ import annotations

import re
from decimal import Decimal

from core.i18n import gettext as _

from .model import Question, decimal_text

HUNDRED = Decimal(100)
# Moodle adds the positive weights of a several-answers question as fractions rounded to two
# decimals and wants exactly 1: a total from 99.5 % up to (not including) 100.5 % passes.
TOTAL_LOW, TOTAL_HIGH = Decimal("99.5"), Decimal("100.5")
LARGEST = Decimal("1e15")
FINEST = Decimal("1e-12")
SAFE_FILENAME = re.compile(r"^[^/\\\x00-\x1f]+$")


def is_reasonable(value: Decimal) -> bool:
    """Below a million billion, at most 12 decimals: keeps exports short and exact.

    copy_abs() and comparisons never round, so even 1E+999999999 is checked without overflow.
    """
    return value.is_finite() and value.copy_abs() < LARGEST and value == value.quantize(FINEST)


def unreasonable_number(value: Decimal) -> str:
    return _(
        "The number %(number)s is too large or too precise (at most 15 digits before "
        "the decimal point and 12 after).",
        number=str(value),
    )


def question_problems(question: Question) -> list[str]:
    """Every reason why ``question`` cannot be imported (empty when it is fine)."""
    problems: list[str] = []
    if not question.name.strip():
        problems.append(_("The question has no name."))
    has_text = question.text.strip() or (question.text_after or "").strip()
    if not has_text:
        problems.append(_("The question has no text."))
    if question.default_mark < 0:
        problems.append(_("The default mark cannot be negative."))
    numbers = [question.default_mark]
    numbers += [a.fraction for a in question.answers]
    for answer in question.numerical_answers:
        numbers += [answer.fraction, answer.tolerance]
        numbers += [answer.value] if answer.value is not None else []
    unreasonable = [n for n in numbers if not is_reasonable(n)]
    if unreasonable:
        # Checked first: the other rules add, compare and print these numbers.
        problems.append(unreasonable_number(unreasonable[0]))
        return problems
    checker = _CHECKERS.get(question.qtype)
    if checker is not None:
        problems.extend(checker(question))
    for tag in question.tags:
        if not tag.strip():
            problems.append(_("A tag is empty."))
    names = [image.filename for image in question.images]
    for name in names:
        if not SAFE_FILENAME.match(name) or name in {".", ".."}:
            problems.append(_("The image name “%(name)s” is not a plain file name.", name=name))
    if len(set(names)) != len(names):
        problems.append(_("Two images have the same name."))
    return problems


def _weights_in_range(question: Question, allow_negative: bool) -> list[str]:
    low = -HUNDRED if allow_negative else Decimal(0)
    problems = []
    weights = [a.fraction for a in question.answers] + [
        a.fraction for a in question.numerical_answers
    ]
    for weight in weights:
        if weight > HUNDRED:
            problems.append(
                _("A weight of %(weight)s %% is over 100 %%.", weight=decimal_text(weight))
            )
        elif weight < low:
            if allow_negative:
                problems.append(
                    _("A weight of %(weight)s %% is below -100 %%.", weight=decimal_text(weight))
                )
            else:
                problems.append(
                    _(
                        "A weight of %(weight)s %% is negative: only multiple-choice "
                        "questions may take marks away.",
                        weight=decimal_text(weight),
                    )
                )
    return problems


def _no_full_mark(best: Decimal) -> str:
    return _(
        "No answer is worth 100 %% (the best is %(weight)s %%): nobody could get full marks.",
        weight=decimal_text(best),
    )


def _check_multichoice(question: Question) -> list[str]:
    problems = _choices_present(question) + _weights_in_range(question, allow_negative=True)
    if problems:
        return problems
    if max(a.fraction for a in question.answers) != HUNDRED:
        problems.append(_no_full_mark(max(a.fraction for a in question.answers)))
    return problems


def _check_multichoice_multi(question: Question) -> list[str]:
    problems = _choices_present(question) + _weights_in_range(question, allow_negative=True)
    if problems:
        return problems
    total = sum((a.fraction for a in question.answers if a.fraction > 0), Decimal(0))
    if not TOTAL_LOW <= total < TOTAL_HIGH:
        problems.append(
            _(
                "The positive weights add up to %(total)s %%; they must add up to 100 %%.",
                total=decimal_text(total),
            )
        )
    return problems


def _choices_present(question: Question) -> list[str]:
    problems = []
    if len(question.answers) < 2:
        problems.append(_("A multiple-choice question needs at least two choices."))
    if any(not a.text.strip() for a in question.answers):
        problems.append(_("A choice is empty."))
    return problems


def _check_truefalse(question: Question) -> list[str]:
    if question.correct_answer is None:
        return [_("The true/false question does not say which answer is right.")]
    return []


def _check_shortanswer(question: Question) -> list[str]:
    if not question.answers:
        return [_("The short-answer question has no accepted answer.")]
    problems = _weights_in_range(question, allow_negative=False)
    if any(not a.text.strip() for a in question.answers):
        problems.append(_("An accepted answer is empty."))
    if problems:
        return problems
    best = max(a.fraction for a in question.answers)
    if best != HUNDRED:
        problems.append(_no_full_mark(best))
    return problems


def _check_numerical(question: Question) -> list[str]:
    answers = question.numerical_answers
    numbers = [a for a in answers if a.value is not None]
    if not numbers:
        return [_("The numerical question has no accepted number.")]
    problems = _weights_in_range(question, allow_negative=False)
    for answer in answers:
        if answer.tolerance < 0:
            problems.append(_("A tolerance cannot be negative."))
    if len(answers) - len(numbers) > 1:
        problems.append(_("There is more than one feedback for any other answer."))
    if problems:
        return problems
    best = max(a.fraction for a in numbers)
    if best != HUNDRED:
        problems.append(_no_full_mark(best))
    return problems


def _check_matching(question: Question) -> list[str]:
    problems = []
    real = [p for p in question.pairs if p.prompt.strip()]
    # Moodle's importer needs two pairs (its documentation's own example has two).
    if len(real) < 2:
        problems.append(_("A matching question needs at least two pairs."))
    if any(not p.answer.strip() for p in question.pairs):
        problems.append(_("A pair has nothing on the right of “->”."))
    return problems


def _check_no_answers(question: Question) -> list[str]:
    if question.answers or question.numerical_answers or question.pairs:
        return [_("This type of question takes no answers.")]
    return []


_CHECKERS = {
    "multichoice": _check_multichoice,
    "multichoice_multi": _check_multichoice_multi,
    "truefalse": _check_truefalse,
    "shortanswer": _check_shortanswer,
    "numerical": _check_numerical,
    "matching": _check_matching,
    "essay": _check_no_answers,
    "description": _check_no_answers,
}
