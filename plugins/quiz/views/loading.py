"""Loading a quiz or an attempt for a view, scoped to the organisation and checked once."""

from __future__ import annotations

from collections.abc import Callable

from core import clock
from core.context import RequestContext
from core.errors import Forbidden
from core.i18n import gettext as _
from plugins.quiz.announce import announce_submitted
from plugins.quiz.attempts import finish_if_overdue, is_overdue
from plugins.quiz.models import Attempt, Quiz


def quiz_for(ctx: RequestContext, quiz_id: int | str, capability: str) -> Quiz:
    """A quiz of this organisation, if the user holds ``capability`` in its course."""
    quiz = ctx.get(Quiz, quiz_id)
    ctx.require(capability, quiz.course_id)
    return quiz


def announcer(ctx: RequestContext, quiz: Quiz) -> Callable[[Attempt], None]:
    return lambda attempt: announce_submitted(ctx.hooks, ctx.failures, ctx.db, quiz, attempt)


def attempt_for(
    ctx: RequestContext, attempt_id: int | str, *, owner_only: bool
) -> tuple[Attempt, Quiz]:
    """An attempt and its quiz. The learner reaches their own; with ``owner_only=False`` a
    trainer holding ``quiz:report`` in the course reaches any. Another learner's: 403."""
    # One statement for both (the learner's most frequent pages start here).
    attempt, quiz = ctx.get_with(Attempt, attempt_id, Quiz, "quiz_id")
    assert ctx.user is not None
    if attempt.user_id == ctx.user.id:
        ctx.require("quiz:attempt", quiz.course_id)
    elif owner_only or not ctx.may("quiz:report", quiz.course_id):
        raise Forbidden(_("This attempt belongs to someone else."))
    return attempt, quiz


def finish_when_overdue(ctx: RequestContext, quiz: Quiz, attempt: Attempt) -> bool:
    """Finish the attempt now if its time is up (True), in the request's own transaction: on a
    page view too, as core's session bookkeeping does (a second connection would wait on it)."""
    if not is_overdue(quiz, attempt, clock.now()):
        return False
    finish_if_overdue(ctx.db, quiz, attempt, clock.now(), announcer(ctx, quiz))
    return True


def sequence_now() -> int:
    """A sequence number for a save sent without one (pages without JavaScript): the time in ms,
    the same scale as the browser's numbers."""
    return int(clock.now().timestamp() * 1000)
