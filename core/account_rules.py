"""What a valid account looks like, and how roles are named to people: shared by the admin forms,
the CSV import and the command line (so a login accepted in one place is accepted everywhere)."""

from __future__ import annotations

import re

from core.i18n import lazy_gettext as _l

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8

ROLE_LABELS = {
    "learner": _l("Learner"),
    "trainer": _l("Trainer"),
    "admin": _l("Organisation administrator"),
}
COURSE_ROLE_LABELS = {"learner": _l("Learner"), "trainer": _l("Trainer")}
