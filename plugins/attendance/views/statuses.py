"""The organisation's status set: rename, re-point, reorder, retire or bring back, add.

Statuses are never deleted: a record keeps its status id, and a snapshot of the status's name
and points at the time, so changing the set never rewrites past attendance. Retiring a status
(``active = False``) takes it off the roll-call buttons only.
"""

from __future__ import annotations

from starlette.responses import Response

from core.context import RequestContext
from core.errors import BadRequest
from core.i18n import gettext as _
from plugins.attendance.models import AttendanceStatus
from plugins.attendance.views.common import route, statuses


def _points(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def _check(name: str, acronym: str, points: float | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name or len(name) > 64:
        errors["name"] = _("Give the status a name (64 characters at most).")
    if not acronym or len(acronym) > 8:
        errors["acronym"] = _("Give a short letter or two (8 characters at most).")
    if points is None:
        errors["points"] = _("Write the points as a number between 0 and 100.")
    return errors


def manage_statuses(ctx: RequestContext) -> Response:
    rows = statuses(ctx)
    errors: dict[str, str] = {}
    error_for: int | None = None
    values = {"name": "", "acronym": "", "points": "1", "present": False}
    if ctx.request.method == "POST":
        action = ctx.field("action")
        if action == "add":
            values = {
                "name": ctx.field("name"),
                "acronym": ctx.field("acronym"),
                "points": ctx.field("points"),
                "present": ctx.field("present") in ("1", "on"),
            }
            points = _points(str(values["points"]))
            errors = _check(str(values["name"]), str(values["acronym"]), points)
            if not errors:
                row = AttendanceStatus(
                    organisation_id=ctx.org.id,
                    key="",
                    name=str(values["name"]),
                    acronym=str(values["acronym"]),
                    points=points,
                    present=bool(values["present"]),
                    position=max((r.position for r in rows), default=0) + 1,
                    active=True,
                )
                ctx.db.add(row)
                ctx.audit("attendance.status_added", str(values["name"]), {"points": points})
                return ctx.redirect(ctx.url(route("statuses")))
            error_for = 0
        else:
            target = next((r for r in rows if str(r.id) == ctx.field("status_id")), None)
            if target is None:
                raise BadRequest(_("This status does not exist (any more). Reload the page."))
            if action == "save":
                name, acronym = ctx.field("name"), ctx.field("acronym")
                points = _points(ctx.field("points"))
                errors = _check(name, acronym, points)
                if not errors:
                    before = {"name": target.name, "points": target.points}
                    target.name, target.acronym, target.points = name, acronym, points  # type: ignore[assignment]
                    target.present = ctx.field("present") in ("1", "on")
                    ctx.audit(
                        "attendance.status_changed",
                        name,
                        {"before": before, "after": {"name": name, "points": points}},
                    )
                    return ctx.redirect(ctx.url(route("statuses")))
                error_for = target.id
            elif action in ("up", "down"):
                ordered = sorted(rows, key=lambda r: (r.position, r.id))
                index = ordered.index(target)
                other = index - 1 if action == "up" else index + 1
                if 0 <= other < len(ordered):
                    ordered[index], ordered[other] = ordered[other], ordered[index]
                for position, row in enumerate(ordered):
                    row.position = position
                return ctx.redirect(ctx.url(route("statuses")))
            elif action in ("retire", "restore"):
                if action == "retire" and len([r for r in rows if r.active]) <= 1:
                    errors = {"active": _("Keep at least one status in use.")}
                    error_for = target.id
                else:
                    target.active = action == "restore"
                    ctx.audit("attendance.status_" + action, target.name)
                    return ctx.redirect(ctx.url(route("statuses")))
            else:
                raise BadRequest(_("Unknown action."))
    return ctx.render(
        "attendance/statuses.html",
        status=400 if errors else 200,
        rows=sorted(rows, key=lambda r: (r.position, r.id)),
        errors=errors,
        error_for=error_for,
        values=values,
    )
