"""Learners from a spreadsheet: check every line of the file, plan, then apply in one go.

The file has the shape of Moodle's "upload users" (``username;firstname;lastname;email;lang;
group1;role1``) or the French headings an association's spreadsheet has (``identifiant;prénom;
nom;courriel;langue;groupe;rôle``); reading it (encodings, separators, headings, line numbers as
the spreadsheet shows them) is :mod:`core.user_import_file`.

What a line does (decided here, once, for the import page and the command alike):

- a login unknown on the platform → a new account without password, a membership in the
  organisation with the line's role, an enrolment in the course with the same role, and the
  groups of the line (created in the course when missing). New learners get a login code.
- a login of a member of this organisation → the account is left exactly as it is (an import
  onboards, it does not synchronise: the person or an admin may have corrected the name since,
  and the account may be shared with another organisation); only a missing enrolment in the
  course and missing group memberships are added. Re-running the same file therefore changes
  nothing.
- a login of an account that is not a member of this organisation → rejected: a file never
  attaches someone else's account.
- administrators are never created from a file (the members page does that, one by one).

Nothing is written unless every line is valid, or the caller asks for the valid lines only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import i18n
from core.account_rules import COURSE_ROLE_LABELS, EMAIL_RE, LOGIN_RE
from core.auth import issue_login_code
from core.i18n import gettext as _
from core.models import Enrolment, Group, GroupMember, Membership, User
from core.user_import_file import (
    MAX_BYTES,
    MAX_LINES,
    ImportFileError,
    Row,
    Table,
    check_size,
    loose_key,
    max_size_label,
    read_table,
)

__all__ = [
    "MAX_BYTES",
    "MAX_LINES",
    "ImportFileError",
    "ImportOutcome",
    "ImportPlan",
    "LinePlan",
    "LinesRejectedError",
    "apply_plan",
    "check_size",
    "max_size_label",
    "plan_import",
    "read_table",
]

NAME_LIMIT = 100
GROUP_LIMIT = 200

IMPORTABLE_ROLES = ("learner", "trainer")

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
REJECTED = "rejected"


class LinesRejectedError(ValueError):
    """Some lines are rejected and the caller did not ask for the valid lines only."""


LANGUAGE_WORDS = {
    "fr": "fr",
    "francais": "fr",
    "french": "fr",
    "en": "en",
    "anglais": "en",
    "english": "en",
    "ar": "ar",
    "arabe": "ar",
    "arabic": "ar",
}
ROLE_WORDS = {
    **dict.fromkeys(
        (
            "learner", "student", "apprenant", "apprenante", "stagiaire", "eleve",
            "etudiant", "etudiante", "participant", "participante", "beneficiaire",
        ),
        "learner",
    ),
    **dict.fromkeys(
        (
            "trainer", "teacher", "editingteacher", "formateur", "formatrice",
            "enseignant", "enseignante", "animateur", "animatrice",
        ),
        "trainer",
    ),
    **dict.fromkeys(
        ("admin", "administrator", "administrateur", "administratrice", "manager"), "admin"
    ),
}  # fmt: skip


# --- checking and planning --------------------------------------------------------------------


@dataclass
class LinePlan:
    """What one line of the file will do, or why it is rejected."""

    number: int
    login: str
    display_name: str
    email: str | None = None
    language: str | None = None
    role: str = "learner"
    groups: tuple[str, ...] = ()
    reasons: list[str] = field(default_factory=list)
    user_id: int | None = None  # the existing member's account
    enrol: bool = True
    join: tuple[str, ...] = ()  # groups to join, named as the course names them
    note: str = ""

    @property
    def status(self) -> str:
        if self.reasons:
            return REJECTED
        if self.user_id is None:
            return CREATED
        return UPDATED if self.enrol or self.join else UNCHANGED

    @property
    def reason(self) -> str:
        return " ".join(self.reasons) if self.reasons else self.note


@dataclass
class ImportPlan:
    table: Table
    organisation_id: int
    course_id: int
    lines: list[LinePlan]
    existing_groups: dict[str, int]  # lower-cased name → group id

    def with_status(self, status: str) -> list[LinePlan]:
        return [line for line in self.lines if line.status == status]

    @property
    def rejected(self) -> list[LinePlan]:
        return self.with_status(REJECTED)

    @property
    def valid(self) -> list[LinePlan]:
        return [line for line in self.lines if line.status != REJECTED]

    @property
    def new_groups(self) -> list[str]:
        """Groups the valid lines name that the course does not have yet (first spelling)."""
        names: dict[str, str] = {}
        for line in self.valid:
            for name in line.join:
                if name.lower() not in self.existing_groups:
                    names.setdefault(name.lower(), name)
        return list(names.values())

    @property
    def enrolments(self) -> int:
        return sum(1 for line in self.valid if line.enrol)


def _language(raw: str) -> str | None:
    """A language code the platform has, from ``fr``, ``fr_FR``, ``Français``, ``العربية``..."""
    if not raw:
        return None
    for code, name in i18n.LANGUAGE_NAMES.items():
        if raw == name:
            return code
    key = loose_key(raw.replace("-", "_").split("_")[0]) or loose_key(raw)
    found = LANGUAGE_WORDS.get(key)
    return found if found in i18n.LANGUAGE_NAMES else None


def _check_line(row: Row, errors: list[str]) -> LinePlan:
    cells = row.cells
    login = cells.get("login", "").lower()
    if not login:
        errors.append(_("The login name is empty."))
    elif not LOGIN_RE.match(login):
        errors.append(
            _(
                "The login name “%(login)s” is not valid: use 2 to 64 small letters, digits, "
                "dots, dashes or underscores, starting with a letter or a digit.",
                login=cells["login"],
            )
        )
    first, last = cells.get("firstname", ""), cells.get("lastname", "")
    name = cells.get("fullname", "") or " ".join(part for part in (first, last) if part)
    if not name:
        errors.append(_("The name is empty: fill in the first name or the last name."))
    elif max(len(first), len(last)) > NAME_LIMIT or len(name) > 2 * NAME_LIMIT:
        errors.append(_("The name is too long (%(limit)s characters at most).", limit=NAME_LIMIT))
    elif "?" in name or "\ufffd" in name:
        # What Excel writes for letters its "CSV" (Windows-1252) cannot hold: Arabic names.
        errors.append(
            _(
                "The name “%(name)s” has “?” in place of letters: the spreadsheet could not save "
                "them. Save the file as “CSV UTF-8” and upload it again.",
                name=name,
            )
        )
    email = cells.get("email", "").lower() or None
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        errors.append(
            _(
                "“%(email)s” does not look like an email address (name@example.org).",
                email=cells["email"],
            )
        )
    language = _language(cells.get("language", ""))
    if cells.get("language") and language is None:
        errors.append(
            _(
                "Unknown language “%(language)s”: use %(choices)s, or leave the cell empty for "
                "the organisation's language.",
                language=cells["language"],
                choices=", ".join(i18n.LANGUAGE_NAMES),
            )
        )
    raw_role = cells.get("role", "")
    role = ROLE_WORDS.get(loose_key(raw_role), "") if raw_role else "learner"
    if role == "admin":
        errors.append(
            _(
                "Administrators are not imported from a file: add them one by one on the "
                "members page."
            )
        )
    elif role not in IMPORTABLE_ROLES:
        errors.append(
            _(
                "Unknown role “%(role)s”: write learner or trainer (apprenant, formateur), or "
                "leave the cell empty for a learner.",
                role=raw_role,
            )
        )
    for group in row.groups:
        if len(group) > GROUP_LIMIT:
            errors.append(
                _("The group name is too long (%(limit)s characters at most).", limit=GROUP_LIMIT)
            )
    return LinePlan(
        number=row.number,
        login=login,
        display_name=name,
        email=email,
        language=language,
        role=role if role in IMPORTABLE_ROLES else "learner",
        groups=tuple(dict.fromkeys(row.groups)),
        reasons=errors,
    )


def _also_on(numbers: Sequence[int], own: int) -> str:
    return ", ".join(str(n) for n in numbers if n != own)


def plan_import(db: Session, organisation_id: int, course_id: int, table: Table) -> ImportPlan:
    """Check every line against the file itself and the database; write nothing."""
    lines = [_check_line(row, []) for row in table.rows]

    # Duplicates inside the file: every line involved is rejected (which one is right?).
    logins: dict[str, list[int]] = {}
    emails: dict[str, list[int]] = {}
    for line in lines:
        if line.login:
            logins.setdefault(line.login, []).append(line.number)
        if line.email:
            emails.setdefault(line.email, []).append(line.number)
    for line in lines:
        if line.login and len(logins[line.login]) > 1:
            line.reasons.append(
                _(
                    "The login name “%(login)s” is also on line %(lines)s.",
                    login=line.login,
                    lines=_also_on(logins[line.login], line.number),
                )
            )
        if line.email and len(emails[line.email]) > 1:
            line.reasons.append(
                _(
                    "The email address %(email)s is also on line %(lines)s.",
                    email=line.email,
                    lines=_also_on(emails[line.email], line.number),
                )
            )

    accounts = {
        user.login.lower(): user
        for user in db.scalars(select(User).where(func.lower(User.login).in_(list(logins) or [""])))
    }
    email_owners = {
        (email or "").lower(): login
        for email, login in db.execute(
            select(User.email, User.login).where(func.lower(User.email).in_(list(emails) or [""]))
        )
    }
    account_ids = [user.id for user in accounts.values()]
    members = set(
        db.scalars(
            select(Membership.user_id).where(
                Membership.organisation_id == organisation_id,
                Membership.user_id.in_(account_ids or [0]),
            )
        )
    )
    enrolled = dict(
        db.execute(
            select(Enrolment.user_id, Enrolment.role).where(
                Enrolment.course_id == course_id,
                Enrolment.organisation_id == organisation_id,
                Enrolment.user_id.in_(account_ids or [0]),
            )
        ).all()
    )
    groups = {
        name.lower(): (group_id, name)
        for group_id, name in db.execute(
            select(Group.id, Group.name).where(
                Group.course_id == course_id, Group.organisation_id == organisation_id
            )
        )
    }
    in_groups = set(
        db.execute(
            select(GroupMember.user_id, GroupMember.group_id).where(
                GroupMember.organisation_id == organisation_id,
                GroupMember.group_id.in_([gid for gid, _n in groups.values()] or [0]),
                GroupMember.user_id.in_(account_ids or [0]),
            )
        ).all()
    )

    for line in lines:
        line.join = tuple(groups[g.lower()][1] if g.lower() in groups else g for g in line.groups)
        account = accounts.get(line.login)
        if account is None:
            owner = email_owners.get(line.email or "")
            if owner is not None:
                line.reasons.append(
                    _(
                        "Another account (%(login)s) already uses the email address %(email)s.",
                        login=owner,
                        email=line.email,
                    )
                )
            continue
        if account.id not in members:
            line.reasons.append(
                _(
                    "The login name “%(login)s” belongs to an account that is not a member of "
                    "this organisation: choose another login name. A file never attaches "
                    "someone else's account.",
                    login=line.login,
                )
            )
            continue
        line.user_id = account.id
        line.enrol = account.id not in enrolled
        line.join = tuple(
            name
            for name in line.join
            if name.lower() not in groups or (account.id, groups[name.lower()][0]) not in in_groups
        )
        if account.id in enrolled and enrolled[account.id] != line.role:
            line.note = _(
                "Already a member, enrolled as %(role)s: the account and its role are kept.",
                role=str(COURSE_ROLE_LABELS.get(enrolled[account.id], enrolled[account.id])),
            )
        else:
            line.note = _("Already a member: the account is kept as it is.")
    return ImportPlan(
        table,
        organisation_id,
        course_id,
        lines,
        {key: gid for key, (gid, _name) in groups.items()},
    )


# --- applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewLearner:
    user_id: int
    login: str
    display_name: str
    code: str


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    enrolments: int = 0
    groups_created: int = 0
    group_joins: int = 0
    learners: list[NewLearner] = field(default_factory=list)
    codes: dict[int, str] = field(default_factory=dict)  # line number → login code
    # New trainers get no code (codes are for learners only): someone must set their password.
    trainers: list[str] = field(default_factory=list)


def apply_plan(
    db: Session,
    plan: ImportPlan,
    *,
    actor: User | None,
    secret_key: str,
    valid_only: bool = False,
) -> ImportOutcome:
    """Write the plan (the caller commits, or rolls back on error): accounts, memberships,
    enrolments, groups, and a login code for each new learner.

    Raises :class:`LinesRejectedError` (having written nothing) when lines are rejected and
    ``valid_only`` is false.
    """
    if plan.rejected and not valid_only:
        raise LinesRejectedError(len(plan.rejected))
    outcome = ImportOutcome(rejected=len(plan.rejected))
    org_id, course_id = plan.organisation_id, plan.course_id
    new_groups = {
        name.lower(): Group(organisation_id=org_id, course_id=course_id, name=name)
        for name in plan.new_groups
    }
    lines = [line for line in plan.valid if line.status != UNCHANGED]
    outcome.unchanged = len(plan.valid) - len(lines)
    accounts = {
        line.number: User(
            login=line.login,
            display_name=line.display_name,
            email=line.email,
            language=line.language,
        )
        for line in lines
        if line.user_id is None
    }
    # One flush for every new row of a kind: a 2000-line file is one round of inserts.
    db.add_all([*new_groups.values(), *accounts.values()])
    db.flush()
    # Codes before the other rows: issuing one scans the session, so keep it small meanwhile.
    for line in lines:
        new_user = accounts.get(line.number)
        if new_user is not None and line.role == "learner":
            code = issue_login_code(db, new_user, org_id, actor, secret_key)
            outcome.learners.append(NewLearner(new_user.id, line.login, line.display_name, code))
            outcome.codes[line.number] = code
    group_ids = {**plan.existing_groups, **{key: g.id for key, g in new_groups.items()}}
    outcome.groups_created = len(new_groups)
    rows: list[Membership | Enrolment | GroupMember] = []
    for line in lines:
        new_user = accounts.get(line.number)
        user_id = new_user.id if new_user is not None else line.user_id
        assert user_id is not None
        if new_user is not None:
            rows.append(Membership(user_id=user_id, organisation_id=org_id, role=line.role))
            if line.role != "learner":
                outcome.trainers.append(line.display_name)
            outcome.created += 1
        else:
            outcome.updated += 1
        if line.enrol:
            rows.append(
                Enrolment(
                    organisation_id=org_id, course_id=course_id, user_id=user_id, role=line.role
                )
            )
            outcome.enrolments += 1
        for name in line.join:
            rows.append(
                GroupMember(
                    organisation_id=org_id, group_id=group_ids[name.lower()], user_id=user_id
                )
            )
            outcome.group_joins += 1
    db.add_all(rows)
    db.flush()
    return outcome


def summary_counts(plan: ImportPlan) -> Counter[str]:
    """How many lines of each status the plan has."""
    return Counter(line.status for line in plan.lines)
