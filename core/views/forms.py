"""Form handling shared by the core pages: reading fields, checking them, paging long lists.

A view reads its fields into ``values`` (kept to refill the form) and collects ``errors`` keyed by
field name; it writes nothing unless ``errors`` is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core import i18n
from core.account_rules import EMAIL_RE, LOGIN_RE, MIN_PASSWORD, ROLE_LABELS
from core.context import RequestContext
from core.i18n import gettext as _
from core.models import ROLES, User

# Workshops happen in France: dates typed in forms are local time there.
LOCAL_ZONE = ZoneInfo("Europe/Paris")

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def role_options() -> list[tuple[str, str]]:
    return [(role, str(ROLE_LABELS[role])) for role in ROLES]


def language_options(with_default: bool = True) -> list[tuple[str, str]]:
    options = [("", _("The organisation's language"))] if with_default else []
    return options + list(i18n.LANGUAGE_NAMES.items())


def values_of(ctx: RequestContext, *names: str) -> dict[str, str]:
    """The posted text of each field (stripped), to check and to refill the form."""
    return {name: ctx.field(name) for name in names}


def password_of(ctx: RequestContext, name: str = "password") -> str:
    """A password as typed: never stripped, never sent back into the page."""
    value = ctx.form.get(name, "") if ctx.form is not None else ""
    return value if isinstance(value, str) else ""


def require_text(values: dict[str, str], errors: dict[str, str], name: str, limit: int) -> None:
    if not values[name]:
        errors[name] = _("Please fill in this field.")
    elif len(values[name]) > limit:
        errors[name] = _("This is too long (%(limit)s characters at most).", limit=limit)


def check_account_fields(
    db: Session,
    values: dict[str, str],
    errors: dict[str, str],
    password: str,
    *,
    user_id: int | None = None,
    check_login: bool = True,
) -> None:
    """Login name, display name, email, language and password of an account being saved.

    ``user_id`` is the account being edited (its own login and email are not duplicates).
    """
    if check_login:
        values["login"] = values["login"].lower()
        login = values["login"]
        if not login:
            errors["login"] = _("Please fill in this field.")
        elif not LOGIN_RE.match(login):
            errors["login"] = _(
                "Use 2 to 64 small letters, digits, dots, dashes or underscores, "
                "starting with a letter or a digit."
            )
        elif _taken(db, func.lower(User.login) == login, user_id):
            errors["login"] = _("This login name is already taken. Choose another one.")
    require_text(values, errors, "display_name", 200)
    email = values.get("email", "").lower()
    values["email"] = email
    if email:
        if len(email) > 254 or not EMAIL_RE.match(email):
            errors["email"] = _("This does not look like an email address (name@example.org).")
        elif _taken(db, func.lower(User.email) == email, user_id):
            errors["email"] = _("Another account already uses this email address.")
    if values.get("language", "") not in ("", *i18n.LANGUAGE_NAMES):
        errors["language"] = _("Choose a language from the list.")
    if password and len(password) < MIN_PASSWORD:
        errors["password"] = _(
            "The password must have at least %(num)s characters.", num=MIN_PASSWORD
        )


def _taken(db: Session, condition: object, user_id: int | None) -> bool:
    stmt = select(User.id).where(condition)  # type: ignore[arg-type]
    if user_id is not None:
        stmt = stmt.where(User.id != user_id)
    return db.scalar(stmt.limit(1)) is not None


def parse_when(day: str, hour: str) -> datetime | None:
    """A local date and time from the form, as UTC; ``ValueError`` when malformed."""
    if not day and not hour:
        return None
    if not day:
        raise ValueError("time without a date")
    local_day = date.fromisoformat(day)
    local_time = time.fromisoformat(hour) if hour else time(9, 0)
    return datetime.combine(local_day, local_time, tzinfo=LOCAL_ZONE).astimezone(UTC)


def valid_hour(hour: str) -> bool:
    try:
        time.fromisoformat(hour)
    except ValueError:
        return False
    return True


def local_parts(moment: datetime | None) -> tuple[str, str]:
    """The ``(date, time)`` a form shows for a stored UTC moment."""
    if moment is None:
        return "", ""
    local = moment.astimezone(LOCAL_ZONE)
    return local.date().isoformat(), local.strftime("%H:%M")


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


@dataclass(frozen=True)
class Page:
    """One page of a long list."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.size - 1) // self.size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_of(ctx: RequestContext, stmt: Select, size: int) -> tuple[Page, list[Any]]:
    """The rows of the page asked for in ``?page=N`` (clamped to the pages that exist)."""
    try:
        number = int(ctx.request.query_params.get("page", "1"))
    except ValueError:
        number = 1
    total = ctx.db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = Page(1, size, total)
    page = Page(min(max(1, number), page.pages), size, total)
    rows = list(ctx.db.execute(stmt.limit(size).offset(page.offset)).all())
    return page, rows
