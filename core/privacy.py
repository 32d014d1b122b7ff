"""One person's data: export it as one archive, or remove it everywhere (GDPR articles 15 and 17).

Every installed plugin is asked, switched on or not (its data is there either way), through
``declic_privacy_export`` / ``declic_privacy_delete``; core goes last, so a plugin can still read
the account while it cleans up.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from core.clock import now
from core.contracts import PluginFailure
from core.i18n import gettext as _
from core.models import (
    AuditEvent,
    Course,
    Enrolment,
    GroupMember,
    LoginCode,
    Membership,
    Organisation,
    User,
    UserSession,
)
from core.plugins import PluginHost
from core.throttle import ThrottleUnavailable, forget_attempts


class PrivacyError(RuntimeError):
    """A plugin failed while exporting or deleting; nothing was deleted."""


def find_user(db: Session, who: str) -> User | None:
    """A user by login, e-mail or numeric id."""
    user = db.scalar(select(User).where(or_(User.login == who, User.email == who)))
    if user is None and who.isdigit():
        user = db.get(User, int(who))
    return user


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def core_export(db: Session, user: User) -> dict[str, Any]:
    """What core holds about ``user``."""
    memberships = db.execute(
        select(Organisation.slug, Organisation.name, Membership.role, Membership.created_at)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id)
    ).all()
    enrolments = db.execute(
        select(Organisation.slug, Course.title, Enrolment.role, Enrolment.created_at)
        .join(Course, Course.id == Enrolment.course_id)
        .join(Organisation, Organisation.id == Enrolment.organisation_id)
        .where(Enrolment.user_id == user.id)
    ).all()
    sessions = db.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    codes = db.scalars(select(LoginCode).where(LoginCode.user_id == user.id)).all()
    actions = db.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.created_at)
    ).all()
    return {
        "account": {
            "login": user.login,
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "active": user.active,
            "created_at": _when(user.created_at),
        },
        "memberships": [
            {"organisation": slug, "name": name, "role": role, "since": _when(since)}
            for slug, name, role, since in memberships
        ],
        "enrolments": [
            {"organisation": slug, "course": title, "role": role, "since": _when(since)}
            for slug, title, role, since in enrolments
        ],
        "sessions": [
            {
                "started": _when(s.created_at),
                "last_seen": _when(s.last_seen_at),
                "ended": _when(s.revoked_at),
                "address": s.address,
                "browser": s.user_agent,
            }
            for s in sessions
        ],
        "login_codes": [
            {
                "created": _when(c.created_at),
                "last_used": _when(c.last_used_at),
                "revoked": _when(c.revoked_at),
            }
            for c in codes
        ],
        "actions": [
            {
                "at": _when(a.created_at),
                "action": a.action,
                "target": a.target,
                "address": a.address,
            }
            for a in actions
        ],
    }


def collect_export(host: PluginHost, db: Session, user: User) -> dict[str, dict[str, Any]]:
    """``{"core": {...}, "quiz": {...}, ...}``: every part that holds something."""
    parts: dict[str, dict[str, Any]] = {"core": core_export(db, user)}
    failures: list[PluginFailure] = []
    for name, data in host.all_hooks().collect("declic_privacy_export", failures, db=db, user=user):
        if data:
            parts[name] = data
    if failures:
        raise PrivacyError(
            _(
                "The plugin %(name)s failed to export: %(error)s",
                name=failures[0].plugin,
                error=failures[0].error,
            )
        )
    return parts


def _index_html(
    user: User, parts: dict[str, dict[str, Any]], purposes: dict[str, list[Any]]
) -> str:
    """A page anyone can open from the archive, saying what each file holds and why."""
    rows = []
    for name in parts:
        why = "".join(
            f"<li><code>{html.escape(f.table)}</code>: {html.escape(str(f.purpose))}</li>"
            for f in purposes.get(name, [])
        )
        rows.append(
            f'<li><a href="{html.escape(name)}.json">{html.escape(name)}.json</a>'
            + (f"<ul>{why}</ul>" if why else "")
            + "</li>"
        )
    title = html.escape(_("Your data on Déclic"))
    intro = html.escape(
        _(
            "This archive holds everything the platform keeps about %(name)s (%(login)s), on "
            "%(date)s.",
            name=user.display_name,
            login=user.login,
            date=now().date().isoformat(),
        )
    )
    files = html.escape(_("One file per part of the platform, in JSON (a text format):"))
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1><p>{intro}</p>"
        f"<p>{files}</p><ul>{''.join(rows)}</ul></body></html>\n"
    )


def export_archive(host: PluginHost, db: Session, user: User) -> bytes:
    """One zip: ``core.json``, ``NAME.json`` per plugin holding data, and ``index.html``."""
    parts = collect_export(host, db, user)
    purposes = {
        name: list(fields or [])
        for name, fields in host.all_hooks().collect("declic_privacy_metadata")
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(
                f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2, default=str)
            )
        archive.writestr("index.html", _index_html(user, parts, purposes))
    return buffer.getvalue()


def delete_user(host: PluginHost, db: Session, user: User) -> list[str]:
    """Remove ``user`` everywhere: each plugin first, core last. Returns the parts that ran.

    Runs in the caller's transaction: if any plugin fails, :class:`PrivacyError` is raised and
    the caller rolls back, so nothing is half-deleted.
    """
    failures: list[Any] = []
    host.all_hooks().collect("declic_privacy_delete", failures, db=db, user=user)
    ran = sorted(
        i.plugin_name
        for i in host.pm.hook.declic_privacy_delete.get_hookimpls()
        if i.plugin_name in host.infos
    )
    if failures:
        raise PrivacyError(
            _(
                "The plugin %(name)s failed to delete: %(error)s",
                name=failures[0].plugin,
                error=failures[0].error,
            )
        )
    db.flush()
    user_id = user.id
    # Core, last: what ties the person to organisations and courses, then how they signed in.
    db.execute(delete(GroupMember).where(GroupMember.user_id == user_id))
    db.execute(delete(Enrolment).where(Enrolment.user_id == user_id))
    db.execute(delete(Membership).where(Membership.user_id == user_id))
    db.execute(delete(UserSession).where(UserSession.user_id == user_id))
    db.execute(delete(LoginCode).where(LoginCode.user_id == user_id))
    db.execute(
        update(LoginCode).where(LoginCode.created_by_id == user_id).values(created_by_id=None)
    )
    keys = [f"account:{user.login.lower()}"] + (
        [f"account:{user.email.lower()}"] if user.email else []
    )
    # The audit log keeps what happened, not who: the actor becomes anonymous.
    db.execute(update(AuditEvent).where(AuditEvent.actor_id == user_id).values(actor_id=None))
    db.execute(delete(User).where(User.id == user_id))
    db.add(AuditEvent(action="privacy.deleted", target=f"user #{user_id}"))
    # The sign-in attempts under the person's login and e-mail, in the database and in Redis when
    # it keeps them. Redis does not take part in the transaction, so it goes last: when it is
    # down, nothing at all is deleted (the caller rolls back) and the deletion can be run again.
    try:
        forget_attempts(db, keys)
    except ThrottleUnavailable as exc:
        raise PrivacyError(
            _("The sign-in attempts kept in Redis could not be removed (Redis did not answer)")
        ) from exc
    db.expunge(user)
    # Told after the fact; a listener's failure is logged and does not undo the deletion.
    host.all_hooks().collect("declic_user_deleted", [], db=db, user_id=user_id)
    return [*ran, "core"]
