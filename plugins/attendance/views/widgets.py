"""Dashboard boxes: the learner's next session; the trainer's sessions of today and open
absence warnings of the courses they teach."""

from __future__ import annotations

from sqlalchemy import select

from core.context import RequestContext
from core.contracts import Widget
from core.i18n import gettext as _
from core.models import Course, Enrolment, User
from plugins.attendance.models import AbsenceWarning
from plugins.attendance.views.common import route
from plugins.attendance.views.reports import next_session_for
from plugins.attendance.views.sessions import session_rows, todays_sessions


def learner_widget(ctx: RequestContext) -> Widget:
    return Widget(
        title=_("My next session"),
        template="attendance/widget_learner.html",
        context={
            "next": next_session_for(ctx),
            "my_url": ctx.url(route("my")),
            "checkin_url": ctx.url(route("checkin")),
        },
        order=20,
    )


def _taught_course_ids(ctx: RequestContext) -> list[int]:
    assert ctx.user is not None
    if ctx.may("core:course.manage"):
        return list(ctx.db.scalars(select(Course.id).where(Course.organisation_id == ctx.org.id)))
    return list(
        ctx.db.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == ctx.user.id,
                Enrolment.organisation_id == ctx.org.id,
                Enrolment.role == "trainer",
            )
        )
    )


def trainer_widgets(ctx: RequestContext) -> list[Widget]:
    course_ids = _taught_course_ids(ctx)
    today = session_rows(ctx, todays_sessions(ctx, course_ids))
    warnings = []
    if course_ids and ctx.may("attendance:report"):
        rows = ctx.db.execute(
            select(AbsenceWarning, User.display_name, Course.title)
            .join(User, User.id == AbsenceWarning.user_id)
            .join(Course, Course.id == AbsenceWarning.course_id)
            .where(
                AbsenceWarning.organisation_id == ctx.org.id,
                AbsenceWarning.course_id.in_(course_ids),
                AbsenceWarning.cleared_at.is_(None),
                AbsenceWarning.dismissed_at.is_(None),
            )
            .order_by(AbsenceWarning.raised_at.desc())
            .limit(20)
        ).all()
        for warning, name, title in rows:
            if warning.kind == "consecutive":
                text = _(
                    "%(name)s missed %(count)s sessions in a row.", name=name, count=warning.detail
                )
            else:
                text = _(
                    "%(name)s's attendance rate is %(rate)s %%.", name=name, rate=warning.detail
                )
            warnings.append(
                {
                    "text": text,
                    "course": title,
                    "report_url": ctx.url(
                        route("learner_report"),
                        course_id=warning.course_id,
                        user_id=warning.user_id,
                    ),
                    "dismiss_url": ctx.url(route("dismiss_warning"), warning_id=warning.id),
                }
            )
    return [
        Widget(
            title=_("Today's sessions"),
            template="attendance/widget_today.html",
            context={"today": today, "index_url": ctx.url(route("index"))},
            order=20,
        ),
        Widget(
            title=_("Absence warnings"),
            template="attendance/widget_warnings.html",
            context={"warnings": warnings},
            order=21,
        ),
    ]
