"""Hook implementations of the certification plugin (registered through the entry point)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import plugins.certification.models as models
from core import hookimpl
from core.contracts import (
    Capability,
    MenuItem,
    PageRoute,
    PluginInfo,
    PrivacyField,
    SettingSpec,
    Widget,
)
from core.i18n import N_
from core.i18n import lazy_gettext as _l
from core.models import Organisation, User
from core.plugin_folders import standard_folders
from plugins.certification import evidence, widgets
from plugins.certification.certificates import anonymise

NAME = "certification"


@hookimpl
def declic_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version="0.1.0",
        description=N_(
            "Certification readiness for Pix/CRCN, B2i Adultes and PCIE, "
            "and verifiable certificates"
        ),
        requires_core=">=0.1",
        # Installed with quiz (it listens to quiz's hooks), but it stays useful in an
        # organisation that switches quiz off: observations and workshops still count, and its
        # pages say why quiz evidence is missing.
        depends=("quiz",),
        needs_enabled=(),
        label=N_("Certification"),
    )


declic_template_dir, declic_static_dir, declic_locale_dir, declic_migrations_dir = standard_folders(
    __file__
)


@hookimpl
def declic_routes() -> list[PageRoute]:
    from plugins.certification.views import ROUTES

    return list(ROUTES)


@hookimpl
def declic_cli(subparsers: Any) -> None:
    from plugins.certification import cli

    cli.register(subparsers)


@hookimpl
def declic_capabilities() -> list[Capability]:
    return [
        Capability(
            "certification:view_own",
            _l("See one's own skills and readiness"),
            ("learner", "trainer", "admin"),
        ),
        Capability(
            "certification:assess",
            _l("See learners' skills and readiness, record observations"),
            ("trainer", "admin"),
        ),
        Capability(
            "certification:issue", _l("Issue completion certificates"), ("trainer", "admin")
        ),
        Capability("certification:revoke", _l("Revoke certificates"), ("admin",)),
        Capability(
            "certification:frameworks",
            _l("Add the organisation's own competence frameworks"),
            ("admin",),
        ),
    ]


def _check_margin(value: Any) -> str | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(_l("Give a number of levels, for instance 0.5"))
    return None if 0 <= number <= 2 else str(_l("Give a margin between 0 and 2 levels"))


@hookimpl
def declic_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            "half_life_days",
            _l("Half-life of evidence, in days"),
            90,
            kind="int",
            minimum=7,
            maximum=3650,
            help=_l("Evidence this old counts half as much as today's; twice as old, a quarter."),
        ),
        SettingSpec(
            "nearly_margin",
            _l("“Nearly” margin, in levels"),
            "0.5",
            kind="choice",
            choices=(("0.25", "0.25"), ("0.5", "0.5"), ("0.75", "0.75"), ("1", "1")),
            help=_l("How close to the level needed a competence must be to count as nearly there."),
            validate=_check_margin,
        ),
    ]


@hookimpl
def declic_menu_items(ctx: Any) -> list[MenuItem]:
    items = []
    if ctx.may("certification:view_own"):
        items.append(
            MenuItem(str(_l("My skills")), ctx.url("certification.mine"), "learner", order=40)
        )
    if ctx.may("certification:assess"):
        items.append(
            MenuItem(str(_l("Readiness")), ctx.url("certification.index"), "trainer", order=40)
        )
    return items


@hookimpl
def declic_dashboard_widgets(ctx: Any, audience: str) -> list[Widget]:
    return widgets.for_audience(ctx, audience)


# --- events from quiz and attendance --------------------------------------------------------
# optionalhook: the specs are published by those plugins; if one is not installed, registering
# this module must still pass check_pending().


@hookimpl(optionalhook=True)
def declic_quiz_attempt_graded(db: Session, result: Any) -> None:
    catalogue = evidence.org_catalogue(db, result.organisation_id)
    evidence.record_quiz_result(db, catalogue, result)


@hookimpl(optionalhook=True)
def declic_attendance_taken(db: Session, taken: Any) -> None:
    catalogue = evidence.org_catalogue(db, taken.organisation_id)
    evidence.record_attendance(db, catalogue, taken)


# --- privacy ------------------------------------------------------------------------------------


@hookimpl
def declic_privacy_metadata() -> list[PrivacyField]:
    return [
        PrivacyField(
            "certification_evidence",
            ("user_id", "competence", "outcome", "occurred_at", "label", "comment", "given_by_id"),
            str(
                _l(
                    "Evidence of skills (quiz answers, attendance, trainers' observations), "
                    "to estimate levels"
                )
            ),
        ),
        PrivacyField(
            "certification_certificate",
            ("user_id", "learner_name", "pdf", "issued_at", "issued_by_id"),
            str(
                _l(
                    "Certificates issued, kept so anyone can verify them; on erasure the name and "
                    "PDF are removed and the certificate shows as withdrawn"
                )
            ),
        ),
    ]


@hookimpl
def declic_privacy_export(db: Session, user: User) -> dict[str, Any] | None:
    rows = db.scalars(select(models.Evidence).where(models.Evidence.user_id == user.id)).all()
    certs = db.scalars(
        select(models.Certificate).where(models.Certificate.user_id == user.id)
    ).all()
    given = db.scalars(select(models.Evidence).where(models.Evidence.given_by_id == user.id)).all()
    if not rows and not certs and not given:
        return None
    return {
        "evidence": [
            {
                "organisation_id": r.organisation_id,
                "competence": r.competence,
                "source": r.source,
                "difficulty": r.difficulty,
                "outcome": r.outcome,
                "date": r.occurred_at.isoformat(),
                "what": r.label,
                "comment": r.comment,
            }
            for r in rows
        ],
        "certificates": [
            {
                "organisation_id": c.organisation_id,
                "title": c.title,
                "name": c.learner_name,
                "code": c.code,
                "issued_at": c.issued_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            }
            for c in certs
        ],
        "observations_given": len(given),
    }


@hookimpl
def declic_privacy_delete(db: Session, user: User) -> None:
    db.execute(delete(models.Evidence).where(models.Evidence.user_id == user.id))
    for cert in db.scalars(select(models.Certificate).where(models.Certificate.user_id == user.id)):
        anonymise(cert)
    # What this user did as a trainer stays, without naming them.
    for row in db.scalars(select(models.Evidence).where(models.Evidence.given_by_id == user.id)):
        row.given_by_id = None
    db.flush()


@hookimpl
def declic_contract_sample_data(db: Session, organisation: Organisation, user: User) -> int | None:
    from core.models import Enrolment

    course_id = db.scalar(
        select(Enrolment.course_id).where(
            Enrolment.user_id == user.id, Enrolment.organisation_id == organisation.id
        )
    )
    evidence.add_observation(
        db, organisation.id, user.id, "crcn:1.1", 1, True, "sample", None, course_id
    )
    return user.id


@hookimpl
def declic_demo_data(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    from plugins.certification.demo import seed

    seed(db, organisation, users)
