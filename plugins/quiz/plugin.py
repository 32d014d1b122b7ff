"""Hook implementations of the quiz plugin (registered through the entry point)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import hookimpl
from core.contracts import (
    Activity,
    ActivityType,
    Capability,
    MenuItem,
    PageRoute,
    PluginFailure,
    PluginInfo,
    PrivacyField,
    SettingSpec,
    Widget,
)
from core.i18n import N_
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import Organisation, User
from core.plugin_folders import standard_folders
from core.plugins import PluginHost, enabled_organisation_ids
from plugins.quiz import hookspecs as quiz_hookspecs
from plugins.quiz import privacy, seed
from plugins.quiz.models import Attempt, Quiz

if TYPE_CHECKING:
    from pluggy import PluginManager

    from core.context import RequestContext

NAME = "quiz"


@hookimpl
def declic_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version="0.1.0",
        description=N_(
            "Quizzes and question bank: attempts that never lose an answer, grading, "
            "feedback, reports"
        ),
        requires_core=">=0.1",
        depends=(),
        label=N_("Quiz"),
    )


@hookimpl
def declic_add_hookspecs(pluginmanager: PluginManager) -> None:
    pluginmanager.add_hookspecs(quiz_hookspecs)


declic_template_dir, declic_static_dir, declic_locale_dir, declic_migrations_dir = standard_folders(
    __file__
)


@hookimpl
def declic_routes() -> list[PageRoute]:
    from plugins.quiz.views import routes

    return routes()


@hookimpl
def declic_cli(subparsers: Any) -> None:
    from plugins.quiz import cli

    cli.register(subparsers)


@hookimpl
def declic_capabilities() -> list[Capability]:
    return [
        Capability("quiz:attempt", _l("Take quizzes"), ("learner", "trainer", "admin")),
        Capability(
            "quiz:build", _l("Create quizzes and change their settings"), ("trainer", "admin")
        ),
        Capability(
            "quiz:report", _l("See quiz results, reports and statistics"), ("trainer", "admin")
        ),
        Capability("quiz:regrade", _l("Regrade attempts and override marks"), ("trainer", "admin")),
        # Trainers write the questions of the quizzes they build (as Moodle's editing teachers
        # do); versions keep every past attempt graded against what it saw.
        Capability(
            "quiz:bank.manage",
            _l("Manage the question bank: categories, questions, images"),
            ("trainer", "admin"),
        ),
    ]


def _positive_or_zero(value: Any) -> str | None:
    return None if isinstance(value, int) and value >= 0 else _("Give 0 or a positive number.")


@hookimpl
def declic_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            "default_time_limit_minutes",
            _l("Default time limit of a new quiz (minutes, 0: none)"),
            0,
            kind="int",
            minimum=0,
            maximum=600,
            validate=_positive_or_zero,
        ),
        SettingSpec(
            "default_attempts",
            _l("Default attempts allowed for a new quiz (0: unlimited)"),
            0,
            kind="int",
            minimum=0,
            maximum=50,
            validate=_positive_or_zero,
        ),
        SettingSpec(
            "default_grace_minutes",
            _l("Default grace period after the time limit (minutes)"),
            2,
            kind="int",
            minimum=0,
            maximum=60,
            validate=_positive_or_zero,
        ),
    ]


@hookimpl
def declic_menu_items(ctx: RequestContext) -> list[MenuItem]:
    items = []
    if ctx.may("quiz:attempt"):
        items.append(MenuItem(_("My quizzes"), ctx.url("quiz.my_quizzes"), "learner", "✎", 40))
    if ctx.may("quiz:bank.manage"):
        items.append(MenuItem(_("Question bank"), ctx.url("quiz.bank"), "trainer", "☰", 45))
    return items


@hookimpl
def declic_dashboard_widgets(ctx: RequestContext, audience: str) -> list[Widget]:
    from plugins.quiz.views import dashboard

    if audience == "learner" and ctx.may("quiz:attempt"):
        return [dashboard.open_quizzes_widget(ctx)]
    if audience in ("trainer", "admin") and ctx.may("quiz:report"):
        return [dashboard.recent_submissions_widget(ctx)]
    return []


@hookimpl
def declic_activity_types(ctx: RequestContext) -> list[ActivityType]:
    return [
        ActivityType(
            name="quiz",
            label=_("Quiz"),
            description=_("Questions with automatic marks and feedback"),
            create_url=lambda org, course, section: (
                f"/o/{org}/quiz/course/{course}/new?section={section}"
            ),
            capability="quiz:build",
        )
    ]


@hookimpl
def declic_section_activities(
    ctx: RequestContext, course_id: int, section_ids: list[int]
) -> list[Activity]:
    if not section_ids:
        return []
    stmt = select(Quiz.id, Quiz.section_id, Quiz.title, Quiz.visible).where(
        Quiz.organisation_id == ctx.org.id,
        Quiz.course_id == course_id,
        Quiz.section_id.in_(section_ids),
    )
    builder = ctx.may("quiz:build", course_id)
    return [
        Activity(
            section_id=section_id,
            title=title if visible else _("%(title)s (hidden from learners)", title=title),
            url=ctx.url("quiz.quiz", quiz_id=quiz_id),
            kind="quiz",
            icon="✎",
        )
        for quiz_id, section_id, title, visible in ctx.db.execute(stmt.order_by(Quiz.id))
        if section_id is not None and (visible or builder)
    ]


@hookimpl
def declic_privacy_metadata() -> list[PrivacyField]:
    return privacy.METADATA


@hookimpl
def declic_privacy_export(db: Session, user: User) -> dict[str, Any] | None:
    return privacy.export_user(db, user)


@hookimpl
def declic_privacy_delete(db: Session, user: User) -> None:
    privacy.delete_user(db, user)


@hookimpl
def declic_contract_sample_data(db: Session, organisation: Organisation, user: User) -> int | None:
    return seed.contract_sample(db, organisation, user)


@hookimpl
def declic_demo_data(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    seed.demo_bank(db, organisation, users)


@hookimpl
def declic_cron(db: Session, now: datetime, host: PluginHost) -> list[str] | None:
    from plugins.quiz.announce import announce_submitted
    from plugins.quiz.attempts import finish_overdue_attempts

    lines = []
    for organisation_id in enabled_organisation_ids(db, NAME):
        organisation = db.get(Organisation, organisation_id)
        assert organisation is not None
        hooks = host.hooks_for(host.enabled_for(db, organisation))
        failures: list[PluginFailure] = []

        def announce(
            quiz: Quiz, attempt: Attempt, hooks: Any = hooks, failures: Any = failures
        ) -> None:
            announce_submitted(hooks, failures, db, quiz, attempt)

        count = finish_overdue_attempts(db, organisation_id, now, announce)
        if count:
            lines.append(f"organisation {organisation_id}: {count} overdue attempt(s) finished")
        lines.extend(f"listener {f.plugin} failed in {f.hook}: {f.error}" for f in failures)
    return lines
