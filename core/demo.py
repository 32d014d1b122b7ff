"""The demo platform seeded by ``declic demo``: two associations, each with an admin, a trainer,
learners (some without email), the course "Clic'Emploi" and its four workshops, a group,
enrolments, every installed plugin switched on, then each plugin's own demo content through the
``declic_demo_data`` hook.

An organisation that already exists is left exactly as it is, so running the command again
changes nothing. Core never names a plugin: it switches on whatever ``host.names`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth import hash_password
from core.clock import now
from core.contracts import PluginFailure
from core.models import (
    AuditEvent,
    Course,
    Enrolment,
    Group,
    GroupMember,
    Membership,
    Organisation,
    Section,
    User,
)
from core.plugin_switches import switch_plugin
from core.plugins import PluginHost

PASSWORDS = {"admin": "demo-admin", "trainer": "demo-trainer", "learner": "demo-learner"}
PLATFORM_ADMIN = ("plateforme", "Équipe plateforme", "demo-plateforme")

COURSE_TITLE = "Clic'Emploi"
COURSE_SUMMARY = (
    "Quatre ateliers de deux heures pour utiliser l'ordinateur dans sa recherche d'emploi."
)
WORKSHOPS = (
    "La prise en main de l'ordinateur",
    "La réalisation de mon CV",
    "Communiquer par message électronique",
    "La navigation au service de ma recherche d'emploi",
)
# Workshops on Monday and Thursday mornings, this week and next: some are past (roll-calls and
# results to show), some are coming (what a learner sees next).
WORKSHOP_DAYS = (0, 3, 7, 10)
WORKSHOP_START = time(9, 30)
WORKSHOP_MINUTES = 120


@dataclass(frozen=True)
class DemoPerson:
    login: str
    display_name: str
    role: str
    email: str | None = None


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    colour: str
    group: str
    people: tuple[DemoPerson, ...]


DEMO_ORGANISATIONS = (
    DemoOrganisation(
        slug="nord",
        name="Association Déclic Nord",
        colour="#1f5fa8",
        group="Groupe du lundi",
        people=(
            DemoPerson("admin.nord", "Claire Dubois", "admin", "claire.dubois@nord.example"),
            DemoPerson("karim.nord", "Karim Benali", "trainer", "karim.benali@nord.example"),
            DemoPerson("amina", "Amina Haddad", "learner", "amina.haddad@example.org"),
            DemoPerson("fatima", "فاطمة الزهراء بنعلي", "learner"),
            DemoPerson("jeanpierre", "Jean-Pierre Lefèvre", "learner"),
            DemoPerson("olena", "Olena Kovalenko", "learner", "olena.k@example.org"),
            DemoPerson("mamadou", "Mamadou Diallo", "learner"),
            DemoPerson("lan", "Nguyễn Thị Lan", "learner", "lan.nguyen@example.org"),
        ),
    ),
    DemoOrganisation(
        slug="sud",
        name="Association Clic Sud",
        colour="#8a3b12",
        group="Groupe du jeudi",
        people=(
            DemoPerson("admin.sud", "Sylvie Marchand", "admin", "sylvie.marchand@sud.example"),
            DemoPerson("nadia.sud", "Nadia Moreau", "trainer", "nadia.moreau@sud.example"),
            DemoPerson("youssef", "يوسف العلوي", "learner"),
            DemoPerson("marie", "Marie-Thérèse Petit", "learner", "mt.petit@example.org"),
            DemoPerson("aissatou", "Aïssatou Ndiaye", "learner"),
            DemoPerson("mehmet", "Mehmet Yılmaz", "learner", "mehmet.yilmaz@example.org"),
            DemoPerson("rachid", "Rachid Amrani", "learner"),
            DemoPerson("ioana", "Ioana Popescu", "learner"),
        ),
    ),
)


class DemoError(RuntimeError):
    """A plugin's demo content could not be made: the whole demo is rolled back."""


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _paris() -> ZoneInfo | None:
    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # a system without tz data: the times are then UTC
        return None


def workshop_times(reference: datetime) -> list[datetime]:
    """Start of each workshop, as aware UTC datetimes, from the Monday of ``reference``'s week."""
    zone = _paris()
    local = reference.astimezone(zone) if zone else reference
    monday = local.date() - timedelta(days=local.weekday())
    starts = []
    for offset in WORKSHOP_DAYS:
        day = monday + timedelta(days=offset)
        moment = datetime.combine(day, WORKSHOP_START, tzinfo=zone or reference.tzinfo)
        starts.append(moment.astimezone(reference.tzinfo))
    return starts


def _user(db: Session, person: DemoPerson, password_hash: str) -> User:
    user = User(
        login=person.login,
        display_name=person.display_name,
        email=person.email,
        password_hash=password_hash,
    )
    db.add(user)
    return user


def seed_organisation(
    db: Session, host: PluginHost, spec: DemoOrganisation, hashes: dict[str, str]
) -> None:
    """One demo organisation, its people and course, its plugins on and their demo content.
    ``hashes`` holds the password hash of each role (hashed once: argon2 is slow on purpose)."""
    org = Organisation(slug=spec.slug, name=spec.name, colour=spec.colour, default_language="fr")
    db.add(org)
    db.flush()
    users = {person.login: _user(db, person, hashes[person.role]) for person in spec.people}
    db.flush()
    for person in spec.people:
        db.add(Membership(user_id=users[person.login].id, organisation_id=org.id, role=person.role))

    course = Course(organisation_id=org.id, title=COURSE_TITLE, summary=COURSE_SUMMARY)
    db.add(course)
    db.flush()
    starts = workshop_times(now())
    for position, (title, starts_at) in enumerate(zip(WORKSHOPS, starts, strict=True)):
        db.add(
            Section(
                organisation_id=org.id,
                course_id=course.id,
                title=title,
                position=position,
                starts_at=starts_at,
                duration_minutes=WORKSHOP_MINUTES,
            )
        )
    group = Group(organisation_id=org.id, course_id=course.id, name=spec.group)
    db.add(group)
    db.flush()
    for person in spec.people:
        if person.role == "admin":
            continue
        user = users[person.login]
        db.add(
            Enrolment(
                organisation_id=org.id,
                course_id=course.id,
                user_id=user.id,
                role="trainer" if person.role == "trainer" else "learner",
            )
        )
        if person.role == "learner":
            db.add(GroupMember(organisation_id=org.id, group_id=group.id, user_id=user.id))
    db.add(AuditEvent(organisation_id=org.id, action="demo.seeded", target=spec.slug))
    db.flush()

    for name in host.names:
        problem = switch_plugin(db, host, org, name, True, actor=None, cascade=True)
        if problem is not None:
            raise DemoError(f"plugin {name} could not be switched on: {problem.message}")
    enabled = host.enabled_for(db, org)
    failures: list[PluginFailure] = []
    host.hooks_for(enabled).collect(
        "declic_demo_data", failures, db=db, organisation=org, users=users
    )
    if failures:
        first = failures[0]
        raise DemoError(f"plugin {first.plugin} failed in declic_demo_data: {first.error}")
    db.flush()


def seed_demo(db: Session, host: PluginHost) -> DemoReport:
    """Seed what is missing; an organisation or account that already exists is left alone."""
    report = DemoReport()
    login, name, password = PLATFORM_ADMIN
    if db.scalar(select(User).where(User.login == login)) is None:
        db.add(
            User(
                login=login,
                display_name=name,
                password_hash=hash_password(password),
                is_platform_admin=True,
            )
        )
        db.flush()
    hashes: dict[str, str] = {}
    for spec in DEMO_ORGANISATIONS:
        if db.scalar(select(Organisation).where(Organisation.slug == spec.slug)) is not None:
            report.skipped.append(spec.slug)
            continue
        hashes = hashes or {role: hash_password(word) for role, word in PASSWORDS.items()}
        seed_organisation(db, host, spec, hashes)
        report.created.append(spec.slug)
    return report


def sign_in_lines(url: str) -> list[str]:
    """How to sign in to the demo, for the terminal."""
    login, _name, password = PLATFORM_ADMIN
    lines = [
        f"Sign in at {url}/login with one of these accounts:",
        f"  platform admin   {login:<12} password {password}",
    ]
    for spec in DEMO_ORGANISATIONS:
        lines.append(f"  {spec.name} ({url}/o/{spec.slug}/):")
        learners = [p.login for p in spec.people if p.role == "learner"]
        for person in spec.people:
            if person.role != "learner":
                lines.append(
                    f"    {person.role:<14} {person.login:<12} password {PASSWORDS[person.role]}"
                )
        lines.append(
            f"    {'learners':<14} {', '.join(learners)} (password {PASSWORDS['learner']})"
        )
    return lines


def print_sign_in(url: str) -> None:
    print("\n".join(sign_in_lines(url)))
