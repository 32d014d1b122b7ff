"""The new-session form: raw values as typed, and their checking into a plan of start times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from core.context import RequestContext
from core.i18n import gettext as _
from core.models import Course, Section
from plugins.attendance.recurrence import MAX_OCCURRENCES, RecurrenceError, RepeatRule, occurrences
from plugins.attendance.views.common import ZONE, course_groups, course_trainers


@dataclass
class SessionFormValues:
    """What the person typed, kept as text so the form can be refilled as it was."""

    group_id: str = ""
    section_id: str = ""
    date: str = ""
    start: str = "09:30"
    duration: str = "180"
    place: str = ""
    trainer_id: str = ""
    description: str = ""
    repeat: bool = False
    weekdays: set[int] = field(default_factory=set)
    every_weeks: str = "1"
    until: str = ""

    @classmethod
    def from_form(cls, ctx: RequestContext) -> SessionFormValues:
        raw = ctx.form.getlist("weekday") if ctx.form is not None else []
        return cls(
            group_id=ctx.field("group_id"),
            section_id=ctx.field("section_id"),
            date=ctx.field("date"),
            start=ctx.field("start"),
            duration=ctx.field("duration", "120"),
            place=ctx.field("place"),
            trainer_id=ctx.field("trainer_id"),
            description=ctx.field("description"),
            repeat=ctx.field("repeat") in ("1", "on"),
            weekdays={int(v) for v in raw if isinstance(v, str) and v.isdigit()},
            every_weeks=ctx.field("every_weeks", "1"),
            until=ctx.field("until"),
        )


@dataclass
class SessionPlan:
    """The checked form: every start time and the fields shared by the sessions."""

    starts: list[datetime]
    duration: int
    place: str
    description: str
    group_id: int | None
    trainer_id: int | None
    section_id: int | None


def _choice(text: str, allowed: set[int]) -> int | None:
    """The id picked in a select, or None for the empty option; raises ValueError if foreign."""
    if not text:
        return None
    if not text.isdigit() or int(text) not in allowed:
        raise ValueError(text)
    return int(text)


def check(
    ctx: RequestContext, course: Course, values: SessionFormValues
) -> tuple[SessionPlan | None, dict[str, str]]:
    """The plan, or None and the field errors (every field is checked, not only the first)."""
    errors: dict[str, str] = {}
    first: date | None = None
    at: time | None = None
    duration = 0
    try:
        first = date.fromisoformat(values.date)
    except ValueError:
        errors["date"] = _("Choose the date of the (first) session.")
    try:
        at = time.fromisoformat(values.start)
    except ValueError:
        errors["start"] = _("Write the start time as hours and minutes, for example 09:30.")
    try:
        duration = int(values.duration)
        if not 5 <= duration <= 720:
            raise ValueError(values.duration)
    except ValueError:
        errors["duration"] = _("Write the length in minutes, between 5 and 720.")
    group_id = trainer_id = section_id = None
    try:
        group_id = _choice(values.group_id, {g.id for g in course_groups(ctx, course.id)})
    except ValueError:
        errors["group_id"] = _("Choose one of the course's groups, or the whole course.")
    try:
        trainer_id = _choice(values.trainer_id, {u.id for u in course_trainers(ctx, course.id)})
    except ValueError:
        errors["trainer_id"] = _("Choose one of the course's trainers.")
    try:
        sections = {s.id for s in course_sections(ctx, course)}
        section_id = _choice(values.section_id, sections)
    except ValueError:
        errors["section_id"] = _("Choose one of the course's workshops.")
    if len(values.place) > 200:
        errors["place"] = _("Keep the place under 200 characters.")
    if len(values.description) > 200:
        errors["description"] = _("Keep the description under 200 characters.")
    rule = _repeat_rule(values, errors) if values.repeat else None
    if errors or first is None or at is None:
        return None, errors
    try:
        starts = occurrences(first, at, ZONE, rule)
    except RecurrenceError as exc:
        messages = {
            "until_before_start": _("The end date is before the first session."),
            "too_many": _(
                "This makes more than %(max)s sessions: choose an earlier end date.",
                max=MAX_OCCURRENCES,
            ),
            "no_occurrence": _("No session falls between these dates on the days ticked."),
        }
        return None, {exc.field: messages.get(exc.message, _("Check the repeat rule."))}
    plan = SessionPlan(
        starts=starts,
        duration=duration,
        place=values.place,
        description=values.description,
        group_id=group_id,
        trainer_id=trainer_id,
        section_id=section_id,
    )
    return plan, {}


def _repeat_rule(values: SessionFormValues, errors: dict[str, str]) -> RepeatRule | None:
    every = 1
    until: date | None = None
    try:
        every = int(values.every_weeks)
        if not 1 <= every <= 52:
            raise ValueError(values.every_weeks)
    except ValueError:
        errors["every_weeks"] = _("Write a number of weeks between 1 and 52.")
    try:
        until = date.fromisoformat(values.until)
    except ValueError:
        errors["until"] = _("Choose the date of the last session.")
    if not values.weekdays:
        errors["weekdays"] = _("Tick at least one day of the week.")
    if until is None or {"every_weeks", "weekdays"} & errors.keys():
        return None
    return RepeatRule(frozenset(values.weekdays), every, until)


def course_sections(ctx: RequestContext, course: Course) -> list[Section]:
    from sqlalchemy import select

    return list(
        ctx.db.scalars(
            select(Section)
            .where(Section.course_id == course.id, Section.organisation_id == ctx.org.id)
            .order_by(Section.position)
        )
    )
