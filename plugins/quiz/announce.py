"""Telling other plugins about submitted and graded attempts, without letting them break a quiz.

Each listener runs on its own inside a savepoint: one that raises is logged, recorded in
``failures`` (so an admin sees which plugin failed) and its database changes are rolled back,
while the learner's submission and the other listeners' work are kept. This is the fault
isolation of ``OrgHooks.collect`` plus a per-listener savepoint, which ``collect`` cannot give.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.contracts import PluginFailure
from plugins.quiz.attempts import attempt_result
from plugins.quiz.models import Attempt, Quiz

if TYPE_CHECKING:
    from core.plugins import OrgHooks

log = logging.getLogger("declic.quiz")

SUBMITTED = "declic_quiz_attempt_submitted"
GRADED = "declic_quiz_attempt_graded"


def emit(
    hooks: OrgHooks | None,
    failures: list[PluginFailure],
    db: Session,
    hook_name: str,
    **kwargs: Any,
) -> None:
    """Call ``hook_name`` on each plugin enabled in ``hooks``, each in its own savepoint."""
    if hooks is None:
        return
    caller = getattr(hooks, hook_name)
    for impl in reversed(caller.get_hookimpls()):
        if impl.plugin_name not in hooks.enabled:
            continue
        savepoint = db.begin_nested()
        try:
            impl.function(**{k: v for k, v in {"db": db, **kwargs}.items() if k in impl.argnames})
            db.flush()
            savepoint.commit()
        except Exception as exc:
            log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)
            savepoint.rollback()
            failures.append(PluginFailure(impl.plugin_name, hook_name, repr(exc)))


def announce_submitted(
    hooks: OrgHooks | None, failures: list[PluginFailure], db: Session, quiz: Quiz, attempt: Attempt
) -> None:
    """After a submission: "submitted", then "graded" with the same results."""
    result = attempt_result(db, quiz, attempt)
    emit(hooks, failures, db, SUBMITTED, result=result)
    emit(hooks, failures, db, GRADED, result=result)


def announce_graded(
    hooks: OrgHooks | None, failures: list[PluginFailure], db: Session, quiz: Quiz, attempt: Attempt
) -> None:
    """After a regrade or a trainer's mark."""
    emit(hooks, failures, db, GRADED, result=attempt_result(db, quiz, attempt))
