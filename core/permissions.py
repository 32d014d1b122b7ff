"""Capabilities and roles: the one place that answers "may this user do X here?".

A role is a bundle of capabilities (Moodle's model). Core declares its own capabilities below;
plugins declare theirs through ``declic_capabilities`` with the roles that hold them by default.
Views never compare role names: they ask :func:`may` (through ``ctx.may`` / ``ctx.require``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.contracts import Capability
from core.i18n import lazy_gettext as _l
from core.models import Enrolment, Membership, User

CORE_CAPABILITIES = (
    Capability(
        "core:course.view",
        _l("See the courses one is enrolled in"),
        ("learner", "trainer", "admin"),
    ),
    Capability(
        "core:course.teach",
        _l("Run the courses one teaches: sections, groups, learners' progress"),
        ("trainer", "admin"),
    ),
    Capability(
        "core:course.manage",
        _l("Create, edit and delete every course of the organisation"),
        ("admin",),
    ),
    Capability("core:user.view", _l("See the organisation's members"), ("trainer", "admin")),
    Capability(
        "core:user.manage", _l("Add, edit and remove members, end their sessions"), ("admin",)
    ),
    Capability(
        "core:logincode.manage", _l("Print and revoke learners' login codes"), ("trainer", "admin")
    ),
    Capability(
        "core:organisation.manage",
        _l("Change the organisation's name, branding and theme"),
        ("admin",),
    ),
    Capability(
        "core:plugins.manage", _l("Switch plugins on and off and change their settings"), ("admin",)
    ),
    Capability("core:audit.view", _l("Read the organisation's audit log"), ("admin",)),
)


@dataclass
class CapabilityRegistry:
    """All capabilities known to the process (core and installed plugins)."""

    by_name: dict[str, Capability]
    by_role: dict[str, frozenset[str]]

    @classmethod
    def build(cls, capabilities: Iterable[Capability]) -> CapabilityRegistry:
        by_name: dict[str, Capability] = {}
        roles: dict[str, set[str]] = {"learner": set(), "trainer": set(), "admin": set()}
        for cap in capabilities:
            if cap.name in by_name:
                raise ValueError(f"capability {cap.name!r} declared twice")
            by_name[cap.name] = cap
            for role in cap.default_roles:
                if role not in roles:
                    raise ValueError(f"capability {cap.name!r} names unknown role {role!r}")
                roles[role].add(cap.name)
        return cls(by_name, {role: frozenset(caps) for role, caps in roles.items()})

    def describe(self, name: str) -> str:
        cap = self.by_name.get(name)
        return str(cap.description) if cap else name


def role_grants(registry: CapabilityRegistry, role: str | None, capability: str) -> bool:
    return role is not None and capability in registry.by_role.get(role, frozenset())


# Built once: capability checks run on most pages (see core.context for the measure).
_COURSE_ROLE = select(Enrolment.role).where(
    Enrolment.course_id == bindparam("course"),
    Enrolment.user_id == bindparam("user"),
    Enrolment.organisation_id == bindparam("org"),
)


def may(
    db: Session,
    registry: CapabilityRegistry,
    user: User | None,
    capability: str,
    membership: Membership | None,
    course_id: int | None = None,
) -> bool:
    """May ``user`` (holding ``membership`` in the organisation at hand) do ``capability``?

    With ``course_id``, the capability must also apply to that course: organisation-wide
    managers (``core:course.manage``) reach every course; everyone else needs an enrolment in
    it, and there the enrolment's role counts (a trainer enrolled as a learner is a learner).
    """
    if user is None or not user.active:
        return False
    if user.is_platform_admin:
        return True
    if membership is None or not role_grants(registry, membership.role, capability):
        return False
    if course_id is None or role_grants(registry, membership.role, "core:course.manage"):
        return True
    course_role = db.scalar(
        _COURSE_ROLE,
        {"course": course_id, "user": user.id, "org": membership.organisation_id},
    )
    return role_grants(registry, course_role, capability)
